"""A court's own words (正科, 正式党员…): shown once in the preview, mapped, kept, used next time."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.conftest import World
from tests.people.sheets import person, roster
from tianping.audit.models import AuditEvent
from tianping.lib.sheets import ValueMap, parse_map_option
from tianping.orgs.actions import do_map_values
from tianping.orgs.models import ValueMapping
from tianping.people.importing import parse_roster
from tianping.people.models import Person, PostLevel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _sheet(path: Path | None = None) -> Any:
    return roster(
        person("jy0001", "王芳", 职务层级="正科"),
        person("JY0100", "新人甲", 职务层级="正科", 出生日期="1985.10"),
        person("JY0101", "新人乙", 职务层级="副职"),
        person("JY0102", "新人丙", 职务层级="正科"),
        path=path,
    )


def _upload(book: Any) -> SimpleUploadedFile:
    return SimpleUploadedFile("花名册.xlsx", book.getvalue())


def test_the_map_option_reads_column_value_and_standard() -> None:
    assert parse_map_option("职务层级:正科=中层正职") == ("职务层级", "正科", "中层正职")
    assert parse_map_option(" 职务层级：正科 = 中层正职 ") == ("职务层级", "正科", "中层正职")
    with pytest.raises(ValueError, match="列名:原值=标准值"):
        parse_map_option("正科=中层正职")


def test_a_mapping_applies_to_the_column_however_its_header_is_written() -> None:
    values = ValueMap([("职务层级", "正科", "中层正职")])
    assert values.apply("职务层级", "正 科") == "中层正职"
    assert values.apply("职务层级（必填）", "正科") == "中层正职"
    assert values.apply("人员类别", "正科") == "正科"


def test_an_unknown_term_is_refused_with_the_values_it_may_be_mapped_to(world: World) -> None:
    plan = parse_roster(_sheet(), world.org("BT-JY"))
    unknown = [e for e in plan.errors if e.offered]
    assert [(e.row, e.column, e.value) for e in unknown] == [
        (2, "职务层级", "正科"),
        (3, "职务层级", "正科"),
        (5, "职务层级", "正科"),
    ]
    assert "中层正职" in unknown[0].offered


def test_the_preview_lists_the_term_once_then_a_mapping_is_kept_and_used(
    world: World, media: Path
) -> None:
    client = world.client("alice")
    before = Person.objects.count()
    response = client.post(reverse("people:import"), {"court": "BT-JY", "file": _upload(_sheet())})
    assert response.status_code == 200
    unknowns = response.context["unknowns"]
    assert [(u.column, u.value, u.rows) for u in unknowns] == [("职务层级", "正科", [2, 3, 5])]
    html = response.content.decode()
    assert html.count('data-value="正科"') == 1
    assert "确认导入" not in html
    token = response.context["map_token"]

    response = client.post(
        reverse("people:import_map", args=[token]),
        {"column": "职务层级", "value": "正科", "standard": "中层正职"},
    )
    assert response.status_code == 200
    assert response.context["errors"] == []
    assert "确认导入" in response.content.decode()
    kept = ValueMapping.objects.get(court=world.org("BT-JY"))
    assert (kept.column, kept.written, kept.standard) == ("职务层级", "正科", "中层正职")
    audit = AuditEvent.objects.get(action="orgs.map_value")
    assert audit.user.username == "alice" and audit.after["standard"] == "中层正职"

    response = client.post(reverse("people:import_confirm", args=[response.context["token"]]))
    assert response.status_code == 302
    assert Person.objects.count() == before + 3
    assert Person.objects.get(pk=world.people["wang"].pk).post_level == PostLevel.DIVISION_CHIEF
    new = Person.objects.get(employee_no="JY0100")
    assert new.post_level == PostLevel.DIVISION_CHIEF
    assert new.birth_date.isoformat() == "1985-10-01"
    assert Person.objects.get(employee_no="JY0101").post_level == PostLevel.DIVISION_DEPUTY

    # The next sheet of the court is understood at once.
    again = roster(person("JY0103", "新人丁", 职务层级="正科"))
    response = client.post(reverse("people:import"), {"court": "BT-JY", "file": _upload(again)})
    assert response.context["errors"] == []


def test_a_mapping_to_a_value_outside_the_enumeration_is_not_kept(world: World) -> None:
    client = world.client("alice")
    response = client.post(reverse("people:import"), {"court": "BT-JY", "file": _upload(_sheet())})
    token = response.context["map_token"]
    response = client.post(
        reverse("people:import_map", args=[token]),
        {"column": "职务层级", "value": "正科", "standard": "处长大人"},
    )
    assert response.status_code == 200
    assert not ValueMapping.objects.exists()
    assert [u.value for u in response.context["unknowns"]] == ["正科"]


def test_another_users_token_cannot_map(world: World) -> None:
    response = world.client("alice").post(
        reverse("people:import"), {"court": "BT-JY", "file": _upload(_sheet())}
    )
    token = response.context["map_token"]
    response = world.client("admin").post(
        reverse("people:import_map", args=[token]),
        {"column": "职务层级", "value": "正科", "standard": "中层正职"},
    )
    assert response.status_code == 404
    assert not ValueMapping.objects.exists()


def _command(*args: str) -> tuple[int, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("import_roster", *args, stdout=out, stderr=err)
    except CommandError as e:
        return e.returncode, out.getvalue()
    return 0, out.getvalue()


def test_the_command_refuses_an_unknown_term_and_offers_the_mapping(
    world: World, tmp_path: Path
) -> None:
    path = _sheet(tmp_path / "r.xlsx")
    code, out = _command(str(path), "--court", "BT-JY", "--json")
    assert code == 1
    errors = json.loads(out)["errors"]
    assert {e["value"] for e in errors} == {"正科"}
    assert "中层正职" in errors[0]["offered"]
    code, out = _command(str(path), "--court", "BT-JY")
    assert code == 1
    assert "--map 职务层级:正科=" in out


def test_the_command_takes_map_options(world: World, tmp_path: Path) -> None:
    path = _sheet(tmp_path / "r.xlsx")
    code, out = _command(str(path), "--court", "BT-JY", "--json", "--map", "职务层级:正科=中层正职")
    assert code == 0, out
    assert json.loads(out) == {
        "ok": True,
        "created": 3,
        "updated": 1,
        "unchanged": 0,
        "errors": [],
    }
    assert Person.objects.get(employee_no="JY0102").post_level == PostLevel.DIVISION_CHIEF


def test_the_command_reads_the_courts_kept_mappings(world: World, tmp_path: Path) -> None:
    do_map_values(world.users["alice"], world.org("BT-JY"), [("职务层级", "正科", "中层正职")])
    code, out = _command(str(_sheet(tmp_path / "r.xlsx")), "--court", "BT-JY", "--json")
    assert code == 0, out


def test_a_badly_written_map_option_is_a_usage_problem(world: World, tmp_path: Path) -> None:
    code, out = _command(
        str(_sheet(tmp_path / "r.xlsx")), "--court", "BT-JY", "--json", "--map", "正科"
    )
    assert code == 1
    assert json.loads(out)["errors"][0]["column"] == "--map"
