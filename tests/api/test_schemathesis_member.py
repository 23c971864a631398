"""schemathesis as a member (干警), who sees only themself: no 5xx, only documented answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from schemathesis import APIOperation, GenerationMode

from tests.api.fuzz import (
    MODES,
    Budget,
    bearer,
    fuzz,
    in_test_transaction,
    label,
    load_schema,
    operations,
)

schema = load_schema()
budget = Budget()


@pytest.fixture(autouse=True)
def bounded() -> Iterator[None]:
    yield from budget()


@pytest.fixture
def headers(world: Any) -> Iterator[dict[str, str]]:
    with in_test_transaction():
        yield bearer(world, "dave")


@pytest.mark.parametrize("mode", MODES, ids=str)
@pytest.mark.parametrize("operation", operations(schema), ids=label)
def test_the_api_answers_a_member_as_its_schema_says(
    operation: APIOperation, mode: GenerationMode, headers: dict[str, str], record_property: Any
) -> None:
    sent = fuzz(operation, mode, headers)
    record_property("schemathesis_requests", sent)
    assert sent > 0
