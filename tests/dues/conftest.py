"""Helpers for the dues tests: the intended capabilities, members built through actions, sheets."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

import pytest
from openpyxl import Workbook

from tianping.accounts import scoping
from tianping.accounts.models import Role
from tianping.people.actions import do_create_person
from tianping.people.models import Person, PoliticalStatus

VIEW, MANAGE = "membership.view", "dues.manage"
DUES_CAPS = {
    Role.PLATFORM_ADMIN: {VIEW, MANAGE},
    Role.POLITICAL_DEPT: {VIEW},
    Role.PARTY_OFFICE: {VIEW, MANAGE},
    Role.BRANCH_SECRETARY: {VIEW, MANAGE},
    Role.LEADER: {VIEW},
    Role.MEMBER: {VIEW},
}


@pytest.fixture(autouse=True)
def dues_capabilities(monkeypatch: Any) -> None:
    # The capabilities as accounts.scoping will grant them, whether or not it does yet.
    for role, caps in DUES_CAPS.items():
        monkeypatch.setitem(scoping.CAPABILITIES, role, scoping.CAPABILITIES[role] | caps)


def member(
    world: Any,
    no: str,
    name: str,
    *,
    branch: str = "BT-JY-B01",
    court: str = "BT-JY",
    status: str = PoliticalStatus.MEMBER,
    joined: dt.date | None = None,
    since: dt.date = dt.date(2020, 1, 1),
    **fields: Any,
) -> Person:
    """A party member placed in a branch, created as the product creates people."""
    return do_create_person(
        None,
        world.org(court),
        employee_no=no,
        name=name,
        political_status=status,
        party_joined_on=joined,
        party_org=world.org(branch) if branch else None,
        since=since,
        **fields,
    )


def xlsx(rows: Sequence[Sequence[Any]], *, title_rows: Sequence[Sequence[Any]] = ()) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    for row in [*title_rows, *rows]:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


PAY_HEADER = ["工号", "姓名", "月基数", "人员状态"]


def pay_sheet(
    *rows: Sequence[Any], header: Sequence[str] = PAY_HEADER, **kwargs: Any
) -> io.BytesIO:
    return xlsx([header, *rows], **kwargs)
