"""The liaison part (法官联系人) in the JSON API: assignments, visits, matters and their
handling, scoped like the pages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import StringConstraints

from tianping.accounts.api import OrgRef, Paging, PersonRef, page, requires, scope_of
from tianping.accounts.scoping import get_scoped, scoped
from tianping.lib.inputs import NUL_FREE, Day, EmployeeNo, Headcount, Id, OrgCode
from tianping.lib.sheets import employee_no_q
from tianping.orgs.models import Org
from tianping.people.models import Person
from tianping.service.actions import liaison as actions
from tianping.service.models.liaison import (
    ContactKind,
    LiaisonAssignment,
    Matter,
    MatterCategory,
)
from tianping.service.queries import liaison as queries

router = Router()

Short = Annotated[str, StringConstraints(max_length=200, pattern=NUL_FREE)]
Long = Annotated[str, StringConstraints(max_length=2000, pattern=NUL_FREE)]


class AssignmentOut(Schema):
    id: int
    court: OrgRef
    judge: PersonRef
    contact_kind: ContactKind
    contact_name: str
    contact_person: str
    starts_on: dt.date
    ends_on: dt.date | None
    visit_count: int
    matter_count: int
    open_count: int
    overdue_count: int = Field(description="提出超过30天仍未办结的诉求件数")


class AssignmentPage(Schema):
    count: int
    items: list[AssignmentOut]


class AssignmentFilters(Paging):
    court: OrgCode = Field("", description="法院代码：其本身及下级法院")
    kind: ContactKind | None = None


def _court(scope: Any, code: str) -> Org | None:
    return get_scoped(scope, Org.objects.courts(), code=code.strip()) if code.strip() else None


@router.get("/liaison/assignments", response=AssignmentPage, summary="法官联系人台账")
@requires("service.view")
def list_assignments(request: HttpRequest, filters: Query[AssignmentFilters]) -> dict[str, Any]:
    scope = scope_of(request)
    return page(
        queries.assignments(scope, _court(scope, filters.court), filters.kind or ""), filters
    )


class AssignIn(Schema):
    judge: EmployeeNo = Field(..., min_length=1, description="联系法官工号")
    contact_kind: ContactKind
    contact_name: Short = Field(..., min_length=1)
    contact_person: Annotated[str, StringConstraints(max_length=100, pattern=NUL_FREE)] = ""
    contact_phone: Annotated[str, StringConstraints(max_length=30, pattern=NUL_FREE)] = ""
    starts_on: Day
    ends_on: Day | None = None
    note: Annotated[str, StringConstraints(max_length=500, pattern=NUL_FREE)] = ""


@router.post("/liaison/assignments", response={201: AssignmentOut}, summary="安排法官联系人")
@requires("service.manage")
def assign(request: HttpRequest, payload: AssignIn) -> Status[LiaisonAssignment]:
    scope = scope_of(request)
    judge = scoped(scope, Person.objects.serving().filter(employee_no_q(payload.judge))).first()
    if judge is None:
        raise ValidationError({"judge": f"找不到工号为{payload.judge}的在职人员"})
    a = actions.do_assign(request.user, judge, **payload.dict(exclude={"judge"}))
    return Status(201, queries.assignments(scope).get(pk=a.pk))


class VisitOut(Schema):
    id: int
    activity_id: int
    on: dt.date
    title: str
    present: int


class MatterOut(Schema):
    id: int
    assignment_id: int
    judge: str
    contact_name: str
    text: str
    category: MatterCategory
    raised_on: dt.date
    raised_by: str
    closed_on: dt.date | None
    result: str
    overdue: bool = Field(description="提出超过30天仍未办结")


class MatterStepOut(Schema):
    on: dt.date
    text: str


class MatterDetailOut(MatterOut):
    steps: list[MatterStepOut]


class AssignmentDetailOut(AssignmentOut):
    visits: list[VisitOut]
    matters: list[MatterOut]


def _matter_out(m: Matter, today: dt.date) -> dict[str, Any]:
    return {
        "id": m.pk,
        "assignment_id": m.assignment_id,
        "judge": m.assignment.judge.name,
        "contact_name": m.assignment.contact_name,
        "text": m.text,
        "category": m.category,
        "raised_on": m.raised_on,
        "raised_by": m.raised_by,
        "closed_on": m.closed_on,
        "result": m.result,
        "overdue": m.overdue_on(today),
    }


@router.get(
    "/liaison/assignments/{assignment_id}",
    response=AssignmentDetailOut,
    summary="联系安排及其走访、诉求",
)
@requires("service.view")
def get_assignment(request: HttpRequest, assignment_id: Id) -> dict[str, Any]:
    scope = scope_of(request)
    a = get_scoped(scope, queries.assignments(scope), pk=assignment_id)
    today = timezone.localdate()
    return {
        **{f: getattr(a, f) for f in AssignmentOut.model_fields},
        "visits": [
            {
                "id": v.pk,
                "activity_id": v.activity_id,
                "on": v.activity.on,
                "title": v.activity.title,
                "present": v.present,  # type: ignore[attr-defined]
            }
            for v in queries.visits(scope, a)
        ],
        "matters": [_matter_out(m, today) for m in queries.matters(scope, assignment=a)],
    }


class RaisedIn(Schema):
    text: Long = Field(..., min_length=1)
    category: MatterCategory
    raised_by: Annotated[str, StringConstraints(max_length=100, pattern=NUL_FREE)] = Field(
        ..., min_length=1
    )


class VisitIn(Schema):
    on: Day
    title: Short = ""
    location: Short = ""
    summary: Annotated[str, StringConstraints(max_length=5000, pattern=NUL_FREE)] = ""
    met: Headcount | None = Field(None, description="接触群众/企业人数")
    companions: list[EmployeeNo] = Field(default_factory=list, max_length=50)
    matters: list[RaisedIn] = Field(default_factory=list, max_length=20)


@router.post(
    "/liaison/assignments/{assignment_id}/visits",
    response={201: VisitOut},
    summary="登记走访（记为法官联系走访活动，可一并登记诉求）",
)
@requires("service.record")
def record_visit(request: HttpRequest, assignment_id: Id, payload: VisitIn) -> Status[dict]:
    scope = scope_of(request)
    a = get_scoped(scope, LiaisonAssignment.objects.select_related("judge"), pk=assignment_id)
    companions = []
    for number in payload.companions:
        person = (
            Person.objects.serving()
            .filter(employee_no_q(number), court_id=a.judge.court_id)
            .first()
        )
        if person is None:
            raise ValidationError({"companions": f"找不到工号为{number}的本院在职人员"})
        companions.append(person)
    visit = actions.do_record_visit(
        request.user,
        a,
        on=payload.on,
        title=payload.title,
        location=payload.location,
        summary=payload.summary,
        met=payload.met,
        companions=companions,
        matters=[actions.RaisedMatter(m.text, m.category, m.raised_by) for m in payload.matters],
    )
    return Status(
        201,
        {
            "id": visit.pk,
            "activity_id": visit.activity_id,
            "on": visit.activity.on,
            "title": visit.activity.title,
            "present": visit.activity.attendance.filter(status="present").count(),
        },
    )


class MatterPage(Schema):
    count: int
    items: list[MatterOut]


class MatterFilters(Paging):
    court: OrgCode = ""
    state: str = Field(
        "",
        pattern=r"^(|open|overdue|closed)$",
        max_length=10,
        description="open 未办结、overdue 超期未办结、closed 已办结",
    )


@router.get("/liaison/matters", response=MatterPage, summary="联系诉求")
@requires("service.view")
def list_matters(request: HttpRequest, filters: Query[MatterFilters]) -> dict[str, Any]:
    scope = scope_of(request)
    found = page(queries.matters(scope, _court(scope, filters.court), filters.state), filters)
    today = timezone.localdate()
    return {"count": found["count"], "items": [_matter_out(m, today) for m in found["items"]]}


def _matter(request: HttpRequest, matter_id: int) -> Matter:
    return get_scoped(
        scope_of(request),
        Matter.objects.select_related("assignment", "assignment__judge"),
        pk=matter_id,
    )


def _detail(m: Matter) -> dict[str, Any]:
    return {
        **_matter_out(m, timezone.localdate()),
        "steps": [{"on": s.on, "text": s.text} for s in m.steps.order_by("on", "pk")],
    }


@router.get("/liaison/matters/{matter_id}", response=MatterDetailOut, summary="诉求及办理情况")
@requires("service.view")
def get_matter(request: HttpRequest, matter_id: Id) -> dict[str, Any]:
    return _detail(_matter(request, matter_id))


class MatterStepIn(Schema):
    on: Day
    text: Annotated[str, StringConstraints(max_length=1000, pattern=NUL_FREE)] = Field(
        ..., min_length=1
    )


@router.post("/liaison/matters/{matter_id}/steps", response=MatterDetailOut, summary="登记办理情况")
@requires("service.record")
def add_step(request: HttpRequest, matter_id: Id, payload: MatterStepIn) -> dict[str, Any]:
    m = _matter(request, matter_id)
    actions.do_add_step(request.user, m, on=payload.on, text=payload.text)
    return _detail(m)


class CloseIn(Schema):
    on: Day
    result: Long = Field(..., description="办理结果（必填）")


@router.post("/liaison/matters/{matter_id}/close", response=MatterDetailOut, summary="诉求办结")
@requires("service.record")
def close(request: HttpRequest, matter_id: Id, payload: CloseIn) -> dict[str, Any]:
    m = _matter(request, matter_id)
    m = actions.do_close_matter(request.user, m, on=payload.on, result=payload.result)
    return _detail(m)
