"""`tianping import-roster FILE.xlsx --court CODE [--dry-run] [--json] [--map …] [--declare …]`:
the roster (花名册)."""

from typing import Any

from tianping.lib.sheets import SheetError, ValueMap, add_declare_option, value_map_option
from tianping.orgs.sheet_command import CourtSheetCommand, Importer
from tianping.people.importing import import_roster
from tianping.people.terms import closed_because


class Command(CourtSheetCommand):
    help = (
        "Import a court's roster (花名册) from an .xlsx sheet, upserting people by 工号. "
        "All or nothing: any problem and nothing is written."
    )
    sheet = "花名册导入"
    unit = "人"

    def importer(self) -> Importer:
        return import_roster

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        add_declare_option(parser)

    def values(self, options: dict[str, Any]) -> tuple[ValueMap, list[SheetError]]:
        return value_map_option(options["map"], options["declare"], closed=closed_because)
