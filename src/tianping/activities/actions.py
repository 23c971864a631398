"""Writes to activities: plan, record as held with attendance, correct, cancel, attach evidence.

Every action runs in one transaction, writes its audit row, and announces the change with
`activity_changed` so derived ledgers (points) follow in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from tianping.activities import kinds
from tianping.activities.models import (
    MAKEUP_METHOD_MAX_LENGTH,
    REASON_MAX_LENGTH,
    Activity,
    ActivitySource,
    ActivityStatus,
    Attendance,
    AttendanceRole,
    AttendanceStatus,
    Evidence,
    EvidenceBlob,
)
from tianping.audit.recording import bulk, event, new_batch, record, snapshot
from tianping.lib.bulk import insert as bulk_insert
from tianping.lib.bulk import insert_values
from tianping.orgs.models import Org
from tianping.people.models import Person

# Sent inside the writing transaction after an activity's status or attendance changed.
# Receivers get `activity` and `user`; they must be idempotent (they may see the same state twice).
activity_changed = Signal()
# Sent inside the writing transaction after many activities were recorded at once (a ledger
# import), with `activities` and `user`: receivers bring them up to date in one pass.
activities_changed = Signal()
# Sent inside the transaction that closes a democratic review (R1.6), with `review` and `user`:
# the grades feed points and the member's record.
review_closed = Signal()

ACTIVITY_FIELDS = (
    "kind",
    "also_counts_as",
    "org",
    "title",
    "on",
    "start_time",
    "end_time",
    "hours",
    "location",
    "agenda",
    "summary",
    "host",
    "recorder",
    "lecturer",
    "lecturer_is_secretary",
    "external_audience",
    "status",
    "cancel_reason",
)
EDITABLE = tuple(f for f in ACTIVITY_FIELDS if f not in ("status", "cancel_reason", "org"))


def check_activity(activity: Activity) -> None:
    errors: dict[str, str] = {}
    info = kinds.KINDS.get(activity.kind)
    if info is None:
        errors["kind"] = f"未知的活动类型“{activity.kind}”"
    else:
        if activity.org.kind not in info.holders:
            errors["kind"] = f"{activity.org.get_kind_display()}不能开展“{info.name}”"
        extra = set(activity.also_counts_as or []) - set(info.may_also_count_as)
        if extra:
            names = "、".join(kinds.KINDS[c].name if c in kinds.KINDS else c for c in sorted(extra))
            errors["also_counts_as"] = f"“{info.name}”不能同时计为{names}"
        if activity.lecturer_id and not info.has_lecturer:
            errors["lecturer"] = f"“{info.name}”没有授课人"
        if activity.external_audience is not None and not info.has_external_audience:
            activity.external_audience = None
    if not activity.title.strip():
        errors["title"] = "标题不能为空"
    if activity.start_time and activity.end_time and activity.end_time <= activity.start_time:
        errors["end_time"] = "结束时间应晚于开始时间"
    if activity.hours is not None and not (Decimal("0") < activity.hours <= Decimal("400")):
        errors["hours"] = "时长应在0到400小时之间"
    if not activity.org.is_active and activity.on >= (activity.org.dissolved_on or dt.date.max):
        errors["org"] = f"“{activity.org.name}”已于{activity.org.dissolved_on}撤销"
    if errors:
        raise ValidationError(errors)


def default_hours(activity: Activity) -> Decimal | None:
    if activity.hours is not None:
        return activity.hours
    if activity.start_time and activity.end_time:
        start = dt.datetime.combine(activity.on, activity.start_time)
        end = dt.datetime.combine(activity.on, activity.end_time)
        return (Decimal((end - start).seconds) / Decimal(3600)).quantize(Decimal("0.1"))
    return None


@transaction.atomic
def do_plan_activity(
    user: Any, org: Org, *, source: str = ActivitySource.WEB, **fields: Any
) -> Activity:
    activity = Activity(
        org=org, created_by=user if getattr(user, "pk", None) else None, source=source, **fields
    )
    activity.status = ActivityStatus.PLANNED
    activity.hours = default_hours(activity)
    check_activity(activity)
    activity.save()
    record(user, "activities.plan", activity, after=snapshot(activity, ACTIVITY_FIELDS), org=org)
    return activity


@transaction.atomic
def do_update_activity(user: Any, activity: Activity, **fields: Any) -> Activity:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    before = snapshot(activity, ACTIVITY_FIELDS)
    for name, value in fields.items():
        setattr(activity, name, value)
    if "hours" not in fields and ("start_time" in fields or "end_time" in fields):
        activity.hours = None
    activity.hours = default_hours(activity)
    check_activity(activity)
    activity.save()
    after = snapshot(activity, ACTIVITY_FIELDS)
    if after != before:
        record(user, "activities.update", activity, before=before, after=after, org=activity.org)
        if activity.is_held:
            activity_changed.send(Activity, activity=activity, user=user)
    return activity


def attendance_label(row: Attendance) -> str:
    """One attendance row as the audit log keeps it: 请假（出差）, 缺席；补学2024-04-02."""
    label = row.status_text
    if row.role != AttendanceRole.PARTICIPANT:
        label += f"（{row.get_role_display()}）"
    if row.makeup_on:
        label += f"；补学{row.makeup_on:%Y-%m-%d}"
    return label


def _apply_attendance(
    user: Any,
    activity: Activity,
    changes: dict[int, str],
    roles: dict[int, str] | None = None,
    reasons: dict[int, str] | None = None,
) -> tuple[dict[str, str], dict[str, str]]:
    """Upsert only the rows that changed, so two people editing one grid lose nothing.

    A reason belongs to a leave or an absence, and a make-up study to someone who missed
    the meeting: a row corrected to present keeps neither.
    """
    roles, reasons = roles or {}, reasons or {}
    touched = set(changes) | set(roles) | set(reasons)
    existing = {
        a.person_id: a
        for a in Attendance.objects.filter(activity=activity, person_id__in=list(touched))
    }
    names = dict(Person.objects.filter(pk__in=list(touched)).values_list("pk", "name"))
    unknown = touched - set(names)
    if unknown:
        raise ValidationError({"attendance": f"未知人员：{sorted(unknown)}"})
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    hours = default_hours(activity)
    by = user if getattr(user, "pk", None) else None
    for person_id in touched:
        status = changes.get(person_id)
        if status is not None and status not in AttendanceStatus.values:
            raise ValidationError({"attendance": f"无效的出勤状态“{status}”"})
        reason = reasons.get(person_id)
        if reason is not None:
            reason = reason.strip()
            if len(reason) > REASON_MAX_LENGTH:
                raise ValidationError(
                    {
                        "attendance": f"{names[person_id]}的请假/缺席原因"
                        f"不能超过{REASON_MAX_LENGTH}字"
                    }
                )
        row = existing.get(person_id)
        label = f"{names[person_id]}"
        if row is None:
            if status is None:
                continue
            row = Attendance(activity=activity, person_id=person_id, status=status, updated_by=by)
            was, hours_was = "—", None
        else:
            was, hours_was = attendance_label(row), row.hours
        if status is not None:
            row.status = status
        if person_id in roles:
            row.role = roles[person_id]
        if reason is not None:
            row.reason = reason
        if row.status == AttendanceStatus.PRESENT:
            row.reason = ""
            row.makeup_on, row.makeup_method, row.makeup_by = None, "", None
        row.hours = hours if row.status == AttendanceStatus.PRESENT else None
        if row.pk and (was, hours_was) == (attendance_label(row), row.hours):
            continue  # sent, but nothing in it differs from what is stored
        row.updated_by = by
        row.save()
        before[label] = was
        after[label] = attendance_label(row)
    return before, after


@transaction.atomic
def do_record_held(
    user: Any,
    activity: Activity,
    *,
    attendance: dict[int, str],
    roles: dict[int, str] | None = None,
    reasons: dict[int, str] | None = None,
    summary: str | None = None,
    hours: Decimal | None = None,
    external_audience: int | None = None,
) -> Activity:
    """Record a planned (or already held) activity as held, with the attendance that changed.

    `reasons` gives the reason for a leave or an absence (出差, 病假 …) of the rows it names.
    """
    activity = Activity.objects.select_for_update().select_related("org").get(pk=activity.pk)
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError({"status": "已取消的活动不能记录为已召开"})
    if activity.on > timezone.localdate():
        raise ValidationError({"on": f"活动日期{activity.on:%Y-%m-%d}尚未到来，不能记录为已召开"})
    before = snapshot(activity, ACTIVITY_FIELDS)
    if summary is not None:
        activity.summary = summary
    if hours is not None:
        activity.hours = hours
    if external_audience is not None:
        activity.external_audience = external_audience
    activity.status = ActivityStatus.HELD
    check_activity(activity)
    activity.save()
    attendance, roles = dict(attendance), dict(roles or {})
    if activity.lecturer_id and activity.lecturer_id not in roles:
        roles[activity.lecturer_id] = AttendanceRole.LECTURER
        attendance.setdefault(activity.lecturer_id, AttendanceStatus.PRESENT)
    if activity.kind_info.takes_attendance or attendance:
        was, now = _apply_attendance(user, activity, attendance, roles, reasons)
    else:
        was, now = {}, {}
    record(
        user,
        "activities.held",
        activity,
        before={**before, "attendance": was or None},
        after={**snapshot(activity, ACTIVITY_FIELDS), "attendance": now or None},
        org=activity.org,
    )
    activity_changed.send(Activity, activity=activity, user=user)
    return activity


@transaction.atomic
def do_set_attendance(
    user: Any,
    activity: Activity,
    person: Person,
    status: str,
    role: str | None = None,
    reason: str | None = None,
) -> Attendance:
    """Correct one person's attendance of a held activity (and the reason, when given)."""
    activity = Activity.objects.select_for_update().select_related("org").get(pk=activity.pk)
    if activity.status != ActivityStatus.HELD:
        raise ValidationError({"status": "只有已召开的活动才能更正出勤"})
    was, now = _apply_attendance(
        user,
        activity,
        {person.pk: status},
        {person.pk: role} if role else None,
        {person.pk: reason} if reason is not None else None,
    )
    record(
        user,
        "activities.attendance",
        activity,
        before={"attendance": was},
        after={"attendance": now},
        org=activity.org,
    )
    activity_changed.send(Activity, activity=activity, user=user)
    return Attendance.objects.get(activity=activity, person=person)


def _missed_row(activity: Activity, person: Person) -> Attendance:
    """The locked attendance row of someone who missed a held activity (补学 is for them)."""
    if activity.status != ActivityStatus.HELD:
        raise ValidationError({"status": "只有已召开的活动才能登记补学"})
    row = (
        Attendance.objects.select_for_update()
        .select_related("person")
        .filter(activity=activity, person=person)
        .first()
    )
    if row is None:
        raise ValidationError({"person": f"{person.name}尚未记录出勤，请先记录请假或缺席"})
    if row.status == AttendanceStatus.PRESENT:
        raise ValidationError({"person": f"{person.name}出席了本次活动，无需补学"})
    return row


def _record_makeup_change(user: Any, activity: Activity, row: Attendance, was: str) -> None:
    record(
        user,
        "activities.makeup" if row.makeup_on else "activities.makeup_clear",
        activity,
        before={"makeup": {row.person.name: was}},
        after={"makeup": {row.person.name: row.makeup_text or "—"}},
        org=activity.org,
    )
    # Nothing derived counts a make-up today; receivers are idempotent, so they are told anyway.
    activity_changed.send(Activity, activity=activity, user=user)


@transaction.atomic
def do_record_makeup(
    user: Any, activity: Activity, person: Person, *, on: dt.date | None, method: str
) -> Attendance:
    """补学: the secretary records that a member on leave or absent studied the meeting later.

    It is kept beside the leave or absence and printed in the 会议记录. It earns no points
    and undoes no deduction: points reward things done and verified (R4.2), and the rule
    set gives make-up study no item (R4.1); the absence stays as recorded.
    """
    activity = Activity.objects.select_for_update().select_related("org").get(pk=activity.pk)
    row = _missed_row(activity, person)
    method = (method or "").strip()
    errors: dict[str, str] = {}
    if on is None:
        errors["on"] = "请填写补学日期"
    elif on < activity.on:
        errors["on"] = f"补学日期不能早于活动日期{activity.on:%Y-%m-%d}"
    elif on > timezone.localdate():
        errors["on"] = "补学日期不能晚于今天"
    if not method:
        errors["method"] = "请填写补学方式，如自学会议精神、补看录像"
    elif len(method) > MAKEUP_METHOD_MAX_LENGTH:
        errors["method"] = f"补学方式不能超过{MAKEUP_METHOD_MAX_LENGTH}字"
    if errors:
        raise ValidationError(errors)
    if (row.makeup_on, row.makeup_method) == (on, method):
        return row
    return _store_makeup(user, activity, row, on, method)


@transaction.atomic
def do_clear_makeup(user: Any, activity: Activity, person: Person) -> Attendance:
    """Withdraw a make-up study recorded by mistake; the audit log keeps what it said."""
    activity = Activity.objects.select_for_update().select_related("org").get(pk=activity.pk)
    row = _missed_row(activity, person)
    if row.makeup_on is None:
        return row
    return _store_makeup(user, activity, row, None, "")


def _store_makeup(
    user: Any, activity: Activity, row: Attendance, on: dt.date | None, method: str
) -> Attendance:
    """Set or clear a row's 补学 and audit what it said before."""
    was = row.makeup_text or "—"
    row.makeup_on, row.makeup_method = on, method
    row.makeup_by = user if on is not None and getattr(user, "pk", None) else None
    row.save(update_fields=["makeup_on", "makeup_method", "makeup_by", "updated_at"])
    _record_makeup_change(user, activity, row, was)
    return row


@transaction.atomic
def do_cancel(user: Any, activity: Activity, reason: str) -> Activity:
    """A cancelled activity counts for nothing: no obligation, no points."""
    activity = Activity.objects.select_for_update().select_related("org").get(pk=activity.pk)
    if not reason.strip():
        raise ValidationError({"cancel_reason": "请填写取消原因"})
    before = snapshot(activity, ACTIVITY_FIELDS)
    activity.status = ActivityStatus.CANCELLED
    activity.cancel_reason = reason.strip()
    activity.save(update_fields=["status", "cancel_reason", "updated_at"])
    record(
        user,
        "activities.cancel",
        activity,
        before=before,
        after=snapshot(activity, ACTIVITY_FIELDS),
        org=activity.org,
    )
    activity_changed.send(Activity, activity=activity, user=user)
    return activity


@transaction.atomic
def do_record_past_activity(
    user: Any,
    org: Org,
    *,
    attendance: dict[int, str],
    roles: dict[int, str] | None = None,
    reasons: dict[int, str] | None = None,
    source: str = ActivitySource.WEB,
    **fields: Any,
) -> Activity:
    """An activity that has already happened, recorded in one step (a ledger row, a late entry)."""
    summary = fields.pop("summary", "")
    external_audience = fields.pop("external_audience", None)
    activity = do_plan_activity(user, org, source=source, **fields)
    return do_record_held(
        user,
        activity,
        attendance=attendance,
        roles=roles,
        reasons=reasons,
        summary=summary,
        external_audience=external_audience,
    )


ATTENDANCE_STATUSES = frozenset(AttendanceStatus.values)


@dataclass
class PastActivity:
    """One activity for `do_record_past_activities`: what `do_record_past_activity` takes."""

    org: Org
    attendance: dict[int, str]
    fields: dict[str, Any]


class BatchRefused(Exception):
    """The action refused the record at `index` of a batch; nothing of the batch is written."""

    def __init__(self, index: int, error: ValidationError) -> None:
        super().__init__(f"record {index}: {error}")
        self.index = index
        self.error = error


@transaction.atomic
def do_record_past_activities(
    user: Any, records: list[PastActivity], *, source: str = ActivitySource.IMPORT
) -> list[Activity]:
    """Many activities that have already happened (a ledger import), recorded in one step.

    Each is checked and stored as `do_record_past_activity` stores it (the same activity,
    attendance rows and points), written in bulk: one audit row per activity, holding the
    record as held with its attendance person by person, the rows of one call tied by a
    batch id; points follow through `activities_changed` in one pass.
    """
    if not records:
        return []
    by = user if getattr(user, "pk", None) else None
    today = timezone.localdate()
    person_fields = ("host_id", "recorder_id", "lecturer_id")
    wanted = {pk for r in records for pk in r.attendance} | {
        r.fields[f] for r in records for f in person_fields if r.fields.get(f)
    }
    people: dict[int, Person] = {}
    ordered = sorted(wanted)
    for start in range(0, len(ordered), 500):
        people.update(Person.objects.in_bulk(ordered[start : start + 500]))
    activities: list[Activity] = []
    attendance: list[list[dict[str, Any]]] = []
    for index, item in enumerate(records):
        try:
            activity, rows = _past_activity(item, people, by, source, today)
        except ValidationError as e:
            raise BatchRefused(index, e) from e
        activities.append(activity)
        attendance.append(rows)
    bulk_insert(activities, returning=True)
    for activity, rows in zip(activities, attendance, strict=True):
        for row in rows:
            row["activity_id"] = activity.pk
    insert_values(Attendance, [row for rows in attendance for row in rows])
    batch = new_batch()
    labels: dict[tuple[str, str], str] = {}  # a new row is told by its status and role alone

    def label(row: dict[str, Any]) -> str:
        key = (row["status"], row["role"])
        if key not in labels:
            labels[key] = attendance_label(Attendance(status=row["status"], role=row["role"]))
        return labels[key]

    bulk(
        [
            event(
                user,
                "activities.import",
                activity,
                after={
                    **snapshot(activity, ACTIVITY_FIELDS),
                    "attendance": {people[r["person_id"]].name: label(r) for r in rows} or None,
                },
                org=activity.org,
                batch=batch,
            )
            for activity, rows in zip(activities, attendance, strict=True)
        ]
    )
    activities_changed.send(Activity, activities=activities, user=user)
    return activities


def _past_activity(
    item: PastActivity, people: dict[int, Person], by: Any, source: str, today: dt.date
) -> tuple[Activity, list[dict[str, Any]]]:
    """One record of a batch, checked as plan and record-as-held check it, with its
    attendance rows (by attname); nothing saved."""
    fields = dict(item.fields)
    summary = fields.pop("summary", "")
    external_audience = fields.pop("external_audience", None)
    unknown = set(fields) - {*EDITABLE, "host_id", "recorder_id", "lecturer_id"}
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    for name in ("host", "recorder", "lecturer"):
        pk = fields.pop(f"{name}_id", None)
        if pk is not None:
            if pk not in people:
                raise ValidationError({name: f"未知人员：{pk}"})
            fields[name] = people[pk]
    activity = Activity(org=item.org, created_by=by, source=source, **fields)
    activity.summary = summary
    if external_audience is not None:
        activity.external_audience = external_audience
    activity.status = ActivityStatus.HELD
    activity.hours = default_hours(activity)
    check_activity(activity)
    if activity.on > today:
        raise ValidationError({"on": f"活动日期{activity.on:%Y-%m-%d}尚未到来，不能记录为已召开"})
    statuses, roles = dict(item.attendance), {}
    if activity.lecturer_id:
        roles[activity.lecturer_id] = AttendanceRole.LECTURER
        statuses.setdefault(activity.lecturer_id, AttendanceStatus.PRESENT)
    if not (activity.kind_info.takes_attendance or statuses):
        return activity, []
    unknown_people = set(statuses) - set(people)
    if unknown_people:
        raise ValidationError({"attendance": f"未知人员：{sorted(unknown_people)}"})
    hours = activity.hours
    by_id = by.pk if by is not None else None
    rows = []
    for person_id, status in statuses.items():
        if status not in ATTENDANCE_STATUSES:
            raise ValidationError({"attendance": f"无效的出勤状态“{status}”"})
        rows.append(
            {
                "person_id": person_id,
                "status": status,
                "role": roles.get(person_id, AttendanceRole.PARTICIPANT),
                "hours": hours if status == AttendanceStatus.PRESENT else None,
                "updated_by_id": by_id,
            }
        )
    return activity, rows


def store_blob(content: bytes, content_type: str = "") -> EvidenceBlob:
    """File content stored once by its SHA-256, whoever uploads it and for whatever record."""
    digest = hashlib.sha256(content).hexdigest()
    blob = EvidenceBlob.objects.filter(sha256=digest).first()
    if blob is None:
        blob = EvidenceBlob(sha256=digest, size=len(content), content_type=content_type[:100])
        blob.file.save(f"{digest[:2]}/{digest}", ContentFile(content), save=False)
        blob.save()
    return blob


@transaction.atomic
def do_add_evidence(
    user: Any, activity: Activity, name: str, content: bytes, content_type: str = ""
) -> Evidence:
    """Attach a file; identical content is stored once, however often it is uploaded."""
    blob = store_blob(content, content_type)
    digest = blob.sha256
    evidence, created = Evidence.objects.get_or_create(
        activity=activity,
        blob=blob,
        defaults={"name": name[:200], "uploaded_by": user if getattr(user, "pk", None) else None},
    )
    if created:
        record(
            user,
            "activities.evidence",
            activity,
            after={"file": name, "sha256": digest},
            org=activity.org,
        )
    return evidence


__all__ = [
    "activities_changed",
    "activity_changed",
    "BatchRefused",
    "PastActivity",
    "review_closed",
    "do_add_evidence",
    "do_cancel",
    "do_clear_makeup",
    "do_plan_activity",
    "do_record_held",
    "do_record_makeup",
    "do_record_past_activities",
    "do_record_past_activity",
    "do_set_attendance",
    "do_update_activity",
]


@transaction.atomic
def do_set_obligation(
    user: Any, court: Org, obligation: str, period: str, count: int, *, restore: bool = False
) -> None:
    """A court's own frequency for a configurable obligation (R1.5); `restore` returns to the rule.

    A plain count equal to the rule's own stays a setting where the rule itself counts
    something else: 谈心谈话 is checked pair by pair (D5), "每年1次" by records is a choice.
    """
    from tianping.activities.models import ObligationSetting

    rule = kinds.OBLIGATIONS.get(obligation)
    if rule is None or not rule.configurable:
        raise ValidationError({"obligation": "该制度的频次不可调整"})
    if not restore and (period not in kinds.Period.__members__.values() or not 1 <= count <= 31):
        raise ValidationError({"count": "请填写有效的周期和次数（1–31）"})
    current = ObligationSetting.objects.filter(court=court, obligation=obligation).first()
    before = kinds.frequency_text(rule, current.period, current.count) if current else None
    if restore or (period == rule.period and count == rule.count and not rule.pairs):
        if current is not None:
            ObligationSetting.objects.filter(pk=current.pk).delete()
        after = None
    else:
        ObligationSetting.objects.update_or_create(
            court=court, obligation=obligation, defaults={"period": period, "count": count}
        )
        after = kinds.frequency_text(rule, period, count)
    before = before or kinds.frequency_text(rule)
    after = after or kinds.frequency_text(rule)
    if before == after:
        return
    record(
        user,
        "activities.obligation",
        court,
        object_repr=f"{court.name} {rule.name}",
        before={"frequency": before},
        after={"frequency": after},
        org=court,
    )
