"""Points in the JSON API: one's own ledger, a person's ledger, a subtree's scores, hand entries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict

from tianping.accounts.api import PersonRef, requires, scope_of
from tianping.accounts.models import Role, User
from tianping.accounts.scoping import Scope, get_scoped, scoped
from tianping.lib.inputs import MAX_COUNT, Day, EmployeeNo, Id, OrgCode, Text, Year
from tianping.lib.sheets import employee_no_q
from tianping.orgs.models import COURT_KINDS, Org
from tianping.people.models import Person
from tianping.points import actions
from tianping.points.models import PointEntry
from tianping.points.queries import ledger, may_see_ranking, members_in_year, ranked, scores

router = Router(tags=["党员积分"])

# R4.2: no compulsory public ranking.
RANKING_CLOSED = (
    "积分排名不公开（《整治形式主义为基层减负若干规定》）：党委办公室可以查看；法院开启“向支部书记显示排名”后，"
    "支部书记可以查看本支部的排名"
)


class ActivityRef(Schema):
    id: int
    title: str
    on: dt.date
    kind: str
    kind_name: str


class EntryOut(Schema):
    id: int
    on: dt.date
    points: float = Field(description="分值，最多两位小数；负数为减分")
    trigger: str
    trigger_name: str
    reason: str
    activity: ActivityRef | None = Field(description="来源活动（出勤、讲党课等自动记分）")
    reverses: int | None = Field(description="本条冲销的记录 id")
    reversed_by: int | None = Field(description="冲销本条的记录 id")
    created_by: str | None = Field(description="录入人；自动记分为 null")
    created_at: dt.datetime


class LedgerOut(Schema):
    person: PersonRef
    year: int
    base: float = Field(description="所在法院的基础分")
    total: float = Field(description="本年度各条记录之和")
    score: float = Field(
        description="年度积分 = 基础分 + 本年度记录之和；一票否决时为 0（本院党员积分管理办法）"
    )
    vetoed: bool
    years: list[int] = Field(description="有记录的年度，新的在前")
    entries: list[EntryOut]


class ManualOut(EntryOut):
    person: PersonRef


class ScoreRowOut(Schema):
    rank: int
    employee_no: str
    name: str
    points: float


class ScoresOut(Schema):
    org: str
    year: int
    rows: list[ScoreRowOut]


class YearQuery(Schema):
    year: Year | None = Field(None, description="年度，默认今年")


class ScoresQuery(YearQuery):
    org: OrgCode = Field(..., min_length=1, description="组织代码：其下当年在册的全部党员")
    top: int | None = Field(
        None, ge=1, le=MAX_COUNT, description="只列名次在前 N 的（并列第 N 名的都列出）"
    )


class ManualIn(Schema):
    model_config = ConfigDict(extra="forbid")

    employee_no: EmployeeNo = Field(..., min_length=1)
    court: OrgCode | None = Field(None, description="法院代码：工号在您范围内的多个法院重复时指定")
    points: Decimal = Field(
        ..., max_digits=6, decimal_places=2, description="加分为正、减分为负，如 2 或 -1.5"
    )
    reason: Text = Field(
        ..., min_length=1, max_length=180, description="事由（本院党员积分管理办法）"
    )
    on: Day | None = Field(None, description="日期，默认今天，不能晚于今天")


def _year(query: YearQuery) -> int:
    return query.year or timezone.localdate().year


def _self_scope(scope: Scope) -> Scope:
    """The caller's own record only, whatever else their role may see."""
    return Scope(
        user_id=scope.user_id, role=Role.MEMBER, person_id=scope.person_id, caps=scope.caps
    )


def _reversed_by(entry: PointEntry) -> int | None:
    try:
        return entry.reversed_by.pk
    except PointEntry.DoesNotExist:
        return None


def entry_data(entry: PointEntry) -> dict[str, Any]:
    activity = entry.activity
    return {
        "id": entry.pk,
        "on": entry.on,
        "points": float(entry.points),
        "trigger": entry.trigger,
        "trigger_name": entry.get_trigger_display(),
        "reason": entry.reason,
        "activity": None
        if activity is None
        else {
            "id": activity.pk,
            "title": activity.title,
            "on": activity.on,
            "kind": activity.kind,
            "kind_name": activity.get_kind_display(),
        },
        "reverses": entry.reverses_id,
        "reversed_by": _reversed_by(entry),
        "created_by": str(entry.created_by) if entry.created_by is not None else None,
        "created_at": entry.created_at,
    }


def ledger_data(person: Person, year: int) -> dict[str, Any]:
    data = ledger(person, year)
    return {
        "person": {"id": person.pk, "employee_no": person.employee_no, "name": person.name},
        "year": year,
        "base": float(data.base),
        "total": float(data.total),
        "score": float(data.score),
        "vetoed": data.veto is not None,
        "years": data.years,
        "entries": [entry_data(e) for e in data.entries],
    }


def _people() -> QuerySet[Person]:
    return Person.objects.select_related("court")


@router.get("/me", response=LedgerOut, summary="我的积分明细")
@requires("points.view")
def my_ledger(request: HttpRequest, query: Query[YearQuery]) -> dict[str, Any]:
    """R4.2: a member always sees their own ledger, with the source of every entry (R4.3)."""
    scope = scope_of(request)
    user = request.user
    assert isinstance(user, User)
    if user.person_id is None:
        raise HttpError(404, "您的账户没有关联人员档案，没有个人积分")
    person = get_scoped(_self_scope(scope), _people(), pk=user.person_id)
    return ledger_data(person, _year(query))


@router.get("/people/{int:person_id}", response=LedgerOut, summary="某人的积分明细")
@requires("points.view")
def person_ledger(request: HttpRequest, person_id: Id, query: Query[YearQuery]) -> dict[str, Any]:
    """A person in the caller's scope; a member reaches only their own."""
    person = get_scoped(scope_of(request), _people(), pk=person_id)
    return ledger_data(person, _year(query))


@router.get("", response=ScoresOut, summary="组织内党员年度积分与名次")
@requires("points.view")
def subtree_scores(request: HttpRequest, query: Query[ScoresQuery]) -> dict[str, Any]:
    """The document of `tianping points --json` (CONTRACT.md), for those allowed a ranking.

    R4.2: rankings are not public. A party committee office (points.manage) may ask for any
    organisation in its scope; a branch secretary only where the court turned rankings on
    for its secretaries; everyone else is refused.
    """
    scope = scope_of(request)
    if not (scope.can("points.manage") or scope.role == Role.BRANCH_SECRETARY):
        raise HttpError(403, RANKING_CLOSED)
    org = get_scoped(scope, Org.objects.all(), code=query.org.strip())
    if not scope.can("points.manage") and not may_see_ranking(scope, org):
        raise HttpError(403, RANKING_CLOSED)
    year = _year(query)
    rows = ranked(scores(scoped(scope, members_in_year(org, year)), year))
    if query.top is not None:
        rows = [r for r in rows if r.rank <= query.top]
    return {
        "org": org.code,
        "year": year,
        "rows": [
            {
                "rank": r.rank,
                "employee_no": r.employee_no,
                "name": r.name,
                "points": float(r.points),
            }
            for r in rows
        ],
    }


def _member_by_number(scope: Scope, number: str, court_code: str | None) -> Person:
    """A party member in scope named by 工号; ambiguous across courts unless a court is named."""
    people = scoped(scope, Person.objects.party_members()).filter(employee_no_q(number))
    if court_code:
        court = scoped(scope, Org.objects.filter(code=court_code.strip(), kind__in=COURT_KINDS))
        if not court.exists():
            raise ValidationError({"court": f"找不到代码为“{court_code}”的法院"})
        people = people.filter(court__in=court)
    found = list(people.select_related("court", "party_org")[:2])
    if not found:
        raise ValidationError(
            {"employee_no": f"在您的管理范围内找不到工号为“{number.strip().upper()}”的党员"}
        )
    if len(found) > 1:
        raise ValidationError(
            {"employee_no": f"工号“{number.strip().upper()}”在多个法院都有，请同时指定 court"}
        )
    return found[0]


@router.post("/manual", response={201: ManualOut}, summary="人工加减分")
@requires("points.manage")
def post_manual(request: HttpRequest, payload: ManualIn) -> Status[dict[str, Any]]:
    """R4.3: a hand entry names its reason; the caller is recorded as the one who posted it."""
    scope = scope_of(request)
    person = _member_by_number(scope, payload.employee_no, payload.court)
    entry = actions.do_post_manual(request.user, person, payload.points, payload.reason, payload.on)
    entry = PointEntry.objects.select_related("activity", "created_by", "reverses").get(pk=entry.pk)
    return Status(
        201,
        {
            **entry_data(entry),
            "person": {"id": person.pk, "employee_no": person.employee_no, "name": person.name},
        },
    )


__all__ = ["router"]
