"""`tianping import-activities FILE.xlsx --court CODE [--dry-run] [--json]`: a ledger (台账)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tianping.activities.importing import import_ledger
from tianping.lib.sheets import (
    ImportResult,
    SheetError,
    add_map_option,
    report_result,
    value_map_option,
)
from tianping.orgs.models import Org


class Command(BaseCommand):
    help = (
        "Import a court's ledger (台账) of past activities with attendance from an .xlsx sheet. "
        "An activity already recorded (same 组织, 活动类型, 日期, 标题) is not recorded twice. "
        "All or nothing: any problem and nothing is written."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the .xlsx sheet")
        parser.add_argument("--court", required=True, help="the court's code")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--json", action="store_true", help="print one JSON document on stdout")
        add_map_option(parser)

    def handle(
        self, *args: Any, file: str, court: str, dry_run: bool, json: bool, **options: Any
    ) -> None:
        path = Path(file)
        node = Org.objects.filter(code=court).first()
        values, map_errors = value_map_option(options["map"])
        if map_errors:
            result = ImportResult(errors=map_errors, dry_run=dry_run)
        elif node is None:
            result = ImportResult(
                errors=[SheetError(None, "--court", court, f"找不到代码为“{court}”的法院")],
                dry_run=dry_run,
            )
        elif not node.is_court:
            result = ImportResult(
                errors=[SheetError(None, "--court", court, f"“{node.name}”不是法院")],
                dry_run=dry_run,
            )
        elif not path.is_file():
            result = ImportResult(
                errors=[SheetError(None, "", file, "找不到文件")], dry_run=dry_run
            )
        else:
            result = import_ledger(path, node, None, dry_run=dry_run, values=values)
        report_result(result, as_json=json, stdout=self.stdout, stderr=self.stderr, unit="项活动")
        if not result.ok:
            raise CommandError(f"台账导入未完成：{len(result.errors)}处问题", returncode=1)
