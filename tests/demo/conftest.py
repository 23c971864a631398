"""The data builders and backups work on a whole database: they start from an empty one.

Tests that only read the demo city share one build per worker (`demo_city`), copied in for
each module and replaced by the shared world after it (tests/demo_snapshot.py).
"""

from __future__ import annotations

import pytest


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
