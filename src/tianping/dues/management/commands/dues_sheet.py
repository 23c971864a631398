"""`tianping dues-sheet PAY.xlsx --court CODE --month YYYY-MM -o DUES.xlsx [--json] [--dry-run]`."""

from __future__ import annotations

import json as jsonlib
import os
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tianping.dues.actions import do_set_bases
from tianping.dues.models import BaseSource
from tianping.dues.paysheet import PayPlan, parse_pay_sheet, write_dues_sheet
from tianping.dues.queries import MonthSheet
from tianping.dues.rules import money, parse_month, rate_text
from tianping.lib.sheets import SheetError, add_map_option, value_map_option
from tianping.orgs.models import Org


class Command(BaseCommand):
    help = (
        "A month's party dues from a court's pay sheet (DOMAIN.md R3): reads 工号, 姓名, 月基数, "
        "人员状态 (在职 by default; 离退休, 学生, 失业, 低保) and writes the dues sheet. The "
        "month's bases are recorded for the members (audited) unless --dry-run. All or "
        "nothing: any bad row and nothing is written."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the pay sheet, .xlsx")
        parser.add_argument("--court", required=True, help="the court's code")
        parser.add_argument("--month", required=True, metavar="YYYY-MM", help="the month, YYYY-MM")
        parser.add_argument(
            "-o", "--output", required=True, metavar="DUES.xlsx", help="the dues sheet to write"
        )
        parser.add_argument("--json", action="store_true", help="print one JSON document on stdout")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="compute and write the dues sheet, but do not record the bases",
        )
        add_map_option(parser)

    def handle(
        self,
        *args: Any,
        file: str,
        court: str,
        month: str,
        output: str,
        json: bool,
        dry_run: bool,
        **options: Any,
    ) -> None:
        values, problems = value_map_option(options["map"])
        node = Org.objects.filter(code=court.strip()).first()
        if node is None:
            problems.append(SheetError(None, "--court", court, f"找不到代码为“{court}”的法院"))
        elif not node.is_court:
            problems.append(SheetError(None, "--court", court, f"“{node.name}”不是法院"))
        try:
            first = parse_month(month)
        except ValueError as e:
            problems.append(SheetError(None, "--month", month, str(e)))
        source = Path(file)
        if not source.is_file():
            problems.append(SheetError(None, "", file, "找不到文件"))
        target = Path(output)
        if not target.parent.is_dir():
            problems.append(SheetError(None, "-o", output, "输出文件所在的文件夹不存在"))
        if not problems:
            assert node is not None
            plan = parse_pay_sheet(source, node, first, values)
            problems = plan.errors
        if problems:
            self._fail(problems, json, court, month)
        sheet = plan.sheet()
        self._write(plan, sheet, target, dry_run)
        if json:
            self.stdout.write(jsonlib.dumps(sheet.as_json(), ensure_ascii=False))
        else:
            self.stdout.write(_table(sheet))
        self._report(plan, dry_run)

    def _fail(self, problems: list[SheetError], as_json: bool, court: str, month: str) -> None:
        if as_json:
            self.stdout.write(
                jsonlib.dumps(
                    {
                        "court": court,
                        "month": month,
                        "ok": False,
                        "errors": [p.as_dict() for p in problems],
                    },
                    ensure_ascii=False,
                )
            )
            self.stderr.write(f"发现{len(problems)}处问题，未写入任何数据。")
        else:
            self.stderr.write(f"发现{len(problems)}处问题，未写入任何数据：")
            for p in problems:
                self.stderr.write(f"  {p}")
        raise CommandError(f"党费计算未完成：{len(problems)}处问题，未写入任何数据", returncode=1)

    def _write(self, plan: PayPlan, sheet: MonthSheet, target: Path, dry_run: bool) -> None:
        # The sheet goes to a temporary file beside the target and is renamed into place only
        # once the bases are stored: either both happen or neither.
        handle, temporary = tempfile.mkstemp(
            prefix=".dues-", suffix=".xlsx", dir=target.parent or None
        )
        os.close(handle)
        try:
            write_dues_sheet(temporary, sheet)
            with transaction.atomic():
                if not dry_run:
                    do_set_bases(
                        None, plan.court, plan.month, plan.base_lines(), source=BaseSource.CLI
                    )
                os.replace(temporary, target)
        finally:
            Path(temporary).unlink(missing_ok=True)

    def _report(self, plan: PayPlan, dry_run: bool) -> None:
        for row, person, reason in plan.skipped:
            self.stderr.write(
                f"第{row}行 {person.name}（{person.employee_no}）：{reason}，不计党费"
            )
        stored = "（试运行，未记录基数）" if dry_run else "，当月基数已记录"
        self.stderr.write(f"已计算{len(plan.sheet().rows)}人的党费{stored}。")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(width - _width(text), 0)
    return gap + text if right else text + gap


def _table(sheet: MonthSheet) -> str:
    lines = [f"{sheet.root.name}（{sheet.root.code}）{sheet.month:%Y年%m月}党费", ""]
    header = ["工号", "姓名", "月基数", "人员状态", "比例", "应交党费"]
    rows = [
        [
            r.person.employee_no,
            r.person.name,
            money(r.base.base_fen) if r.base else "",
            r.category_name,
            rate_text(r.rate) if r.base else "",
            money(r.dues_fen) if r.dues_fen is not None else "",
        ]
        for r in sheet.rows
    ]
    rows.append(["合计", f"{len(sheet.rows)}人", "", "", "", money(sheet.total_fen)])
    widths = [max(_width(x) for x in column) for column in zip(header, *rows, strict=False)]
    numeric = {2, 5}
    for line in [header, *rows]:
        lines.append(
            "  ".join(
                _pad(cell, widths[i], right=i in numeric) for i, cell in enumerate(line)
            ).rstrip()
        )
    return "\n".join(lines)
