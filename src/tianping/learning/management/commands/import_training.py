"""`tianping import-training FILE.xlsx --court CODE [--dry-run] [--json]` (CONTRACT.md)."""

from tianping.learning.importing import import_training
from tianping.orgs.sheet_command import CourtSheetCommand, Importer


class Command(CourtSheetCommand):
    help = (
        "Import a court's training ledger (培训台账) from an .xlsx workbook: sheet 培训班 "
        "(classes) and sheet 参训人员 (participants with their hours). A class already "
        "imported under the same court and 编号 is updated. All or nothing: any problem and "
        "nothing is written."
    )
    sheet = "培训台账导入"
    unit = "个培训班"

    def importer(self) -> Importer:
        return import_training
