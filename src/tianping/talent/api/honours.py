"""Honours (荣誉表彰) in the JSON API: the ledger, one honour, record, withdraw, the counts.

Mounted under `/talent`; scoped exactly as the pages are, writes through the same actions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from tianping.accounts.api import OrgRef, Paging, PersonRef, page, requires, scope_of
from tianping.accounts.scoping import get_scoped, scoped
from tianping.lib.inputs import Day, Id, OrgCode, Search, Text, Year
from tianping.orgs.api import find_org
from tianping.orgs.models import COURT_KINDS
from tianping.people.models import Person
from tianping.talent.actions.honours import do_record_honour, do_withdraw_honour
from tianping.talent.models import Honour, HonourKind, HonourLevel
from tianping.talent.queries import honours as queries

router = Router()


class HonourOut(Schema):
    id: int
    person: PersonRef | None
    org: OrgRef | None
    court: OrgRef
    title: str
    kind: HonourKind
    kind_name: str
    level: HonourLevel
    level_name: str
    awarded_by: str
    awarded_on: dt.date
    document_no: str
    note: str
    source: str
    withdrawn_on: dt.date | None
    withdrawn_reason: str


class HonourPage(Schema):
    count: int
    items: list[HonourOut]


class HonourFilters(Paging):
    level: HonourLevel | None = None
    kind: HonourKind | None = None
    year: Year | None = None
    holder: Literal["", "person", "org"] = Field("", description="person 个人 / org 集体")
    court: OrgCode | None = Field(None, description="法院代码（含下级）")
    q: Search = ""
    withdrawn: bool = Field(False, description="含已撤销")


class HonourIn(Schema):
    model_config = ConfigDict(extra="forbid")
    person_id: Id | None = Field(None, description="个人荣誉：人员编号")
    org: OrgCode | None = Field(None, description="集体荣誉：组织代码")
    title: Text = Field(..., min_length=1, max_length=200)
    kind: HonourKind
    level: HonourLevel
    awarded_by: Text = Field(..., min_length=1, max_length=200)
    awarded_on: Day
    document_no: Text = Field("", max_length=100)
    note: Text = Field("", max_length=500)


class WithdrawIn(Schema):
    model_config = ConfigDict(extra="forbid")
    reason: Text = Field(..., min_length=1, max_length=500)


class CollectiveOut(Schema):
    kind: HonourKind
    organisations: int
    sentence: str


class CountsOut(Schema):
    court: OrgRef | None
    by_year: dict[int, dict[str, int]] = Field(description="年度 → 级别 → 荣誉项数（不含已撤销）")
    totals: dict[str, int]
    people: int = Field(description="达到所选级别或立功等次的干警人数（一人只计一次）")
    party_people: int
    sentence: str
    collectives: list[CollectiveOut]


class CountsFilters(Schema):
    court: OrgCode | None = None
    year: Year | None = None
    level: HonourLevel = HonourLevel.PROVINCE
    merit: int = Field(2, ge=1, le=3, description="立功等次不低于：1 一等功，2 二等功，3 三等功")
    rounding: Literal["exact", "tens"] = Field("exact", description="exact 精确 / tens 取整加“余”")


def _ref(org: Any) -> dict[str, str] | None:
    return {"code": org.code, "name": org.name} if org is not None else None


def honour_data(h: Honour) -> dict[str, Any]:
    return {
        "id": h.pk,
        "person": (
            {"id": h.person.pk, "employee_no": h.person.employee_no, "name": h.person.name}
            if h.person
            else None
        ),
        "org": _ref(h.org),
        "court": _ref(h.court),
        "title": h.title,
        "kind": h.kind,
        "kind_name": h.get_kind_display(),
        "level": h.level,
        "level_name": h.get_level_display(),
        "awarded_by": h.awarded_by,
        "awarded_on": h.awarded_on,
        "document_no": h.document_no,
        "note": h.note,
        "source": h.source,
        "withdrawn_on": h.withdrawn_on,
        "withdrawn_reason": h.withdrawn_reason,
    }


def _get(request: HttpRequest, honour_id: int) -> Honour:
    return get_scoped(
        scope_of(request), Honour.objects.select_related("person", "org", "court"), pk=honour_id
    )


@router.get("/honours", response=HonourPage, summary="荣誉表彰台账")
@requires("talent.view")
def list_honours(request: HttpRequest, filters: Query[HonourFilters]) -> dict[str, Any]:
    scope = scope_of(request)
    court = find_org(scope, filters.court, "court", COURT_KINDS) if filters.court else None
    f = queries.HonourFilter(
        level=filters.level or "",
        kind=filters.kind or "",
        year=filters.year,
        holder=filters.holder,
        court=court,
        q=filters.q,
        withdrawn=filters.withdrawn,
    )
    result = page(queries.honour_list(scope, f), filters)
    result["items"] = [honour_data(h) for h in result["items"]]
    return result


@router.get("/honours/counts", response=CountsOut, summary="荣誉统计：按年度和级别，及推导的表述")
@requires("talent.view")
def honour_counts(request: HttpRequest, filters: Query[CountsFilters]) -> dict[str, Any]:
    scope = scope_of(request)
    court = find_org(scope, filters.court, "court", COURT_KINDS) if filters.court else None
    c = queries.counts(
        scope,
        court,
        filters.year,
        level=filters.level,
        merit=filters.merit,
        rounding=filters.rounding,
    )
    return {
        "court": _ref(court),
        "by_year": c.table,
        "totals": c.totals,
        "people": c.people,
        "party_people": c.party_people,
        "sentence": c.sentence,
        "collectives": [
            {"kind": k, "organisations": n, "sentence": s} for k, n, s in c.collectives
        ],
    }


@router.get("/honours/{int:honour_id}", response=HonourOut, summary="一项荣誉")
@requires("talent.view")
def get_honour(request: HttpRequest, honour_id: Id) -> dict[str, Any]:
    return honour_data(_get(request, honour_id))


@router.post("/honours", response={201: HonourOut}, summary="登记荣誉（个人或集体，二者选一）")
@requires("talent.honours")
def create_honour(request: HttpRequest, payload: HonourIn) -> Status[dict[str, Any]]:
    scope = scope_of(request)
    person = None
    if payload.person_id is not None:
        person = (
            scoped(scope, Person.objects.select_related("court"))
            .filter(pk=payload.person_id)
            .first()
        )
        if person is None:
            raise ValidationError({"person_id": "找不到该人员"})
    org = find_org(scope, payload.org, "org") if payload.org else None
    honour = do_record_honour(
        request.user,
        person=person,
        org=org,
        title=payload.title,
        kind=payload.kind,
        level=payload.level,
        awarded_by=payload.awarded_by,
        awarded_on=payload.awarded_on,
        document_no=payload.document_no,
        note=payload.note,
    )
    return Status(201, honour_data(_get(request, honour.pk)))


@router.post(
    "/honours/{int:honour_id}/withdraw", response=HonourOut, summary="撤销荣誉（保留记录）"
)
@requires("talent.honours")
def withdraw_honour(request: HttpRequest, honour_id: Id, payload: WithdrawIn) -> dict[str, Any]:
    honour = do_withdraw_honour(request.user, _get(request, honour_id), reason=payload.reason)
    return honour_data(_get(request, honour.pk))
