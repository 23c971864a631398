"""Helpers for the committee tests: capabilities as intended, members and elections made by actions."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any

import pytest

from tianping.accounts import scoping
from tianping.accounts.models import Role
from tianping.committees import actions
from tianping.committees.models import Election
from tianping.orgs.models import Org
from tianping.people.actions import do_create_person
from tianping.people.models import Person, PoliticalStatus

MEMBERSHIP_CAPS = {
    Role.PLATFORM_ADMIN: {"membership.view", "membership.manage"},
    Role.POLITICAL_DEPT: {"membership.view"},
    Role.PARTY_OFFICE: {"membership.view", "membership.manage"},
    Role.BRANCH_SECRETARY: {"membership.view", "membership.manage"},
    Role.LEADER: {"membership.view"},
    Role.MEMBER: {"membership.view"},
}
SINCE = dt.date(2020, 1, 1)
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def membership_capabilities(monkeypatch: Any) -> None:
    # The intended capabilities, whether or not accounts.scoping grants them yet.
    for role, caps in MEMBERSHIP_CAPS.items():
        monkeypatch.setitem(scoping.CAPABILITIES, role, scoping.CAPABILITIES[role] | caps)


def add_members(
    org: Org,
    n: int,
    *,
    status: str = PoliticalStatus.MEMBER,
    full_member_on: dt.date | None = None,
    since: dt.date = SINCE,
) -> list[Person]:
    """`n` new people placed in `org` since `since`, full members unless told otherwise."""
    court = org.court()
    people = []
    for _ in range(n):
        number = next(_numbers)
        people.append(
            do_create_person(
                None,
                court,
                employee_no=f"T{number:05d}",
                name=f"党员{number}",
                political_status=status,
                full_member_on=full_member_on,
                party_org=org,
                since=since,
            )
        )
    return people


def elect(
    user: Any,
    org: Org,
    held_on: dt.date,
    seats: Sequence[tuple[Person, Sequence[str]]],
    losers: Sequence[Person] = (),
    **kwargs: Any,
) -> Election:
    """An election in which each seat's person is elected to its posts, and the losers are not."""
    candidates = [
        actions.CandidateIn(p.employee_no, votes=5, elected=True, posts=tuple(posts))
        for p, posts in seats
    ] + [actions.CandidateIn(p.employee_no, votes=2) for p in losers]
    return actions.do_record_election(user, org, held_on=held_on, candidates=candidates, **kwargs)


# The posts of a full committee of five, and of smaller and larger ones, in seat order.
FIVE = [
    ["secretary"],
    ["deputy_secretary"],
    ["organisation"],
    ["publicity"],
    ["discipline"],
]


def posts_for(size: int) -> list[list[str]]:
    """Posts for a committee of `size`: the five posts first, then plain 委员."""
    if size <= 3:
        combined = [["secretary"], ["organisation", "discipline"], ["publicity"]]
        return combined[:size]
    return (FIVE + [["member"]] * size)[:size]
