"""D8: a capped trigger (volunteer hours, 10 a year) is capped over the period as it stands."""

import datetime as dt
from decimal import Decimal

from tianping.activities import actions as activity_actions
from tianping.points.models import PointEntry, Trigger
from tianping.points.queries import year_score

from .conftest import held


def _volunteer(world, on: dt.date, hours: str, **attendance: str):
    return held(world, "volunteer_service", on, hours=Decimal(hours), **attendance)


def _standing(world, person: str, activity) -> Decimal:
    """What an activity's volunteer entries for a person sum to: reversed pairs cancel."""
    entries = PointEntry.objects.filter(
        person=world.people[person], activity=activity, trigger=Trigger.VOLUNTEER_HOURS
    )
    return sum((e.points for e in entries), Decimal("0"))


def _ledger_rows():
    return {
        row[0]: row[1:]
        for row in PointEntry.objects.values_list("pk", "person_id", "on", "points", "reverses_id")
    }


def test_d8_an_early_attendance_reversed_lets_later_capped_entries_earn_r4_1_r4_3(world):
    # 6 + 6 + 6 hours earn 9; 4 hours in September earn only the 1 left; October earns nothing.
    march, may, july = (
        _volunteer(world, dt.date(2024, month, 9), "6", wang="present") for month in (3, 5, 7)
    )
    september = _volunteer(world, dt.date(2024, 9, 9), "4", wang="present")
    october = _volunteer(world, dt.date(2024, 10, 9), "8", wang="present", zhao="present")
    assert [_standing(world, "wang", a) for a in (march, may, july, september, october)] == [
        Decimal("3"),
        Decimal("3"),
        Decimal("3"),
        Decimal("1"),
        Decimal("0"),
    ]
    assert year_score(world.people["wang"], 2024) == Decimal("70")
    zhao_before = list(PointEntry.objects.filter(person=world.people["zhao"]).values_list("pk"))
    before = _ledger_rows()

    # March's attendance was recorded wrongly: 王芳 was absent.
    activity_actions.do_set_attendance(world.users["carol"], march, world.people["wang"], "absent")

    # The 3 points come off March, and the cap left for the rest of the year is 3 larger:
    # September now earns its full 2, October the 1 still under the cap... and not more.
    assert [_standing(world, "wang", a) for a in (march, may, july, september, october)] == [
        Decimal("0"),
        Decimal("3"),
        Decimal("3"),
        Decimal("2"),
        Decimal("2"),
    ]
    assert year_score(world.people["wang"], 2024) == Decimal("70")
    # Append-only: every earlier row is still there, unchanged; corrections are reversals.
    after = _ledger_rows()
    assert all(after[pk] == row for pk, row in before.items())
    september_entries = PointEntry.objects.filter(
        activity=september, person=world.people["wang"]
    ).order_by("pk")
    assert [(e.points, e.reverses_id is not None) for e in september_entries] == [
        (Decimal("1"), False),
        (Decimal("-1"), True),
        (Decimal("2"), False),
    ]
    october_entry = PointEntry.objects.get(activity=october, person=world.people["wang"])
    assert october_entry.reason == "志愿服务8.0小时" and october_entry.on == october.on
    # Others in the later activities are not touched: 赵磊 earned his 4 in October already.
    assert (
        list(PointEntry.objects.filter(person=world.people["zhao"]).values_list("pk"))
        == zhao_before
    )
    assert _standing(world, "zhao", october) == Decimal("4")


def test_d8_an_early_activity_cancelled_frees_the_cap_for_a_later_one_capped_to_zero(world):
    january = _volunteer(world, dt.date(2024, 1, 9), "20", wang="present")
    june = _volunteer(world, dt.date(2024, 6, 9), "6", wang="present")
    assert (_standing(world, "wang", january), _standing(world, "wang", june)) == (
        Decimal("10"),
        Decimal("0"),
    )
    activity_actions.do_cancel(world.users["carol"], january, "重复录入")
    assert (_standing(world, "wang", january), _standing(world, "wang", june)) == (
        Decimal("0"),
        Decimal("3"),
    )
    assert year_score(world.people["wang"], 2024) == Decimal("63")


def test_d8_an_earlier_activity_recorded_late_takes_the_cap_from_later_ones(world):
    september = _volunteer(world, dt.date(2024, 9, 9), "8", wang="present")
    october = _volunteer(world, dt.date(2024, 10, 9), "8", wang="present")
    assert year_score(world.people["wang"], 2024) == Decimal("68")
    # A March service entered from the paper ledger afterwards comes first in the year.
    march = _volunteer(world, dt.date(2024, 3, 9), "8", wang="present")
    assert [_standing(world, "wang", a) for a in (march, september, october)] == [
        Decimal("4"),
        Decimal("4"),
        Decimal("2"),
    ]
    assert year_score(world.people["wang"], 2024) == Decimal("70")


def test_d8_an_activity_moved_later_in_the_year_is_capped_where_it_now_stands(world):
    first = _volunteer(world, dt.date(2024, 3, 9), "8", wang="present")
    second = _volunteer(world, dt.date(2024, 5, 9), "8", wang="present")
    third = _volunteer(world, dt.date(2024, 7, 9), "8", wang="present")
    assert [_standing(world, "wang", a) for a in (first, second, third)] == [
        Decimal("4"),
        Decimal("4"),
        Decimal("2"),
    ]
    activity_actions.do_update_activity(world.users["carol"], first, on=dt.date(2024, 12, 1))
    assert [_standing(world, "wang", a) for a in (second, third, first)] == [
        Decimal("4"),
        Decimal("4"),
        Decimal("2"),
    ]
    # The entries that stand carry the date the activity now has.
    standing = PointEntry.objects.filter(
        activity=first, reverses__isnull=True, reversed_by__isnull=True
    ).get()
    assert standing.on == dt.date(2024, 12, 1)
    # One reversal and one new entry: nothing posted twice on the way.
    assert [e.points for e in PointEntry.objects.filter(activity=first).order_by("pk")] == [
        Decimal("4"),
        Decimal("-4"),
        Decimal("2"),
    ]
    assert year_score(world.people["wang"], 2024) == Decimal("70")


def test_d8_a_reversal_in_one_year_leaves_the_next_years_cap_alone(world):
    december = _volunteer(world, dt.date(2023, 12, 9), "20", wang="present")
    january = _volunteer(world, dt.date(2024, 1, 9), "20", wang="present")
    activity_actions.do_set_attendance(
        world.users["carol"], december, world.people["wang"], "leave"
    )
    assert _standing(world, "wang", december) == Decimal("0")
    assert PointEntry.objects.filter(activity=january).count() == 1
    assert _standing(world, "wang", january) == Decimal("10")
