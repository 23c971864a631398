"""Hand entries, reversals and the veto: the ledger only grows, and every entry cites its source."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tianping.audit.models import AuditEvent
from tianping.points import actions
from tianping.points.models import PointEntry, Trigger
from tianping.points.queries import ledger, year_score

from .conftest import held


def test_a_manual_entry_needs_a_reason_R4_3(world):
    with pytest.raises(ValidationError) as e:
        actions.do_post_manual(
            world.users["bob"], world.people["wang"], "3", "  ", dt.date(2024, 5, 1)
        )
    assert "reason" in e.value.message_dict
    assert not PointEntry.objects.exists()
    assert not AuditEvent.objects.filter(action="points.manual").exists()


def test_a_manual_entry_records_who_posted_it_and_why_R4_3(world):
    entry = actions.do_post_manual(
        world.users["bob"], world.people["wang"], "3", "理论文章获市级表彰", dt.date(2024, 5, 1)
    )
    assert (entry.trigger, entry.points, entry.created_by) == (
        Trigger.MANUAL,
        Decimal("3"),
        world.users["bob"],
    )
    assert entry.reason == "理论文章获市级表彰"
    assert year_score(world.people["wang"], 2024) == Decimal("63")
    event = AuditEvent.objects.get(action="points.manual")
    assert event.user == world.users["bob"] and event.after["reason"] == "理论文章获市级表彰"


def test_a_manual_entry_of_zero_points_is_refused(world):
    with pytest.raises(ValidationError):
        actions.do_post_manual(None, world.people["wang"], "0", "无", dt.date(2024, 5, 1))


def test_a_reversal_posts_the_opposite_entry_and_changes_nothing_R4_3(world):
    entry = actions.do_post_manual(
        None, world.people["wang"], "2.5", "主持专题研讨", dt.date(2024, 5, 1)
    )
    reversal = actions.do_reverse(world.users["bob"], entry, "录入重复")
    entry.refresh_from_db()
    assert entry.points == Decimal("2.5") and entry.reason == "主持专题研讨"
    assert reversal.reverses == entry and reversal.points == Decimal("-2.5")
    assert reversal.on == entry.on and "录入重复" in reversal.reason
    assert year_score(world.people["wang"], 2024) == Decimal("60")
    assert PointEntry.objects.count() == 2
    with pytest.raises(ValidationError):
        actions.do_reverse(None, entry, "再次冲销")
    with pytest.raises(ValidationError):
        actions.do_reverse(None, reversal, "冲销冲销")
    assert AuditEvent.objects.filter(action="points.reverse").count() == 1


def test_entries_from_attendance_are_corrected_at_the_attendance_R4_3(world):
    held(world, wang="present")
    entry = PointEntry.objects.get(person=world.people["wang"])
    with pytest.raises(ValidationError) as e:
        actions.do_reverse(None, entry, "不对")
    assert "更正出勤" in str(e.value)
    assert PointEntry.objects.count() == 1


def test_the_one_vote_veto_makes_the_year_zero_R4_1(world):
    wang = world.people["wang"]
    held(world, wang="present")
    actions.do_post_manual(None, wang, "5", "讲党课", dt.date(2024, 6, 1))
    assert year_score(wang, 2024) == Decimal("66")
    veto = actions.do_veto(world.users["bob"], wang, 2024, "受到党纪处分")
    assert (veto.trigger, veto.points, veto.on.year) == (Trigger.VETO, Decimal("0"), 2024)
    assert year_score(wang, 2024) == Decimal("0")
    assert ledger(wang, 2024).score == Decimal("0")
    # Other years are untouched.
    held(world, on=dt.date(2025, 1, 20), wang="present")
    assert year_score(wang, 2025) == Decimal("61")
    with pytest.raises(ValidationError):
        actions.do_veto(None, wang, 2024, "重复否决")
    assert AuditEvent.objects.filter(action="points.veto").count() == 1


def test_a_veto_needs_a_reason_and_a_year_that_has_begun(world):
    with pytest.raises(ValidationError):
        actions.do_veto(None, world.people["wang"], 2024, "")
    with pytest.raises(ValidationError):
        actions.do_veto(None, world.people["wang"], dt.date.today().year + 1, "未来")
    assert not PointEntry.objects.exists()


def test_a_reversed_veto_restores_the_year(world):
    wang = world.people["wang"]
    veto = actions.do_veto(None, wang, 2024, "误录")
    actions.do_reverse(world.users["bob"], veto, "处分已撤销")
    assert year_score(wang, 2024) == Decimal("60")
    # And the year may be vetoed again later.
    actions.do_veto(None, wang, 2024, "新的处分")
    assert year_score(wang, 2024) == Decimal("0")


def test_the_ledger_lists_the_year_in_a_fixed_number_of_queries(
    world, django_assert_max_num_queries
):
    wang = world.people["wang"]
    for month in range(1, 13):
        held(world, on=dt.date(2024, month, 20), wang="present", zhao="absent")
    wang.court  # noqa: B018 - loaded before counting
    # Entries, their reversals, the years with entries and the base: however long the year.
    with django_assert_max_num_queries(4):
        data = ledger(wang, 2024)
        for e in data.entries:
            _ = (e.activity.title, e.attendance.status, e.created_by, e.reverses)
            _ = getattr(e, "reversed_by", None)
    assert len(data.entries) == 12 and data.score == Decimal("72")
