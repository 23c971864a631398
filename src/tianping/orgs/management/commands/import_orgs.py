"""`tianping import-orgs FILE.xlsx [--dry-run] [--json]`: the organisation tree from a sheet."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tianping.lib.sheets import (
    ImportResult,
    SheetError,
    add_map_option,
    report_result,
    value_map_option,
)
from tianping.orgs.importing import import_orgs


class Command(BaseCommand):
    help = (
        "Import the organisation tree from an .xlsx sheet with the columns 代码, 名称, 类型, 上级代码 "
        "and optionally 成立日期 (a blank cell keeps an existing founding date) "
        "(upsert by 代码; a blank 上级代码 keeps an existing organisation where it is). "
        "All or nothing: any problem and nothing is written."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the .xlsx sheet")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--json", action="store_true", help="print one JSON document on stdout")
        add_map_option(parser)

    def handle(self, *args: Any, file: str, dry_run: bool, json: bool, **options: Any) -> None:
        path = Path(file)
        values, map_errors = value_map_option(options["map"])
        if map_errors:
            result = ImportResult(errors=map_errors, dry_run=dry_run)
        elif not path.is_file():
            result = ImportResult(
                errors=[SheetError(None, "", file, "找不到文件")], dry_run=dry_run
            )
        else:
            result = import_orgs(path, None, dry_run=dry_run, values=values)
        report_result(result, as_json=json, stdout=self.stdout, stderr=self.stderr, unit="个组织")
        if not result.ok:
            raise CommandError(f"组织导入未完成：{len(result.errors)}处问题", returncode=1)
