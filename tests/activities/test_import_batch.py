"""The ledger import writes its new activities in one batch: the same records, attendance and
points as recording them one by one through the actions, one audit row per activity, all or
nothing, and a second import of the same sheet changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from tests.activities.test_import_activities import counts, ledger, row
from tests.conftest import World
from tianping.activities import actions
from tianping.activities.importing import apply_ledger, import_ledger, parse_ledger
from tianping.activities.models import Activity, ActivitySource, Attendance
from tianping.audit.models import AuditEvent
from tianping.points.models import PointEntry, Trigger

pytestmark = pytest.mark.django_db

# A year of one branch's ledger: meetings with absences, a 党课 with its lecturer, and
# volunteer service worth more than the year's cap of 10 points (1 point per 2 hours, D8).
ROWS = [
    row(
        "第一党支部",
        "支部委员会会议",
        "2024-03-28",
        "三月支委会",
        参加人员="王芳",
        缺席人员="JY0002",
    ),
    row("第一党支部", "志愿服务", "2024-05-09", "五月志愿服务", 时长="8", 参加人员="王芳、赵磊"),
    row("第一党支部", "党课", "2024-04-15", "专题党课", 参加人员="赵磊", 授课人="王芳", 时长="2"),
    row("第一党支部", "志愿服务", "2024-03-09", "三月志愿服务", 时长="6", 参加人员="王芳"),
    row("第二党支部", "主题党日", "2024-04-10", "四月主题党日", 参加人员="孙丽", 请假人员="王芳"),
    row("第一党支部", "志愿服务", "2024-09-09", "九月志愿服务", 时长="10", 参加人员="王芳、赵磊"),
    row("第一党支部", "志愿服务", "2024-05-09", "五月第二次志愿服务", 时长="4", 参加人员="王芳"),
    row(
        "第一党支部",
        "支部党员大会",
        "2024-06-30",
        "七一党员大会",
        参加人员="王芳、赵磊",
        地点="三楼",
    ),
]


class Rollback(Exception):
    pass


def _identity(activity: Activity) -> tuple[str, str, str, str]:
    return (activity.org.code, activity.kind, activity.on.isoformat(), activity.title)


def _stored() -> dict[str, Any]:
    """Everything an import leaves, without ids or times: what the two paths must agree on."""
    activities = {
        a.pk: a
        for a in Activity.objects.select_related(
            "org", "host", "recorder", "lecturer", "created_by"
        )
    }
    entries = list(PointEntry.objects.select_related("person", "rule").order_by("pk"))
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id}

    def entry(e: PointEntry) -> tuple[Any, ...]:
        return (
            e.person.employee_no,
            _identity(activities[e.activity_id]) if e.activity_id else None,
            e.trigger,
            e.on,
            e.points,
            e.reason,
            e.rule.trigger if e.rule else None,
            e.attendance.person.employee_no if e.attendance_id else None,
            e.created_by_id,
        )

    balances: dict[str, Decimal] = {}
    for e in entries:
        balances[e.person.employee_no] = balances.get(e.person.employee_no, Decimal(0)) + e.points
    return {
        "activities": sorted(
            (
                *_identity(a),
                a.status,
                a.source,
                a.hours,
                a.location,
                a.summary,
                a.lecturer.employee_no if a.lecturer else None,
                a.external_audience,
                a.created_by_id,
            )
            for a in activities.values()
        ),
        "attendance": sorted(
            (_identity(activities[r.activity_id]), r.person.employee_no)
            + (r.status, r.role, r.hours, r.reason, r.updated_by_id)
            for r in Attendance.objects.select_related("person")
        ),
        # What stands: neither a reversal nor reversed.
        "standing": sorted(
            (entry(e) for e in entries if not e.reverses_id and e.pk not in reversed_ids),
            key=repr,
        ),
        "balances": balances,
        # The final state of each activity as the audit log holds it.
        "audited": {
            _identity(activities[int(e.object_id)]): e.after
            for e in AuditEvent.objects.filter(
                object_type="activities.activity",
                action__in=["activities.import", "activities.held"],
            ).order_by("pk")
        },
        "all_entries": sorted((entry(e) for e in entries), key=repr),
    }


def _rolled_back(fn: Any) -> dict[str, Any]:
    try:
        with transaction.atomic():
            fn()
            state = _stored()
            raise Rollback
    except Rollback:
        pass
    return state


def _existing_volunteering(world: World) -> None:
    """Volunteer service already on record later in the year: the import's earlier hours
    leave it less of the cap, so its entries are reversed and posted again (D8)."""
    actions.do_record_past_activity(
        world.users["carol"],
        world.org("BT-JY-B01"),
        attendance={world.people["wang"].pk: "present"},
        kind="volunteer_service",
        title="十月志愿服务",
        on=dt.date(2024, 10, 20),
        hours=Decimal("8"),
    )


@pytest.mark.parametrize("order", ["as written", "by date"])
def test_a_batch_import_stores_what_recording_each_activity_through_the_actions_stores(
    world: World, order: str
) -> None:
    rows = ROWS if order == "as written" else sorted(ROWS, key=lambda r: r["日期"])
    court, bob = world.org("BT-JY"), world.users["bob"]
    _existing_volunteering(world)

    def batch() -> None:
        result = import_ledger(ledger(*rows), court, bob)
        assert (result.ok, result.created) == (True, len(rows))

    def one_by_one() -> None:
        plan = parse_ledger(ledger(*rows), court)
        assert plan.ok and len(plan.new) == len(rows)
        for new in plan.new:
            actions.do_record_past_activity(
                bob,
                new.org,
                attendance=new.attendance,
                source=ActivitySource.IMPORT,
                kind=new.kind,
                title=new.title,
                on=new.on,
                **new.details,
            )

    imported, recorded = _rolled_back(batch), _rolled_back(one_by_one)
    for key in ("activities", "attendance", "standing", "balances", "audited"):
        assert imported[key] == recorded[key], key
    # The volunteer hours hit the cap: the points are what D8 gives, not 1 per 2 hours.
    # 王芳: three meetings (+1 each), the 党课 she gave (+5), and 10 for volunteering: 3 + 4 + 2
    # + 1 (September meets the cap) + 0 (October's record already there is reversed to 0).
    assert imported["balances"]["JY0001"] == Decimal("18")
    assert len(imported["activities"]) == len(rows) + 1
    # One by one, October's entry is corrected at each step (4, then 3, then 1, then 0);
    # the batch reverses it once, as the period finally stands.
    october = [e for e in imported["all_entries"] if e[1] and e[1][3] == "十月志愿服务"]
    assert [e[4] for e in october] == [Decimal("-4"), Decimal("4")]
    assert len(imported["all_entries"]) < len(recorded["all_entries"])


def test_the_import_is_audited_once_per_activity_in_one_batch(world: World) -> None:
    result = import_ledger(ledger(*ROWS), world.org("BT-JY"), world.users["bob"])
    assert result.ok
    events = list(AuditEvent.objects.filter(action="activities.import").order_by("pk"))
    activities = Activity.objects.filter(source=ActivitySource.IMPORT)
    assert sorted(int(e.object_id) for e in events) == sorted(a.pk for a in activities)
    assert len({e.batch for e in events}) == 1 and events[0].batch
    assert {e.user_label for e in events} == {"bob"}
    # Scoped to each activity's own organisation: a branch secretary sees their branch's rows.
    assert {e.object_repr: e.org.code for e in events}[
        str(Activity.objects.get(title="四月主题党日"))
    ] == "BT-JY-B02"
    lecture = next(e for e in events if e.after["title"] == "专题党课")
    assert lecture.after["lecturer"] == "王芳（JY0001）"
    assert lecture.after["attendance"] == {"赵磊": "出席", "王芳": "出席（授课）"}
    # Nothing else describes these activities: no separate plan and held rows.
    assert not AuditEvent.objects.filter(
        action__in=["activities.plan", "activities.held"],
        object_id__in=[e.object_id for e in events],
    ).exists()


def test_the_audit_page_names_the_import(world: World) -> None:
    import_ledger(ledger(*ROWS[:1]), world.org("BT-JY"), world.users["bob"])
    activity = Activity.objects.get(title="三月支委会")
    page = world.client("bob").get(f"/activities/{activity.pk}/?tab=history")
    text = page.content.decode()
    assert page.status_code == 200
    assert "台账导入" in text and "赵磊" in text


def test_a_second_import_of_the_same_ledger_changes_nothing(world: World) -> None:
    court, bob = world.org("BT-JY"), world.users["bob"]
    first = import_ledger(ledger(*ROWS), court, bob)
    assert (first.created, first.updated, first.unchanged) == (len(ROWS), 0, 0)
    before = counts()
    again = import_ledger(ledger(*ROWS), court, bob)
    assert (again.ok, again.created, again.updated, again.unchanged) == (True, 0, 0, len(ROWS))
    assert counts() == before


def test_a_refused_record_late_in_the_batch_writes_nothing(world: World) -> None:
    court, bob = world.org("BT-JY"), world.users["bob"]
    plan = parse_ledger(ledger(*ROWS), court)
    assert plan.ok
    # Between the check and the write, the last row's activity date moved into the future
    # (as a stale preview would): the action refuses it, and the rows before it go too.
    plan.new[-1].on = dt.date.today() + dt.timedelta(days=3)
    before = counts()
    result = apply_ledger(plan, bob)
    assert not result.ok
    [error] = result.errors
    assert (error.row, error.column) == (plan.new[-1].row, "日期")
    assert "尚未到来" in error.message
    assert counts() == before


def test_the_batch_action_refuses_an_unknown_person(world: World) -> None:
    branch = world.org("BT-JY-B01")
    records = [
        actions.PastActivity(
            branch,
            {world.people["wang"].pk: "present"},
            {"kind": "theme_day", "title": "一", "on": dt.date(2024, 4, 1)},
        ),
        actions.PastActivity(
            branch,
            {10**9: "present"},
            {"kind": "theme_day", "title": "二", "on": dt.date(2024, 5, 1)},
        ),
    ]
    before = counts()
    with pytest.raises(actions.BatchRefused) as refused:
        actions.do_record_past_activities(world.users["bob"], records)
    assert refused.value.index == 1
    assert "未知人员" in str(refused.value.error)
    assert counts() == before


def test_batch_points_for_capped_volunteer_hours_follow_the_order_they_took_place(
    world: World,
) -> None:
    # Imported in one batch, September first: March's 6 hours come first all the same.
    result = import_ledger(
        ledger(
            row("第一党支部", "志愿服务", "2024-09-09", "九月", 时长="16", 参加人员="王芳"),
            row("第一党支部", "志愿服务", "2024-03-09", "三月", 时长="6", 参加人员="王芳"),
        ),
        world.org("BT-JY"),
        world.users["bob"],
    )
    assert result.ok
    standing = {
        e.activity.title: e.points
        for e in PointEntry.objects.filter(trigger=Trigger.VOLUNTEER_HOURS).select_related(
            "activity"
        )
    }
    assert standing == {"三月": Decimal("3"), "九月": Decimal("7")}
