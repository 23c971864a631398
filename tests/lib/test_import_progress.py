"""A long check or write reports how far it has got; the page that started it polls that."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from tests.conftest import World
from tests.people.sheets import person, roster
from tianping.lib import sheets, tasks, uploads

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_reading_a_sheet_reports_rows_as_it_goes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheets, "PROGRESS_EVERY", 2)
    heard: list[tuple[str, int]] = []
    book = roster(*(person(f"JY{i:04}", f"人{i}") for i in range(5)))
    with sheets.progress_to(lambda phase, n: heard.append((phase, n))):
        with sheets.read_table(book, sheets.Columns({"工号": (), "姓名": ()})) as table:
            list(table)
    assert heard == [("check", 2), ("check", 4), ("check", 6)]  # the header row is read too


def test_the_progress_is_kept_for_the_requests_user_and_key_only(world: World) -> None:
    alice = world.users["alice"]
    post = RequestFactory().post("/", {"progress": "abcdefgh1234"})
    post.user = alice
    seen = []
    with uploads.tracking(post):
        sheets.report_progress("check", 1500)
        assert tasks.progress_path(alice.pk, "abcdefgh1234").exists()
        get = RequestFactory().get("/", {"key": "abcdefgh1234"})
        get.user = alice
        seen.append(json.loads(uploads.progress(get).content))
        other = RequestFactory().get("/", {"key": "abcdefgh1234"})
        other.user = world.users["admin"]
        seen.append(json.loads(uploads.progress(other).content))
    assert seen[0] == {"phase": "check", "count": 1500, "text": "正在检查：已读1500行"}
    assert seen[1]["phase"] == "upload"  # not alice's: nothing is known under that key
    assert not tasks.progress_path(alice.pk, "abcdefgh1234").exists()  # gone when the work ends


def test_a_key_that_cannot_exist_is_not_found(world: World) -> None:
    client = world.client("alice")
    assert client.get(reverse("people:import_progress"), {"key": "../x"}).status_code == 404
    assert client.get(reverse("people:import_progress")).status_code == 404


def test_the_upload_page_sends_a_key_and_polls(world: World) -> None:
    client = world.client("alice")
    page = client.get(reverse("people:import")).content.decode()
    assert f'data-progress="{reverse("people:import_progress")}"' in page
    assert "import-progress.js" in page
    upload = SimpleUploadedFile("r.xlsx", roster(person("JY0100", "新人")).getvalue())
    response = client.post(
        reverse("people:import"), {"court": "BT-JY", "file": upload, "progress": "k" * 16}
    )
    assert response.status_code == 200
    polled = client.get(reverse("people:import_progress"), {"key": "k" * 16}).json()
    assert polled["phase"] == "upload"  # the check is over: its record is gone
