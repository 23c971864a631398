"""`tianping import-honours FILE.xlsx --court CODE [--dry-run] [--json]` (docs/cli.md)."""

from tianping.orgs.sheet_command import CourtSheetCommand, Importer
from tianping.talent.honours_import import import_honours


class Command(CourtSheetCommand):
    help = (
        "Import a court's honours ledger (荣誉表彰) from an .xlsx workbook: one honour per row, "
        "individual by 工号 or collective by 集体代码. A row the ledger already holds is left. "
        "All or nothing: any problem and nothing is written."
    )
    sheet = "荣誉表彰导入"
    unit = "项荣誉"

    def importer(self) -> Importer:
        return import_honours
