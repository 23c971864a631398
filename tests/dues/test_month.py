"""A month's dues for a court (R3): who owes, on which base, at which rate, in which branch."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tianping.dues.actions import do_set_base, do_set_rounding
from tianping.dues.queries import month_sheet
from tianping.dues.rules import DuesCategory, Rounding
from tianping.people.actions import do_transfer
from tianping.people.models import PersonStatus, PoliticalStatus

from .conftest import member

MARCH = dt.date(2024, 3, 1)


def rows(sheet):
    return {r.person.employee_no: r for r in sheet.rows}


def test_every_party_member_of_the_court_subtree_is_listed_and_the_masses_are_not(world):
    sheet = month_sheet(world.org("BT-JY"), MARCH)
    # 王芳 and 孙丽 (members), 赵磊 (probationary); 周强 is 群众; BT's and EH's are elsewhere.
    assert [r.person.employee_no for r in sheet.rows] == ["JY0001", "JY0002", "JY0003"]
    mid = month_sheet(world.org("BT"), MARCH)
    assert {r.person.employee_no for r in mid.rows} == {
        "BT0001",
        "BT0002",
        "JY0001",
        "JY0002",
        "JY0003",
    }


def test_r3_1_each_row_has_the_base_in_force_its_category_rate_and_dues(world):
    do_set_base(None, world.people["wang"], MARCH, 650_000)
    do_set_base(None, world.people["sun"], MARCH, 300_000)
    do_set_base(None, world.people["zhao"], MARCH, 500_001)
    sheet = month_sheet(world.org("BT-JY"), MARCH)
    found = {no: r.as_json() for no, r in rows(sheet).items()}
    assert found["JY0001"] == {
        "employee_no": "JY0001",
        "name": "王芳",
        "base": "6500.00",
        "category": "在职",
        "rate": "0.015",
        "dues": "97.50",
    }
    assert found["JY0003"]["rate"] == "0.005" and found["JY0003"]["dues"] == "15.00"
    assert found["JY0002"]["rate"] == "0.015" and found["JY0002"]["dues"] == "75.00"
    assert sheet.as_json()["total"] == "187.50"


def test_a_member_without_a_base_is_listed_as_not_yet_assessed(world):
    sheet = month_sheet(world.org("BT-JY"), MARCH)
    wang = rows(sheet)["JY0001"]
    assert not wang.has_base and wang.dues is None and wang.as_json()["dues"] is None
    assert sheet.counts["without_base"] == 3 and sheet.total_fen == 0


def test_r3_2_retired_and_student_members_use_their_own_tables(world):
    retired = member(world, "JY0201", "老李", status=PoliticalStatus.MEMBER)
    student = member(world, "JY0202", "小周")
    do_set_base(None, retired, MARCH, 500_000, DuesCategory.RETIRED)
    do_set_base(None, student, MARCH, 0, DuesCategory.STUDENT)
    found = rows(month_sheet(world.org("BT-JY"), MARCH))
    assert found["JY0201"].as_json()["dues"] == "25.00"
    assert found["JY0201"].as_json()["category"] == "离退休"
    assert found["JY0202"].as_json() == {
        "employee_no": "JY0202",
        "name": "小周",
        "base": "0.00",
        "category": "学生",
        "rate": None,
        "dues": "0.20",
    }


def test_a_retired_person_without_a_base_defaults_to_the_retired_category(world):
    old = member(world, "JY0203", "老王", status=PoliticalStatus.MEMBER)
    old.status = PersonStatus.RETIRED
    old.save()
    assert rows(month_sheet(world.org("BT-JY"), MARCH))["JY0203"].category_name == "离退休"


def test_r3_3_a_pay_change_mid_year_applies_from_its_month_and_older_months_keep_the_old_base(
    world,
):
    wang = world.people["wang"]
    do_set_base(None, wang, dt.date(2024, 1, 1), 480_000)
    do_set_base(None, wang, dt.date(2024, 7, 1), 520_000)
    court = world.org("BT-JY")
    dues = {
        month: rows(month_sheet(court, dt.date(2024, month, 1)))["JY0001"].as_json()["dues"]
        for month in (1, 6, 7, 12)
    }
    assert dues == {1: "48.00", 6: "48.00", 7: "78.00", 12: "78.00"}
    # Before any base was on file there is nothing to compute.
    assert rows(month_sheet(court, dt.date(2023, 12, 1)))["JY0001"].dues is None


def test_r3_3_a_probationary_member_pays_from_the_month_of_the_congress_resolution(world):
    newcomer = member(
        world,
        "JY0300",
        "新党员",
        status=PoliticalStatus.PROBATIONARY,
        joined=dt.date(2024, 3, 20),
    )
    do_set_base(None, newcomer, dt.date(2024, 1, 1), 400_000)
    court = world.org("BT-JY")
    assert "JY0300" not in rows(month_sheet(court, dt.date(2024, 2, 1)))
    march = rows(month_sheet(court, MARCH))["JY0300"]
    assert march.as_json()["dues"] == "40.00"
    assert "JY0300" in rows(month_sheet(court, dt.date(2024, 4, 1)))


def test_a_member_transferred_mid_month_pays_that_month_where_the_month_began(world):
    wang = world.people["wang"]
    do_set_base(None, wang, MARCH, 650_000)
    do_transfer(None, wang, on=dt.date(2024, 3, 15), party_org=world.org("BT-JY-B02"))
    b01, b02 = world.org("BT-JY-B01"), world.org("BT-JY-B02")
    assert "JY0001" in rows(month_sheet(b01, MARCH))
    assert "JY0001" not in rows(month_sheet(b02, MARCH))
    assert "JY0001" in rows(month_sheet(b02, dt.date(2024, 4, 1)))
    assert "JY0001" not in rows(month_sheet(b01, dt.date(2024, 4, 1)))
    # The court sees the member once, in the branch the month belongs to.
    court_rows = [r for r in month_sheet(world.org("BT-JY"), MARCH).rows if r.person == wang]
    assert [r.org.code for r in court_rows] == ["BT-JY-B01"]


def test_a_member_transferred_to_another_court_mid_month_is_still_owed_by_the_old_court(world):
    wang = world.people["wang"]
    do_transfer(
        None,
        wang,
        on=dt.date(2024, 3, 10),
        department=world.org("BT-MS1"),
        party_org=world.org("BT-B01"),
    )
    assert "JY0001" in rows(month_sheet(world.org("BT-JY"), MARCH))
    assert "JY0001" not in rows(month_sheet(world.org("BT-JY"), dt.date(2024, 4, 1)))
    assert rows(month_sheet(world.org("BT"), dt.date(2024, 4, 1)))["JY0001"].org.code == "BT-B01"


def test_r3_3_rounding_is_the_court_setting_inherited_from_the_court_above(world):
    wang = world.people["wang"]
    do_set_base(None, wang, MARCH, 300_050)  # 30.005 exactly
    assert rows(month_sheet(world.org("BT-JY"), MARCH))["JY0001"].as_json()["dues"] == "30.01"
    do_set_rounding(None, world.org("BT"), Rounding.HALF_EVEN)
    assert rows(month_sheet(world.org("BT-JY"), MARCH))["JY0001"].as_json()["dues"] == "30.00"
    do_set_rounding(None, world.org("BT-JY"), Rounding.UP)
    assert rows(month_sheet(world.org("BT-JY"), MARCH))["JY0001"].as_json()["dues"] == "30.01"


@pytest.mark.parametrize("size", [5, 40])
def test_the_sheet_takes_the_same_few_queries_whatever_the_size(world, size):
    for i in range(size):
        person = member(world, f"JY9{i:03d}", f"党员{i}")
        do_set_base(None, person, MARCH, 400_000 + i)
    with CaptureQueriesContext(connection) as queries:
        sheet = month_sheet(world.org("BT-JY"), MARCH)
        [r.as_json() for r in sheet.rows]
    assert len(sheet.rows) == size + 3
    assert len(queries) <= 8
