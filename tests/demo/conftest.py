"""The data builders and backups work on a whole database: they start from an empty one."""

import pytest


@pytest.fixture(autouse=True)
def _start_empty(request: pytest.FixtureRequest) -> None:
    if "transactional_db" in request.fixturenames:
        from tianping.demo.tables import wipe

        wipe()
    elif "db" in request.fixturenames:
        request.getfixturevalue("empty_db")
