"""The ledger import in the web: upload → preview (nothing written) → confirm → summary."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.activities.test_import_activities import counts, ledger, row
from tests.conftest import World
from tianping.activities.models import Activity, Attendance
from tianping.points.models import PointEntry

pytestmark = pytest.mark.django_db

URL = "/activities/import/"


def upload(client: Any, book: Any, court: str = "BT-JY", name: str = "台账.xlsx") -> Any:
    data = book.getvalue() if hasattr(book, "getvalue") else Path(book).read_bytes()
    # A big sheet (a test lowers the threshold) is checked by a task: follow to its preview.
    return client.post(URL, {"court": court, "file": SimpleUploadedFile(name, data)}, follow=True)


def token_of(response: Any) -> str:
    match = re.search(r"/activities/import/([\w-]+)/confirm/", response.content.decode())
    assert match, "the preview offers no confirm button"
    return match.group(1)


def good_ledger() -> Any:
    return ledger(
        row("第一党支部", "支委会", "2024-03-28", "三月支委会", 参加人员="王芳", 缺席人员="赵磊"),
        row("第一党支部", "主题党日", "2024-04-10", "四月主题党日", 参加人员="王芳、赵磊"),
        title_rows=[["九原区人民法院组织生活台账"]],
    )


def imported_files(settings: Any) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    # The workbook while its words are mapped, then the checked plan until confirmed.
    return [*folder.glob("*.xlsx"), *folder.glob("*.plan")] if folder.exists() else []


def test_the_upload_page_explains_the_columns_and_offers_the_users_courts(world: World) -> None:
    page = world.client("alice").get(URL)
    assert page.status_code == 200
    body = page.content.decode()
    for column in ("组织", "活动类型", "日期", "参加人员", "请假人员", "缺席人员"):
        assert column in body
    assert "包头市中级人民法院" in body and "九原区人民法院" in body
    assert "鄂尔多斯" not in body


@pytest.mark.parametrize("task_rows", [2000, 1], ids=["in the request", "by a task"])
def test_the_whole_journey_previews_confirms_and_summarises(
    world: World, settings: Any, task_rows: int
) -> None:
    settings.TIANPING_TASK_ROWS = task_rows
    client = world.client("bob")
    before = counts()
    preview = upload(client, good_ledger())
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "检查通过，尚未写入" in body
    assert re.search(r'id="count-created">2<', body)
    assert "三月支委会" in body and "四月主题党日" in body
    # The preview writes nothing.
    assert counts() == before
    token = token_of(preview)
    done = client.post(f"/activities/import/{token}/confirm/")
    assert done.status_code == 302
    assert done["Location"] == f"/activities/import/{token}/"
    assert Activity.objects.count() == 2
    assert Attendance.objects.count() == 4
    assert PointEntry.objects.filter(person=world.people["zhao"]).count() == 2
    summary = client.get(done["Location"])
    body = summary.content.decode()
    if task_rows > 2:
        assert "台账已导入九原区人民法院：新增2项活动" in body
    assert re.search(r'id="count-created">2<', body)
    # The uploaded sheet is gone once recorded.
    assert imported_files(settings) == []
    # Confirming again changes nothing: it shows the same summary.
    again = client.post(f"/activities/import/{token}/confirm/")
    assert again.status_code == 302
    assert Activity.objects.count() == 2


def test_a_bad_ledger_is_previewed_with_every_problem_and_cannot_be_confirmed(
    world: World, settings: Any
) -> None:
    book = ledger(
        row("第一党支部", "支部联欢会", "2024-03-28", "联欢"),
        row("第一党支部", "支委会", "2024-13-01", "支委会", 参加人员="王小明"),
    )
    before = counts()
    preview = upload(world.client("bob"), book)
    body = preview.content.decode()
    assert "发现 3 处问题，未写入任何数据" in body
    assert "支部联欢会" in body and "2024-13-01" in body and "王小明" in body
    assert "确认导入" not in body
    assert "重新上传" in body
    assert counts() == before
    # Held only so that the unknown kind can be mapped and the file checked again.
    assert len(imported_files(settings)) == 1
    assert "保存对照并重新检查" in body


def test_reimporting_in_the_web_shows_everything_unchanged(world: World) -> None:
    client = world.client("bob")
    first = upload(client, good_ledger())
    client.post(f"/activities/import/{token_of(first)}/confirm/")
    preview = upload(client, good_ledger())
    body = preview.content.decode()
    assert re.search(r'id="count-created">0<', body)
    assert re.search(r'id="count-unchanged">2<', body)


def test_a_changed_attendance_is_shown_in_the_preview(world: World) -> None:
    client = world.client("bob")
    first = upload(client, good_ledger())
    client.post(f"/activities/import/{token_of(first)}/confirm/")
    book = ledger(
        row("第一党支部", "支委会", "2024-03-28", "三月支委会", 参加人员="王芳", 请假人员="赵磊"),
    )
    body = upload(client, book).content.decode()
    assert re.search(r'id="count-updated">1<', body)
    assert "赵磊→请假" in body


def test_a_token_is_useless_in_another_users_session(world: World) -> None:
    preview = upload(world.client("bob"), good_ledger())
    token = token_of(preview)
    assert world.client("alice").post(f"/activities/import/{token}/confirm/").status_code == 404
    assert world.client("alice").get(f"/activities/import/{token}/").status_code == 404
    assert Activity.objects.count() == 0


def test_an_unconfirmed_upload_has_no_summary(world: World) -> None:
    client = world.client("bob")
    token = token_of(upload(client, good_ledger()))
    assert client.get(f"/activities/import/{token}/").status_code == 404


def test_a_court_out_of_scope_is_absent(world: World) -> None:
    response = upload(world.client("oscar"), good_ledger(), court="BT-JY")
    assert response.status_code == 404
    assert Activity.objects.count() == 0


def test_a_mid_court_officer_cannot_import_into_a_court_above_their_grant(world: World) -> None:
    # bob is granted the basic court: the mid court is not his to import into.
    response = upload(world.client("bob"), good_ledger(), court="BT")
    assert response.status_code == 404


def test_a_file_that_is_not_xlsx_is_refused_beside_the_field(world: World) -> None:
    response = world.client("bob").post(
        URL, {"court": "BT-JY", "file": SimpleUploadedFile("台账.xls", b"old excel")}
    )
    assert response.status_code == 200
    assert "请上传Excel工作簿（.xlsx）" in response.content.decode()


@pytest.mark.parametrize("persona", ["carol", "dave", "erin"])
def test_people_without_the_import_capability_are_refused(world: World, persona: str) -> None:
    assert world.client(persona).get(URL).status_code == 403
    assert upload(world.client(persona), good_ledger()).status_code == 403
    assert Activity.objects.count() == 0


def test_anonymous_visitors_are_sent_to_log_in(world: World) -> None:
    response = world.client(None).get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
