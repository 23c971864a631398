"""Finding people by 工号: the one comparison every form, import and API uses (D9).

A number is compared after full-width folding and without regard to case
(`lib.sheets.employee_key`), in the database and in memory alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet

from tianping.lib.sheets import employee_key, employee_no_q
from tianping.people.models import Person

T = TypeVar("T")


def people_numbered(queryset: QuerySet[Person], number: Any) -> QuerySet[Person]:
    """The people of `queryset` whose 工号 is `number` (in several courts, several)."""
    key = employee_key(number)
    if not key:
        return queryset.none()
    return queryset.filter(employee_no_q(key))


class NumberIndex(Generic[T]):
    """Things (people, rows) by 工号 in memory, for an import that looks up thousands."""

    def __init__(self, items: Iterable[tuple[Any, T]] = ()) -> None:
        self._by: dict[str, list[T]] = defaultdict(list)
        for number, item in items:
            self.add(number, item)

    def add(self, number: Any, item: T) -> None:
        self._by[employee_key(number)].append(item)

    def get(self, number: Any) -> list[T]:
        return self._by.get(employee_key(number), [])

    def one(self, number: Any) -> T | None:
        found = self.get(number)
        return found[0] if len(found) == 1 else None
