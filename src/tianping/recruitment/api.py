"""发展党员 in the JSON API: the files, one file with its steps and what is next, recording steps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from tianping.accounts.api import (
    InvalidOut,
    OrgRef,
    Paging,
    PersonRef,
    page,
    requires,
    scope_of,
)
from tianping.accounts.scoping import Scope, get_scoped, scoped
from tianping.activities.models import Activity
from tianping.lib.inputs import MAX_COUNT, Day, EmployeeNo, Headcount, Id, OrgCode, Text
from tianping.lib.sheets import employee_no_q
from tianping.orgs.api import find_org
from tianping.orgs.models import OrgKind
from tianping.people.models import Person
from tianping.recruitment import actions, queries, rules
from tianping.recruitment.models import OPEN_STAGES, Recruit, Stage, Step, StepKind, StepRole

router = Router(tags=["发展党员"])

RECORDABLE = tuple(k.value for k in StepKind if k != StepKind.APPLICATION)


class FlagOut(Schema):
    rule: str
    message: str


class StepPersonOut(Schema):
    person: PersonRef
    role: str
    role_name: str


class StepOut(Schema):
    id: int
    kind: str
    kind_name: str
    on: dt.date
    ends_on: dt.date | None = Field(description="公示截止日期（仅公示步骤）")
    note: str
    people: list[StepPersonOut] = Field(description="培养联系人或入党介绍人")
    days: int | None
    hours: Decimal | None
    entitled: int | None = Field(
        description="有表决权的正式党员数（《中国共产党发展党员工作细则》第四章）"
    )
    present: int | None
    votes_yes: int | None
    votes_no: int | None
    votes_abstain: int | None
    activity_id: int | None = Field(description="讨论该步骤的支部党员大会")
    approver: str
    special: bool
    months: int | None
    flags: list[FlagOut] = Field(description="按规定应提示但不阻止记录的情况，如谈话逾期")
    evidence_name: str


class RecruitOut(Schema):
    id: int
    person: PersonRef
    branch: OrgRef
    stage: str
    stage_name: str
    awaiting_approval: bool = Field(description="支部大会已通过、待上级党委审批")
    applied_on: dt.date
    talked_on: dt.date | None
    activist_on: dt.date | None
    candidate_on: dt.date | None
    resolution_on: dt.date | None = Field(description="支部大会通过之日，即入党时间")
    approved_on: dt.date | None
    probation_ends_on: dt.date | None
    extension_months: int | None
    full_on: dt.date | None = Field(description="转为正式党员之日，党龄自此起算")
    closed_on: dt.date | None


class NextStepOut(Schema):
    kind: str
    kind_name: str
    possible_on: dt.date | None = Field(description="最早可记录的日期；null 表示需先完成其他步骤")
    waiting_for: list[str]
    due_on: dt.date | None
    rule: str


class DueOut(Schema):
    recruit_id: int
    rule: str
    what: str
    on: dt.date
    deadline: bool = Field(description="true 为期限（可能逾期），false 为可办理之日")
    overdue: bool
    sentence: str


class RecruitDetailOut(RecruitOut):
    contacts: list[PersonRef]
    introducers: list[PersonRef]
    training_days: int
    training_hours: Decimal
    steps: list[StepOut]
    next_steps: list[NextStepOut]
    dues: list[DueOut]


class RecruitPage(Schema):
    count: int
    items: list[RecruitOut]


class DuePage(Schema):
    count: int
    items: list[DueOut]


class RecruitFilters(Paging):
    org: OrgCode | None = Field(None, description="组织代码：法院、党委或支部，含其下级")
    stage: Stage | None = None


class DueFilters(Schema):
    org: OrgCode | None = Field(None, description="组织代码，默认为当前范围")
    days: int = Field(queries.HORIZON_DAYS, ge=0, le=366, description="往后看多少天；逾期的总列出")


class OpenIn(Schema):
    model_config = ConfigDict(extra="forbid")

    branch: OrgCode = Field(..., min_length=1, description="党支部代码")
    person_id: Id | None = Field(None, description="申请人编号；或用 employee_no")
    employee_no: EmployeeNo | None = Field(None, description="申请人工号（该支部所在法院）")
    applied_on: Day = Field(..., description="递交入党申请书的日期")
    note: Text = Field("", max_length=2000)


class StepIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: Literal[RECORDABLE] = Field(..., description="步骤")  # type: ignore[valid-type]
    on: Day = Field(..., description="日期；公示为开始日期")
    ends_on: Day | None = Field(None, description="公示截止日期")
    note: Text = Field("", max_length=2000)
    people: list[EmployeeNo] = Field(
        max_length=20,
        default_factory=list,
        description="培养联系人或入党介绍人的工号（该支部所在法院）",
    )
    days: int | None = Field(None, ge=0, le=365)
    hours: Decimal | None = Field(None, ge=0, max_digits=5, decimal_places=1)
    entitled: int | None = Field(
        None, ge=1, le=MAX_COUNT, description="有表决权的正式党员数；省略则按花名册计算"
    )
    entitled_note: Text = Field("", max_length=200)
    present: int | None = Field(
        None,
        ge=0,
        le=MAX_COUNT,
        description="到会有表决权党员数；指定支部党员大会时按其出勤记录计算，填写的须一致",
    )
    votes_yes: Headcount | None = None
    votes_no: Headcount | None = None
    votes_abstain: Headcount | None = None
    activity_id: Id | None = Field(None, description="支部党员大会的活动编号；省略则新记录一次")
    approver: Text = Field("", max_length=100)
    special: bool = False
    months: int | None = Field(None, ge=1, le=24)


class RefusalOut(Schema):
    rule: str
    field: str
    message: str
    possible_on: dt.date | None


class RefusedOut(InvalidOut):
    """422: invalid input, and for a step the rules refused, those rules (R2)."""

    refusals: list[RefusalOut] = Field(
        default_factory=list, description="拒绝记录的规则；输入本身无效时为空"
    )
    possible_on: dt.date | None = Field(
        None, description="仅因时间未到而不能记录时，最早可记录的日期"
    )


class StepRecordedOut(Schema):
    step: StepOut
    file: RecruitDetailOut


def _person_ref(person: Person) -> dict[str, Any]:
    return {"id": person.pk, "employee_no": person.employee_no, "name": person.name}


def recruit_data(recruit: Recruit) -> dict[str, Any]:
    return {
        "id": recruit.pk,
        "person": _person_ref(recruit.person),
        "branch": recruit.branch,
        "stage": recruit.stage,
        "stage_name": recruit.get_stage_display(),
        "awaiting_approval": recruit.awaiting_approval,
        **{
            name: getattr(recruit, name)
            for name in (
                "applied_on",
                "talked_on",
                "activist_on",
                "candidate_on",
                "resolution_on",
                "approved_on",
                "probation_ends_on",
                "extension_months",
                "full_on",
                "closed_on",
            )
        },
    }


def step_data(step: Step) -> dict[str, Any]:
    return {
        "id": step.pk,
        "kind": step.kind,
        "kind_name": step.get_kind_display(),
        "on": step.on,
        "ends_on": step.ends_on,
        "note": step.note,
        "people": [
            {
                "person": _person_ref(sp.person),
                "role": sp.role,
                "role_name": sp.get_role_display(),
            }
            for sp in step.step_people.all()
        ],
        **{
            name: getattr(step, name)
            for name in (
                "days",
                "hours",
                "entitled",
                "present",
                "votes_yes",
                "votes_no",
                "votes_abstain",
                "activity_id",
                "approver",
                "special",
                "months",
                "evidence_name",
            )
        },
        "flags": step.flags or [],
    }


def due_data(due: rules.Due, today: dt.date) -> dict[str, Any]:
    return {
        "recruit_id": due.recruit.pk,
        "rule": due.rule,
        "what": due.what,
        "on": due.on,
        "deadline": due.deadline,
        "overdue": due.overdue(today),
        "sentence": due.sentence(today),
    }


def detail_data(scope: Scope, recruit: Recruit) -> dict[str, Any]:
    steps = list(
        scoped(scope, Step.objects.filter(recruit=recruit))
        .prefetch_related(queries.people_prefetch())
        .order_by("on", "id")
    )
    today = timezone.localdate()
    days, hours = rules.training_totals(steps)
    nexts = (
        rules.next_steps(recruit, steps, actions.notice_days(recruit.branch.court()))
        if recruit.is_open
        else []
    )
    return {
        **recruit_data(recruit),
        "contacts": [
            _person_ref(p)
            for p in rules.current_people(
                steps, StepRole.CONTACT, (StepKind.ACTIVIST, StepKind.CONTACTS)
            )
        ],
        "introducers": [
            _person_ref(p)
            for p in rules.current_people(steps, StepRole.INTRODUCER, (StepKind.INTRODUCERS,))
        ],
        "training_days": days,
        "training_hours": hours,
        "steps": [step_data(s) for s in steps],
        "next_steps": [
            {
                "kind": n.kind,
                "kind_name": n.label,
                "possible_on": n.possible_on,
                "waiting_for": list(n.waiting_for),
                "due_on": n.due_on,
                "rule": n.rule,
            }
            for n in nexts
        ],
        "dues": [due_data(d, today) for d in rules.dues(recruit, steps, today)]
        if recruit.is_open
        else [],
    }


def get_file(scope: Scope, recruit_id: int) -> Recruit:
    return get_scoped(
        scope, Recruit.objects.select_related("person", "person__court", "branch"), pk=recruit_id
    )


def _people_by_number(scope: Scope, recruit: Recruit, numbers: list[str]) -> list[Person]:
    """Contacts or introducers by 工号, among the people the caller may see: a number out of
    scope reads as absent, so a lookup tells no one a name or a party status."""
    court = recruit.branch.court()
    wanted = [n.strip().upper() for n in numbers if n.strip()]
    people = scoped(scope, Person.objects.filter(court=court, employee_no__in=wanted))
    found = {p.employee_no: p for p in people}
    missing = [n for n in wanted if n not in found]
    if missing:
        raise ValidationError({"people": f"{court.name}花名册中没有工号：{'、'.join(missing)}"})
    return [found[n] for n in dict.fromkeys(wanted)]


@router.get("", response=RecruitPage, summary="发展党员档案列表")
@requires("membership.view")
def list_files(request: HttpRequest, filters: Query[RecruitFilters]) -> dict[str, Any]:
    scope = scope_of(request)
    org = find_org(scope, filters.org, "org") if filters.org else None
    qs = queries.files_in(scope, org)
    if filters.stage is not None:
        qs = qs.filter(stage=filters.stage)
    result = page(qs, filters)
    result["items"] = [recruit_data(r) for r in result["items"]]
    return result


@router.get("/due", response=DuePage, summary="到期事项：谈话、考察、公示、审批、预备期满")
@requires("membership.view")
def list_due(request: HttpRequest, filters: Query[DueFilters]) -> dict[str, Any]:
    scope = scope_of(request)
    org = find_org(scope, filters.org, "org") if filters.org else None
    today = timezone.localdate()
    files = queries.files_in(scope, org).filter(stage__in=OPEN_STAGES)
    items: list[rules.Due] = []
    for recruit in files.prefetch_related(queries.steps_prefetch()):
        items += queries.upcoming(
            rules.dues(recruit, list(recruit.steps.all()), today), today, filters.days
        )
    items.sort(key=lambda d: (d.on, d.recruit.person.name))
    return {"count": len(items), "items": [due_data(d, today) for d in items]}


@router.get("/{int:recruit_id}", response=RecruitDetailOut, summary="发展党员档案详情")
@requires("membership.view")
def get_file_detail(request: HttpRequest, recruit_id: Id) -> dict[str, Any]:
    scope = scope_of(request)
    return detail_data(scope, get_file(scope, recruit_id))


def refused(error: rules.StepRefused) -> Status[dict[str, Any]]:
    """422 with the rules that refused the step, beside the usual `detail` and `errors`."""
    errors = error.message_dict
    return Status(
        422,
        {
            "detail": "；".join(m for messages in errors.values() for m in messages),
            "errors": errors,
            "refusals": [r.as_dict() for r in error.refusals],
            "possible_on": error.possible_on,
        },
    )


@router.post(
    "", response={201: RecruitDetailOut, 422: RefusedOut}, summary="登记入党申请（建立档案）"
)
@requires("membership.manage")
def open_file(request: HttpRequest, payload: OpenIn) -> Status[dict[str, Any]]:
    scope = scope_of(request)
    branch = find_org(scope, payload.branch, "branch", {OrgKind.BRANCH})
    if payload.person_id is not None:
        person = scoped(scope, Person.objects.filter(pk=payload.person_id)).first()
        if person is None:
            raise ValidationError({"person_id": f"找不到编号为{payload.person_id}的人员"})
    elif payload.employee_no:
        number = payload.employee_no.strip().upper()
        # Out of what the caller may name, a number reads as absent.
        person = (
            queries.applicant_lookup(scope, branch.court()).filter(employee_no_q(number)).first()
        )
        if person is None:
            raise ValidationError(
                {"employee_no": f"{branch.court().name}花名册中没有工号“{number}”"}
            )
    else:
        raise ValidationError({"person_id": "请指定申请人：person_id 或 employee_no"})
    try:
        recruit = actions.do_open_file(
            request.user, person, branch, on=payload.applied_on, note=payload.note
        )
    except rules.StepRefused as e:
        return refused(e)
    return Status(201, detail_data(scope, get_file(scope, recruit.pk)))


@router.post(
    "/{int:recruit_id}/steps",
    response={201: StepRecordedOut, 422: RefusedOut},
    summary="记录一个步骤（按R2逐条检查）",
)
@requires("membership.manage")
def record_step(request: HttpRequest, recruit_id: Id, payload: StepIn) -> Status[dict[str, Any]]:
    scope = scope_of(request)
    recruit = get_file(scope, recruit_id)
    activity = (
        get_scoped(scope, Activity.objects.all(), pk=payload.activity_id)
        if payload.activity_id is not None
        else None
    )
    step = rules.StepInput(
        kind=payload.kind,
        on=payload.on,
        ends_on=payload.ends_on,
        note=payload.note,
        people=_people_by_number(scope, recruit, payload.people) if payload.people else [],
        days=payload.days,
        hours=payload.hours,
        entitled=payload.entitled,
        entitled_note=payload.entitled_note,
        present=payload.present,
        votes_yes=payload.votes_yes,
        votes_no=payload.votes_no,
        votes_abstain=payload.votes_abstain,
        activity=activity,
        approver=payload.approver,
        special=payload.special,
        months=payload.months,
    )
    try:
        done = actions.do_record_step(request.user, recruit, step)
    except rules.StepRefused as e:
        return refused(e)
    done = Step.objects.prefetch_related(queries.people_prefetch()).get(pk=done.pk)
    return Status(
        201, {"step": step_data(done), "file": detail_data(scope, get_file(scope, recruit.pk))}
    )
