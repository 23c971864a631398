"""Property: whatever is recorded, corrected, cancelled or entered by hand, a member's year score
is base + the sum of the year's ledger (R4.1), the ledger only ever grows (R4.3), and a capped
trigger is capped over the year as it stands (D8)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tianping.activities import actions as activity_actions
from tianping.activities.models import Activity, ActivityStatus, Attendance
from tianping.points import actions
from tianping.points.models import PointEntry, Trigger
from tianping.points.queries import ledger, open_veto, subtree_scores, year_score
from tianping.points.rules import rules_for

PEOPLE = ("wang", "zhao")
STATUSES = ("present", "leave", "absent")
ORG_LIFE = {"present": Decimal("1"), "leave": Decimal("0"), "absent": Decimal("-2")}
# A cap low enough that a few records reach it, so corrections must move it (D8).
CAP = Decimal("4")
# Mostly 2024, with both year edges, so entries just outside the year must not count.
DAYS = st.one_of(
    st.dates(dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
    st.sampled_from([dt.date(2023, 12, 31), dt.date(2025, 1, 1)]),
)

record = st.tuples(
    st.just("record"),
    st.sampled_from(["branch_committee", "theme_day", "volunteer_service"]),
    DAYS,
    st.dictionaries(st.sampled_from(PEOPLE), st.sampled_from(STATUSES)),
    st.integers(1, 9),
)
correct = st.tuples(
    st.just("correct"), st.integers(0, 20), st.sampled_from(PEOPLE), st.sampled_from(STATUSES)
)
cancel = st.tuples(st.just("cancel"), st.integers(0, 20))
move = st.tuples(st.just("move"), st.integers(0, 20), DAYS)
manual = st.tuples(
    st.just("manual"),
    st.sampled_from(PEOPLE),
    st.decimals(Decimal("-5"), Decimal("5"), places=1).filter(lambda d: d != 0),
    DAYS,
)
reverse = st.tuples(st.just("reverse"), st.integers(0, 20))
veto = st.tuples(st.just("veto"), st.sampled_from(PEOPLE))
OPERATIONS = st.lists(
    st.one_of(record, correct, cancel, move, manual, reverse, veto), min_size=1, max_size=10
)


def _apply(world, step, activities: list[Activity]) -> None:
    carol = world.users["carol"]
    kind = step[0]
    if kind == "record":
        _, activity_kind, on, attendance, hours = step
        activity = activity_actions.do_plan_activity(
            carol,
            world.org("BT-JY-B01"),
            kind=activity_kind,
            title="活动",
            on=on,
            hours=Decimal(hours),
        )
        activities.append(
            activity_actions.do_record_held(
                carol,
                activity,
                attendance={world.people[k].pk: v for k, v in attendance.items()},
            )
        )
    elif kind == "correct" and activities:
        activity = activities[step[1] % len(activities)]
        try:
            activity_actions.do_set_attendance(carol, activity, world.people[step[2]], step[3])
        except ValidationError:
            pass  # a cancelled activity takes no corrections
    elif kind == "cancel" and activities:
        activity_actions.do_cancel(carol, activities[step[1] % len(activities)], "改期")
    elif kind == "move" and activities:
        activity = activities[step[1] % len(activities)]
        activity_actions.do_update_activity(carol, activity, on=step[2])
    elif kind == "manual":
        actions.do_post_manual(world.users["bob"], world.people[step[1]], step[2], "人工", step[3])
    elif kind == "reverse":
        candidates = list(
            PointEntry.objects.filter(
                trigger__in=[Trigger.MANUAL, Trigger.VETO],
                reverses__isnull=True,
                reversed_by__isnull=True,
            ).order_by("id")
        )
        if candidates:
            actions.do_reverse(world.users["bob"], candidates[step[1] % len(candidates)], "更正")
    elif kind == "veto":
        try:
            actions.do_veto(world.users["bob"], world.people[step[1]], 2024, "否决")
        except ValidationError:
            pass  # already vetoed this year


def _snapshot() -> dict[int, tuple]:
    return {
        row[0]: row[1:]
        for row in PointEntry.objects.values_list(
            "pk", "person_id", "on", "points", "trigger", "activity_id", "reverses_id", "reason"
        )
    }


def _check(world, before: dict[int, tuple]) -> dict[int, tuple]:
    now = _snapshot()
    # Append-only: every entry seen before is still there, unchanged.
    assert len(now) >= len(before)
    for pk, row in before.items():
        assert now[pk] == row
    base = Decimal("60")
    for key in PEOPLE:
        person = world.people[key]
        year = PointEntry.objects.filter(person=person, on__year=2024)
        total = sum((e.points for e in year), Decimal("0"))
        vetoed = year.filter(open_veto()).exists()
        expected = Decimal("0") if vetoed else base + total
        assert year_score(person, 2024) == expected
        assert ledger(person, 2024).score == expected
        # The ledger matches attendance as it now stands.
        for activity in Activity.objects.filter(kind__in=["branch_committee", "theme_day"]):
            att = Attendance.objects.filter(activity=activity, person=person).first()
            due = Decimal("0")
            if activity.status == ActivityStatus.HELD and att is not None:
                due = ORG_LIFE[att.status]
            posted = sum(
                (e.points for e in PointEntry.objects.filter(activity=activity, person=person)),
                Decimal("0"),
            )
            assert posted == due
        volunteer = sum(
            (e.points for e in year.filter(trigger=Trigger.VOLUNTEER_HOURS)), Decimal("0")
        )
        assert Decimal("0") <= volunteer <= CAP
        # D8: each volunteer activity earns what the cap leaves after the year's earlier ones,
        # in the order they took place, whatever order they were recorded or corrected in.
        used: dict[int, Decimal] = {}
        for activity in Activity.objects.filter(kind="volunteer_service").order_by("on", "pk"):
            att = Attendance.objects.filter(activity=activity, person=person).first()
            due = Decimal("0")
            if activity.status == ActivityStatus.HELD and att and att.status == "present":
                hours = att.hours if att.hours is not None else activity.hours
                left = CAP - used.get(activity.on.year, Decimal("0"))
                due = max(Decimal("0"), min(Decimal(int(hours // 2)), left))
                used[activity.on.year] = used.get(activity.on.year, Decimal("0")) + due
            posted = sum(
                (
                    e.points
                    for e in PointEntry.objects.filter(
                        activity=activity, person=person, trigger=Trigger.VOLUNTEER_HOURS
                    )
                ),
                Decimal("0"),
            )
            assert posted == due, (activity.on, activity.pk)
    by_person = {r.employee_no: r.points for r in subtree_scores(world.org("BT-JY-B01"), 2024)}
    assert by_person == {
        world.people[k].employee_no: year_score(world.people[k], 2024) for k in PEOPLE
    }
    return now


def _run(world, steps) -> None:
    """Apply the steps one by one, checking the ledger after each; roll everything back."""
    with transaction.atomic():
        rule = rules_for(world.org("BT-JY"))[Trigger.VOLUNTEER_HOURS]
        actions.do_update_rule(
            None, rule, points="1", per_hours="2", cap=str(CAP), cap_period="year", active=True
        )
        activities: list[Activity] = []
        seen = _snapshot()
        for step in steps:
            _apply(world, step, activities)
            seen = _check(world, seen)
        transaction.set_rollback(True)


SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(steps=OPERATIONS)
def test_a_year_score_is_base_plus_the_years_ledger_the_ledger_only_grows_R4_1_R4_3_D8(
    world, steps
):
    _run(world, steps)


volunteer_record = st.tuples(
    st.just("record"),
    st.just("volunteer_service"),
    DAYS,
    st.dictionaries(st.sampled_from(PEOPLE), st.sampled_from(STATUSES), min_size=1),
    st.integers(1, 9),
)
VOLUNTEER_OPERATIONS = st.lists(
    st.one_of(volunteer_record, correct, cancel, move), min_size=2, max_size=10
)


@SETTINGS
@given(steps=VOLUNTEER_OPERATIONS)
def test_volunteer_entries_are_capped_in_the_order_services_took_place_D8(world, steps):
    _run(world, steps)
