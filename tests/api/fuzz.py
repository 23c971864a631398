"""schemathesis set-up shared by the fuzzing tests: the schema, the checks, a time budget.

The app is served in-process (WSGI) from /api/v1/openapi.json, inside the test's database
transaction, so writes made by generated requests roll back with the test. Each operation
gets a bounded, derandomized number of generated requests, valid and invalid. A request fails the test when the answer is a 5xx, or when its status code,
content type, headers or body do not conform to the schema, or when the API accepts a
request the schema says is invalid.

It uses schemathesis' public strategies (`APIOperation.as_strategy`) under plain pytest
parametrization, one test per operation and mode: its own pytest plugin names every
generated test alike under pytest 9.2, which pytest-xdist then runs only once.

TIANPING_SCHEMATHESIS_EXAMPLES sets the requests per operation and mode (default 8) and
TIANPING_SCHEMATHESIS_SECONDS the wall-time budget of each test file (default 60), for a
longer hunt.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import APIOperation, BaseSchema, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tianping.accounts.actions import do_create_token

MAX_EXAMPLES = int(os.environ.get("TIANPING_SCHEMATHESIS_EXAMPLES", "8"))
BUDGET_SECONDS = float(os.environ.get("TIANPING_SCHEMATHESIS_SECONDS", "60"))
# Schema-valid requests, and requests the schema says are invalid (which must be refused).
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]

# Business rules may refuse a schema-valid request (422 for an unknown 工号), so
# schemathesis' heuristic "valid data must be accepted" is not among the failures.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
]

# Derandomized: the same requests on every run and machine. No example database either.
SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)


def load_schema() -> BaseSchema:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


def operations(schema: BaseSchema) -> list[APIOperation]:
    return [result.ok() for result in schema.get_all_operations()]


def label(operation: APIOperation) -> str:
    return str(operation.label)


def fuzz(operation: APIOperation, mode: GenerationMode, headers: dict[str, str]) -> int:
    """Send the operation's generated requests of this mode; fail on the first bad answer.

    Answers how many requests were sent.
    """
    sent = 0

    @SETTINGS
    @given(case=operation.as_strategy(generation_mode=mode))
    def send(case: Case) -> None:
        nonlocal sent
        sent += 1
        case.call_and_validate(headers=headers, checks=CHECKS)

    send()
    return sent


def bearer(world: Any, name: str) -> dict[str, str]:
    user = world.users[name]
    _, raw = do_create_token(user, user, "schemathesis")
    return {"Authorization": f"Bearer {raw}"}


class Budget:
    """Wall time one test file may spend; past it the remaining operations skip, saying so."""

    def __init__(self, seconds: float = BUDGET_SECONDS) -> None:
        self.seconds = seconds
        self.spent = 0.0

    def __call__(self) -> Iterator[None]:
        if self.spent > self.seconds:
            pytest.skip(f"schemathesis: this file spent its {self.seconds:.0f} s budget")
        start = time.perf_counter()
        try:
            yield
        finally:
            self.spent += time.perf_counter() - start


@contextmanager
def in_test_transaction() -> Iterator[None]:
    """As Django's test client does: a request must not close the test's connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
