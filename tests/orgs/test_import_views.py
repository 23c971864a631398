"""The organisation sheet in the web: upload → preview → confirm → summary, within scope."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import World
from tests.people.sheets import xlsx
from tianping.audit.models import AuditEvent
from tianping.orgs.models import Org, OrgKind, ValueMapping

pytestmark = pytest.mark.django_db

HEADER = ["代码", "名称", "类型", "上级代码"]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(*rows: list[Any], header: list[str] = HEADER) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "组织机构.xlsx",
        xlsx([header, *rows]).getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def parent_code(code: str) -> str | None:
    org = Org.objects.get(code=code)
    parent = Org.objects.get_parent(org)
    return parent.code if parent else None


def errors_of(response: Any) -> list[tuple[int | None, str, str]]:
    return [(e.row, e.column, e.value) for e in response.context["errors"]]


def test_the_upload_page_offers_the_courts_in_scope_and_only_the_admin_offers_no_court(
    world: World,
) -> None:
    def courts(name: str) -> list[str]:
        response = world.client(name).get(reverse("orgs:import"))
        assert response.status_code == 200
        return [value for value, _ in response.context["form"].fields["court"].choices]

    assert courts("alice") == ["BT", "BT-JY"]
    assert courts("bob") == ["BT-JY"]
    assert courts("admin")[:2] == ["", "BT"]


def test_a_sheet_with_errors_lists_each_row_column_and_value_and_writes_nothing(
    world: World,
) -> None:
    before = (Org.objects.count(), AuditEvent.objects.count())
    response = world.client("alice").post(
        reverse("orgs:import"),
        {
            "court": "BT-JY",
            "file": upload(
                ["BT-JY-B03", "第三党支部", "党支部", "BT-JY-XX"],
                ["BT/JY", "坏代码", "党支部", "BT-JY-JGDW"],
                ["BT-JY-B04", "", "党支部", "BT-JY-JGDW"],
            ),
        },
    )
    assert response.status_code == 200
    assert errors_of(response) == [
        (2, "上级代码", "BT-JY-XX"),
        (3, "代码", "BT/JY"),
        (4, "名称", ""),
    ]
    html = response.content.decode()
    assert "发现 3 处问题，未写入任何数据" in html
    assert "确认导入" not in html
    assert (Org.objects.count(), AuditEvent.objects.count()) == before


def test_a_clean_sheet_previews_then_confirm_writes_the_tree_and_audits_each_change(
    world: World, media: Path
) -> None:
    client = world.client("alice")
    response = client.post(
        reverse("orgs:import"),
        {
            "court": "BT-JY",
            "file": upload(
                ["BT-JY-B03-G1", "第一党小组", "党小组", "BT-JY-B03"],
                ["BT-JY-B03", "第三党支部", "党支部", "BT-JY-JGDW"],
                ["BT-JY-XZ", "行政审判庭", "部门", "BT-JY"],
                ["BT-JY-MS", "民事审判一庭", "部门", "BT-JY"],
                ["BT-JY-B01", "第一党支部", "党支部", "BT-JY-JGDW"],
            ),
        },
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.created, result.updated, result.unchanged) == (3, 1, 1)
    html = response.content.decode()
    assert "确认导入" in html and "第三党支部" in html
    assert not Org.objects.filter(code="BT-JY-B03").exists(), "a preview writes nothing"
    token = response.context["token"]

    response = client.post(reverse("orgs:import_confirm", args=[token]))
    assert response.status_code == 302
    assert response.url == reverse("orgs:import_summary", args=[token])
    assert parent_code("BT-JY-B03") == "BT-JY-JGDW"
    assert parent_code("BT-JY-B03-G1") == "BT-JY-B03"
    assert Org.objects.get(code="BT-JY-XZ").kind == OrgKind.DEPARTMENT
    assert Org.objects.get(code="BT-JY-MS").name == "民事审判一庭"
    by_alice = AuditEvent.objects.filter(user=world.users["alice"])
    assert sorted(by_alice.filter(action="orgs.create").values_list("object_repr", flat=True)) == [
        "第一党小组",
        "第三党支部",
        "行政审判庭",
    ]
    assert by_alice.filter(action="orgs.update", object_repr="民事审判一庭").exists()

    summary = client.get(response.url)
    assert summary.status_code == 200
    page = summary.content.decode()
    assert "组织机构导入结果" in page and "九原区人民法院" in page
    assert summary.context["result"].created == 3
    # A second click writes nothing more.
    assert client.post(reverse("orgs:import_confirm", args=[token])).status_code == 302
    assert Org.objects.filter(code="BT-JY-B03").count() == 1


def test_a_party_office_cannot_create_a_court_or_a_department_row_by_row(world: World) -> None:
    before = Org.objects.count()
    response = world.client("bob").post(
        reverse("orgs:import"),
        {
            "court": "BT-JY",
            "file": upload(
                ["BT-JY-B03", "第三党支部", "党支部", "BT-JY-JGDW"],
                ["BT-JY-XZ", "行政审判庭", "部门", "BT-JY"],
                ["BT-JY-MS", "民事审判一庭", "部门", "BT-JY"],
                ["BT-JY-ZZB", "政治部", "部门", "BT-JY"],
                ["BT-GY", "固阳县人民法院", "基层人民法院", "BT"],
            ),
        },
    )
    assert response.status_code == 200
    # Creating or renaming a department is refused; leaving one as it is is not.
    assert errors_of(response) == [
        (3, "类型", "部门"),
        (4, "类型", "部门"),
        (6, "上级代码", "BT"),
    ]
    messages = [e.message for e in response.context["errors"]]
    assert messages[0] == "无权新建或修改部门"
    assert "确认导入" not in response.content.decode()
    assert Org.objects.count() == before


def test_rows_outside_the_chosen_court_are_refused_without_saying_whose_they_are(
    world: World,
) -> None:
    response = world.client("alice").post(
        reverse("orgs:import"),
        {
            "court": "BT-JY",
            "file": upload(
                ["BT-B03", "第三党支部", "党支部", "BT-JGDW"],
                ["EH-B01", "第一党支部", "党支部", "BT-JY-JGDW"],
                ["BT-JY-B05", "第五党支部", "党支部", "EH-JGDW"],
                ["BT-JY-2", "新法院", "基层人民法院", None],
            ),
        },
    )
    found = [(e.row, e.column, e.value, e.message) for e in response.context["errors"]]
    assert found == [
        (2, "上级代码", "BT-JGDW", "找不到代码为“BT-JGDW”的上级组织"),
        (3, "代码", "EH-B01", "代码“EH-B01”已被使用"),
        (4, "上级代码", "EH-JGDW", "找不到代码为“EH-JGDW”的上级组织"),
        (5, "上级代码", "", "新组织须填写九原区人民法院之内的上级代码"),
    ]
    assert "鄂尔多斯" not in response.content.decode()


def test_a_court_out_of_scope_is_absent(world: World) -> None:
    response = world.client("bob").post(
        reverse("orgs:import"),
        {"court": "BT", "file": upload(["BT-B03", "第三党支部", "党支部", "BT-JGDW"])},
    )
    assert response.status_code == 404
    assert world.client("bob").get(reverse("orgs:import") + "?court=EH").status_code == 404


def test_only_the_platform_admin_may_upload_under_no_court_and_create_a_court(
    world: World,
) -> None:
    response = world.client("alice").post(
        reverse("orgs:import"),
        {"court": "", "file": upload(["NM", "内蒙古自治区高级人民法院", "高级人民法院", None])},
    )
    assert response.status_code == 200
    assert "token" not in response.context and not Org.objects.filter(code="NM").exists()

    client = world.client("admin")
    response = client.post(
        reverse("orgs:import"),
        {
            "court": "",
            "file": upload(
                ["NM", "内蒙古自治区高级人民法院", "高级人民法院", None],
                ["NM-ZZB", "政治部", "部门", "NM"],
            ),
        },
    )
    assert response.status_code == 200, response.context.get("form").errors
    token = response.context["token"]
    response = client.post(reverse("orgs:import_confirm", args=[token]))
    assert response.status_code == 302
    assert parent_code("NM") is None and parent_code("NM-ZZB") == "NM"
    assert "不限法院" in client.get(response.url).content.decode()


def test_a_courts_own_kind_word_is_mapped_once_and_kept_for_the_court(world: World) -> None:
    client = world.client("bob")
    response = client.post(
        reverse("orgs:import"),
        {"court": "BT-JY", "file": upload(["BT-JY-B03", "第三支部", "基层党支部", "BT-JY-JGDW"])},
    )
    unknowns = response.context["unknowns"]
    assert [(u.column, u.value, u.rows) for u in unknowns] == [("类型", "基层党支部", [2])]
    token = response.context["map_token"]
    response = client.post(
        reverse("orgs:import_map", args=[token]),
        {"column": "类型", "value": "基层党支部", "standard": "党支部"},
    )
    assert response.status_code == 200
    assert response.context["result"].created == 1
    kept = ValueMapping.objects.get(court__code="BT-JY")
    assert (kept.column, kept.written, kept.standard) == ("类型", "基层党支部", "党支部")


def test_the_template_has_the_columns_an_example_row_and_a_drop_down_of_kinds(
    world: World,
) -> None:
    response = world.client("bob").get(reverse("orgs:import_template"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["组织机构"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("代码", "名称", "类型", "上级代码", "成立日期")
    assert rows[1][:3] == ("BT-JY-B03", "第三党支部", "党支部")
    assert [str(v.sqref) for v in sheet.data_validations.dataValidation] == ["C2:C2001"]
    kinds = [r[0] for r in book["可选值"].iter_rows(min_row=2, values_only=True)]
    assert kinds == [k.label for k in OrgKind]


def test_the_org_pages_link_the_import_for_those_who_may_use_it(world: World) -> None:
    url = reverse("orgs:import")
    assert url in world.client("bob").get(reverse("orgs:tree")).content.decode()
    detail = world.client("alice").get(reverse("orgs:detail", args=["BT-JY"])).content.decode()
    assert f"{url}?court=BT-JY" in detail
    assert url not in world.client("carol").get(reverse("orgs:tree")).content.decode()
    assert world.client("carol").get(url).status_code == 403
    assert world.client("erin").get(url).status_code == 403


def test_a_big_sheet_under_no_court_is_checked_and_written_by_tasks(
    world: World, settings: Any
) -> None:
    settings.TIANPING_TASK_ROWS = 1  # every sheet is big; tests run tasks at once
    client = world.client("admin")
    response = client.post(
        reverse("orgs:import"),
        {
            "court": "",
            "file": upload(
                ["NM", "内蒙古自治区高级人民法院", "高级人民法院", None],
                ["NM-JGDW", "机关党委", "机关党委", "NM"],
            ),
        },
        follow=True,
    )
    assert response.status_code == 200
    assert response.context["result"].created == 2
    token = response.context["token"]
    response = client.post(reverse("orgs:import_confirm", args=[token]), follow=True)
    assert response.context["result"].created == 2
    assert parent_code("NM-JGDW") == "NM"
    # Another user's session knows nothing of the token.
    assert (
        world.client("alice").get(reverse("orgs:import_summary", args=[token])).status_code == 404
    )
