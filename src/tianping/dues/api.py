"""Party dues in the JSON API: a month's dues, arrears, one's own dues, recording a payment.

Money is answered as decimal strings in 元, as the CLI does.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from tianping.accounts.api import OrgRef, Paging, PersonRef, requires, scope_of
from tianping.accounts.scoping import Scope, get_scoped, scoped
from tianping.dues import actions
from tianping.dues.models import DuesPayment
from tianping.dues.queries import DuesRow, arrears, month_sheet, own_dues
from tianping.dues.rules import ARREARS_MONTHS, add_months, fen_of, money, month_of, parse_month
from tianping.lib.inputs import Day, Id, OrgCode, Text, Year
from tianping.orgs.models import COURT_KINDS, Org, OrgKind
from tianping.people.models import Person

router = Router(tags=["党费"])

DUES_ORG_KINDS = COURT_KINDS | {OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH}
MONTH_HELP = "月份 YYYY-MM，默认本月"


class PaymentOut(Schema):
    id: int
    person: PersonRef
    month: str = Field(description="所属月份 YYYY-MM")
    amount: str = Field(description="金额（元），如 97.50")
    paid_on: dt.date
    payer: PersonRef | None = Field(description="代缴人；本人交纳时为 null")
    back_paid: bool = Field(description="补交：交纳日期晚于所属月份")
    org: OrgRef | None = Field(description="收缴组织")
    note: str


class DuesRowOut(Schema):
    person_id: int
    employee_no: str
    name: str
    org: OrgRef | None = Field(description="该月党费所属的党组织")
    base: str | None = Field(description="月基数（元）；未核定为 null")
    category: str = Field(description="人员状态：在职、离退休、学生、失业、低保")
    rate: str | None = Field(description="交纳比例，如 0.015；固定金额（0.20元/月）为 null")
    dues: str | None = Field(description="应交党费（元）；未核定基数为 null")
    paid: bool
    payment: PaymentOut | None


class DuesMonthOut(Schema):
    court: str = Field(description="所查组织的代码")
    month: str
    total: str = Field(description="应交合计（元）")
    paid_total: str = Field(description="已交合计（元）")
    count: int
    items: list[DuesRowOut]


class MonthFilters(Paging):
    court: OrgCode | None = Field(None, description="法院或党组织代码，默认当前范围的组织")
    month: Text | None = Field(None, max_length=20, description=MONTH_HELP)


class ArrearsOut(Schema):
    person: PersonRef
    org: OrgRef | None
    since: str = Field(description="连续未交的起始月份 YYYY-MM")
    months: int = Field(description="连续未交的月数")
    owed: str = Field(description="欠交金额（元）")
    flagged: bool = Field(
        description=f"连续{ARREARS_MONTHS}个月及以上（党章第九条，中共中央组织部《关于中国共产党党费收缴、使用和管理的规定》）"
    )


class ArrearsPage(Schema):
    court: str
    as_of: str = Field(description="截至月份 YYYY-MM")
    count: int
    items: list[ArrearsOut]


class ArrearsFilters(Paging):
    court: OrgCode | None = Field(None, description="法院或党组织代码，默认当前范围的组织")
    month: Text | None = Field(None, max_length=20, description="截至月份 YYYY-MM，默认上月")
    flagged: bool = Field(False, description="true 时只列连续6个月及以上未交的")


class OwnMonthOut(Schema):
    month: str
    owes: bool = Field(
        description="该月是否应交（入党前的月份不交，中共中央组织部《关于中国共产党党费收缴、使用和管理的规定》）"
    )
    base: str | None
    category: str | None
    rate: str | None
    dues: str | None
    payment: PaymentOut | None


class OwnDuesOut(Schema):
    person: PersonRef
    year: int
    due: str
    paid: str
    unpaid_months: int = Field(description="截至上月连续未交的月数")
    flagged: bool
    months: list[OwnMonthOut]


class YearFilters(Schema):
    year: Year | None = Field(None, description="年度，默认今年")


class PaymentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    person_id: Id
    month: Text = Field(..., max_length=20, description="所属月份 YYYY-MM")
    through: Text | None = Field(None, max_length=20, description="补交多个月时的截止月份 YYYY-MM")
    amount: Decimal | None = Field(
        None, gt=0, max_digits=12, decimal_places=2, description="每月金额（元）；省略按应交党费"
    )
    paid_on: Day | None = Field(None, description="交纳日期，默认今天")
    payer_id: Id | None = Field(None, description="代缴人的人员 id")
    note: Text = Field("", max_length=200)


class PaymentsOut(Schema):
    payments: list[PaymentOut]
    warnings: list[str] = Field(
        description="提醒，如补交超过6个月（中共中央组织部《关于中国共产党党费收缴、使用和管理的规定》）"
    )


def _month(text: str | None, field: str, default: dt.date | None = None) -> dt.date:
    if not text:
        return default or month_of(timezone.localdate())
    try:
        return parse_month(text)
    except ValueError as e:
        raise ValidationError({field: str(e)}) from None


def _root(scope: Scope, code: str | None) -> Org:
    orgs = scoped(scope, Org.objects.filter(kind__in=DUES_ORG_KINDS))
    if code:
        return get_scoped(scope, orgs, code=code.strip())
    found = orgs.filter(pk=scope.root_id).first() if scope.root_id else None
    found = found or orgs.filter(kind__in=COURT_KINDS).order_by("path").first()
    if found is None:
        raise Http404
    return found


def _person_ref(person: Person | None) -> dict[str, Any] | None:
    if person is None:
        return None
    return {"id": person.pk, "employee_no": person.employee_no, "name": person.name}


def _payment(p: DuesPayment | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {
        "id": p.pk,
        "person": _person_ref(p.person),
        "month": f"{p.month:%Y-%m}",
        "amount": money(p.amount_fen),
        "paid_on": p.paid_on,
        "payer": _person_ref(p.payer) if p.paid_by_other else None,
        "back_paid": p.back_paid,
        "org": p.org,
        "note": p.note,
    }


def _row(r: DuesRow) -> dict[str, Any]:
    data = r.as_json()
    if r.payment is not None:
        r.payment.person = r.person
    return {
        "person_id": r.person.pk,
        "employee_no": data["employee_no"],
        "name": data["name"],
        "org": r.org,
        "base": data["base"],
        "category": data["category"],
        "rate": data["rate"],
        "dues": data["dues"],
        "paid": r.paid,
        "payment": _payment(r.payment),
    }


@router.get("/month", response=DuesMonthOut, summary="某月党费：应交与交纳情况")
@requires("membership.view")
def dues_month(request: HttpRequest, filters: Query[MonthFilters]) -> dict[str, Any]:
    scope = scope_of(request)
    root = _root(scope, filters.court)
    sheet = month_sheet(root, _month(filters.month, "month"), scope=scope)
    rows = sheet.rows[filters.offset : filters.offset + filters.limit]
    return {
        "court": root.code,
        "month": f"{sheet.month:%Y-%m}",
        "total": money(sheet.total_fen),
        "paid_total": money(sheet.paid_fen),
        "count": len(sheet.rows),
        "items": [_row(r) for r in rows],
    }


@router.get("/arrears", response=ArrearsPage, summary="党费欠缴：连续未交的月数")
@requires("membership.view")
def dues_arrears(request: HttpRequest, filters: Query[ArrearsFilters]) -> dict[str, Any]:
    scope = scope_of(request)
    root = _root(scope, filters.court)
    last = add_months(month_of(timezone.localdate()), -1)
    as_of = _month(filters.month, "month", last)
    found = arrears(root, as_of, scope=scope)
    if filters.flagged:
        found = [a for a in found if a.flagged]
    items = found[filters.offset : filters.offset + filters.limit]
    return {
        "court": root.code,
        "as_of": f"{as_of:%Y-%m}",
        "count": len(found),
        "items": [
            {
                "person": _person_ref(a.person),
                "org": a.org,
                "since": f"{a.since:%Y-%m}",
                "months": a.count,
                "owed": money(a.owed_fen),
                "flagged": a.flagged,
            }
            for a in items
        ],
    }


@router.get("/mine", response=OwnDuesOut, summary="我的党费")
@requires("membership.view")
def my_dues(request: HttpRequest, filters: Query[YearFilters]) -> dict[str, Any]:
    user = request.user
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        raise Http404
    person = Person.objects.select_related("court").get(pk=person_id)
    today = timezone.localdate()
    data = own_dues(person, filters.year or today.year, today)
    months = []
    for m in data.months:
        if m.payment is not None:
            m.payment.person = person
        months.append(
            {
                "month": f"{m.month:%Y-%m}",
                "owes": m.owes,
                "base": money(m.base.base_fen) if m.base else None,
                "category": m.category_name or None,
                "rate": str(m.rate) if m.rate is not None else None,
                "dues": money(m.dues_fen) if m.dues_fen is not None else None,
                "payment": _payment(m.payment),
            }
        )
    return {
        "person": _person_ref(person),
        "year": data.year,
        "due": money(data.due_fen),
        "paid": money(data.paid_fen),
        "unpaid_months": len(data.run),
        "flagged": data.flagged,
        "months": months,
    }


@router.post("/payments", response={201: PaymentsOut}, summary="登记党费交纳（含代缴、补交）")
@requires("dues.manage")
def record_payment(request: HttpRequest, payload: PaymentIn) -> Status[dict[str, Any]]:
    scope = scope_of(request)
    person = get_scoped(
        scope, Person.objects.select_related("court", "party_org"), pk=payload.person_id
    )
    first = _month(payload.month, "month")
    last = _month(payload.through, "through", first) if payload.through else first
    if last < first:
        raise ValidationError({"through": "截止月份不能早于起始月份"})
    months = []
    current = first
    while current <= last:
        months.append(current)
        current = add_months(current, 1)
    payer = None
    if payload.payer_id is not None:
        payer = scoped(scope, Person.objects.all()).filter(pk=payload.payer_id).first()
        if payer is None:
            raise ValidationError({"payer_id": "代缴人不存在或不在您的范围内"})
    result = actions.do_record_payments(
        request.user,
        person,
        months,
        paid_on=payload.paid_on or timezone.localdate(),
        amount_fen=fen_of(payload.amount) if payload.amount is not None else None,
        payer=payer,
        note=payload.note,
    )
    return Status(
        201,
        {"payments": [_payment(p) for p in result.payments], "warnings": result.warnings},
    )
