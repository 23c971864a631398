"""`tianping training-summary [--rebuild] [--json]`: the credits each class keeps for the
training statistics (R7.2), brought up to date.

Without `--rebuild`: the personnel line of every person changed since the last check is
put on their rows (the statistics already count them right; this keeps them quick).
With `--rebuild`: every class's rows are rewritten from its attendance and ledgers, as
after a bulk load that bypassed the actions or to repair a database restored by hand.
"""

from __future__ import annotations

import json as jsonlib
from typing import Any

from django.core.management.base import BaseCommand

from tianping.learning.actions.summary import rebuild_all, relines


class Command(BaseCommand):
    help = (
        "Brings the credits kept per class for the training statistics up to date: the lines "
        "of people changed since the last check, or with --rebuild every class's rows."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--rebuild", action="store_true", help="rewrite every class's rows from its records"
        )
        parser.add_argument("--json", action="store_true", help="print one JSON document on stdout")

    def handle(self, *args: Any, rebuild: bool, json: bool, **options: Any) -> None:
        if rebuild:
            doc = {"classes": rebuild_all()}
            text = f"已重新汇总{doc['classes']}个培训班的参训学时"
        else:
            doc = {"relined": relines()}
            text = f"已更新{doc['relined']}条参训记录的人员类别"
        if json:
            self.stdout.write(jsonlib.dumps(doc, ensure_ascii=False))
        else:
            self.stdout.write(text)
