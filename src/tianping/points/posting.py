"""Posting points from activities: the ledger always matches what attendance says (R4.1, R4.3).

`reconcile(activity)` computes the entries the activity's current state earns and posts the
difference against what the ledger already holds for it: new entries for what is new, and
reversing entries for what no longer holds. Nothing is ever updated or deleted.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.db.models import Sum

from tianping.activities import kinds
from tianping.activities.models import Activity, ActivityStatus, AttendanceRole, AttendanceStatus
from tianping.points.models import PointEntry, PointRule, Trigger
from tianping.points.rules import rules_for

ZERO = Decimal("0")
# The triggers an activity's attendance earns; entries of other triggers that cite the
# activity (a 民主评议 result citing its meeting) belong to other reconcilers.
ACTIVITY_TRIGGERS = (
    Trigger.ATTEND_ORG_LIFE,
    Trigger.GIVE_LECTURE,
    Trigger.VOLUNTEER_HOURS,
    Trigger.UNEXCUSED_ABSENCE,
)


@dataclass(frozen=True)
class Due:
    points: Decimal
    rule: PointRule
    attendance_id: int | None
    reason: str


def _year_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)


def _capped(rule: PointRule, person_id: int, activity: Activity, points: Decimal) -> Decimal:
    """Clip to the rule's cap for the period, not counting this activity's own entries."""
    if rule.cap is None:
        return points
    if rule.cap_period == "month":
        start = activity.on.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    else:
        start, end = _year_bounds(activity.on)
    used = (
        PointEntry.objects.filter(
            person_id=person_id, trigger=rule.trigger, on__gte=start, on__lte=end
        )
        .exclude(activity=activity)
        .aggregate(s=Sum("points"))["s"]
        or ZERO
    )
    return max(ZERO, min(points, rule.cap - used))


def due_entries(activity: Activity) -> dict[tuple[int, str], Due]:
    """What the activity, as it stands, earns each person."""
    if activity.status != ActivityStatus.HELD:
        return {}
    info = kinds.kind(activity.kind)
    rules = rules_for(activity.org.court())
    due: dict[tuple[int, str], Due] = {}
    counts_org_life = any(
        kinds.kind(k).attendance_trigger == Trigger.ATTEND_ORG_LIFE for k in activity.counts_for
    )
    for att in activity.attendance.all():
        if att.status == AttendanceStatus.PRESENT:
            rule = rules.get(Trigger.ATTEND_ORG_LIFE)
            if counts_org_life and rule and rule.points:
                due[(att.person_id, rule.trigger)] = Due(
                    rule.points, rule, att.pk, f"参加{info.name}"
                )
            rule = rules.get(Trigger.GIVE_LECTURE)
            if att.role == AttendanceRole.LECTURER and rule and rule.points:
                due[(att.person_id, rule.trigger)] = Due(
                    rule.points, rule, att.pk, f"讲授{info.name}"
                )
            rule = rules.get(Trigger.VOLUNTEER_HOURS)
            hours = att.hours if att.hours is not None else activity.hours
            if activity.kind == "volunteer_service" and rule and rule.points and hours:
                units = (hours / (rule.per_hours or Decimal("1"))).to_integral_value(
                    rounding=ROUND_FLOOR
                )
                points = _capped(rule, att.person_id, activity, units * rule.points)
                if points:
                    due[(att.person_id, rule.trigger)] = Due(
                        points, rule, att.pk, f"志愿服务{hours}小时"
                    )
        elif att.status == AttendanceStatus.ABSENT and counts_org_life:
            rule = rules.get(Trigger.UNEXCUSED_ABSENCE)
            if rule and rule.points:
                due[(att.person_id, rule.trigger)] = Due(
                    rule.points, rule, att.pk, f"无故缺席{info.name}"
                )
    return due


def reconcile(activity: Activity, user: Any = None) -> list[PointEntry]:
    """Post what the activity now earns, reversing what it no longer does. Returns new entries."""
    activity = Activity.objects.select_related("org").get(pk=activity.pk)
    due = due_entries(activity)
    open_entries: dict[tuple[int, str], list[PointEntry]] = defaultdict(list)
    # Filtered in Python: SQLite would answer `reverses IS NULL` through the unique index on
    # reverses and read every unreversed entry of the whole ledger.
    entries = list(
        PointEntry.objects.filter(activity=activity, trigger__in=ACTIVITY_TRIGGERS).order_by()
    )
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id is not None}
    for entry in entries:
        if entry.reverses_id is None and entry.pk not in reversed_ids:
            open_entries[(entry.person_id, entry.trigger)].append(entry)
    by = user if getattr(user, "pk", None) else None
    posted: list[PointEntry] = []
    for key in set(due) | set(open_entries):
        want = due.get(key)
        have = open_entries.get(key, [])
        if want is not None and len(have) == 1:
            # Still due: keep it. A later change of the court's rules never rewrites past
            # entries; only volunteer hours, whose amount follows the hours, are re-checked.
            if have[0].points == want.points or key[1] != Trigger.VOLUNTEER_HOURS:
                continue
        for entry in have:
            posted.append(
                PointEntry(
                    person_id=entry.person_id,
                    on=entry.on,
                    points=-entry.points,
                    trigger=entry.trigger,
                    rule=entry.rule,
                    activity=activity,
                    attendance_id=entry.attendance_id,
                    reason=f"更正：冲销“{entry.reason}”",
                    reverses=entry,
                    created_by=by,
                )
            )
        if want is not None:
            posted.append(
                PointEntry(
                    person_id=key[0],
                    on=activity.on,
                    points=want.points,
                    trigger=key[1],
                    rule=want.rule,
                    activity=activity,
                    attendance_id=want.attendance_id,
                    reason=want.reason,
                    created_by=by,
                )
            )
    for entry in posted:
        entry.save()
    return posted
