"""The one spine: an activity with its attendance is the single fact; points follow it (R4.1, R4.3)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tianping.activities import actions
from tianping.activities.models import Attendance
from tianping.activities.queries import expected_attendees
from tianping.points.models import AppendOnlyError, PointEntry


def held_committee_meeting(world, **attendance):
    branch = world.org("BT-JY-B01")
    activity = actions.do_plan_activity(
        world.users["carol"],
        branch,
        kind="branch_committee",
        title="三月支委会",
        on=dt.date(2024, 3, 28),
    )
    people = {key: world.people[key].pk for key in attendance}
    return actions.do_record_held(
        world.users["carol"], activity, attendance={people[k]: v for k, v in attendance.items()}
    )


def test_the_attendance_grid_lists_members_as_of_the_date(world):
    branch = world.org("BT-JY-B01")
    assert [p.name for p in expected_attendees(branch, dt.date(2024, 3, 1))] == ["王芳", "赵磊"]
    assert list(expected_attendees(branch, dt.date(2019, 3, 1))) == []


def test_attending_organisational_life_earns_a_point_R4_1(world):
    held_committee_meeting(world, wang="present", zhao="absent")
    wang = PointEntry.objects.get(person=world.people["wang"])
    zhao = PointEntry.objects.get(person=world.people["zhao"])
    assert wang.points == Decimal("1") and wang.attendance is not None
    assert zhao.points == Decimal("-2") and "无故缺席" in zhao.reason


def test_a_correction_posts_reversing_entries_R4_3(world):
    activity = held_committee_meeting(world, wang="present", zhao="absent")
    actions.do_set_attendance(world.users["carol"], activity, world.people["zhao"], "leave")
    entries = list(PointEntry.objects.filter(person=world.people["zhao"]).order_by("id"))
    assert [e.points for e in entries] == [Decimal("-2"), Decimal("2")]
    assert entries[1].reverses == entries[0]
    assert sum(e.points for e in entries) == 0


def test_a_cancelled_activity_counts_for_nothing(world):
    activity = held_committee_meeting(world, wang="present")
    actions.do_cancel(world.users["carol"], activity, "改期")
    assert sum(e.points for e in PointEntry.objects.filter(person=world.people["wang"])) == 0


def test_recording_twice_posts_nothing_new(world):
    activity = held_committee_meeting(world, wang="present")
    actions.do_record_held(world.users["carol"], activity, attendance={})
    assert PointEntry.objects.count() == 1


def test_point_entries_are_append_only(world):
    held_committee_meeting(world, wang="present")
    entry = PointEntry.objects.get()
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        PointEntry.objects.all().delete()


def test_a_kind_the_org_cannot_hold_is_refused(world):
    with pytest.raises(ValidationError):
        actions.do_plan_activity(
            None, world.org("BT-JY-MS"), kind="branch_committee", title="x", on=dt.date(2024, 1, 1)
        )


def test_identical_evidence_is_stored_once(world):
    activity = held_committee_meeting(world, wang="present")
    actions.do_add_evidence(None, activity, "照片1.jpg", b"same bytes")
    other = held_committee_meeting(world, zhao="present")
    actions.do_add_evidence(None, other, "照片2.jpg", b"same bytes")
    from tianping.activities.models import EvidenceBlob

    assert EvidenceBlob.objects.count() == 1
    assert Attendance.objects.count() == 2
