"""The roster import in the web: upload → preview (nothing written) → confirm → summary."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import World
from tests.people.sheets import EXPORT_HEADER, person, roster
from tianping.audit.models import AuditEvent
from tianping.orgs.actions import do_move_org, do_update_org
from tianping.people.models import Person, Placement

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(book: Any, name: str = "花名册.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name,
        book.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def counts() -> tuple[int, int, int]:
    return Person.objects.count(), Placement.objects.count(), AuditEvent.objects.count()


def pending_files(media: Path) -> list[Path]:
    folder = media / "imports"
    # The workbook while its words are mapped, then the checked plan until confirmed.
    return sorted([*folder.glob("*.xlsx"), *folder.glob("*.plan")]) if folder.exists() else []


def test_the_upload_page_offers_the_courts_in_scope(world: World) -> None:
    response = world.client("alice").get(reverse("people:import"))
    assert response.status_code == 200
    court_choices = [value for value, _ in response.context["form"].fields["court"].choices]
    assert court_choices == ["BT", "BT-JY"]


def test_an_upload_with_errors_lists_every_one_and_writes_nothing(
    world: World, media: Path
) -> None:
    book = roster(
        person("JY0100", "新人甲", 出生日期="1985-13-01"),
        person("JY0101", "新人乙", 人员类别="律师"),
        person("JY0100", "新人丙"),
        person("JY0102", "新人丁", 所在支部="第九党支部"),
    )
    before = counts()
    response = world.client("alice").post(
        reverse("people:import"), {"court": "BT-JY", "file": upload(book)}
    )
    assert response.status_code == 200
    errors = [(e.row, e.column, e.value) for e in response.context["errors"]]
    assert errors == [
        (2, "出生日期", "1985-13-01"),
        (3, "人员类别", "律师"),
        (4, "工号", "JY0100"),
        (5, "所在支部", "第九党支部"),
    ]
    html = response.content.decode()
    assert "发现 4 处问题，未写入任何数据" in html
    assert "1985-13-01" in html and "第九党支部" in html
    assert "确认导入" not in html
    assert counts() == before
    # Held only so that the unknown 人员类别 can be mapped and the file checked again.
    assert len(pending_files(media)) == 1
    assert "保存对照并重新检查" in html


def test_a_clean_upload_previews_then_confirm_writes_and_summarises(
    world: World, media: Path
) -> None:
    client = world.client("alice")
    book = roster(
        person("JY0100", "新人甲", 性别="男", 部门="民事审判庭", 所在支部="第一党支部"),
        person(
            "JY0001",
            "王芳",
            性别="女",
            出生日期="1985-03-02",
            人员类别="员额法官",
            部门="政治部",
            政治面貌="中共党员",
            所在支部="第一党支部",
            状态="在职",
        ),
    )
    before = counts()
    response = client.post(reverse("people:import"), {"court": "BT-JY", "file": upload(book)})
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    assert "确认导入" in response.content.decode()
    assert counts() == before, "a preview writes nothing"
    assert len(pending_files(media)) == 1
    token = response.context["token"]

    response = client.post(reverse("people:import_confirm", args=[token]))
    assert response.status_code == 302
    assert response.url == reverse("people:import_summary", args=[token])
    assert pending_files(media) == []
    assert Person.objects.get(employee_no="JY0100").department.code == "BT-JY-MS"
    assert Person.objects.get(employee_no="JY0001").department.code == "BT-JY-ZZB"
    events = AuditEvent.objects.filter(action="people.import")
    assert events.count() == 2
    assert {e.user_label for e in events} == {"alice"}

    response = client.get(response.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "花名册已导入九原区人民法院：新增1人，更新1人，未变0人。" in html
    assert response.context["result"].created == 1


def test_confirming_twice_writes_once(world: World) -> None:
    client = world.client("alice")
    response = client.post(
        reverse("people:import"),
        {"court": "BT-JY", "file": upload(roster(person("JY0100", "新人")))},
    )
    token = response.context["token"]
    client.post(reverse("people:import_confirm", args=[token]))
    response = client.post(reverse("people:import_confirm", args=[token]))
    assert response.status_code == 302
    assert Person.objects.filter(employee_no="JY0100").count() == 1
    assert AuditEvent.objects.filter(action="people.import").count() == 1


def test_confirm_checks_the_kept_rows_again_and_writes_nothing_if_they_no_longer_fit(
    world: World, media: Path
) -> None:
    client = world.client("alice")
    response = client.post(
        reverse("people:import"),
        {"court": "BT-JY", "file": upload(roster(person("JY0100", "新人", 部门="民事审判庭")))},
    )
    token = response.context["token"]
    # The workbook was read once: confirm works from the checked rows.
    assert not list((media / "imports").glob("*.xlsx"))
    # Someone moves the department to the mid court between preview and confirm.
    do_move_org(None, world.org("BT-JY-MS"), world.org("BT"))
    before = counts()
    response = client.post(reverse("people:import_confirm", args=[token]))
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert [(e.row, e.column, e.value) for e in page.context["errors"]] == [
        (2, "部门", "民事审判庭")
    ]
    assert "发现 1 处问题，未写入任何数据" in page.content.decode()
    assert counts() == before


def test_a_department_renamed_since_the_preview_is_still_the_one_the_row_meant(
    world: World,
) -> None:
    client = world.client("alice")
    response = client.post(
        reverse("people:import"),
        {"court": "BT-JY", "file": upload(roster(person("JY0100", "新人", 部门="民事审判庭")))},
    )
    do_update_org(None, world.org("BT-JY-MS"), name="民事审判一庭")
    client.post(reverse("people:import_confirm", args=[response.context["token"]]))
    assert Person.objects.get(employee_no="JY0100").department == world.org("BT-JY-MS")


def test_bob_of_the_party_office_may_not_import(world: World) -> None:
    client = world.client("bob")
    assert client.get(reverse("people:import")).status_code == 403
    response = client.post(
        reverse("people:import"),
        {"court": "BT-JY", "file": upload(roster(person("JY0100", "新人")))},
    )
    assert response.status_code == 403
    assert not Person.objects.filter(employee_no="JY0100").exists()


def test_oscar_gets_404_for_a_court_outside_his_scope(world: World) -> None:
    client = world.client("oscar")
    assert client.get(reverse("people:import") + "?court=BT-JY").status_code == 404
    response = client.post(
        reverse("people:import"),
        {"court": "BT-JY", "file": upload(roster(person("JY0100", "新人")))},
    )
    assert response.status_code == 404
    assert not Person.objects.filter(employee_no="JY0100").exists()


def test_another_user_cannot_confirm_or_see_an_upload(world: World) -> None:
    response = world.client("alice").post(
        reverse("people:import"),
        {"court": "BT-JY", "file": upload(roster(person("JY0100", "新人")))},
    )
    token = response.context["token"]
    for name in ("oscar", "admin"):
        client = world.client(name)
        assert client.post(reverse("people:import_confirm", args=[token])).status_code == 404
        assert client.get(reverse("people:import_summary", args=[token])).status_code == 404
    assert not Person.objects.filter(employee_no="JY0100").exists()


def test_an_unknown_token_is_404(world: World) -> None:
    client = world.client("alice")
    assert client.post(reverse("people:import_confirm", args=["nope"])).status_code == 404
    assert client.get(reverse("people:import_summary", args=["nope"])).status_code == 404


def test_a_file_that_is_not_xlsx_is_refused_beside_the_field(world: World) -> None:
    response = world.client("alice").post(
        reverse("people:import"),
        {"court": "BT-JY", "file": SimpleUploadedFile("r.xls", b"old format")},
    )
    assert response.status_code == 200
    assert "请上传Excel工作簿" in response.content.decode()


def test_the_template_has_the_import_columns(world: World) -> None:
    response = world.client("alice").get(reverse("people:import_template"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [c.value for c in sheet[1]] == EXPORT_HEADER
    assert world.client("bob").get(reverse("people:import_template")).status_code == 403


def test_anonymous_is_sent_to_log_in(world: World) -> None:
    response = world.client(None).get(reverse("people:import"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url
