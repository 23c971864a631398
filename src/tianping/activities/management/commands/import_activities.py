"""`tianping import-activities FILE.xlsx --court CODE [--dry-run] [--json]`: a ledger (台账)."""

from tianping.activities.importing import import_ledger
from tianping.orgs.sheet_command import CourtSheetCommand, Importer


class Command(CourtSheetCommand):
    help = (
        "Import a court's ledger (台账) of past activities with attendance from an .xlsx sheet. "
        "An activity already recorded (same 组织, 活动类型, 日期, 标题) is not recorded twice. "
        "All or nothing: any problem and nothing is written."
    )
    sheet = "台账导入"
    unit = "项活动"

    def importer(self) -> Importer:
        return import_ledger
