"""A person's 干部 record in the roster sheet: 职务层级 as courts write it (D9), the new optional
columns (职务, 法官等级, 警衔, 职级, 参加工作时间, 入院时间, 籍贯, 学位, 联系电话), and the export."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.conftest import World
from tests.people.sheets import CADRE_COLUMNS, EXPORT_HEADER, ROSTER_HEADER, person, roster
from tianping.people.actions import do_update_person
from tianping.people.exporting import roster_workbook
from tianping.people.importing import import_roster
from tianping.people.models import Person

pytestmark = pytest.mark.django_db


def errors(result) -> list[tuple[int | None, str, Any, str]]:
    return [(e.row, e.column, e.value, e.message) for e in result.errors]


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("院级正职", "court_chief"),
        ("院级副职", "court_deputy"),
        ("中层正职", "division_chief"),
        ("中层副职", "division_deputy"),
        ("一般干警", "staff"),
        ("正职", "division_chief"),
        ("副职", "division_deputy"),
        ("副職", "division_deputy"),
        (" 正 职 ", "division_chief"),
    ],
)
def test_d9_the_post_level_takes_the_five_levels_and_the_short_forms(
    world: World, written: str, stored: str
) -> None:
    result = import_roster(
        roster(person("JY0100", "新人", 职务层级=written)), world.org("BT-JY"), None
    )
    assert result.ok, errors(result)
    assert Person.objects.get(employee_no="JY0100").post_level == stored


def test_d9_a_level_the_court_does_not_write_is_an_error_naming_row_and_column(
    world: World,
) -> None:
    result = import_roster(
        roster(person("JY0100", "新人", 职务层级="正处")), world.org("BT-JY"), None
    )
    assert not result.ok
    [(row, column, value, message)] = errors(result)
    assert (row, column, value) == (2, "职务层级", "正处")
    assert message.startswith("无法识别的职务层级")
    assert not Person.objects.filter(employee_no="JY0100").exists()


def test_the_cadre_columns_import_with_the_words_a_court_writes(world: World) -> None:
    book = roster(
        person(
            "JY0100",
            "新人",
            职务层级="副职",
            职务="副庭长",
            法官等级="三级高级法官",
            职级="一级主任科员",
            参加工作时间="2005.07",
            入院时间=dt.datetime(2010, 3, 1),
            籍贯="内蒙古包头",
            学位="法学硕士",
            联系电话=13812345678,
        ),
        person("JY0101", "法警", 警衔="一级警司", 学位="无", 联系电话="０４７２－５１２３４５６"),
        header=[*ROSTER_HEADER, *CADRE_COLUMNS],
    )
    result = import_roster(book, world.org("BT-JY"), None)
    assert result.ok, errors(result)
    new = Person.objects.get(employee_no="JY0100")
    assert (new.post_level, new.title, new.judge_grade, new.civil_rank) == (
        "division_deputy",
        "副庭长",
        "senior_3",
        "principal_1",
    )
    assert (new.work_started_on, new.joined_court_on) == (dt.date(2005, 7, 1), dt.date(2010, 3, 1))
    assert (new.native_place, new.degree, new.phone) == ("内蒙古包头", "master", "13812345678")
    police = Person.objects.get(employee_no="JY0101")
    assert (police.police_rank, police.degree, police.phone) == (
        "sergeant_1",
        "",
        "0472-5123456",
    )


def test_bad_cadre_values_are_reported_by_row_and_column_and_nothing_is_written(
    world: World,
) -> None:
    book = roster(
        person("JY0100", "甲", 法官等级="高级法官", 联系电话="打电话给办公室"),
        person("JY0101", "乙", 参加工作时间="2012-09-01", 入院时间="2010-09-01"),
        person("JY0102", "丙", 出生日期="1990-01-01", 参加工作时间="1989-07-01"),
        person("JY0103", "丁", 入院时间="2099-01-01"),
        header=[*ROSTER_HEADER, *CADRE_COLUMNS],
    )
    result = import_roster(book, world.org("BT-JY"), None)
    assert not result.ok
    found = {(row, column): message for row, column, _, message in errors(result)}
    assert found[(2, "法官等级")].startswith("无法识别的法官等级")
    assert "联系电话只能包含数字" in found[(2, "联系电话")]
    assert found[(3, "入院时间")] == "入院时间不能早于参加工作时间"
    assert found[(4, "参加工作时间")] == "参加工作时间不能早于出生日期"
    assert found[(5, "入院时间")] == "日期晚于今天"
    assert not Person.objects.filter(employee_no__in=["JY0100", "JY0101", "JY0102"]).exists()


def test_an_older_sheet_without_the_new_columns_leaves_them_alone(world: World) -> None:
    wang = world.people["wang"]
    do_update_person(None, wang, title="审判员", phone="13800000001", degree="bachelor")
    result = import_roster(
        roster(person("JY0001", "王芳", 职务层级="中层正职")), world.org("BT-JY"), None
    )
    assert result.ok and result.updated == 1
    wang.refresh_from_db()
    assert (wang.post_level, wang.title, wang.phone, wang.degree) == (
        "division_chief",
        "审判员",
        "13800000001",
        "bachelor",
    )


def test_an_older_sheets_level_in_its_rank_column_still_fills_the_post_level(
    world: World,
) -> None:
    # Before 职级 was a column of its own, some courts wrote the level under that header.
    book = roster(person("JY0100", "新人", 职级="副职"), header=["工号", "姓名", "职级"])
    result = import_roster(book, world.org("BT-JY"), None)
    assert result.ok, errors(result)
    new = Person.objects.get(employee_no="JY0100")
    assert (new.post_level, new.civil_rank) == ("division_deputy", "")


def test_with_a_post_level_column_the_title_is_only_a_title(world: World) -> None:
    book = roster(
        person("JY0100", "新人", 职务层级="一般干警", 职务="副庭长"),
        header=["工号", "姓名", "职务层级", "职务"],
    )
    assert import_roster(book, world.org("BT-JY"), None).ok
    new = Person.objects.get(employee_no="JY0100")
    assert (new.post_level, new.title) == ("staff", "副庭长")


def _export(people) -> tuple[list[str], dict[str, dict[str, Any]]]:
    sheet = load_workbook(people).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    return header, {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}


def test_the_export_writes_the_cadre_columns_and_reimports_unchanged(world: World) -> None:
    do_update_person(
        None,
        world.people["wang"],
        title="副庭长",
        judge_grade="judge_1",
        civil_rank="principal_2",
        work_started_on=dt.date(2007, 7, 1),
        joined_court_on=dt.date(2009, 3, 1),
        native_place="山西忻州",
        degree="master",
        phone="0472-5123456",
    )
    people = Person.objects.filter(court__code="BT-JY")
    header, rows = _export(roster_workbook(people))
    assert header == EXPORT_HEADER
    assert {k: rows["JY0001"][k] for k in CADRE_COLUMNS} == {
        "职务": "副庭长",
        "法官等级": "一级法官",
        "警衔": None,
        "职级": "二级主任科员",
        "参加工作时间": "2007-07-01",
        "入院时间": "2009-03-01",
        "籍贯": "山西忻州",
        "学位": "硕士",
        "联系电话": "0472-5123456",
    }
    result = import_roster(roster_workbook(people), world.org("BT-JY"), None)
    assert (result.ok, result.unchanged, result.updated) == (True, 4, 0)


def test_an_export_for_a_viewer_who_may_not_see_phones_has_no_phone_column(
    world: World,
) -> None:
    do_update_person(None, world.people["wang"], phone="13800000001")
    # 院领导 may export the roster but not read telephone numbers.
    response = world.client("erin").get("/people/export/")
    assert response.status_code == 200
    header, rows = _export(io.BytesIO(b"".join(response.streaming_content)))
    assert "联系电话" not in header and "职务" in header
    assert "13800000001" not in str(rows)
    # 政治部 keeps the roster and reads them.
    response = world.client("alice").get("/people/export/")
    header, rows = _export(io.BytesIO(b"".join(response.streaming_content)))
    assert rows["JY0001"]["联系电话"] == "13800000001"
