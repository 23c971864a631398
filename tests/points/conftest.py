"""Helpers for the points tests: capabilities as intended, activities recorded through actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from tianping.accounts import scoping
from tianping.accounts.models import Role
from tianping.activities import actions as activity_actions
from tianping.activities.models import Activity

POINTS_CAPS = {
    Role.PLATFORM_ADMIN: {"points.view", "points.manage"},
    Role.POLITICAL_DEPT: {"points.view"},
    Role.PARTY_OFFICE: {"points.view", "points.manage"},
    Role.BRANCH_SECRETARY: {"points.view"},
    Role.LEADER: {"points.view"},
    Role.MEMBER: {"points.view"},
}


@pytest.fixture(autouse=True)
def points_capabilities(monkeypatch: Any) -> None:
    # The intended capabilities, whether or not accounts.scoping grants them yet.
    for role, caps in POINTS_CAPS.items():
        monkeypatch.setitem(scoping.CAPABILITIES, role, scoping.CAPABILITIES[role] | caps)


def held(
    world: Any,
    kind: str = "branch_committee",
    on: dt.date = dt.date(2024, 3, 28),
    org: str = "BT-JY-B01",
    hours: Decimal | None = None,
    **attendance: str,
) -> Activity:
    """An activity recorded as held by carol, the branch secretary, with the given attendance."""
    activity = activity_actions.do_plan_activity(
        world.users["carol"],
        world.org(org),
        kind=kind,
        title=f"{on:%m}月{kind}",
        on=on,
        hours=hours,
    )
    return activity_actions.do_record_held(
        world.users["carol"],
        activity,
        attendance={world.people[k].pk: v for k, v in attendance.items()},
    )
