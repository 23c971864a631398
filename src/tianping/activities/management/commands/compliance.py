"""`tianping compliance --org CODE --year YYYY [--as-of YYYY-MM-DD] [--json]` (CONTRACT.md)."""

from __future__ import annotations

import datetime as dt
import json as jsonlib
import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tianping.activities.compliance import Report, compliance, default_as_of
from tianping.orgs.models import Org


class Command(BaseCommand):
    help = (
        "For every party organisation in the subtree, every statutory obligation (DOMAIN.md "
        "R1.5) in every period of the year: required, held, and met / missing / upcoming."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--org", required=True, help="the organisation's code")
        parser.add_argument("--year", required=True, help="the calendar year, YYYY")
        parser.add_argument(
            "--as-of",
            dest="as_of",
            metavar="YYYY-MM-DD",
            help="judge as of this day (default: today, or the year's end for a past year)",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON document on stdout")

    def handle(
        self, *args: Any, org: str, year: str, as_of: str | None, json: bool, **options: Any
    ) -> None:
        problems = []
        node = Org.objects.filter(code=org.strip()).first()
        if node is None:
            problems.append(f"找不到代码为“{org}”的组织")
        number = int(year) if year.strip().isdigit() else 0
        if not 1900 <= number <= 2100:
            problems.append(f"年度“{year}”无效，应为四位年份，如2024")
        day: dt.date | None = None
        if as_of is not None:
            try:
                day = dt.date.fromisoformat(as_of.strip())
            except ValueError:
                problems.append(f"日期“{as_of}”无效，应写作YYYY-MM-DD，如2024-12-31")
        if problems:
            raise CommandError("；".join(problems), returncode=1)
        assert node is not None
        report = compliance(node, number, day or default_as_of(number))
        if json:
            self.stdout.write(jsonlib.dumps(report.as_json(), ensure_ascii=False))
            return
        self.stdout.write(_table(report))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(width - _width(text), 0)
    return gap + text if right else text + gap


def _table(report: Report) -> str:
    root = report.root
    s = report.summary
    rate = f"{s.rate * 100:.2f}%" if s.rate is not None else "—"
    lines = [
        f"{root.name}（{root.code}）{report.year}年度组织生活合规情况（截至{report.as_of:%Y-%m-%d}）"
        if root is not None
        else f"{report.year}年度组织生活合规情况",
        f"应开展{s.required}项：已完成{s.met}，缺项{s.missing}，未到期{s.upcoming}；完成率{rate}",
        "",
    ]
    header = ["组织代码", "组织名称", "制度", "周期", "应开", "已开", "状态"]
    rows = [
        [
            r.org.code,
            r.org.name,
            r.kind_name,
            r.span.code,
            str(r.required),
            str(r.held),
            r.status_name,
        ]
        for r in report.rows
    ]
    if not rows:
        lines.append("该组织及其下级没有应开展的组织生活。")
        return "\n".join(lines)
    widths = [max(_width(x) for x in column) for column in zip(header, *rows, strict=False)]
    numeric = {4, 5}
    for line in [header, *rows]:
        lines.append(
            "  ".join(
                _pad(cell, widths[i], right=i in numeric) for i, cell in enumerate(line)
            ).rstrip()
        )
    return "\n".join(lines)
