"""The branch committees as activities sees them, told by the committees app at start-up.

DESIGN.md's layering puts `committees` below `activities`: activities may not import it.
The compliance engine still needs each branch's committee (who talks with whom, D5), and
the health page shows the committee and its term (R1.3, R1.4). The committees app registers
both functions here in its `AppConfig.ready`; without it no branch has a committee on
record, which is what a court that has not yet recorded its elections sees too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tianping.accounts.scoping import Scope
    from tianping.orgs.models import Org
    from tianping.people.models import Person


@dataclass
class Check:
    """One item of a health page: what the rule asks, how the organisation stands."""

    anchor: str
    title: str
    source: str  # the rule as a court user cites it
    level: str  # ok / warn / bad / info
    lines: list[str]
    link: tuple[str, str] | None = None  # (label, url)


LEVEL_ORDER = {"bad": 0, "warn": 1, "info": 2, "ok": 3}


def worst_level(levels: Sequence[str], default: str) -> str:
    return min(levels, key=LEVEL_ORDER.__getitem__) if levels else default


# Each organisation's committee on a day, 书记 first: {org pk: [people]}.
SeatsOn = Callable[[Sequence["Org"], dt.date], dict[int, list["Person"]]]
# The health page's committee and term items for one organisation (its full members and
# the months its committee must meet given).
HealthChecks = Callable[["Org", dt.date, "Scope", int, list[int]], list[Check]]


def _no_seats(orgs: Sequence[Org], day: dt.date) -> dict[int, list[Person]]:
    return {}


def _no_checks(org: Org, day: dt.date, scope: Scope, full: int, months: list[int]) -> list[Check]:
    return []


_registered: dict[str, Callable] = {"seats": _no_seats, "checks": _no_checks}


def register(*, seats: SeatsOn, checks: HealthChecks) -> None:
    _registered["seats"], _registered["checks"] = seats, checks


def seats_on(orgs: Sequence[Org], day: dt.date) -> dict[int, list[Person]]:
    return _registered["seats"](orgs, day)


def health_checks(
    org: Org, day: dt.date, scope: Scope, full: int, months: list[int]
) -> list[Check]:
    return _registered["checks"](org, day, scope, full, months)
