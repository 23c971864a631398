"""Talent pools (人才库) in the JSON API: pools, members with their flags, an eligibility run
with each candidate's evidence, nomination and the steps of a member.

Mounted under `/talent`; scoped exactly as the pages are, writes through the same actions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from tianping.accounts.api import OrgRef, PersonRef, requires, scope_of
from tianping.accounts.scoping import Scope, get_scoped
from tianping.lib.inputs import Day, Id, OrgCode, Text
from tianping.orgs.api import find_org
from tianping.orgs.models import COURT_KINDS
from tianping.people.models import Person
from tianping.talent.actions import pools as actions
from tianping.talent.eligibility import REGISTRY, Candidate, Evidence
from tianping.talent.models import MemberStatus, PoolKind, PoolMember, TalentPool
from tianping.talent.queries import pools as queries

router = Router()


class RuleIO(Schema):
    model_config = ConfigDict(extra="forbid")
    criterion: str = Field(..., max_length=40, description="条件代码：" + "、".join(REGISTRY))
    value: Any = Field(..., description="条件的值：整数、代码或代码列表，视条件而定")


class PoolOut(Schema):
    id: int
    court: OrgRef
    kind: PoolKind
    kind_name: str
    name: str
    description: str
    rules: list[RuleIO]
    admitted: int
    nominated: int


class PoolIn(Schema):
    model_config = ConfigDict(extra="forbid")
    court: OrgCode = Field(..., min_length=1)
    kind: PoolKind
    name: Text = Field(..., min_length=1, max_length=100)
    description: Text = Field("", max_length=500)
    rules: list[RuleIO] = Field(default_factory=list, max_length=20)


class EvidenceOut(Schema):
    code: str
    label: str
    requirement: str
    value: str
    met: bool
    source: str


class PoolCandidateOut(Schema):
    person: PersonRef
    court: str
    eligible: bool
    evidence: list[EvidenceOut]


class RunOut(Schema):
    on: dt.date
    eligible: int
    already: int = Field(description="其中已提名或在库")
    candidates: list[PoolCandidateOut]


class PoolMemberOut(Schema):
    id: int
    person: PersonRef
    status: MemberStatus
    nominated_on: dt.date
    admitted_on: dt.date | None
    reviewed_on: dt.date | None
    left_on: dt.date | None
    reason: str
    flagged: bool = Field(description="在库或已提名，但已不符合入库条件")
    evidence: list[EvidenceOut]


class OnFilter(Schema):
    on: Day | None = Field(None, description="核对日期，默认今天")


class NominateIn(Schema):
    model_config = ConfigDict(extra="forbid")
    person_ids: list[Id] = Field(default_factory=list, max_length=500, description="被提名人员编号")
    note: Text = Field("", max_length=500)
    on: Day | None = None


class PoolStepIn(Schema):
    model_config = ConfigDict(extra="forbid")
    step: Literal["admit", "decline", "review", "leave"]
    note: Text = Field("", max_length=500, description="出库、不予入库时为理由（必填）")
    on: Day | None = None


def _person(p: Any) -> dict[str, Any]:
    if isinstance(p, dict):
        return {"id": p["id"], "employee_no": p["employee_no"], "name": p["name"]}
    return {"id": p.pk, "employee_no": p.employee_no, "name": p.name}


def _evidence(items: list[Evidence]) -> list[dict[str, Any]]:
    return [e.as_dict() for e in items]


def _candidate(c: Candidate) -> dict[str, Any]:
    return {
        "person": _person(c.person),
        "court": c.person["court__name"],
        "eligible": c.eligible,
        "evidence": _evidence(c.evidence),
    }


def _pool_data(p: TalentPool) -> dict[str, Any]:
    return {
        "id": p.pk,
        "court": {"code": p.court.code, "name": p.court.name},
        "kind": p.kind,
        "kind_name": p.get_kind_display(),
        "name": p.name,
        "description": p.description,
        "rules": p.rules,
        "admitted": getattr(p, "admitted", p.members.filter(status=MemberStatus.ADMITTED).count()),
        "nominated": getattr(
            p, "nominated", p.members.filter(status=MemberStatus.NOMINATED).count()
        ),
    }


def _get(scope: Scope, pool_id: int) -> TalentPool:
    return get_scoped(scope, TalentPool.objects.select_related("court"), pk=pool_id)


def _managed(scope: Scope, pool_id: int) -> TalentPool:
    pool = _get(scope, pool_id)
    if not scope.covers_path(pool.court.path):
        raise PermissionDenied("talent.manage")
    return pool


def _member_data(row: queries.MemberRow) -> dict[str, Any]:
    m = row.member
    return {
        "id": m.pk,
        "person": _person(m.person),
        "status": m.status,
        "nominated_on": m.nominated_on,
        "admitted_on": m.admitted_on,
        "reviewed_on": m.reviewed_on,
        "left_on": m.left_on,
        "reason": m.reason,
        "flagged": row.flagged,
        "evidence": _evidence(row.check.evidence) if row.check else [],
    }


@router.get("/pools", response=list[PoolOut], summary="人才库列表")
@requires("talent.view")
def list_pools(request: HttpRequest) -> list[dict[str, Any]]:
    return [_pool_data(p) for p in queries.pool_list(scope_of(request))]


@router.post("/pools", response={201: PoolOut}, summary="设立人才库及其入库条件")
@requires("talent.manage")
def create_pool(request: HttpRequest, payload: PoolIn) -> Status[dict[str, Any]]:
    scope = scope_of(request)
    court = find_org(scope, payload.court, "court", COURT_KINDS)
    pool = actions.do_create_pool(
        request.user,
        court,
        kind=payload.kind,
        name=payload.name,
        description=payload.description,
        rules=[r.model_dump() for r in payload.rules],
    )
    return Status(201, _pool_data(_get(scope, pool.pk)))


@router.get("/pools/{int:pool_id}", response=PoolOut, summary="一个人才库")
@requires("talent.view")
def get_pool(request: HttpRequest, pool_id: Id) -> dict[str, Any]:
    return _pool_data(_get(scope_of(request), pool_id))


@router.get(
    "/pools/{int:pool_id}/members",
    response=list[PoolMemberOut],
    summary="人才库成员（含条件核对，不再符合的标出）",
)
@requires("talent.view")
def pool_members(
    request: HttpRequest, pool_id: Id, filters: Query[OnFilter]
) -> list[dict[str, Any]]:
    scope = scope_of(request)
    pool = _get(scope, pool_id)
    on = filters.on or timezone.localdate()
    return [_member_data(r) for r in queries.pool_members(scope, pool, on, include_closed=True)]


@router.get(
    "/pools/{int:pool_id}/eligible",
    response=RunOut,
    summary="按入库条件筛选：符合全部条件的在职人员及其依据",
)
@requires("talent.manage")
def pool_eligible(request: HttpRequest, pool_id: Id, filters: Query[OnFilter]) -> dict[str, Any]:
    pool = _managed(scope_of(request), pool_id)
    on = filters.on or timezone.localdate()
    candidates, held = queries.run(pool, on)
    return {
        "on": on,
        "eligible": len(candidates),
        "already": sum(1 for c in candidates if c.person["id"] in held),
        "candidates": [_candidate(c) for c in candidates],
    }


@router.post(
    "/pools/{int:pool_id}/nominations", response={201: list[PoolMemberOut]}, summary="提名"
)
@requires("talent.manage")
def nominate(
    request: HttpRequest, pool_id: Id, payload: NominateIn
) -> Status[list[dict[str, Any]]]:
    scope = scope_of(request)
    pool = _managed(scope, pool_id)
    people = list(
        Person.objects.filter(
            pk__in=payload.person_ids, court__path__startswith=pool.court.path
        ).select_related("court")
    )
    if len(people) != len(set(payload.person_ids)):
        raise ValidationError({"person_ids": "有人员不存在或不在本人才库所属法院及其下级法院"})
    made = actions.do_nominate(request.user, pool, people, note=payload.note, on=payload.on)
    on = payload.on or timezone.localdate()
    checks = queries.check_people(pool, on, [m.person_id for m in made])
    return Status(201, [_member_data(queries.MemberRow(m, checks.get(m.person_id))) for m in made])


@router.post(
    "/pools/members/{int:member_id}/steps",
    response=PoolMemberOut,
    summary="入库、不予入库、年度复核或出库",
)
@requires("talent.manage")
def member_step(request: HttpRequest, member_id: Id, payload: PoolStepIn) -> dict[str, Any]:
    scope = scope_of(request)
    member = get_scoped(
        scope, PoolMember.objects.select_related("pool", "pool__court"), pk=member_id
    )
    if not scope.covers_path(member.pool.court.path):
        raise PermissionDenied("talent.manage")
    if payload.step == "admit":
        member = actions.do_admit(request.user, member, note=payload.note, on=payload.on)
    elif payload.step == "review":
        member = actions.do_review(request.user, member, note=payload.note, on=payload.on)
    elif payload.step == "decline":
        member = actions.do_decline(request.user, member, reason=payload.note, on=payload.on)
    else:
        member = actions.do_leave(request.user, member, reason=payload.note, on=payload.on)
    on = payload.on or timezone.localdate()
    check = queries.check_people(member.pool, on, [member.person_id]).get(member.person_id)
    return _member_data(queries.MemberRow(member, check if member.is_active else None))
