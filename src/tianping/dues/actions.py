"""Writes to party dues: bases, payments, voids, excuses, a court's rounding; each audited.

Every action runs in one transaction and writes its audit rows. Payments are never edited:
a wrong one is voided with a reason and a new one recorded (see DuesPayment).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tianping.audit.recording import bulk, event, new_batch, record
from tianping.dues.models import BaseSource, DuesBase, DuesExcuse, DuesPayment, DuesSetting
from tianping.dues.queries import dues_for, party_org_in
from tianping.dues.rules import (
    BACK_PAY_MONTHS,
    DuesCategory,
    Rounding,
    money,
    month_code,
    month_of,
    months_between,
)
from tianping.orgs.models import Org
from tianping.people.models import Person

# A monthly base above this is a typing error (an annual figure, an extra zero).
MAX_BASE_FEN = 100_000_000  # 1,000,000 元
MAX_PAYMENT_FEN = 10_000_000  # 100,000 元: a large voluntary payment is still possible


def _by(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


def _base_audit(base: DuesBase | None) -> dict[str, Any] | None:
    if base is None:
        return None
    return {
        "person": str(base.person),
        "since": month_code(base.since),
        "base_fen": money(base.base_fen),
        "category": DuesCategory(base.category).label,
        "source": BaseSource(base.source).label,
        "note": base.note,
    }


def _payment_audit(payment: DuesPayment) -> dict[str, Any]:
    return {
        "person": str(payment.person),
        "month": month_code(payment.month),
        "amount_fen": money(payment.amount_fen),
        "paid_on": payment.paid_on.isoformat(),
        "payer": str(payment.payer) if payment.payer_id else None,
        "back_paid": payment.back_paid,
        "org": payment.org.name if payment.org is not None else None,
        "note": payment.note,
        "void_reason": payment.void_reason or None,
    }


def _check_base(base_fen: int, category: str) -> None:
    errors = {}
    if base_fen < 0:
        errors["base"] = "月基数不能为负数"
    elif base_fen > MAX_BASE_FEN:
        errors["base"] = f"月基数超过{money(MAX_BASE_FEN)}元，请核对是否填成了年收入"
    if category not in DuesCategory.values:
        errors["category"] = "人员状态无效"
    if errors:
        raise ValidationError(errors)


# ---------------------------------------------------------------------------------------
# Settings


@transaction.atomic
def do_set_rounding(user: Any, court: Org, rounding: str) -> DuesSetting:
    """R3.3 (configurable): how the court rounds dues to the fen."""
    if not court.is_court:
        raise ValidationError({"court": f"“{court.name}”不是法院"})
    if rounding not in Rounding.values:
        raise ValidationError({"rounding": "取值无效"})
    setting, _ = DuesSetting.objects.get_or_create(court=court)
    before = {"rounding": Rounding(setting.rounding).label}
    setting.rounding = rounding
    setting.updated_by = _by(user)
    setting.save()
    after = {"rounding": Rounding(setting.rounding).label}
    if after != before:
        record(user, "dues.setting", setting, before=before, after=after, org=court)
    return setting


# ---------------------------------------------------------------------------------------
# Bases


@transaction.atomic
def do_set_base(
    user: Any,
    person: Person,
    month: dt.date,
    base_fen: int,
    category: str = DuesCategory.SERVING,
    *,
    source: str = BaseSource.WEB,
    note: str = "",
) -> DuesBase:
    """R3.3: a new base applies from the month the new pay starts; earlier months keep theirs.

    Setting the base of a month that already has one corrects it (audited before/after).
    """
    _check_base(base_fen, category)
    month = month_of(month)
    existing = DuesBase.objects.select_for_update().filter(person=person, since=month).first()
    before = _base_audit(existing)
    base = existing or DuesBase(person=person, since=month)
    base.base_fen = base_fen
    base.category = category
    base.source = source
    base.note = note.strip()
    base.recorded_by = _by(user)
    after = _base_audit(base)
    if after == before:
        return base
    base.save()
    record(user, "dues.base", base, before=before, after=after, org=person.court)
    return base


@dataclass(frozen=True)
class BaseLine:
    person: Person
    base_fen: int
    category: str


@dataclass
class BasesResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@transaction.atomic
def do_set_bases(
    user: Any,
    court: Org,
    month: dt.date,
    lines: Sequence[BaseLine],
    *,
    source: str = BaseSource.SHEET,
    note: str = "",
) -> BasesResult:
    """A pay sheet's bases from `month` on (R3.3), in bulk: one audit row per changed base,
    tied together by one batch id."""
    month = month_of(month)
    for line in lines:
        _check_base(line.base_fen, line.category)
    result = BasesResult()
    people = {line.person.pk: line.person for line in lines}
    existing = {
        b.person_id: b
        for b in DuesBase.objects.select_for_update().filter(
            since=month, person_id__in=list(people)
        )
    }
    batch = new_batch()
    by = _by(user)
    to_create: list[DuesBase] = []
    to_update: list[DuesBase] = []
    events = []
    for line in lines:
        old = existing.get(line.person.pk)
        if old is not None:
            old.person = line.person
        before = _base_audit(old)
        base = old or DuesBase(person=line.person, since=month)
        base.base_fen, base.category, base.source = line.base_fen, line.category, source
        base.note, base.recorded_by = note, by
        after = _base_audit(base)
        if old is not None and {**(after or {}), "source": None} == {
            **(before or {}),
            "source": None,
        }:
            result.unchanged += 1
            continue
        (to_update if old is not None else to_create).append(base)
        events.append((base, before, after))
    DuesBase.objects.bulk_create(to_create, batch_size=500)
    DuesBase.objects.bulk_update(
        to_update, ["base_fen", "category", "source", "note", "recorded_by"], batch_size=500
    )
    result.created, result.updated = len(to_create), len(to_update)
    # bulk_create sets primary keys on PostgreSQL and SQLite ≥ 3.35; look up any missing.
    missing = [b for b, _, _ in events if b.pk is None]
    if missing:
        ids = dict(
            DuesBase.objects.filter(
                since=month, person_id__in=[b.person_id for b in missing]
            ).values_list("person_id", "id")
        )
        for b in missing:
            b.pk = ids[b.person_id]
    bulk(
        [
            event(
                user,
                "dues.base",
                base,
                before=before,
                after=after,
                org=court,
                batch=batch,
            )
            for base, before, after in events
        ]
    )
    return result


# ---------------------------------------------------------------------------------------
# Payments


@dataclass
class PaymentResult:
    payments: list[DuesPayment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _check_payer(person: Person, payer: Person | None) -> Person | None:
    if payer is None or payer.pk == person.pk:
        return None
    if not payer.is_party_member:
        raise ValidationError({"payer": f"代缴人{payer.name}不是党员"})
    return payer


@transaction.atomic
def do_record_payments(
    user: Any,
    person: Person,
    months: Sequence[dt.date],
    *,
    paid_on: dt.date,
    amount_fen: int | None = None,
    payer: Person | None = None,
    note: str = "",
) -> PaymentResult:
    """Dues received for one or more months of one member, on one day.

    Each month's amount is that month's dues (R3) unless an amount is given (a member may
    pay more); a month paid after it ended is a back-payment, and one more than six months
    late is recorded with a warning (R3.3: back-payment normally covers at most six months).
    """
    months = sorted({month_of(m) for m in months})
    if not months:
        raise ValidationError({"month": "请选择月份"})
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if paid_on > today:
        errors["paid_on"] = "交纳日期不能晚于今天"
    if not person.is_party_member:
        errors["person"] = f"{person.name}不是党员，无需交纳党费"
    joined = person.party_joined_on
    if joined is not None and months[0] < month_of(joined):
        errors["month"] = (
            f"{person.name}于{joined:%Y年%m月%d日}经支部大会接收为预备党员，"
            f"应自{joined:%Y年%m月}起交纳党费（中共中央组织部《关于中国共产党党费收缴、使用和管理的规定》），{months[0]:%Y年%m月}无需交纳"
        )
    if amount_fen is not None and not 0 < amount_fen <= MAX_PAYMENT_FEN:
        errors["amount"] = f"金额应大于0且不超过{money(MAX_PAYMENT_FEN)}元"
    payer = _check_payer(person, payer) if "person" not in errors else None
    if errors:
        raise ValidationError(errors)
    taken = set(
        DuesPayment.objects.filter(
            person=person, month__in=months, voided_at__isnull=True
        ).values_list("month", flat=True)
    )
    if taken:
        listed = "、".join(f"{m:%Y年%m月}" for m in sorted(taken))
        raise ValidationError({"month": f"{person.name}{listed}的党费已登记交纳"})
    result = PaymentResult()
    batch = new_batch() if len(months) > 1 else ""
    for month in months:
        fen = amount_fen if amount_fen is not None else dues_for(person, month)
        if fen is None:
            raise ValidationError(
                {"amount": f"{person.name}{month:%Y年%m月}没有核定党费基数，请先核定基数或填写金额"}
            )
        if fen <= 0:
            raise ValidationError({"amount": f"{month:%Y年%m月}应交党费为0，无需登记"})
        late = months_between(month, paid_on)
        payment = DuesPayment(
            person=person,
            month=month,
            amount_fen=fen,
            paid_on=paid_on,
            payer=payer,
            back_paid=late >= 1,
            org=party_org_in(person, month),
            note=note.strip(),
            recorded_by=_by(user),
        )
        try:
            with transaction.atomic():
                payment.save()
        except IntegrityError:
            # Someone recorded the same month in the meantime.
            raise ValidationError(
                {"month": f"{person.name}{month:%Y年%m月}的党费已登记交纳"}
            ) from None
        record(
            user,
            "dues.pay",
            payment,
            after=_payment_audit(payment),
            org=payment.org or person.court,
            batch=batch,
        )
        result.payments.append(payment)
    oldest = months[0]
    late = months_between(oldest, paid_on)
    if late > BACK_PAY_MONTHS:
        result.warnings.append(
            f"{person.name}补交{oldest:%Y年%m月}的党费，已晚{late}个月，超过{BACK_PAY_MONTHS}个月"
            "（中共中央组织部《关于中国共产党党费收缴、使用和管理的规定》：补交一般不超过6个月），请核实原因并记入备注"
        )
    return result


def do_record_payment(
    user: Any,
    person: Person,
    month: dt.date,
    *,
    paid_on: dt.date,
    amount_fen: int | None = None,
    payer: Person | None = None,
    note: str = "",
) -> PaymentResult:
    return do_record_payments(
        user, person, [month], paid_on=paid_on, amount_fen=amount_fen, payer=payer, note=note
    )


@transaction.atomic
def do_void_payment(user: Any, payment: DuesPayment, reason: str) -> DuesPayment:
    """Void a wrongly recorded payment, keeping it and saying who and why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写作废原因"})
    # Lock the payment row alone: its organisation may be absent (an outer join).
    payment = (
        DuesPayment.objects.select_for_update(of=("self",))
        .select_related("person", "org")
        .get(pk=payment.pk)
    )
    if payment.voided_at is not None:
        raise ValidationError({"reason": "该记录已作废"})
    before = _payment_audit(payment)
    payment.voided_at = timezone.now()
    payment.voided_by = _by(user)
    payment.void_reason = reason[:200]
    payment.save(update_fields=["voided_at", "voided_by", "void_reason"])
    record(
        user,
        "dues.void",
        payment,
        before=before,
        after=_payment_audit(payment),
        org=payment.org or payment.person.court,
    )
    return payment


# ---------------------------------------------------------------------------------------
# Excuses


@transaction.atomic
def do_record_excuse(
    user: Any,
    person: Person,
    first_month: dt.date,
    last_month: dt.date | None,
    reason: str,
) -> DuesExcuse:
    """A reason accepted for months unpaid (缓交/免交): they no longer count towards R3.3's flag."""
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = "请填写原因"
    first_month = month_of(first_month)
    if last_month is not None:
        last_month = month_of(last_month)
        if last_month < first_month:
            errors["last_month"] = "截止月份不能早于起始月份"
    if errors:
        raise ValidationError(errors)
    excuse = DuesExcuse.objects.create(
        person=person,
        first_month=first_month,
        last_month=last_month,
        reason=reason[:200],
        recorded_by=_by(user),
    )
    record(
        user,
        "dues.excuse",
        excuse,
        after={
            "person": str(person),
            "first_month": month_code(first_month),
            "last_month": month_code(last_month) if last_month else None,
            "reason": excuse.reason,
        },
        org=person.party_org or person.court,
    )
    return excuse


@transaction.atomic
def do_withdraw_excuse(user: Any, excuse: DuesExcuse) -> DuesExcuse:
    if excuse.voided_at is not None:
        return excuse
    excuse.voided_at = timezone.now()
    excuse.save(update_fields=["voided_at"])
    record(
        user,
        "dues.excuse_withdraw",
        excuse,
        before={"reason": excuse.reason},
        after=None,
        org=excuse.person.party_org or excuse.person.court,
    )
    return excuse
