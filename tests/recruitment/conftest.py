"""Helpers for the recruitment tests: the membership capabilities as intended."""

from __future__ import annotations

from typing import Any

import pytest

from tianping.accounts import scoping
from tianping.accounts.models import Role

VIEW, MANAGE = "membership.view", "membership.manage"
MEMBERSHIP_CAPS = {
    Role.PLATFORM_ADMIN: {VIEW, MANAGE},
    Role.POLITICAL_DEPT: {VIEW},
    Role.PARTY_OFFICE: {VIEW, MANAGE},
    Role.BRANCH_SECRETARY: {VIEW, MANAGE},
    Role.LEADER: {VIEW},
    Role.MEMBER: {VIEW},
}


@pytest.fixture(autouse=True)
def membership_capabilities(monkeypatch: Any) -> None:
    # The capabilities these pages declare, whether or not accounts.scoping grants them yet.
    for role, caps in MEMBERSHIP_CAPS.items():
        monkeypatch.setitem(scoping.CAPABILITIES, role, scoping.CAPABILITIES[role] | caps)
