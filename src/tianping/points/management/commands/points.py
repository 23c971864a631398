"""`tianping points --org CODE --year YYYY [--top N] [--json]`: a subtree's members and year scores."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tianping.orgs.models import Org
from tianping.points.queries import ranked, subtree_scores


class Command(BaseCommand):
    help = (
        "Every party member placed in the organisation's subtree during the year, with the year's "
        "score (base + the year's ledger entries, DOMAIN.md R4), highest first; equal scores "
        "share a rank (1, 1, 3), ties listed by 工号. An administrator's tool: it prints the list "
        "whatever the court's ranking setting."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--org", required=True, help="the organisation's code")
        parser.add_argument("--year", required=True, type=int, help="the calendar year, YYYY")
        parser.add_argument(
            "--top",
            type=int,
            metavar="N",
            help="only rows ranked N or better (members tied at rank N are all kept)",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON document on stdout")

    def handle(
        self, *args: Any, org: str, year: int, top: int | None, json: bool, **options: Any
    ) -> None:
        problems = []
        node = Org.objects.filter(code=org.strip()).first()
        if node is None:
            problems.append(f"找不到代码为“{org}”的组织")
        if not 1900 <= year <= 9999:
            problems.append(f"年度“{year}”无效，应为四位年份")
        if top is not None and top < 1:
            problems.append(f"--top 应为正整数，而不是 {top}")
        if problems:
            raise CommandError("；".join(problems), returncode=1)
        rows = ranked(subtree_scores(node, year))
        if top is not None:
            rows = [r for r in rows if r.rank <= top]
        if json:
            self.stdout.write(_json_document(node.code, year, rows))
            return
        self.stdout.write(f"{node.name}（{node.code}）{year}年度党员积分：{len(rows)}人")
        self.stdout.write(f"{'排名':>4}  {'工号':<12} {'姓名':<10} {'积分':>8}")
        for r in rows:
            mark = "  一票否决" if r.vetoed else ""
            self.stdout.write(f"{r.rank:>6}  {r.employee_no:<14} {r.name:<10} {r.points:>10}{mark}")


def _json_document(code: str, year: int, rows: list) -> str:
    # Points are a JSON number (61.0, 123.5): the ledger's two decimal places convert exactly.
    return json.dumps(
        {
            "org": code,
            "year": year,
            "rows": [
                {
                    "rank": r.rank,
                    "employee_no": r.employee_no,
                    "name": r.name,
                    "points": float(r.points),
                }
                for r in rows
            ],
        },
        ensure_ascii=False,
    )
