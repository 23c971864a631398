"""Helpers for the API tests: bearer clients and JSON requests."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tianping.accounts.actions import do_create_token

API = "/api/v1"


class ApiClient:
    """A test client that speaks JSON to /api/v1/, by session or by bearer token."""

    def __init__(self, client: Client, headers: dict[str, str] | None = None) -> None:
        self.client = client
        self.headers = headers or {}

    def _send(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        send = getattr(self.client, method)
        if body is None:
            return send(API + path, headers=headers, **kwargs)
        return send(
            API + path, json.dumps(body), content_type="application/json", headers=headers, **kwargs
        )

    def get(self, path: str, **kwargs: Any) -> Any:
        return self._send("get", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self._send("post", path, {} if body is None else body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self._send("patch", path, {} if body is None else body, **kwargs)


@pytest.fixture
def session(world: Any) -> Any:
    """`session("alice")`: the persona logged in through the web session."""

    def make(name: str | None) -> ApiClient:
        return ApiClient(world.client(name))

    return make


@pytest.fixture
def bearer(world: Any) -> Any:
    """`bearer("alice")`: the persona calling with a fresh API token and no session."""

    def make(name: str, **headers: str) -> ApiClient:
        _, raw = do_create_token(world.users[name], world.users[name], "测试")
        return ApiClient(Client(), {"Authorization": f"Bearer {raw}", **headers})

    return make
