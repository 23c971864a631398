"""The data generation: a mark every write leaves, and the figures cached under it.

A write goes through the audit log (`recording.record`) or writes rows in bulk
(`lib.bulk`); both add a row to DataGeneration inside the writer's own transaction, so the
row and the data commit (or roll back) together. The generation a reader sees is the
count and the sum of the ids of the rows it sees: it changes with every write that
commits, whatever order writers commit in. A figure is cached under the generation read
before it was counted: after any write its key is never asked for again, so a cached
figure is never older than the data it stands for. The cache is Django's database cache
(settings.CACHES), shared by every worker.

Rows, not one row updated: an UPDATE would lock the row until the writer commits, so
every write would queue behind the others, and a writer holding a person's lock could
deadlock with one holding the row. An INSERT locks nothing another writer needs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, Sum

from tianping.audit.models import DataGeneration

T = TypeVar("T")

# Keys of past generations are never read again; they go when they expire (or are culled).
TIMEOUT = 24 * 3600
# Rows older than this are dropped (every TRIM_EVERY-th write): no transaction is that long,
# so every row a later write adds has a larger id than any dropped, and the sum still grows.
KEEP = dt.timedelta(days=1)
TRIM_EVERY = 500
_MISSING = object()


def bump(using: str = DEFAULT_DB_ALIAS) -> None:
    """Mark a write: call inside its transaction (`record` and `lib.bulk` do)."""
    rows = DataGeneration.objects.using(using)
    mark = rows.create()
    if mark.pk % TRIM_EVERY == 0:
        rows.filter(at__lt=mark.at - KEEP).delete()


def forget(using: str = DEFAULT_DB_ALIAS) -> None:
    """After a wipe or a restore the marks start again from nothing: drop every cached
    figure, which a generation counted afresh could meet."""
    DataGeneration.objects.using(using).all().delete()
    cache.clear()


@dataclass(frozen=True)
class Generation:
    """The generation a request reads figures for; every key it makes carries its token."""

    token: str

    def key(self, *parts: object) -> str:
        return ":".join(["tp", self.token, *(str(p) for p in parts)])

    def get(self, *parts: object) -> Any:
        """The cached value, or None (a cached figure is never None)."""
        value = cache.get(self.key(*parts), _MISSING)
        return None if value is _MISSING else value

    def put(self, value: Any, *parts: object) -> None:
        cache.set(self.key(*parts), value, TIMEOUT)

    def cached(self, compute: Callable[[], T], *parts: object) -> T:
        value = self.get(*parts)
        if value is None:
            value = compute()
            self.put(value, *parts)
        return value


def current() -> Generation:
    """The generation of the data as this transaction sees it; read it before counting."""
    seen = DataGeneration.objects.aggregate(n=Count("id"), total=Sum("id"))
    return Generation(f"{seen['n']}-{seen['total'] or 0}")


__all__ = ["Generation", "bump", "current", "forget"]
