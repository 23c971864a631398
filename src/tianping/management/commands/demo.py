"""`tianping demo [--reset]`: the demo city (白塔市, about 1,000 people) and its log-ins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tianping.backup.tables import nonempty_models, wipe
from tianping.demo.builder import build
from tianping.demo.city import DEMO_STEPS
from tianping.demo.logins import demo_present, format_logins, login_rows
from tianping.demo.plans import demo_plan


class Command(BaseCommand):
    help = (
        "Load the deterministic demo (one 中院, five 基层院, ~1,000 people) and print its log-ins."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete ALL data in the database first (every court, person, account and audit row)",
        )

    def handle(self, *args: Any, reset: bool, **options: Any) -> None:
        if not reset:
            if demo_present():
                self.stdout.write("演示数据已存在，未做改动。")
                self.stdout.write(format_logins(login_rows()))
                return
            if busy := nonempty_models():
                raise CommandError(
                    f"数据库中已有数据（{', '.join(busy)}），未载入演示数据。"
                    "如确要清空全部数据并载入演示数据，请使用 tianping demo --reset。"
                )
        with transaction.atomic():
            if reset:
                wipe()
            result = build(demo_plan(), action="demo.load", steps=DEMO_STEPS)
        counts = result.counts
        self.stdout.write(
            f"已载入演示数据：{result.plan.root.name}及{counts['courts'] - 1}个基层法院，"
            f"{counts['departments']}个部门，{counts['branches']}个党支部，{counts['groups']}个党小组，"
            f"{counts['people']}名人员（其中党员{counts['party_members']}名）；"
            f"发展党员档案{counts['recruit_files']}份，换届选举{counts['elections']}次，"
            f"党费交纳记录{counts['dues_payments']}条，{counts['democratic_reviews']}个党支部的上年度民主评议。"
        )
        self.stdout.write(format_logins(login_rows()))
