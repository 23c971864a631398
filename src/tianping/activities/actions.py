"""Writes to activities: plan, record as held with attendance, correct, cancel, attach evidence.

Every action runs in one transaction, writes its audit row, and announces the change with
`activity_changed` so derived ledgers (points) follow in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from tianping.activities import kinds
from tianping.activities.models import (
    Activity,
    ActivitySource,
    ActivityStatus,
    Attendance,
    AttendanceRole,
    AttendanceStatus,
    Evidence,
    EvidenceBlob,
)
from tianping.audit.recording import record, snapshot
from tianping.orgs.models import Org
from tianping.people.models import Person

# Sent inside the writing transaction after an activity's status or attendance changed.
# Receivers get `activity` and `user`; they must be idempotent (they may see the same state twice).
activity_changed = Signal()
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


def _apply_attendance(
    user: Any, activity: Activity, changes: dict[int, str], roles: dict[int, str] | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    """Upsert only the rows that changed, so two people editing one grid lose nothing."""
    roles = roles or {}
    existing = {
        a.person_id: a
        for a in Attendance.objects.filter(
            activity=activity, person_id__in=list(changes) + list(roles)
        )
    }
    names = dict(
        Person.objects.filter(pk__in=list(changes) + list(roles)).values_list("pk", "name")
    )
    unknown = (set(changes) | set(roles)) - set(names)
    if unknown:
        raise ValidationError({"attendance": f"未知人员：{sorted(unknown)}"})
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    hours = default_hours(activity)
    by = user if getattr(user, "pk", None) else None
    for person_id in set(changes) | set(roles):
        status = changes.get(person_id)
        if status is not None and status not in AttendanceStatus.values:
            raise ValidationError({"attendance": f"无效的出勤状态“{status}”"})
        row = existing.get(person_id)
        label = f"{names[person_id]}"
        if row is None:
            if status is None:
                continue
            row = Attendance(activity=activity, person_id=person_id, status=status, updated_by=by)
            before[label] = "—"
        else:
            before[label] = row.get_status_display()
        if status is not None:
            row.status = status
        if person_id in roles:
            row.role = roles[person_id]
        row.hours = hours if row.status == AttendanceStatus.PRESENT else None
        row.updated_by = by
        row.save()
        after[label] = row.get_status_display() + (
            "" if row.role == AttendanceRole.PARTICIPANT else f"（{row.get_role_display()}）"
        )
    return before, after


@transaction.atomic
def do_record_held(
    user: Any,
    activity: Activity,
    *,
    attendance: dict[int, str],
    roles: dict[int, str] | None = None,
    summary: str | None = None,
    hours: Decimal | None = None,
    external_audience: int | None = None,
) -> Activity:
    """Record a planned (or already held) activity as held, with the attendance that changed."""
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
        was, now = _apply_attendance(user, activity, attendance, roles)
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
    user: Any, activity: Activity, person: Person, status: str, role: str | None = None
) -> Attendance:
    """Correct one person's attendance of a held activity."""
    activity = Activity.objects.select_for_update().select_related("org").get(pk=activity.pk)
    if activity.status != ActivityStatus.HELD:
        raise ValidationError({"status": "只有已召开的活动才能更正出勤"})
    was, now = _apply_attendance(
        user, activity, {person.pk: status}, {person.pk: role} if role else None
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
        summary=summary,
        external_audience=external_audience,
    )


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
    "activity_changed",
    "review_closed",
    "do_add_evidence",
    "do_cancel",
    "do_plan_activity",
    "do_record_held",
    "do_record_past_activity",
    "do_set_attendance",
    "do_update_activity",
]


@transaction.atomic
def do_set_obligation(user: Any, court: Org, obligation: str, period: str, count: int) -> None:
    """A court's own frequency for a configurable obligation (R1.5); default restores the rule."""
    from tianping.activities.models import ObligationSetting

    rule = kinds.OBLIGATIONS.get(obligation)
    if rule is None or not rule.configurable:
        raise ValidationError({"obligation": "该制度的频次不可调整"})
    if period not in kinds.Period.__members__.values() or not 1 <= count <= 31:
        raise ValidationError({"count": "请填写有效的周期和次数（1–31）"})
    current = ObligationSetting.objects.filter(court=court, obligation=obligation).first()
    before = (
        {"period": current.period, "count": current.count}
        if current
        else {"period": rule.period.value, "count": rule.count}
    )
    if period == rule.period and count == rule.count:
        if current is not None:
            ObligationSetting.objects.filter(pk=current.pk).delete()
    else:
        ObligationSetting.objects.update_or_create(
            court=court, obligation=obligation, defaults={"period": period, "count": count}
        )
    record(
        user,
        "activities.obligation",
        court,
        object_repr=f"{court.name} {rule.name}",
        before=before,
        after={"period": period, "count": count},
        org=court,
    )
