"""Posting points from activities: the ledger always matches what attendance says (R4.1, R4.3).

`reconcile(activity)` computes the entries the activity's current state earns and posts the
difference against what the ledger already holds for it: new entries for what is new, and
reversing entries for what no longer holds. Nothing is ever updated or deleted. A capped
trigger (volunteer hours) is capped over its period as it stands (D8): a change to one
activity's entries is carried to the period's later activities of the same people.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.db.models import Q, Sum

from tianping.activities import kinds
from tianping.activities.models import (
    Activity,
    ActivityStatus,
    Attendance,
    AttendanceRole,
    AttendanceStatus,
)
from tianping.people.models import Person
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


def cap_bounds(rule: PointRule, day: dt.date) -> tuple[dt.date, dt.date]:
    """The period a rule's cap runs over that holds `day`."""
    if rule.cap_period == "month":
        start = day.replace(day=1)
        return start, (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)


def _capped(rule: PointRule, person_id: int, activity: Activity, points: Decimal) -> Decimal:
    """Clip to what the cap leaves after the period's earlier activities (D8).

    Earlier means an earlier date, or the same date and a lower id: the order in which the
    activities took place, whatever the order they were recorded or corrected in. A reversing
    entry carries the date and activity of what it reverses, so a reversed pair sums to 0.
    """
    if rule.cap is None:
        return points
    start, end = cap_bounds(rule, activity.on)
    earlier = (
        Q(on__lt=activity.on)
        | Q(on=activity.on, activity_id__lt=activity.pk)
        | Q(on=activity.on, activity__isnull=True)
    )
    used = (
        PointEntry.objects.filter(
            earlier, person_id=person_id, trigger=rule.trigger, on__gte=start, on__lte=end
        )
        # Its own entries, under a date it no longer has, are about to be reversed.
        .exclude(activity=activity)
        .aggregate(s=Sum("points"))["s"]
        or ZERO
    )
    return max(ZERO, min(points, rule.cap - used))


def _volunteer_due(activity: Activity, rule: PointRule | None, att: Attendance) -> Due | None:
    """Volunteer service: the rule's points per so many hours, within the period's cap."""
    hours = att.hours if att.hours is not None else activity.hours
    if activity.kind != "volunteer_service" or not rule or not rule.points or not hours:
        return None
    if att.status != AttendanceStatus.PRESENT:
        return None
    units = (hours / (rule.per_hours or Decimal("1"))).to_integral_value(rounding=ROUND_FLOOR)
    points = _capped(rule, att.person_id, activity, units * rule.points)
    if not points:
        return None
    return Due(points, rule, att.pk, f"志愿服务{hours}小时")


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
            volunteer = _volunteer_due(activity, rules.get(Trigger.VOLUNTEER_HOURS), att)
            if volunteer is not None:
                due[(att.person_id, Trigger.VOLUNTEER_HOURS)] = volunteer
        elif att.status == AttendanceStatus.ABSENT and counts_org_life:
            rule = rules.get(Trigger.UNEXCUSED_ABSENCE)
            if rule and rule.points:
                due[(att.person_id, rule.trigger)] = Due(
                    rule.points, rule, att.pk, f"无故缺席{info.name}"
                )
    return due


def _open_entries(
    activity: Activity, triggers: Iterable[str], persons: Iterable[int] | None = None
) -> dict[tuple[int, str], list[PointEntry]]:
    """The activity's entries that stand (neither a reversal nor reversed), by person and trigger."""
    entries = PointEntry.objects.filter(activity=activity, trigger__in=list(triggers)).order_by()
    if persons is not None:
        entries = entries.filter(person_id__in=list(persons))
    # Filtered in Python: SQLite would answer `reverses IS NULL` through the unique index on
    # reverses and read every unreversed entry of the whole ledger.
    rows = list(entries)
    reversed_ids = {e.reverses_id for e in rows if e.reverses_id is not None}
    found: dict[tuple[int, str], list[PointEntry]] = defaultdict(list)
    for entry in rows:
        if entry.reverses_id is None and entry.pk not in reversed_ids:
            found[(entry.person_id, entry.trigger)].append(entry)
    return found


def _stands(activity: Activity, trigger: str, want: Due | None, have: list[PointEntry]) -> bool:
    """Whether what the ledger holds for a person and trigger is what the activity earns."""
    if want is None:
        return not have
    if len(have) != 1 or have[0].on != activity.on:
        return False
    # Still due: keep it. A later change of the court's rules never rewrites past entries;
    # only volunteer hours, whose amount follows the hours, are re-checked.
    return have[0].points == want.points or trigger != Trigger.VOLUNTEER_HOURS


def _post_difference(
    activity: Activity,
    due: dict[tuple[int, str], Due],
    have_by_key: dict[tuple[int, str], list[PointEntry]],
    by: Any,
) -> list[PointEntry]:
    """Post new entries for what is now due and reversals for what no longer holds."""
    posted: list[PointEntry] = []
    for key in sorted(set(due) | set(have_by_key)):
        want = due.get(key)
        have = have_by_key.get(key, [])
        if _stands(activity, key[1], want, have):
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


def _capped_rule(activity: Activity) -> PointRule | None:
    rule = rules_for(activity.org.court()).get(Trigger.VOLUNTEER_HOURS)
    return rule if rule is not None and rule.cap is not None else None


def _recheck_capped(
    activity: Activity, rule: PointRule, persons: list[int], days: list[dt.date], by: Any
) -> list[PointEntry]:
    """D8: a capped trigger is capped over the period as it stands.

    When a person's volunteer entry of `activity` changes (a reversal, a correction, a new
    earlier record, a new date), what the cap leaves for the period's later activities
    changes with it. From the earliest date the change touches, the person's volunteer
    activities, this one included, are evaluated again in the order they took place, each
    against the entries before it.
    """
    # Serialise the re-evaluation of one person's period across concurrent corrections.
    list(Person.objects.select_for_update().filter(pk__in=persons).order_by("pk"))
    since = min(days)
    until = cap_bounds(rule, max(days))[1]
    later = (
        Activity.objects.filter(
            Q(on__gt=since) | Q(on=since, pk__gte=activity.pk),
            kind="volunteer_service",
            status=ActivityStatus.HELD,
            on__lte=until,
            attendance__person_id__in=persons,
        )
        .select_related("org")
        .distinct()
        .order_by("on", "pk")
    )
    rules: dict[int, PointRule | None] = {}
    out: list[PointEntry] = []
    for other in later:
        court = other.org.court()
        if court.pk not in rules:
            rules[court.pk] = rules_for(court).get(Trigger.VOLUNTEER_HOURS)
        due: dict[tuple[int, str], Due] = {}
        for att in other.attendance.filter(person_id__in=persons):
            volunteer = _volunteer_due(other, rules[court.pk], att)
            if volunteer is not None:
                due[(att.person_id, Trigger.VOLUNTEER_HOURS)] = volunteer
        have = _open_entries(other, [Trigger.VOLUNTEER_HOURS], persons)
        out += _post_difference(other, due, have, by)
    return out


def reconcile(activity: Activity, user: Any = None) -> list[PointEntry]:
    """Post what the activity now earns, reversing what it no longer does. Returns new entries.

    A change to a capped trigger's entries is carried to the period's later activities (D8).
    """
    activity = Activity.objects.select_related("org").get(pk=activity.pk)
    by = user if getattr(user, "pk", None) else None
    due = due_entries(activity)
    have = _open_entries(activity, ACTIVITY_TRIGGERS)
    changed = sorted(
        key
        for key in set(due) | set(have)
        if key[1] == Trigger.VOLUNTEER_HOURS
        and not _stands(activity, key[1], due.get(key), have.get(key, []))
    )
    rule = _capped_rule(activity) if changed else None
    if rule is None:
        return _post_difference(activity, due, have, by)
    # The changed volunteer entries are reversed now and posted again in the order the
    # period's activities took place, this one among them, so each sees the cap as it stands.
    for key in changed:
        due.pop(key, None)
    posted = _post_difference(activity, due, have, by)
    persons = sorted({person for person, _ in changed})
    days = [activity.on, *(e.on for key in changed for e in have.get(key, []))]
    return posted + _recheck_capped(activity, rule, persons, days, by)
