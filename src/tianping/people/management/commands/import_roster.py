"""`tianping import-roster FILE.xlsx --court CODE [--dry-run] [--json] [--map …] [--declare …]`:
the roster (花名册)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tianping.lib.sheets import (
    ImportResult,
    SheetError,
    add_declare_option,
    add_map_option,
    report_result,
    value_map_option,
)
from tianping.orgs.models import Org
from tianping.people.importing import import_roster
from tianping.people.terms import closed_because


class Command(BaseCommand):
    help = (
        "Import a court's roster (花名册) from an .xlsx sheet, upserting people by 工号. "
        "All or nothing: any problem and nothing is written."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the .xlsx sheet")
        parser.add_argument("--court", required=True, help="the court's code")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--json", action="store_true", help="print one JSON document on stdout")
        add_map_option(parser)
        add_declare_option(parser)

    def handle(
        self, *args: Any, file: str, court: str, dry_run: bool, json: bool, **options: Any
    ) -> None:
        path = Path(file)
        node = Org.objects.filter(code=court).first()
        values, map_errors = value_map_option(
            options["map"], options["declare"], closed=closed_because
        )
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
            result = import_roster(path, node, None, dry_run=dry_run, values=values)
        report_result(result, as_json=json, stdout=self.stdout, stderr=self.stderr, unit="人")
        if not result.ok:
            raise CommandError(f"花名册导入未完成：{len(result.errors)}处问题", returncode=1)
