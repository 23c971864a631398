"""lib/bulk.py writes many rows as the ORM would store them, on both databases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.conftest import World
from tianping.activities.models import Activity, Attendance
from tianping.audit.models import AuditEvent
from tianping.audit.recording import bulk, event
from tianping.lib.bulk import insert, insert_values

pytestmark = pytest.mark.django_db


def test_insert_returning_gives_each_instance_its_new_id_in_order(world: World) -> None:
    branch = world.org("BT-JY-B01")
    made = [
        Activity(org=branch, kind="theme_day", title=f"第{i}次", on=dt.date(2024, 1, 1 + i))
        for i in range(5)
    ]
    insert(made, returning=True)
    stored = {a.pk: a for a in Activity.objects.filter(pk__in=[a.pk for a in made])}
    assert [stored[a.pk].title for a in made] == [f"第{i}次" for i in range(5)]
    # Defaults and auto_now fields are filled as save() fills them.
    first = stored[made[0].pk]
    assert (first.status, first.also_counts_as, first.location) == ("planned", [], "")
    assert first.created_at is not None and first.updated_at is not None
    assert not made[0]._state.adding


def test_insert_values_takes_dicts_and_fills_what_they_leave_out(world: World) -> None:
    branch = world.org("BT-JY-B01")
    [activity] = [Activity(org=branch, kind="theme_day", title="主题党日", on=dt.date(2024, 3, 1))]
    insert([activity], returning=True)
    insert_values(
        Attendance,
        [
            {
                "activity_id": activity.pk,
                "person_id": world.people["wang"].pk,
                "status": "present",
                "hours": Decimal("1.5"),
            },
            {"activity_id": activity.pk, "person_id": world.people["zhao"].pk, "status": "leave"},
        ],
    )
    rows = {a.person.name: a for a in activity.attendance.select_related("person")}
    assert (rows["王芳"].status, rows["王芳"].hours, rows["王芳"].role) == (
        "present",
        Decimal("1.5"),
        "participant",
    )
    assert (rows["赵磊"].status, rows["赵磊"].hours, rows["赵磊"].reason) == ("leave", None, "")


def test_audit_events_saved_in_bulk_keep_their_json_and_labels(world: World) -> None:
    bob = world.users["bob"]
    court = world.org("BT-JY")
    activity = Activity(org=court, kind="training_class", title="培训班", on=dt.date(2024, 5, 1))
    insert([activity], returning=True)
    events = [
        event(
            bob,
            "activities.import",
            activity,
            after={"title": f"第{i}次", "attendance": {"王芳": "出席"}},
            org=court,
            batch="b1",
        )
        for i in range(3)
    ]
    bulk(events)
    stored = list(AuditEvent.objects.filter(batch="b1").order_by("pk"))
    assert [e.after["title"] for e in stored] == ["第0次", "第1次", "第2次"]
    assert stored[0].after["attendance"] == {"王芳": "出席"}
    assert (stored[0].user_label, stored[0].action_label, stored[0].org) == (
        "bob",
        "台账导入",
        court,
    )
