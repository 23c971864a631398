"""`tianping generate --profile city|province [--seed N]`: synthetic data for benchmarks."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tianping.backup.tables import nonempty_models, wipe
from tianping.demo.builder import build
from tianping.demo.plans import PROFILES


class Command(BaseCommand):
    help = (
        "Generate synthetic data: --profile province is 1 高院, 12 中院, 130 基层院 and about "
        "25,000 people; --profile city is one 中院 with its 基层院. Same seed, same data."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--profile", required=True, choices=sorted(PROFILES))
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="multiply every court's headcount (e.g. 0.1 for a quick, small data set)",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete ALL data in the database first (every court, person, account and audit row)",
        )
        parser.add_argument(
            "--json", action="store_true", help="print only a JSON summary on stdout"
        )

    def handle(
        self, *args: Any, profile: str, seed: int, scale: float, reset: bool, **options: Any
    ) -> None:
        as_json: bool = options["json"]
        if not 0 < scale <= 10:
            raise CommandError("--scale 须大于 0 且不超过 10")
        if not reset and (busy := nonempty_models()):
            raise CommandError(
                f"数据库中已有数据（{', '.join(busy)}），未生成。"
                "如确要清空全部数据后生成，请加 --reset。"
            )
        plan = PROFILES[profile](seed).scaled(scale)
        say = self.stderr.write if as_json else self.stdout.write
        say(f"正在生成 {profile}（种子 {seed}，{len(plan.courts)} 个法院）……")
        started = time.perf_counter()
        with transaction.atomic():
            if reset:
                wipe()
            result = build(plan, action="generate.load")
        seconds = round(time.perf_counter() - started, 2)
        summary = {
            "profile": profile,
            "seed": seed,
            "scale": scale,
            "as_of": plan.as_of.isoformat(),
            "root": plan.root.code,
            **dict(sorted(result.counts.items())),
            "seconds": seconds,
        }
        if as_json:
            self.stdout.write(_dumps(summary))
            return
        self.stdout.write(
            f"已生成：{plan.root.name}等{summary['courts']}个法院，{summary['departments']}个部门，"
            f"{summary['branches']}个党支部，{summary['people']}名人员（其中党员{summary['party_members']}名），"
            f"用时{seconds}秒。"
        )
        self.stdout.write(_dumps(summary, indent=2))


def _dumps(data: dict[str, Any], indent: int | None = None) -> str:
    return json.dumps(data, ensure_ascii=False, indent=indent)
