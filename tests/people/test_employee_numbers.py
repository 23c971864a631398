"""D9 in every door: a 工号 written in lower case or full width finds the person it names."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from tests.conftest import World
from tests.people.sheets import person, roster
from tianping.people.importing import import_roster
from tianping.people.lookup import NumberIndex, people_numbered
from tianping.people.models import Person

pytestmark = pytest.mark.django_db


def test_the_lookup_finds_a_person_however_the_number_is_written(world: World) -> None:
    for written in ("JY0001", "jy0001", "ｊｙ０００１", " Jy0001\u3000"):
        assert list(people_numbered(Person.objects.all(), written)) == [world.people["wang"]]
    assert not people_numbered(Person.objects.all(), "").exists()


def test_the_index_keys_numbers_as_the_lookup_does() -> None:
    index = NumberIndex([("jy0001", "王芳"), ("JY0002", "李四")])
    assert index.one("ＪＹ０００１") == "王芳"
    assert index.get("jy0002") == ["李四"]
    assert index.one("JY0003") is None


def test_a_roster_row_with_a_lower_case_number_updates_the_person(world: World) -> None:
    before = Person.objects.count()
    result = import_roster(roster(person("jy0001", "王芳", 民族="回族")), world.org("BT-JY"), None)
    assert result.ok, result.errors
    assert (result.created, result.updated) == (0, 1)
    assert Person.objects.count() == before
    wang = Person.objects.get(pk=world.people["wang"].pk)
    assert wang.ethnicity == "回族"
    assert wang.employee_no == "JY0001"  # the stored spelling stays


def test_two_rows_naming_one_number_in_two_spellings_are_a_repeat(world: World) -> None:
    result = import_roster(
        roster(person("JY0100", "新人甲"), person("ｊｙ０１００", "新人乙")),
        world.org("BT-JY"),
        None,
    )
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (3, "工号", "工号“jy0100”与第2行重复")
    ]


def test_a_birth_date_typed_into_a_number_cell_is_read_as_the_cell_shows_it(
    world: World,
) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["工号", "姓名", "出生日期", "入党日期"])
    sheet.append(["JY0100", "新人甲", 1985.1, 2010.1])
    sheet["C2"].number_format = "0.00"  # shows 1985.10
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    result = import_roster(buffer, world.org("BT-JY"), None)
    assert result.ok, result.errors
    created = Person.objects.get(employee_no="JY0100")
    assert created.birth_date == dt.date(1985, 10, 1)
    assert created.party_joined_on == dt.date(2010, 1, 1)  # a General cell shows 2010.1
