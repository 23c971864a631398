"""`tianping training-stats --org CODE --year YYYY [--json]` (CONTRACT.md, DOMAIN.md R7.2)."""

from __future__ import annotations

import json as jsonlib
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tianping.learning.queries.stats import shortfalls, training_stats
from tianping.orgs.models import Org


class Command(BaseCommand):
    help = (
        "Training in the subtree of an organisation for a calendar year: classes (班次), "
        "participations (人次, one person in one class once), credited hours, the political "
        "share, by kind, and the people short of their court's yearly requirement."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--org", required=True, help="the court's code")
        parser.add_argument("--year", required=True, help="the calendar year, YYYY")
        parser.add_argument("--json", action="store_true", help="print one JSON document on stdout")

    def handle(self, *args: Any, org: str, year: str, json: bool, **options: Any) -> None:
        problems = []
        node = Org.objects.filter(code=org.strip()).first()
        if node is None:
            problems.append(f"找不到代码为“{org}”的组织")
        number = int(year) if year.strip().isdigit() else 0
        if not 1900 <= number <= 2100:
            problems.append(f"年度“{year}”无效，应为四位年份，如2024")
        if problems:
            raise CommandError("；".join(problems), returncode=1)
        assert node is not None
        stats = training_stats(node, number)
        short = shortfalls(node, number)
        if json:
            self.stdout.write(jsonlib.dumps(stats.as_json(short), ensure_ascii=False))
            return
        t = stats.total
        share = f"{t.hours.share * 100:.2f}%" if t.hours.share is not None else "—"
        lines = [
            f"{node.name}（{node.code}）{number}年度培训统计",
            stats.sentence + "。",
            f"学时合计{t.hours.total}，其中政治学时{t.hours.political}（占{share}）",
            "",
            "培训类型  班次  人次  学时",
        ]
        for k in stats.by_kind:
            if k.classes or k.hours.total:
                lines.append(f"{k.label}  {k.classes}  {k.participations}  {k.hours.total}")
        lines.append("")
        if short:
            lines.append(f"未达年度学时要求{len(short)}人：")
            for s in short:
                lines.append(
                    f"  {s.employee_no} {s.name}（{s.court_name}）"
                    f"学时{s.hours.total}/{s.required}，政治学时{s.hours.political}/{s.required_political}"
                )
        else:
            lines.append("无人未达年度学时要求。")
        self.stdout.write("\n".join(lines))
