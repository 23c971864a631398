"""The data builders and backups work on a whole database: they start from an empty one.

Tests that only read the demo city share one build per module (`demo_city`), made in a
transaction rolled back after the module, instead of loading it again for each test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _start_empty(request: pytest.FixtureRequest) -> None:
    if "demo_city" in request.fixturenames:
        return  # the module's demo build is the data under test
    if "transactional_db" in request.fixturenames:
        from tianping.backup.tables import wipe

        request.getfixturevalue("transactional_db")
        wipe()
    elif "db" in request.fixturenames:
        request.getfixturevalue("empty_db")


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def demo_city(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    """The demo exactly as `tianping demo` loads it, in place of the shared test world."""
    from tianping.backup.tables import wipe
    from tianping.demo.builder import build
    from tianping.demo.city import DEMO_STEPS
    from tianping.demo.plans import demo_plan

    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        try:
            with transaction.atomic():
                wipe()
                yield build(demo_plan(), action="demo.load", steps=DEMO_STEPS)
                raise _Rollback
        except _Rollback:
            pass


@pytest.fixture
def demo_db(demo_city: Any, db: Any) -> Any:
    """Database access for one test on the demo; what the test writes is rolled back."""
    return demo_city
