"""The data generation: a token every write renews, and the figures cached under it.

A write goes through the audit log (`recording.record`) or writes rows in bulk
(`lib.bulk`); both renew the token inside the writer's own transaction, so the token and
the data change together. A figure is cached under the token read before it was computed:
after any write its key is never asked for again, so a cached figure is never older than
the data it stands for. The cache is Django's database cache (settings.CACHES), shared by
every worker.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS

from tianping.audit.models import DataGeneration

T = TypeVar("T")

# The one row of DataGeneration.
ROW = 1
# Keys of past generations are never read again; they go when they expire (or are culled).
TIMEOUT = 24 * 3600
_MISSING = object()


def bump(using: str = DEFAULT_DB_ALIAS) -> None:
    """Renew the token: call inside the transaction of a write (`record` and `lib.bulk` do).

    A fresh random token, not a counter: a wipe or a restore brings the row back empty or
    old, and a counter starting again would meet keys cached for other data.
    """
    token = uuid.uuid4().hex
    rows = DataGeneration.objects.using(using)
    if not rows.filter(pk=ROW).update(token=token):
        # The first write ever, or the first after a wipe; a racing writer's token is as new.
        rows.bulk_create([DataGeneration(pk=ROW, token=token)], ignore_conflicts=True)


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
    """The generation of the data as this transaction sees it; read it before computing."""
    token = DataGeneration.objects.filter(pk=ROW).values_list("token", flat=True).first()
    if token is None:
        bump()
        token = DataGeneration.objects.values_list("token", flat=True).get(pk=ROW)
    return Generation(token)


__all__ = ["Generation", "bump", "current"]
