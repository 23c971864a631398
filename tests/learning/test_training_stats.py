"""Training statistics (DOMAIN.md R7.2): 班次, 人次 and hours of a subtree's year, the seeds'
sentence, and `tianping training-stats` per CONTRACT.md."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tianping.activities import actions
from tianping.activities.models import AttendanceStatus
from tianping.learning.actions.summary import refresh_classes
from tianping.learning.hours import person_hours
from tianping.learning.models import (
    ClassSession,
    ClassStatus,
    Course,
    CourseCategory,
    Enrolment,
    TrainingClass,
    TrainingKind,
    TrainingRequirement,
)
from tianping.learning.queries.stats import OWN, Filters, class_rows, people_rows, training_stats
from tianping.people.actions import do_transfer

P, L, A = AttendanceStatus.PRESENT, AttendanceStatus.LEAVE, AttendanceStatus.ABSENT


def _class(world, court, code, kind=TrainingKind.BUSINESS, on=dt.date(2024, 3, 4), **extra):
    org = world.org(court)
    return TrainingClass.objects.create(
        court=org,
        organiser=org,
        code=code,
        name=f"培训班{code}",
        kind=kind,
        starts_on=on,
        ends_on=on + dt.timedelta(days=4),
        status=ClassStatus.FINISHED,
        **extra,
    )


def _session(world, training_class, on, hours, attendance, category=CourseCategory.BUSINESS):
    course = Course.objects.create(
        training_class=training_class, title=f"课程{on}", hours=hours, category=category
    )
    activity = actions.do_record_past_activity(
        world.users["admin"],
        training_class.organiser,
        kind="training_class",
        title=f"{training_class.name}·{on}",
        on=on,
        hours=hours,
        attendance={world.people[k].pk: s for k, s in attendance.items()},
    )
    ClassSession.objects.create(training_class=training_class, activity=activity, course=course)
    for key in attendance:
        Enrolment.objects.get_or_create(training_class=training_class, person=world.people[key])
    # Written here directly: keep the class's credits as `do_record_past_sessions` does.
    refresh_classes([training_class.pk])
    return activity


def _ledger(world, training_class, key, hours, political="0"):
    enrolment = Enrolment.objects.create(
        training_class=training_class,
        person=world.people[key],
        ledger_hours=Decimal(hours),
        ledger_political_hours=Decimal(political),
    )
    refresh_classes([training_class.pk])  # as the training-ledger import does
    return enrolment


@pytest.fixture
def small_world(world):
    """BT-JY: a business class with two sessions (one political), a ledger class at BT,
    a cancelled class, and a class of 2023 that must not count in 2024."""
    c1 = _class(world, "BT-JY", "JY-01")
    _session(world, c1, dt.date(2024, 3, 4), Decimal("3"), {"wang": P, "zhao": P, "sun": L})
    _session(
        world,
        c1,
        dt.date(2024, 3, 5),
        Decimal("2"),
        {"wang": P, "zhao": A, "sun": P},
        category=CourseCategory.POLITICAL,
    )
    c2 = _class(world, "BT", "BT-01", kind=TrainingKind.POLITICAL_ROTATION, on=dt.date(2024, 6, 1))
    _ledger(world, c2, "zhang", "8", "8")
    _ledger(world, c2, "li", "8", "8")
    _ledger(world, c2, "wang", "6", "6")
    cancelled = _class(world, "BT-JY", "JY-02")
    cancelled.status = ClassStatus.CANCELLED
    cancelled.save()
    _ledger(world, cancelled, "zhou", "40")
    old = _class(world, "BT-JY", "JY-2023", on=dt.date(2023, 12, 1))
    _ledger(world, old, "zhou", "12")
    return world


def test_r7_2_statistics_totals_match_a_hand_count_of_a_small_world(small_world):
    stats = training_stats(small_world.org("BT"), 2024)
    # Classes: JY-01 and BT-01 (the cancelled class and the 2023 class do not count).
    assert stats.total.classes == 2
    # JY-01: 王芳, 赵磊, 孙丽 (present at one session at least); BT-01: 张华庆, 李建国, 王芳.
    assert stats.total.participations == 6
    # JY-01: 王芳 3+2, 赵磊 3, 孙丽 2 = 10 (2 of 王芳's and 2 of 孙丽's political);
    # BT-01: 8+8+6 = 22, all political.
    assert stats.total.hours.total == Decimal("32")
    assert stats.total.hours.political == Decimal("26")
    kinds = {t.key: t for t in stats.by_kind}
    assert (kinds["business"].classes, kinds["business"].participations) == (1, 3)
    assert kinds["business"].hours.total == Decimal("10")
    assert (kinds["political_rotation"].classes, kinds["political_rotation"].participations) == (
        1,
        3,
    )
    courts = {t.key: t for t in stats.by_court}
    assert (courts["BT-JY"].classes, courts["BT-JY"].participations) == (1, 3)
    assert (courts[OWN].classes, courts[OWN].participations) == (1, 3)
    lines = {t.key: t for t in stats.by_line}
    assert lines["judge"].participations == 3  # 张华庆 once, 王芳 twice (two classes)
    assert lines["judge"].classes == 2
    categories = {key: hours for key, _, hours in stats.by_category}
    assert categories["political"] == Decimal("26")
    assert categories["business"] == Decimal("6")


def test_r7_2_the_basic_court_counts_only_its_own_classes(small_world):
    stats = training_stats(small_world.org("BT-JY"), 2024)
    assert (stats.total.classes, stats.total.participations) == (1, 3)
    assert stats.total.hours.total == Decimal("10")


def test_the_sentence_is_the_seeds_wording_produced_from_the_records(small_world):
    stats = training_stats(small_world.org("BT"), 2024)
    assert stats.sentence == "2024年共组织各类培训2班次,参训6人次"


def test_r7_2_a_person_who_moved_court_mid_year_is_counted_once_per_class(world):
    c = _class(world, "BT", "BT-MOVE", on=dt.date(2024, 3, 1))
    c.ends_on = dt.date(2024, 9, 30)
    c.save()
    _session(world, c, dt.date(2024, 3, 1), Decimal("4"), {"wang": P})
    # 王芳 moves from 九原区 to the mid court between the class's sessions.
    do_transfer(
        world.users["admin"],
        world.people["wang"],
        department=world.org("BT-MS1"),
        party_org=world.org("BT-B01"),
        on=dt.date(2024, 6, 1),
    )
    world.people["wang"].refresh_from_db()
    _session(world, c, dt.date(2024, 9, 2), Decimal("4"), {"wang": P})
    _session(world, c, dt.date(2024, 9, 3), Decimal("4"), {"wang": P})
    stats = training_stats(world.org("BT"), 2024)
    assert (stats.total.classes, stats.total.participations) == (1, 1)
    assert stats.total.hours.total == Decimal("12")
    assert person_hours(world.people["wang"].pk, 2024).total == Decimal("12")


def test_drill_down_lists_the_classes_and_the_people_behind_a_figure(small_world):
    org = small_world.org("BT")
    rows = class_rows(org, 2024, Filters(kind="business"))
    assert [(r.code, r.participations, r.hours.total) for r in rows] == [
        ("JY-01", 3, Decimal("10"))
    ]
    people = people_rows(org, 2024, Filters(line="judge"))
    assert [(p.name, p.classes, p.hours.total) for p in people] == [
        ("王芳", 2, Decimal("11")),
        ("张华庆", 1, Decimal("8")),
    ]
    own = class_rows(org, 2024, Filters(court=OWN))
    assert [r.code for r in own] == ["BT-01"]


def _cli(*args):
    out, err = StringIO(), StringIO()
    call_command("training_stats", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_the_cli_json_has_the_contract_shape(small_world):
    TrainingRequirement.objects.create(
        court=small_world.org("BT-JY"),
        line="judge",
        hours=Decimal("12"),
        political_hours=Decimal("4"),
    )
    doc = json.loads(_cli("--org", "BT", "--year", "2024", "--json"))
    assert list(doc)[:8] == [
        "org",
        "year",
        "classes",
        "participations",
        "hours",
        "political_hours",
        "political_share",
        "by_kind",
    ]
    assert "short" in doc
    assert (doc["org"], doc["year"], doc["classes"], doc["participations"]) == ("BT", 2024, 2, 6)
    assert (doc["hours"], doc["political_hours"]) == ("32.0", "26.0")
    assert doc["political_share"] == 0.8125
    assert {k["kind"]: (k["classes"], k["participations"], k["hours"]) for k in doc["by_kind"]} == {
        "业务培训": (1, 3, "10.0"),
        "政治轮训": (1, 3, "22.0"),
    }
    # 王芳 (judge of BT-JY) has 5 + 6 = 11 hours in 2024, below the court's 12.
    assert [(s["employee_no"], s["name"], s["hours"], s["required"]) for s in doc["short"]] == [
        ("JY0001", "王芳", "11.0", "12.0")
    ]
    assert doc["sentence"] == "2024年共组织各类培训2班次,参训6人次"


def test_the_cli_refuses_an_unknown_org_and_a_bad_year(world):
    with pytest.raises(CommandError, match="找不到"):
        _cli("--org", "NOPE", "--year", "2024")
    with pytest.raises(CommandError, match="年度"):
        _cli("--org", "BT", "--year", "24")


def test_the_cli_table_says_the_sentence(small_world):
    out = _cli("--org", "BT", "--year", "2024")
    assert "2024年共组织各类培训2班次,参训6人次" in out


def test_r7_2_a_cancelled_class_or_a_leave_credits_no_hours(world):
    live = _class(world, "BT-JY", "JY-LIVE")
    _session(world, live, dt.date(2024, 5, 6), Decimal("3"), {"wang": P, "zhao": L})
    dropped = _class(world, "BT-JY", "JY-DROP")
    _session(world, dropped, dt.date(2024, 5, 7), Decimal("5"), {"wang": P})
    dropped.status = ClassStatus.CANCELLED
    dropped.save()
    assert person_hours(world.people["wang"].pk, 2024).total == Decimal("3")
    assert person_hours(world.people["zhao"].pk, 2024).total == Decimal("0")
    stats = training_stats(world.org("BT-JY"), 2024)
    assert (stats.total.classes, stats.total.participations) == (1, 1)
