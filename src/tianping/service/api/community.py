"""Community work in the JSON API: 双报到 (the overview, a member's services, registering and
recording), 结对共建 (partners, agreements with their status and joint activities) and 我为群众办实事
(the list with overdue flags, counts per court, a deed's history, moving a deed on)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import StringConstraints

from tianping.accounts.api import OrgRef, Paging, PersonRef, page, requires, scope_of
from tianping.accounts.scoping import Scope, get_scoped, scoped
from tianping.activities.models import Activity
from tianping.lib.inputs import NUL_FREE, Day, Id, OrgCode, Search, Year
from tianping.orgs.models import Org
from tianping.people.models import Person
from tianping.service.actions import community as actions
from tianping.service.models.community import (
    SERVICE_KINDS,
    Agreement,
    AgreementStatus,
    CommunityRegistration,
    CommunityService,
    Deed,
    DeedStatus,
    PartnerKind,
)
from tianping.service.queries import community as queries

router = Router()

Name = Annotated[str, StringConstraints(max_length=100, pattern=NUL_FREE)]
Title = Annotated[str, StringConstraints(max_length=200, pattern=NUL_FREE)]
Note = Annotated[str, StringConstraints(max_length=500, pattern=NUL_FREE)]
Body = Annotated[str, StringConstraints(max_length=5000, pattern=NUL_FREE)]
Hours = Annotated[Decimal, Field(gt=0, le=24, max_digits=3, decimal_places=1)]


def _this_year() -> int:
    return timezone.localdate().year


# ---------------------------------------------------------------------------------------
# 双报到


class RegistrationMemberOut(Schema):
    person: PersonRef
    party_org: OrgRef | None
    community: str = Field(description="报到社区；未报到为空")
    district: str
    services: int = Field(description="当年社区服务次数（不含已撤销）")
    service_hours: Decimal


class MemberPage(Schema):
    count: int
    registered: int
    items: list[RegistrationMemberOut]


class MemberFilters(Paging):
    year: Year | None = None
    registered: Literal["yes", "no", ""] = Field("", description="yes 已报到、no 未报到")
    q: Search = ""


@router.get(
    "/community/registrations", response=MemberPage, summary="双报到情况：党员报到社区及当年服务"
)
@requires("service.view")
def list_members(request: HttpRequest, filters: Query[MemberFilters]) -> dict[str, Any]:
    f = queries.MemberFilter(
        year=filters.year or _this_year(), registered=filters.registered, q=filters.q.strip()
    )
    people = queries.member_overview(scope_of(request), f)
    found = page(people, filters)
    found["registered"] = queries.overview_totals(people, f.year).registered
    found["items"] = [
        {
            "person": p,
            "party_org": p.party_org,
            "community": p.community,
            "district": p.district,
            "services": p.services,
            "service_hours": p.service_hours,
        }
        for p in found["items"]
    ]
    return found


class RegistrationOut(Schema):
    id: int
    person: PersonRef
    community: str
    district: str
    registered_on: dt.date
    ended_on: dt.date | None


class CommunityServiceOut(Schema):
    id: int
    registration_id: int
    person: PersonRef
    on: dt.date
    content: str
    hours: Decimal
    activity_id: int | None
    withdrawn: bool = Field(description="已撤销的记录不计入服务次数和时长")


class PersonRecordOut(Schema):
    person: PersonRef
    registrations: list[RegistrationOut]
    services: list[CommunityServiceOut]


def _service_out(s: CommunityService) -> dict[str, Any]:
    return {
        "id": s.pk,
        "registration_id": s.registration_id,
        "person": s.person,
        "on": s.on,
        "content": s.content,
        "hours": s.hours,
        "activity_id": s.activity_id,
        "withdrawn": s.withdrawn_at is not None,
    }


class CommunityYearFilter(Schema):
    year: Year | None = None


@router.get(
    "/community/people/{person_id}",
    response=PersonRecordOut,
    summary="一名党员的双报到记录和当年社区服务",
)
@requires("service.view")
def person_record(
    request: HttpRequest, person_id: Id, filters: Query[CommunityYearFilter]
) -> dict[str, Any]:
    scope = scope_of(request)
    person = get_scoped(scope, Person.objects.all(), pk=person_id)
    return {
        "person": person,
        "registrations": list(queries.registrations(scope, person).select_related("person")),
        "services": [
            _service_out(s)
            for s in queries.services(scope, person=person, year=filters.year or _this_year())
        ],
    }


def _for_person(request: HttpRequest, scope: Scope, person_id: int | None) -> Person:
    """The member a write is for: oneself, or (service.record) a member in scope."""
    if person_id is None or person_id == scope.person_id:
        person = Person.objects.filter(pk=scope.person_id).first() if scope.person_id else None
        if person is None:
            raise ValidationError({"person_id": "当前账户未关联人员档案，请指明党员"})
        return person
    person = get_scoped(scope, Person.objects.all(), pk=person_id)
    if not scope.can("service.record"):
        raise PermissionDenied("service.record")
    return person


class RegisterIn(Schema):
    person_id: Id | None = Field(None, description="为他人登记时填写（须有登记权限）；本人报到不填")
    community: Name
    district: Name = ""
    registered_on: Day


@router.post(
    "/community/registrations",
    response={201: RegistrationOut},
    summary="到社区报到（本人；书记可为本支部党员登记）",
)
@requires("service.view")
def register(request: HttpRequest, payload: RegisterIn) -> Status[CommunityRegistration]:
    scope = scope_of(request)
    person = _for_person(request, scope, payload.person_id)
    registration = actions.do_register(
        request.user,
        person,
        community=payload.community,
        district=payload.district,
        registered_on=payload.registered_on,
    )
    return Status(201, registration)


class CommunityServiceIn(Schema):
    registration_id: Id
    on: Day
    content: Title
    hours: Hours
    activity_id: Id | None = None


@router.post("/community/services", response={201: CommunityServiceOut}, summary="登记社区服务")
@requires("service.view")
def record_service(request: HttpRequest, payload: CommunityServiceIn) -> Status[dict[str, Any]]:
    scope = scope_of(request)
    registration = get_scoped(
        scope,
        CommunityRegistration.objects.select_related("person", "person__court"),
        pk=payload.registration_id,
    )
    _for_person(request, scope, registration.person_id)
    activity = None
    if payload.activity_id is not None:
        activity = (
            scoped(scope, Activity.objects.filter(pk=payload.activity_id, kind__in=SERVICE_KINDS))
            .select_related("org")
            .first()
        )
        if activity is None:
            raise ValidationError({"activity_id": f"找不到编号为{payload.activity_id}的服务活动"})
    service = actions.do_record_service(
        request.user,
        registration,
        on=payload.on,
        content=payload.content,
        hours=payload.hours,
        activity=activity,
    )
    return Status(201, _service_out(service))


# ---------------------------------------------------------------------------------------
# 结对共建


class PartnerOut(Schema):
    id: int
    court: OrgRef
    name: str
    kind: PartnerKind
    contact: str
    agreement_count: int
    agreements_in_force: int


class PartnerPage(Schema):
    count: int
    items: list[PartnerOut]


class PartnerFilters(Paging):
    kind: PartnerKind | None = None
    q: Search = ""


@router.get("/community/partners", response=PartnerPage, summary="共建单位")
@requires("service.view")
def list_partners(request: HttpRequest, filters: Query[PartnerFilters]) -> dict[str, Any]:
    f = queries.PartnerFilter(kind=filters.kind or "", q=filters.q.strip())
    return page(queries.partners(scope_of(request), f), filters)


class AgreementOut(Schema):
    id: int
    title: str
    partner: str = Field(description="共建单位名称")
    partner_id: int
    org: OrgRef = Field(description="签约党组织")
    signed_on: dt.date
    starts_on: dt.date
    ends_on: dt.date
    status: AgreementStatus = Field(description="pending 未生效、in_force 履行中、expired 已到期")
    joint_count: int


class AgreementDetailOut(AgreementOut):
    content: str
    activity_ids: list[int]


class AgreementPage(Schema):
    count: int
    items: list[AgreementOut]


class AgreementFilters(Paging):
    status: AgreementStatus | None = None
    kind: PartnerKind | None = None
    q: Search = ""


def _agreement_out(a: Agreement) -> dict[str, Any]:
    return {
        "id": a.pk,
        "title": a.title,
        "partner": a.partner.name,
        "partner_id": a.partner_id,
        "org": a.org,
        "signed_on": a.signed_on,
        "starts_on": a.starts_on,
        "ends_on": a.ends_on,
        "status": a.state,  # type: ignore[attr-defined]
        "joint_count": a.joint_count,  # type: ignore[attr-defined]
    }


@router.get("/community/agreements", response=AgreementPage, summary="结对共建协议及其状态")
@requires("service.view")
def list_agreements(request: HttpRequest, filters: Query[AgreementFilters]) -> dict[str, Any]:
    f = queries.AgreementFilter(
        status=filters.status or "", kind=filters.kind or "", q=filters.q.strip()
    )
    found = page(queries.agreements(scope_of(request), f), filters)
    found["items"] = [_agreement_out(a) for a in found["items"]]
    return found


@router.get(
    "/community/agreements/{agreement_id}",
    response=AgreementDetailOut,
    summary="共建协议及共建活动",
)
@requires("service.view")
def get_agreement(request: HttpRequest, agreement_id: Id) -> dict[str, Any]:
    scope = scope_of(request)
    agreement = get_scoped(scope, queries.agreements(scope), pk=agreement_id)
    return {
        **_agreement_out(agreement),
        "content": agreement.content,
        "activity_ids": [j.activity_id for j in queries.joint_activities(agreement)],
    }


# ---------------------------------------------------------------------------------------
# 我为群众办实事


class DeedOut(Schema):
    id: int
    year: int
    org: OrgRef
    court: OrgRef
    title: str
    owner: PersonRef
    deadline: dt.date
    status: DeedStatus
    overdue: bool = Field(description="完成时限已过且未办结、未取消")
    done_on: dt.date | None
    delivered: int = Field(description="关联的办理活动数")


class DeedStepOut(Schema):
    from_status: DeedStatus | Literal[""]
    to_status: DeedStatus
    on: dt.date
    note: str


class DeedDetailOut(DeedOut):
    description: str
    completion_note: str
    history: list[DeedStepOut]
    activity_ids: list[int]


class DeedPage(Schema):
    count: int
    items: list[DeedOut]


class DeedFilters(Paging):
    year: Year | None = None
    status: DeedStatus | None = None
    overdue: bool = False
    q: Search = ""


def _deed_out(d: Deed) -> dict[str, Any]:
    return {
        "id": d.pk,
        "year": d.year,
        "org": d.org,
        "court": d.court,
        "title": d.title,
        "owner": d.owner,
        "deadline": d.deadline,
        "status": d.status,
        "overdue": bool(d.is_overdue),  # type: ignore[attr-defined]
        "done_on": d.done_on,
        "delivered": d.delivered,  # type: ignore[attr-defined]
    }


@router.get("/community/deeds", response=DeedPage, summary="我为群众办实事清单（逾期在前）")
@requires("service.view")
def list_deeds(request: HttpRequest, filters: Query[DeedFilters]) -> dict[str, Any]:
    f = queries.DeedFilter(
        year=filters.year, status=filters.status or "", overdue=filters.overdue, q=filters.q.strip()
    )
    found = page(queries.deeds(scope_of(request), f), filters)
    found["items"] = [_deed_out(d) for d in found["items"]]
    return found


class CountOut(Schema):
    court: OrgRef
    promised: int = Field(description="承诺件数（不含已取消）")
    done: int
    in_progress: int
    overdue: int
    cancelled: int


@router.get(
    "/community/deeds/counts",
    response=list[CountOut],
    summary="各院办实事：承诺N件、已办结M件、逾期K件",
)
@requires("service.view")
def deed_counts(
    request: HttpRequest, filters: Query[CommunityYearFilter]
) -> list[queries.CourtCount]:
    return queries.deed_counts(scope_of(request), filters.year or _this_year())


def _deed_detail(scope: Scope, deed_id: int) -> dict[str, Any]:
    deed = get_scoped(scope, queries.deeds(scope), pk=deed_id)
    return {
        **_deed_out(deed),
        "description": deed.description,
        "completion_note": deed.completion_note,
        "history": list(queries.deed_history(deed)),
        "activity_ids": [d.activity_id for d in queries.deed_deliveries(deed)],
    }


@router.get("/community/deeds/{deed_id}", response=DeedDetailOut, summary="办实事事项及办理进展")
@requires("service.view")
def get_deed(request: HttpRequest, deed_id: Id) -> dict[str, Any]:
    return _deed_detail(scope_of(request), deed_id)


class DeedIn(Schema):
    org: OrgCode = Field(description="承诺单位（法院或党组织）代码")
    year: Year
    title: Title
    description: Body = ""
    owner_id: Id
    deadline: Day


@router.post(
    "/community/deeds",
    response={201: DeedDetailOut},
    summary="列入办实事清单（书记、机关党委、政治部）",
)
@requires("service.view")
def promise_deed(request: HttpRequest, payload: DeedIn) -> Status[dict[str, Any]]:
    scope = scope_of(request)
    if not (scope.can("service.record") or scope.can("service.manage")):
        raise PermissionDenied("service.record")
    org = scoped(scope, Org.objects.filter(code=payload.org)).first()
    if org is None:
        raise ValidationError({"org": f"找不到代码为{payload.org}的组织"})
    owner = scoped(scope, Person.objects.filter(pk=payload.owner_id)).first()
    if owner is None:
        raise ValidationError({"owner_id": f"找不到编号为{payload.owner_id}的人员"})
    deed = actions.do_promise_deed(
        request.user,
        org,
        year=payload.year,
        title=payload.title,
        description=payload.description,
        owner=owner,
        deadline=payload.deadline,
    )
    return Status(201, _deed_detail(scope, deed.pk))


class StatusIn(Schema):
    status: DeedStatus = Field(description="in_progress 进行中、done 已完成、cancelled 已取消")
    on: Day | None = None
    note: Note = ""
    completion_note: Body = Field("", description="办结时必填")


@router.post(
    "/community/deeds/{deed_id}/status",
    response=DeedDetailOut,
    summary="更新办实事进展（办结须写办结情况，取消须说明原因）",
)
@requires("service.view")
def move_deed(request: HttpRequest, deed_id: Id, payload: StatusIn) -> dict[str, Any]:
    scope = scope_of(request)
    deed = get_scoped(scope, Deed.objects.select_related("org"), pk=deed_id)
    may = (
        (scope.can("service.record") or scope.can("service.manage"))
        and scope.covers_path(deed.org.path)
    ) or deed.owner_id == scope.person_id
    if not may:
        raise PermissionDenied("service.record")
    actions.do_set_deed_status(
        request.user,
        deed,
        payload.status,
        on=payload.on,
        note=payload.note,
        completion_note=payload.completion_note,
    )
    return _deed_detail(scope, deed.pk)
