"""Volunteer service in the JSON API: teams, a team's and a court's yearly figures, the hours
ledger, a person's year, certificates; a service's team, beneficiaries and each
volunteer's hours. Scoped exactly as the pages are; writes through the same actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from tianping.accounts.api import OrgRef, Paging, PersonRef, requires, scope_of
from tianping.accounts.scoping import get_scoped
from tianping.activities.models import Activity
from tianping.lib.inputs import Day, Headcount, Id, OrgCode, Search, Text, Year
from tianping.orgs.api import find_org
from tianping.orgs.models import Org
from tianping.people.models import Person
from tianping.service.actions import volunteer as actions
from tianping.service.models.volunteer import VolunteerCertificate, VolunteerTeam
from tianping.service.queries import volunteer as queries

router = Router()

Hours = Annotated[Decimal, Field(gt=0, le=400, max_digits=5, decimal_places=1)]


class FiguresOut(Schema):
    activities: int = Field(description="活动次数")
    participations: int = Field(description="参与人次")
    hours: Decimal = Field(description="服务时长（小时）")
    beneficiaries: int = Field(description="受益群众（人）")


class TeamOut(Schema):
    id: int
    name: str
    owner: OrgRef
    court: OrgRef
    founded_on: dt.date | None
    description: str


class TeamDetailOut(TeamOut):
    year: int
    figures: FiguresOut
    members: list[PersonRef] = Field(description="现任队员")


class TeamIn(Schema):
    owner: OrgCode = Field(description="所属组织代码（法院或支部等）")
    name: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^\x00]*$")]
    founded_on: Day | None = None
    description: Annotated[str, Field(max_length=2000, pattern=r"^[^\x00]*$")] = ""


class VolunteerYearFilter(Schema):
    year: Year | None = Field(None, description="年度，默认本年")


class ScopeFilter(VolunteerYearFilter):
    org: OrgCode | None = Field(None, description="组织代码，默认当前范围")


class LedgerFilter(ScopeFilter, Paging):
    q: Search = Field("", description="姓名、工号或拼音首字母")


class CourtFiguresOut(Schema):
    court: OrgRef
    total: FiguresOut
    teams: list[dict[str, Any]] = Field(description="各志愿服务队：{team, figures}")
    unassigned: FiguresOut = Field(description="未归入志愿服务队的活动")


class LedgerLineOut(Schema):
    person: PersonRef
    services: int
    hours: Decimal
    points: Decimal = Field(description="志愿服务积分（积分台账所记，含年度上限）")


class VolunteerLedgerOut(Schema):
    year: int
    people: int
    services: int
    hours: Decimal
    count: int
    items: list[LedgerLineOut]


class ServiceLineOut(Schema):
    activity_id: int
    title: str
    on: dt.date
    hours: Decimal
    partial: bool = Field(description="只参加了部分时段")
    points: Decimal
    team: str | None
    community: str


class VolunteerCertificateOut(Schema):
    id: int
    person: PersonRef
    title: str
    year: int
    hours: Decimal
    code: str
    issued_on: dt.date
    revoked_on: dt.date | None
    revoke_reason: str


class PersonYearOut(Schema):
    person: PersonRef
    year: int
    hours: Decimal
    points: Decimal
    cap: Decimal | None = Field(description="志愿服务积分年度上限")
    services: list[ServiceLineOut]
    certificates: list[VolunteerCertificateOut]


class CertificatePage(Schema):
    count: int
    items: list[VolunteerCertificateOut]


class VolunteerHoursIn(Schema):
    person_id: Id
    hours: Hours | None = Field(None, description="实际服务时长；空为按活动时长计入")


class VolunteerServiceIn(Schema):
    team_id: Id | None = None
    beneficiaries: Headcount = 0
    community: Annotated[Text, Field(max_length=100)] = ""
    hours: list[VolunteerHoursIn] = Field(default_factory=list, max_length=500)


class VolunteerServiceOut(Schema):
    activity_id: int
    team: str | None
    beneficiaries: int
    community: str
    volunteers: list[dict[str, Any]] = Field(description="{person_id, name, hours}")


def _figures(f: queries.Figures) -> dict[str, Any]:
    return {
        "activities": f.activities,
        "participations": f.participations,
        "hours": f.hours,
        "beneficiaries": f.beneficiaries,
    }


def _person(p: Person | queries.PersonRef) -> dict[str, Any]:
    return {"id": p.pk, "employee_no": p.employee_no, "name": p.name}


def _org(o: Org) -> dict[str, Any]:
    return {"code": o.code, "name": o.name}


def _team(t: VolunteerTeam) -> dict[str, Any]:
    return {
        "id": t.pk,
        "name": t.name,
        "owner": _org(t.owner),
        "court": _org(t.court),
        "founded_on": t.founded_on,
        "description": t.description,
    }


def _certificate(c: VolunteerCertificate) -> dict[str, Any]:
    return {
        "id": c.pk,
        "person": _person(c.person),
        "title": c.rule.title,
        "year": c.year,
        "hours": c.hours,
        "code": c.code,
        "issued_on": c.issued_on,
        "revoked_on": c.revoked_on,
        "revoke_reason": c.revoke_reason,
    }


def _where(request: HttpRequest, code: str | None) -> Org:
    scope = scope_of(request)
    if code:
        return find_org(scope, code, "org")
    if scope.root_id is None:
        raise ValidationError({"org": "请指定组织代码"})
    return Org.objects.get(pk=scope.root_id)


def _year(year: int | None) -> int:
    return year or timezone.localdate().year


@router.get("/volunteer/teams", response=list[TeamOut], summary="志愿服务队")
@requires("service.view")
def list_teams(request: HttpRequest) -> list[dict[str, Any]]:
    return [_team(t) for t in queries.teams(scope_of(request))[:500]]


@router.post("/volunteer/teams", response={201: TeamOut}, summary="组建志愿服务队")
@requires("service.manage")
def create_team(request: HttpRequest, payload: TeamIn) -> Status[dict[str, Any]]:
    owner = find_org(scope_of(request), payload.owner, "owner")
    team = actions.do_create_team(
        request.user,
        owner,
        name=payload.name,
        founded_on=payload.founded_on,
        description=payload.description,
    )
    return Status(201, _team(team))


@router.get(
    "/volunteer/teams/{int:team_id}",
    response=TeamDetailOut,
    summary="志愿服务队：年度活动次数、参与人次、服务时长、受益群众与现任队员",
)
@requires("service.view")
def get_team(
    request: HttpRequest, team_id: Id, filters: Query[VolunteerYearFilter]
) -> dict[str, Any]:
    scope = scope_of(request)
    team = get_scoped(scope, VolunteerTeam.objects.select_related("owner", "court"), pk=team_id)
    year = _year(filters.year)
    figures = queries.team_figures(scope, [team.pk], year)[team.pk]
    return {
        **_team(team),
        "year": year,
        "figures": _figures(figures),
        "members": [_person(m.person) for m in queries.members(team, current=True)],
    }


@router.get("/volunteer/figures", response=list[CourtFiguresOut], summary="各院志愿服务年度统计")
@requires("service.view")
def figures(request: HttpRequest, filters: Query[ScopeFilter]) -> list[dict[str, Any]]:
    org = _where(request, filters.org)
    return [
        {
            "court": _org(c.court),
            "total": _figures(c.total),
            "teams": [{"team": _team(t), "figures": _figures(f)} for t, f in c.teams],
            "unassigned": _figures(c.unassigned),
        }
        for c in queries.court_figures(scope_of(request), org, _year(filters.year))
    ]


@router.get(
    "/volunteer/hours", response=VolunteerLedgerOut, summary="志愿服务时长台账（按人、按年度）"
)
@requires("service.view")
def hours_ledger(request: HttpRequest, filters: Query[LedgerFilter]) -> dict[str, Any]:
    org, year = _where(request, filters.org), _year(filters.year)
    ledger = queries.hours_ledger(
        scope_of(request), org, year, q=filters.q, limit=filters.limit, offset=filters.offset
    )
    return {
        "year": year,
        "people": ledger.people,
        "services": ledger.services,
        "hours": ledger.hours,
        "count": ledger.people,
        "items": [
            {
                "person": _person(line.person),
                "services": line.services,
                "hours": line.hours,
                "points": line.points,
            }
            for line in ledger.lines
        ],
    }


@router.get(
    "/volunteer/people/{int:person_id}",
    response=PersonYearOut,
    summary="个人年度志愿服务：每次活动的时长和积分、证书",
)
@requires("service.view")
def person_year(
    request: HttpRequest, person_id: Id, filters: Query[VolunteerYearFilter]
) -> dict[str, Any]:
    scope = scope_of(request)
    person = get_scoped(scope, Person.objects.select_related("court"), pk=person_id)
    data = queries.person_year(scope, person, _year(filters.year))
    return {
        "person": _person(person),
        "year": data.year,
        "hours": data.hours,
        "points": data.points,
        "cap": data.cap,
        "services": [
            {
                "activity_id": line.activity.pk,
                "title": line.activity.title,
                "on": line.activity.on,
                "hours": line.hours,
                "partial": line.partial,
                "points": line.points,
                "team": line.team.name if line.team else None,
                "community": line.community,
            }
            for line in data.lines
        ],
        "certificates": [_certificate(c) for c in data.certificates],
    }


@router.get("/volunteer/certificates", response=CertificatePage, summary="志愿服务证书（含已撤销）")
@requires("service.view")
def list_certificates(request: HttpRequest, filters: Query[LedgerFilter]) -> dict[str, Any]:
    org = _where(request, filters.org)
    found = queries.certificates(scope_of(request), org, filters.year)
    return {
        "count": found.count(),
        "items": [_certificate(c) for c in found[filters.offset : filters.offset + filters.limit]],
    }


@router.post(
    "/volunteer/services/{int:activity_id}",
    response=VolunteerServiceOut,
    summary="登记志愿服务情况：所属服务队、受益群众、服务地点、个人实际服务时长",
)
@requires("service.record")
def record_service(
    request: HttpRequest, activity_id: Id, payload: VolunteerServiceIn
) -> dict[str, Any]:
    with transaction.atomic():
        return _record_service(request, activity_id, payload)


def _record_service(
    request: HttpRequest, activity_id: Id, payload: VolunteerServiceIn
) -> dict[str, Any]:
    scope = scope_of(request)
    activity = get_scoped(scope, Activity.objects.filter(kind=queries.KIND), pk=activity_id)
    team = None
    if payload.team_id is not None:
        team = next((t for t in queries.teams_for(activity) if t.pk == payload.team_id), None)
        if team is None:
            raise ValidationError({"team_id": "找不到该志愿服务队"})
    record = actions.do_record_service(
        request.user,
        activity,
        team=team,
        beneficiaries=payload.beneficiaries,
        community=payload.community,
    )
    rows = {r.person_id: r for r in queries.service_rows(activity)}
    for item in payload.hours:
        row = rows.get(item.person_id)
        if row is None:
            raise ValidationError({"hours": f"人员{item.person_id}未出席本次志愿服务"})
        actions.do_set_service_hours(request.user, activity, row.person, item.hours)
    return {
        "activity_id": activity.pk,
        "team": record.team.name if record.team else None,
        "beneficiaries": record.beneficiaries,
        "community": record.community,
        "volunteers": [
            {"person_id": r.person_id, "name": r.person.name, "hours": r.counted}  # type: ignore[attr-defined]
            for r in queries.service_rows(activity)
        ],
    }
