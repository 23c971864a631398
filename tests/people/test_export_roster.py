"""`tianping export-roster`: a subtree's roster in exactly the columns the import reads."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tests.conftest import World
from tests.people.sheets import EXPORT_HEADER
from tianping.accounts.scoping import scope_for
from tianping.people.actions import do_update_person
from tianping.people.exporting import roster_workbook, subtree_people
from tianping.people.importing import import_roster

pytestmark = pytest.mark.django_db


def read(path: Any) -> tuple[list[str], dict[str, dict[str, Any]]]:
    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    return header, {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}


def export(org: str, tmp_path: Path) -> Path:
    out = tmp_path / f"{org}.xlsx"
    call_command("export_roster", "--org", org, "-o", str(out), stdout=StringIO())
    return out


def test_a_court_is_exported_in_the_import_columns_with_chinese_labels(
    world: World, tmp_path: Path
) -> None:
    do_update_person(
        None,
        world.people["wang"],
        ethnicity="汉族",
        party_joined_on=dt.date(2008, 7, 1),
        post_level="division_deputy",
    )
    header, rows = read(export("BT-JY", tmp_path))
    assert header == EXPORT_HEADER
    assert sorted(rows) == ["JY0001", "JY0002", "JY0003", "JY0004"]
    assert rows["JY0001"] == {
        "工号": "JY0001",
        "姓名": "王芳",
        "性别": "女",
        "出生日期": "1985-03-02",
        "民族": "汉族",
        "学历": None,
        "人员类别": "员额法官",
        "职务层级": "中层副职",
        "部门": "民事审判庭",
        "政治面貌": "中共党员",
        "入党日期": "2008-07-01",
        "转正日期": None,
        "所在支部": "第一党支部",
        "所在党小组": None,
        "状态": "在职",
        "职务": None,
        "法官等级": None,
        "警衔": None,
        "职级": None,
        "参加工作时间": None,
        "入院时间": None,
        "籍贯": None,
        "学位": None,
        "联系电话": None,
    }


def test_the_export_reimports_unchanged(world: World, tmp_path: Path) -> None:
    result = import_roster(export("BT-JY", tmp_path), world.org("BT-JY"), None)
    assert result.as_json() == {
        "ok": True,
        "created": 0,
        "updated": 0,
        "unchanged": 4,
        "errors": [],
    }


def test_a_branch_export_holds_its_members_only(world: World, tmp_path: Path) -> None:
    _, rows = read(export("BT-JY-B01", tmp_path))
    assert sorted(rows) == ["JY0001", "JY0002"]


def test_a_department_export_holds_its_members_only(world: World, tmp_path: Path) -> None:
    _, rows = read(export("BT-JY-ZZB", tmp_path))
    assert sorted(rows) == ["JY0003", "JY0004"]


def test_a_mid_court_export_adds_the_court_of_each_person(world: World, tmp_path: Path) -> None:
    header, rows = read(export("BT", tmp_path))
    assert header == [*EXPORT_HEADER, "所在法院"]
    assert rows["BT0001"]["所在法院"] == "包头市中级人民法院"
    assert rows["JY0001"]["所在法院"] == "九原区人民法院"
    assert "EH0001" not in rows


def test_an_unknown_organisation_is_an_error(world: World, tmp_path: Path) -> None:
    with pytest.raises(CommandError) as caught:
        call_command(
            "export_roster", "--org", "NOPE", "-o", str(tmp_path / "x.xlsx"), stdout=StringIO()
        )
    assert caught.value.returncode == 1
    assert not (tmp_path / "x.xlsx").exists()


def test_a_users_export_is_limited_to_their_scope(world: World) -> None:
    # Oscar's scope is another city: BT-JY's people are not his to export.
    oscar = scope_for(world.users["oscar"])
    assert not subtree_people(oscar, world.org("BT-JY")).exists()
    alice = scope_for(world.users["alice"])
    _, rows = read(roster_workbook(subtree_people(alice, world.org("BT-JY"))))
    assert sorted(rows) == ["JY0001", "JY0002", "JY0003", "JY0004"]
