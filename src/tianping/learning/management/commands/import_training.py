"""`tianping import-training FILE.xlsx --court CODE [--dry-run] [--json]` (CONTRACT.md)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tianping.learning.importing import import_training
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
        "Import a court's training ledger (培训台账) from an .xlsx workbook: sheet 培训班 "
        "(classes) and sheet 参训人员 (participants with their hours). A class already "
        "imported under the same court and 编号 is updated. All or nothing: any problem and "
        "nothing is written."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the .xlsx workbook")
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
            result = import_training(path, node, None, dry_run=dry_run, values=values)
        report_result(result, as_json=json, stdout=self.stdout, stderr=self.stderr, unit="个培训班")
        if not result.ok:
            raise CommandError(f"培训台账导入未完成：{len(result.errors)}处问题", returncode=1)
