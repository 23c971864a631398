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
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import Any, NamedTuple

from django.db.models import Q, Sum

from tianping.activities import kinds
from tianping.activities.models import (
    Activity,
    ActivityStatus,
    Attendance,
    AttendanceRole,
    AttendanceStatus,
)
from tianping.lib.bulk import insert_values
from tianping.orgs.models import COURT_KINDS, Org
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


def _clip(rule: PointRule, points: Decimal, used: Decimal) -> Decimal:
    """What the cap leaves of `points` after `used` in the period."""
    if rule.cap is None:
        return points
    return max(ZERO, min(points, rule.cap - used))


def _is_earlier(entry_on: dt.date, entry_activity: int | None, activity: Activity) -> bool:
    """Whether an entry counts as before `activity` for its cap (see `_capped`)."""
    return entry_on < activity.on or (
        entry_on == activity.on and (entry_activity is None or entry_activity < activity.pk)
    )


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
    return _clip(rule, points, used)


def _volunteer_due(
    activity: Activity, rule: PointRule | None, att: Attendance | _Row, used: Decimal | None = None
) -> Due | None:
    """Volunteer service: the rule's points per so many hours, within the period's cap.

    `used` is what the period's earlier entries already hold, when the caller knows it;
    otherwise the ledger is asked."""
    hours = att.hours if att.hours is not None else activity.hours
    if activity.kind != "volunteer_service" or not rule or not rule.points or not hours:
        return None
    if att.status != AttendanceStatus.PRESENT:
        return None
    units = (hours / (rule.per_hours or Decimal("1"))).to_integral_value(rounding=ROUND_FLOOR)
    if used is None:
        points = _capped(rule, att.person_id, activity, units * rule.points)
    else:
        points = _clip(rule, units * rule.points, used)
    if not points:
        return None
    return Due(points, rule, att.pk, f"志愿服务{hours}小时")


def due_entries(activity: Activity) -> dict[tuple[int, str], Due]:
    """What the activity, as it stands, earns each person."""
    if activity.status != ActivityStatus.HELD:
        return {}
    return _earned(activity, rules_for(activity.org.court()), activity.attendance.all())


def _earned(
    activity: Activity,
    rules: dict[str, PointRule],
    rows: Iterable[Attendance | _Row],
    volunteer: bool = True,
) -> dict[tuple[int, str], Due]:
    """What a held activity's attendance rows earn under a court's rules (volunteer hours
    left out when `volunteer` is false: the caller caps them in order)."""
    info = kinds.kind(activity.kind)
    due: dict[tuple[int, str], Due] = {}
    counts_org_life = any(
        kinds.kind(k).attendance_trigger == Trigger.ATTEND_ORG_LIFE for k in activity.counts_for
    )
    for att in rows:
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
            if volunteer:
                found = _volunteer_due(activity, rules.get(Trigger.VOLUNTEER_HOURS), att)
                if found is not None:
                    due[(att.person_id, Trigger.VOLUNTEER_HOURS)] = found
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
    posted = [PointEntry(**line) for line in _difference(activity, due, have_by_key, by)]
    for entry in posted:
        entry.save()
    return posted


def _difference(
    activity: Activity,
    due: dict[tuple[int, str], Due],
    have_by_key: dict[tuple[int, str], list[PointEntry]],
    by: Any,
) -> list[dict[str, Any]]:
    """The entries that bring the activity's ledger to what is due, as field values by
    attname (an import posts tens of thousands: no instances until they are saved)."""
    posted: list[dict[str, Any]] = []
    by_id = by.pk if by is not None else None
    for key in sorted(set(due) | set(have_by_key)):
        want = due.get(key)
        have = have_by_key.get(key, [])
        if _stands(activity, key[1], want, have):
            continue
        for entry in have:
            posted.append(
                {
                    "person_id": entry.person_id,
                    "on": entry.on,
                    "points": -entry.points,
                    "trigger": entry.trigger,
                    "rule_id": entry.rule_id,
                    "activity_id": activity.pk,
                    "attendance_id": entry.attendance_id,
                    "reason": f"更正：冲销“{entry.reason}”",
                    "reverses_id": entry.pk,
                    "created_by_id": by_id,
                }
            )
        if want is not None:
            posted.append(
                {
                    "person_id": key[0],
                    "on": activity.on,
                    "points": want.points,
                    "trigger": key[1],
                    "rule_id": want.rule.pk,
                    "activity_id": activity.pk,
                    "attendance_id": want.attendance_id,
                    "reason": want.reason,
                    "created_by_id": by_id,
                }
            )
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


# ---------------------------------------------------------------------------------------
# Many activities at once (a ledger import)

CHUNK = 500


def _chunks(items: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _courts_of(orgs: Iterable[Org]) -> dict[int, Org]:
    """Each organisation's court (`Org.court`), for many organisations in one query."""
    orgs = {o.pk: o for o in orgs}
    paths = {p for o in orgs.values() for p in [*o.ancestor_paths(), o.path]}
    courts: dict[str, Org] = {}
    for chunk in _chunks(sorted(paths)):
        courts.update((c.path, c) for c in Org.objects.filter(kind__in=COURT_KINDS, path__in=chunk))
    found: dict[int, Org] = {}
    for pk, org in orgs.items():
        deepest = next(
            (courts[p] for p in reversed([*org.ancestor_paths(), org.path]) if p in courts), org
        )
        found[pk] = deepest
    return found


class _Rules:
    """Each court's rule set, read (and seeded on first use) once per court."""

    def __init__(self) -> None:
        self._by_court: dict[int, dict[str, PointRule]] = {}

    def of(self, court: Org) -> dict[str, PointRule]:
        if court.pk not in self._by_court:
            self._by_court[court.pk] = rules_for(court)
        return self._by_court[court.pk]


class _Row(NamedTuple):
    """An attendance row with what points read of it: the batch reads tens of thousands."""

    pk: int
    activity_id: int
    person_id: int
    status: str
    role: str
    hours: Decimal | None


@dataclass
class _Window:
    """Whose capped volunteer entries a pass re-evaluates, from where to where (D8)."""

    start: dict[int, tuple[dt.date, int]] = field(default_factory=dict)
    until: dict[int, dt.date] = field(default_factory=dict)

    def add(self, activity: Activity, rule: PointRule, person: int, days: list[dt.date]) -> None:
        """From where `_recheck_capped` would start for this activity, to its period's end."""
        first = (min(days), activity.pk)
        self.start[person] = min(self.start.get(person, first), first)
        last = cap_bounds(rule, max(days))[1]
        self.until[person] = max(self.until.get(person, last), last)

    def holds(self, person: int, activity: Activity) -> bool:
        return (activity.on, activity.pk) >= self.start[person] and (
            activity.on <= self.until[person]
        )


@dataclass
class _Held:
    """One volunteer entry of a person's capped period, as the pass holds the ledger."""

    on: dt.date
    points: Decimal
    activity_id: int | None


def reconcile_many(activities: Iterable[Activity], user: Any = None) -> int:
    """`reconcile` for many activities in one pass (a ledger import): the same entries, read
    and written in bulk. Returns the new entries.

    Every trigger but capped volunteer hours depends on its own activity alone and is
    posted as a difference at once. For capped volunteer hours (D8) the people whose
    entries the batch touches are taken together: from the earliest of their activities
    the batch touches, their volunteer activities of the period are evaluated once, in the
    order they took place, each against the entries before it, the ledger held in memory.
    """
    ids = sorted({a.pk for a in activities})
    if not ids:
        return 0
    by = user if getattr(user, "pk", None) else None
    batch: list[Activity] = []
    rows: dict[int, list[_Row]] = defaultdict(list)
    have: dict[int, dict[tuple[int, str], list[PointEntry]]] = defaultdict(dict)
    for chunk in _chunks(ids):
        batch += Activity.objects.filter(pk__in=chunk).select_related("org")
        for values in (
            Attendance.objects.filter(activity_id__in=chunk).order_by().values_list(*_Row._fields)
        ):
            row = _Row(*values)
            rows[row.activity_id].append(row)
        entries = list(
            PointEntry.objects.filter(
                activity_id__in=chunk, trigger__in=ACTIVITY_TRIGGERS
            ).order_by()
        )
        reversed_ids = {e.reverses_id for e in entries if e.reverses_id is not None}
        for entry in entries:
            if (
                entry.reverses_id is None
                and entry.pk not in reversed_ids
                and entry.activity_id is not None
            ):
                have[entry.activity_id].setdefault((entry.person_id, entry.trigger), []).append(
                    entry
                )
    courts = _courts_of(a.org for a in batch)
    rules = _Rules()
    posted: list[dict[str, Any]] = []
    window = _Window()
    for activity in sorted(batch, key=lambda a: (a.on, a.pk)):
        court_rules = rules.of(courts[activity.org_id])
        rule = court_rules.get(Trigger.VOLUNTEER_HOURS)
        mine = have[activity.pk]
        held = activity.status == ActivityStatus.HELD
        if rule is None or rule.cap is None:
            due = _earned(activity, court_rules, rows[activity.pk]) if held else {}
            posted += _difference(activity, due, mine, by)
            continue
        # A held activity's volunteer entries are left to the ordered pass below; one no
        # longer held reverses them here, and the pass re-evaluates what follows it.
        keep = held
        due = _earned(activity, court_rules, rows[activity.pk], volunteer=False) if held else {}
        posted += _difference(
            activity,
            due,
            {k: v for k, v in mine.items() if k[1] != rule.trigger or not keep},
            by,
        )
        old = {p: entries for (p, t), entries in mine.items() if t == rule.trigger}
        earning = {
            att.person_id
            for att in rows[activity.pk]
            if held and _volunteer_due(activity, rule, att, used=ZERO) is not None
        }
        for person in earning | set(old):
            window.add(activity, rule, person, [activity.on, *(e.on for e in old.get(person, []))])
    # Saved before the ordered pass reads the ledger it caps against.
    insert_values(PointEntry, posted)
    capped = _recheck_capped_many(window, by)
    insert_values(PointEntry, capped)
    return len(posted) + len(capped)


def _recheck_capped_many(window: _Window, by: Any) -> list[dict[str, Any]]:
    """D8 for the people of `window`: their volunteer activities evaluated in order."""
    if not window.start:
        return []
    persons = sorted(window.start)
    since = min(s[0] for s in window.start.values())
    end = max(window.until.values())
    # Serialise the re-evaluation of these people's periods across concurrent corrections.
    for chunk in _chunks(persons):
        list(Person.objects.select_for_update().filter(pk__in=chunk).order_by("pk"))
    attended: dict[int, list[_Row]] = defaultdict(list)
    ledger: dict[int, list[_Held]] = defaultdict(list)
    open_entries: dict[tuple[int, int], list[PointEntry]] = defaultdict(list)
    for chunk in _chunks(persons):
        for values in (
            Attendance.objects.filter(
                person_id__in=chunk,
                activity__kind="volunteer_service",
                activity__status=ActivityStatus.HELD,
                activity__on__gte=since,
                activity__on__lte=end,
            )
            .order_by()
            .values_list(*_Row._fields)
        ):
            att = _Row(*values)
            attended[att.activity_id].append(att)
        # Every cap period (a month or a year) that holds `since` starts on or after 1 January.
        entries = list(
            PointEntry.objects.filter(
                person_id__in=chunk,
                trigger=Trigger.VOLUNTEER_HOURS,
                on__gte=dt.date(since.year, 1, 1),
                on__lte=end,
            ).order_by("pk")
        )
        reversed_ids = {e.reverses_id for e in entries if e.reverses_id is not None}
        for entry in entries:
            ledger[entry.person_id].append(_Held(entry.on, entry.points, entry.activity_id))
            if entry.activity_id and entry.reverses_id is None and entry.pk not in reversed_ids:
                open_entries[(entry.activity_id, entry.person_id)].append(entry)
    later: list[Activity] = []
    for chunk in _chunks(sorted(attended)):
        later += Activity.objects.filter(pk__in=chunk).select_related("org")
    courts = _courts_of(a.org for a in later)
    rules = _Rules()
    posted: list[dict[str, Any]] = []
    key_of = Trigger.VOLUNTEER_HOURS
    for other in sorted(later, key=lambda a: (a.on, a.pk)):
        rule = rules.of(courts[other.org_id]).get(Trigger.VOLUNTEER_HOURS)
        for att in attended[other.pk]:
            person = att.person_id
            if not window.holds(person, other):
                continue
            used = ZERO
            if rule is not None and rule.cap is not None:
                first, last = cap_bounds(rule, other.on)
                used = sum(
                    (
                        h.points
                        for h in ledger[person]
                        if first <= h.on <= last
                        and h.activity_id != other.pk
                        and _is_earlier(h.on, h.activity_id, other)
                    ),
                    ZERO,
                )
            want = _volunteer_due(other, rule, att, used=used)
            current = open_entries.get((other.pk, person), [])
            new = _difference(
                other,
                {(person, key_of): want} if want is not None else {},
                {(person, key_of): current} if current else {},
                by,
            )
            ledger[person] += [_Held(e["on"], e["points"], e["activity_id"]) for e in new]
            posted += new
    return posted
