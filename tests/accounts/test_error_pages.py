"""The error pages a person may meet speak Chinese; the 500 page needs no database."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from tianping import urls
from tianping.accounts.views import server_error


def test_the_500_page_is_chinese_and_touches_no_database(db) -> None:
    request = RequestFactory().get("/anything/")
    with CaptureQueriesContext(connection) as queries:
        response = server_error(request)
    assert response.status_code == 500
    text = response.content.decode()
    assert "服务器出错" in text and "没有保存任何改动" in text
    assert not queries.captured_queries


def test_the_site_routes_every_error_to_its_chinese_page() -> None:
    assert urls.handler500 == "tianping.accounts.views.server_error"
    assert urls.handler404 and urls.handler403


@pytest.mark.parametrize(
    "path, status, words", [("/no-such-page/", 404, "页面不存在"), ("/audit/", 403, "无权操作")]
)
def test_a_missing_or_forbidden_page_is_explained_in_chinese(world, path, status, words) -> None:
    response = world.client("dave").get(path)
    assert response.status_code == status
    assert words in response.content.decode()


def test_an_unexpected_error_shows_the_chinese_500_page(world, settings) -> None:
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(world.users["admin"])
    with mock.patch("tianping.audit.views.scoped", side_effect=RuntimeError("boom")):
        response = client.get("/audit/")
    assert response.status_code == 500
    assert "服务器出错" in response.content.decode()
    assert "RuntimeError" not in response.content.decode()
