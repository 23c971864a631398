"""The walk tests run on the demo city itself, built once per module in a transaction rolled back after."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings

from tianping.backup.tables import wipe
from tianping.demo.builder import build
from tianping.demo.city import DEMO_STEPS
from tianping.demo.plans import demo_plan

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def demo_city(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The demo exactly as `tianping demo` loads it, in place of the shared test world."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        try:
            with transaction.atomic():
                wipe()
                build(demo_plan(), action="demo.load", steps=DEMO_STEPS)
                yield
                raise _Rollback
        except _Rollback:
            pass


@pytest.fixture
def demo_db(demo_city: None, db: Any) -> None:
    """Database access for one test on the demo; what the test writes is rolled back."""
