"""The command line of a court's sheet import: `FILE --court CODE [--dry-run] [--json] [--map …]`.

Every court sheet (roster, activity ledger, training ledger) is read the same way: the
court is found and checked, the kept and given value mappings applied, the result printed
as the import JSON (CONTRACT.md) or as lines, and a refused import exits 1.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tianping.lib.sheets import (
    ImportResult,
    SheetError,
    ValueMap,
    add_map_option,
    report_result,
    value_map_option,
)
from tianping.orgs.models import Org

# An import of a court's sheet: (path, court, user, dry_run=, values=) → its result.
Importer = Callable[..., ImportResult]


class CourtSheetCommand(BaseCommand):
    """Subclasses name the sheet (`sheet`, as a refusal says it), the unit the counts are
    in, and the import; `values` may be overridden to read more options (--declare)."""

    sheet = "导入"
    unit = "行"

    def importer(self) -> Importer:
        raise CommandError("no importer")  # every subclass names its import

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the .xlsx workbook")
        parser.add_argument("--court", required=True, help="the court's code")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--json", action="store_true", help="print one JSON document on stdout")
        add_map_option(parser)

    def values(self, options: dict[str, Any]) -> tuple[ValueMap, list[SheetError]]:
        return value_map_option(options["map"])

    def handle(
        self, *args: Any, file: str, court: str, dry_run: bool, json: bool, **options: Any
    ) -> None:
        path = Path(file)
        node = Org.objects.filter(code=court).first()
        values, map_errors = self.values(options)
        refusal = None
        if map_errors:
            refusal = map_errors
        elif node is None:
            refusal = [SheetError(None, "--court", court, f"找不到代码为“{court}”的法院")]
        elif not node.is_court:
            refusal = [SheetError(None, "--court", court, f"“{node.name}”不是法院")]
        elif not path.is_file():
            refusal = [SheetError(None, "", file, "找不到文件")]
        if refusal is not None or node is None:
            result = ImportResult(errors=refusal or [], dry_run=dry_run)
        else:
            result = self.importer()(path, node, None, dry_run=dry_run, values=values)
        report_result(result, as_json=json, stdout=self.stdout, stderr=self.stderr, unit=self.unit)
        if not result.ok:
            raise CommandError(f"{self.sheet}未完成：{len(result.errors)}处问题", returncode=1)
