"""Activities, attendance and compliance in the JSON API: list, plan, record, correct, cancel."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models.functions import Upper
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from tianping.accounts.api import OrgRef, Paging, PersonRef, page, requires, scope_of
from tianping.accounts.scoping import Scope, get_scoped, scoped
from tianping.activities import actions, kinds
from tianping.activities.compliance import compliance, default_as_of
from tianping.activities.models import (
    Activity,
    ActivitySource,
    ActivityStatus,
    Attendance,
    AttendanceRole,
    AttendanceStatus,
)
from tianping.activities.queries import (
    ActivityFilter,
    activity_list,
    attendance_counts,
    expected_attendees,
)
from tianping.lib.inputs import (
    Day,
    EmployeeNo,
    Headcount,
    Id,
    LongText,
    OrgCode,
    Search,
    Text,
    Time,
    Year,
)
from tianping.lib.sheets import employee_key
from tianping.orgs.api import find_org
from tianping.orgs.models import COURT_KINDS, Org
from tianping.people.models import Person

router = Router(tags=["组织生活"])
compliance_router = Router(tags=["组织生活"])

# The kinds of the registry as an enumeration, so the schema lists the codes a client may send.
ActivityKind = StrEnum("ActivityKind", [(code, code) for code in kinds.KINDS])  # type: ignore[misc]
KIND_HELP = "活动类型代码：" + "、".join(f"{k.code}（{k.name}）" for k in kinds.KINDS.values())
RELATED = ("org", "host", "recorder", "lecturer")
PEOPLE_FIELDS = ("host", "recorder", "lecturer")
REQUIRED_FIELDS = ("kind", "title", "on")
TEXT_FIELDS = ("title", "location", "agenda", "summary")


# ---------------------------------------------------------------------------------------
# Schemas


class AttendanceCounts(Schema):
    present: int
    leave: int
    absent: int


class ActivityOut(Schema):
    id: int
    kind: str
    kind_name: str
    also_counts_as: list[str] = Field(
        description="同时计入的其他制度（活动类型代码，《中国共产党支部工作条例（试行）》第四章）"
    )
    org: OrgRef
    title: str
    on: dt.date
    start_time: dt.time | None
    end_time: dt.time | None
    location: str
    status: ActivityStatus
    status_name: str
    source: str
    attendance_counts: AttendanceCounts = Field(description="已记录的出勤人数（您可见的部分）")


class AttendanceOut(Schema):
    person_id: int
    employee_no: str
    name: str
    status: AttendanceStatus
    status_name: str
    role: AttendanceRole
    role_name: str
    reason: str = Field(description="请假/缺席原因，如“出差”；出席为空")
    makeup_on: dt.date | None = Field(description="补学日期（请假、缺席人员补学后登记）")
    makeup_method: str = Field(description="补学方式，如“自学会议精神”；补学不计积分")


class ActivityDetailOut(ActivityOut):
    agenda: str
    summary: str
    hours: float | None
    host: PersonRef | None
    recorder: PersonRef | None
    lecturer: PersonRef | None
    lecturer_is_secretary: bool
    external_audience: int | None
    cancel_reason: str
    attendance: list[AttendanceOut] = Field(description="已记录的出勤；党员本人只看到自己的一行")
    unrecorded: list[PersonRef] = Field(
        description="按活动日期应到、但尚未记录出勤的组织成员（组织关系历史）"
    )


class ActivityPage(Schema):
    count: int
    items: list[ActivityOut]


class ActivityFilters(Paging):
    org: OrgCode | None = Field(None, description="组织代码")
    subtree: bool = Field(True, description="默认含下级组织的活动；false 只列该组织本身的")
    kind: ActivityKind | None = Field(None, description="活动类型；也匹配同时计入该类型的活动")
    status: ActivityStatus | None = None
    start: Day | None = Field(None, description="起始日期（含）")
    end: Day | None = Field(None, description="截止日期（含）")
    q: Search = Field("", description="标题包含")


class ActivityFieldsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    start_time: Time | None = None
    end_time: Time | None = None
    location: Text | None = Field(None, max_length=200)
    agenda: LongText | None = None
    host: EmployeeNo | None = Field(None, description="主持人工号")
    recorder: EmployeeNo | None = Field(None, description="记录人工号")
    lecturer: EmployeeNo | None = Field(
        None, description="授课人工号（有授课人的活动类型，如党课）"
    )
    lecturer_is_secretary: bool | None = Field(None, description="授课人为党委（党组）书记")
    also_counts_as: list[ActivityKind] | None = Field(
        None,
        description="同时计入的其他制度，如主题党日同时讲党课（《中国共产党支部工作条例（试行）》第四章）",
    )


class ActivityCreateIn(ActivityFieldsIn):
    org: OrgCode = Field(..., min_length=1, description="开展活动的组织代码")
    kind: ActivityKind = Field(..., description=KIND_HELP)
    title: Text = Field("", max_length=200, description="留空则按“年月+活动类型”生成")
    on: Day = Field(..., description="活动日期")


class ActivityUpdateIn(ActivityFieldsIn):
    """Only the fields sent are changed; null clears an optional field."""

    kind: ActivityKind | None = Field(None, description=KIND_HELP)
    title: Text | None = Field(None, max_length=200)
    on: Day | None = None
    summary: LongText | None = None
    hours: Decimal | None = Field(None, gt=0, le=400, max_digits=5, decimal_places=1)
    external_audience: Headcount | None = None


class AttendanceRowIn(Schema):
    model_config = ConfigDict(extra="forbid")

    employee_no: EmployeeNo = Field(..., min_length=1)
    status: AttendanceStatus
    role: AttendanceRole | None = Field(None, description="不填则保持原角色（默认“参加”）")
    reason: Text | None = Field(
        None, max_length=100, description="请假/缺席原因，如“出差”；不填则保持原样，出席时不保存"
    )


class HeldIn(Schema):
    model_config = ConfigDict(extra="forbid")

    summary: LongText | None = Field(None, description="会议记录/内容摘要；不填则保持不变")
    hours: Decimal | None = Field(
        None,
        gt=0,
        le=400,
        max_digits=5,
        decimal_places=1,
        description="时长（小时）；不填则按开始、结束时间计算",
    )
    external_audience: Headcount | None = Field(None, description="群众/外部参与人数")
    attendance: list[AttendanceRowIn] = Field(
        default_factory=list,
        max_length=5000,
        description="只需列出本次新记录或有变化的人员；未列出的人员保持原状",
    )


class CorrectionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    employee_no: EmployeeNo = Field(..., min_length=1)
    status: AttendanceStatus
    role: AttendanceRole | None = None
    reason: Text | None = Field(
        None, max_length=100, description="请假/缺席原因；不填则保持原样，出席时不保存"
    )


class CancelIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field(..., min_length=1, max_length=200, description="取消原因")


class ComplianceRow(Schema):
    org: str
    org_name: str
    kind: str
    kind_name: str
    period: str = Field(description="2024-03 月、2024-Q1 季度、2024 年度")
    required: int
    held: int
    status: str = Field(description="met 已完成、missing 缺项、upcoming 未到期")


class ComplianceSummary(Schema):
    required: int
    met: int
    missing: int
    upcoming: int
    rate: float | None = Field(description="met / (met + missing)；尚无到期项时为 null")


class ComplianceOut(Schema):
    org: str
    year: int
    as_of: str
    rows: list[ComplianceRow]
    summary: ComplianceSummary


class ComplianceQuery(Schema):
    org: OrgCode = Field(..., min_length=1, description="组织代码：统计其本身及全部下级党组织")
    year: Year | None = Field(None, description="年度，默认今年")
    as_of: Day | None = Field(None, description="截至日期 YYYY-MM-DD；默认今天，往年为当年12月31日")


# ---------------------------------------------------------------------------------------
# Reading


def _people_ref(person: Person | None) -> dict[str, Any] | None:
    if person is None:
        return None
    return {"id": person.pk, "employee_no": person.employee_no, "name": person.name}


def activity_data(activity: Activity, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "id": activity.pk,
        "kind": activity.kind,
        "kind_name": activity.get_kind_display(),
        "also_counts_as": sorted(activity.counts_for - {activity.kind}),
        "org": activity.org,
        "title": activity.title,
        "on": activity.on,
        "start_time": activity.start_time,
        "end_time": activity.end_time,
        "location": activity.location,
        "status": activity.status,
        "status_name": activity.get_status_display(),
        "source": activity.source,
        "attendance_counts": {s: counts.get(s, 0) for s in AttendanceStatus.values},
    }


def activity_detail(scope: Scope, activity: Activity) -> dict[str, Any]:
    rows = list(
        scoped(scope, Attendance.objects.filter(activity=activity))
        .select_related("person")
        .order_by("person__employee_no", "pk")
    )
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row.status] += 1
    unrecorded: list[Person] = []
    # A member sees only their own row: the rest of the list is outside their scope.
    if (
        not scope.self_only
        and activity.status != ActivityStatus.CANCELLED
        and activity.kind_info.takes_attendance
    ):
        unrecorded = list(
            expected_attendees(activity.org, activity.on).exclude(
                pk__in=[r.person_id for r in rows]
            )
        )
    return {
        **activity_data(activity, counts),
        "agenda": activity.agenda,
        "summary": activity.summary,
        "hours": None if activity.hours is None else float(activity.hours),
        "host": _people_ref(activity.host),
        "recorder": _people_ref(activity.recorder),
        "lecturer": _people_ref(activity.lecturer),
        "lecturer_is_secretary": activity.lecturer_is_secretary,
        "external_audience": activity.external_audience,
        "cancel_reason": activity.cancel_reason,
        "attendance": [
            {
                "person_id": r.person_id,
                "employee_no": r.person.employee_no,
                "name": r.person.name,
                "status": r.status,
                "status_name": r.get_status_display(),
                "role": r.role,
                "role_name": r.get_role_display(),
                "reason": r.reason,
                "makeup_on": r.makeup_on,
                "makeup_method": r.makeup_method,
            }
            for r in rows
        ],
        "unrecorded": [_people_ref(p) for p in unrecorded],
    }


def get_activity(scope: Scope, pk: int) -> Activity:
    return get_scoped(scope, Activity.objects.select_related(*RELATED), pk=pk)


# ---------------------------------------------------------------------------------------
# Writing


def people_by_number(org: Org, numbers: Iterable[str]) -> dict[str, Person]:
    """People named by 工号 for an activity of `org`, in one query.

    As on the web (activities.forms.person_by_number): of the organisation's court, else of a
    court above it (a 中院 leader lecturing a 基层院 branch); the nearest court wins.
    """
    wanted = {employee_key(n) for n in numbers} - {""}
    if not wanted:
        return {}
    court = org.court()
    found: dict[str, Person] = {}
    for person in (
        Person.objects.annotate(number_key=Upper("employee_no"))
        .filter(
            number_key__in=wanted,
            court__path__in=[*court.ancestor_paths(), court.path],
            court__kind__in=COURT_KINDS,
        )
        .order_by("-court__depth", "pk")
    ):
        found.setdefault(employee_key(person.employee_no), person)
    return found


def _not_found(number: str) -> str:
    return f"找不到工号为“{number.strip().upper()}”的人员"


def activity_fields(org: Org, data: dict[str, Any]) -> dict[str, Any]:
    """Request values as the activity actions take them: people by 工号, blank text for null."""
    fields: dict[str, Any] = {}
    errors: dict[str, str] = {}
    people = people_by_number(org, (data[n] for n in PEOPLE_FIELDS if data.get(n)))
    for name, value in data.items():
        if name in PEOPLE_FIELDS:
            number = (value or "").strip().upper()
            fields[name] = people.get(number) if number else None
            if number and fields[name] is None:
                errors[name] = _not_found(number)
        elif name in REQUIRED_FIELDS and (value is None or not str(value).strip()):
            errors[name] = "此项不能为空"
        elif name in TEXT_FIELDS:
            fields[name] = (value or "").strip()
        elif name == "kind":
            fields[name] = str(value)
        elif name == "also_counts_as":
            fields[name] = [str(code) for code in value or []]
        elif name == "lecturer_is_secretary":
            fields[name] = bool(value)
        else:
            fields[name] = value
    if errors:
        raise ValidationError(errors)
    return fields


def attendance_changes(
    activity: Activity, rows: list[AttendanceRowIn]
) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    """The rows the caller sent, by person; every unknown or repeated 工号 named at once."""
    people = people_by_number(activity.org, (r.employee_no for r in rows))
    changes: dict[int, str] = {}
    roles: dict[int, str] = {}
    reasons: dict[int, str] = {}
    errors: dict[str, str] = {}
    for i, row in enumerate(rows):
        person = people.get(employee_key(row.employee_no))
        if person is None:
            errors[f"attendance.{i}.employee_no"] = _not_found(row.employee_no)
        elif person.pk in changes:
            errors[f"attendance.{i}.employee_no"] = f"工号“{person.employee_no}”重复"
        else:
            changes[person.pk] = str(row.status)
            if row.role is not None:
                roles[person.pk] = str(row.role)
            if row.reason is not None:
                reasons[person.pk] = row.reason
    if errors:
        raise ValidationError(errors)
    return changes, roles, reasons


def _refuse_cancelled(activity: Activity, message: str) -> None:
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError({"status": message})


# ---------------------------------------------------------------------------------------
# Operations


@router.get("", response=ActivityPage, summary="活动列表")
@requires("activities.view")
def list_activities(request: HttpRequest, filters: Query[ActivityFilters]) -> dict[str, Any]:
    scope = scope_of(request)
    f = ActivityFilter(
        q=filters.q,
        org=find_org(scope, filters.org, "org") if filters.org else None,
        subtree=filters.subtree,
        kind=str(filters.kind) if filters.kind is not None else "",
        status=filters.status or "",
        start=filters.start,
        end=filters.end,
    )
    result = page(activity_list(scope, f), filters)
    counts = attendance_counts(scope, (a.pk for a in result["items"]))
    result["items"] = [activity_data(a, counts.get(a.pk, {})) for a in result["items"]]
    return result


@router.get("/{int:activity_id}", response=ActivityDetailOut, summary="活动详情与出勤")
@requires("activities.view")
def get_activity_detail(request: HttpRequest, activity_id: Id) -> dict[str, Any]:
    scope = scope_of(request)
    return activity_detail(scope, get_activity(scope, activity_id))


@router.post("", response={201: ActivityDetailOut}, summary="计划活动")
@requires("activities.record")
def plan_activity(request: HttpRequest, payload: ActivityCreateIn) -> Status[dict[str, Any]]:
    scope = scope_of(request)
    org = find_org(scope, payload.org, "org")
    data = payload.model_dump(exclude={"org"})
    if not data["title"].strip():
        on, kind = payload.on, kinds.KINDS[str(payload.kind)]
        data["title"] = f"{on.year}年{on.month}月{kind.name}"
    activity = actions.do_plan_activity(
        request.user, org, source=ActivitySource.API, **activity_fields(org, data)
    )
    return Status(201, activity_detail(scope, get_activity(scope, activity.pk)))


@router.patch("/{int:activity_id}", response=ActivityDetailOut, summary="修改活动")
@requires("activities.record")
def update_activity(
    request: HttpRequest, activity_id: Id, payload: ActivityUpdateIn
) -> dict[str, Any]:
    scope = scope_of(request)
    activity = get_activity(scope, activity_id)
    _refuse_cancelled(activity, "已取消的活动不能修改")
    fields = activity_fields(activity.org, payload.model_dump(exclude_unset=True))
    if fields:
        # An action that changes nothing writes no audit row.
        actions.do_update_activity(request.user, activity, **fields)
    return activity_detail(scope, get_activity(scope, activity.pk))


@router.post("/{int:activity_id}/held", response=ActivityDetailOut, summary="记录召开情况与出勤")
@requires("activities.record")
def record_held(request: HttpRequest, activity_id: Id, payload: HeldIn) -> dict[str, Any]:
    scope = scope_of(request)
    activity = get_activity(scope, activity_id)
    changes, roles, reasons = attendance_changes(activity, payload.attendance)
    outcome = {
        name: value
        for name in ("summary", "hours", "external_audience")
        if (value := getattr(payload, name)) is not None
    }
    # Only the rows sent are passed on, so two secretaries recording at once lose nothing.
    actions.do_record_held(
        request.user, activity, attendance=changes, roles=roles, reasons=reasons, **outcome
    )
    return activity_detail(scope, get_activity(scope, activity.pk))


@router.post("/{int:activity_id}/attendance", response=ActivityDetailOut, summary="更正一人出勤")
@requires("activities.record")
def correct_attendance(
    request: HttpRequest, activity_id: Id, payload: CorrectionIn
) -> dict[str, Any]:
    """The points ledger follows a correction with reversing entries (R4.3)."""
    scope = scope_of(request)
    activity = get_activity(scope, activity_id)
    person = people_by_number(activity.org, [payload.employee_no]).get(
        employee_key(payload.employee_no)
    )
    if person is None:
        raise ValidationError({"employee_no": _not_found(payload.employee_no)})
    listed = (
        Attendance.objects.filter(activity=activity, person=person).exists()
        or expected_attendees(activity.org, activity.on).filter(pk=person.pk).exists()
    )
    if not listed:
        raise ValidationError(
            {"employee_no": f"{person.name}不在该活动的出勤名单中；补记出席人员请记录召开情况"}
        )
    role = str(payload.role) if payload.role is not None else None
    actions.do_set_attendance(
        request.user, activity, person, str(payload.status), role, reason=payload.reason
    )
    return activity_detail(scope, get_activity(scope, activity.pk))


@router.post("/{int:activity_id}/cancel", response=ActivityDetailOut, summary="取消活动")
@requires("activities.record")
def cancel_activity(request: HttpRequest, activity_id: Id, payload: CancelIn) -> dict[str, Any]:
    """A cancelled activity counts for nothing: no obligation met, its points reversed."""
    scope = scope_of(request)
    activity = get_activity(scope, activity_id)
    _refuse_cancelled(activity, "该活动已取消")
    try:
        actions.do_cancel(request.user, activity, payload.reason)
    except ValidationError as e:
        # The action names the model field; the caller sent `reason`.
        if hasattr(e, "error_dict") and "cancel_reason" in e.error_dict:
            raise ValidationError({"reason": e.message_dict["cancel_reason"]}) from None
        raise
    return activity_detail(scope, get_activity(scope, activity.pk))


@compliance_router.get(
    "",
    response=ComplianceOut,
    summary="组织生活合规情况（《中国共产党支部工作条例（试行）》第四章）",
)
@requires("compliance.view")
def get_compliance(request: HttpRequest, query: Query[ComplianceQuery]) -> dict[str, Any]:
    """The document of `tianping compliance --json` (CONTRACT.md) for an organisation in scope."""
    scope = scope_of(request)
    org = get_scoped(scope, Org.objects.all(), code=query.org.strip())
    year = query.year or timezone.localdate().year
    return compliance(org, year, query.as_of or default_as_of(year)).as_json()


__all__ = ["compliance_router", "router"]
