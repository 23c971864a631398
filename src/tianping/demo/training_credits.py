"""A demo and generate step: the credits each class keeps (`learning.actions.summary`),
rewritten once after the steps that loaded classes, sessions and ledgers in bulk."""

from __future__ import annotations

from typing import Any

from django.db import connection

from tianping.learning.actions.summary import rebuild_all
from tianping.learning.models import ClassCategoryHours, ClassCredit


def refresh_training_credits(build: Any) -> None:
    rebuild_all()
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        tables = ", ".join(quote(m._meta.db_table) for m in (ClassCredit, ClassCategoryHours))
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")
