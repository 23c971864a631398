"""The payment register: paid, paid by another member, back-paid, voided; arrears at six months."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tianping.audit.models import AuditEvent
from tianping.dues import actions
from tianping.dues.models import DuesBase, DuesPayment
from tianping.dues.queries import arrears, month_sheet, own_dues
from tianping.dues.rules import add_months
from tianping.people.models import PoliticalStatus

from .conftest import member

MARCH = dt.date(2024, 3, 1)


@pytest.fixture
def wang(world):
    person = world.people["wang"]
    actions.do_set_base(None, person, dt.date(2023, 1, 1), 650_000)
    return person


def test_a_payment_defaults_to_the_months_dues_and_is_audited(world, wang):
    result = actions.do_record_payment(
        world.users["carol"], wang, MARCH, paid_on=dt.date(2024, 3, 12)
    )
    payment = result.payments[0]
    assert payment.amount_fen == 9750 and str(payment.amount) == "97.50"
    assert not payment.back_paid and payment.payer is None
    assert payment.org.code == "BT-JY-B01"
    assert result.warnings == []
    audit = AuditEvent.objects.get(action="dues.pay", object_id=str(payment.pk))
    assert audit.after["amount_fen"] == "97.50" and audit.after["month"] == "2024-03"
    assert audit.user == world.users["carol"] and audit.org.code == "BT-JY-B01"
    row = next(r for r in month_sheet(world.org("BT-JY"), MARCH).rows if r.person == wang)
    assert row.paid and row.payment == payment


def test_a_member_may_pay_for_another_and_the_register_shows_it(world, wang):
    sun = world.people["sun"]
    actions.do_record_payment(None, wang, MARCH, paid_on=dt.date(2024, 3, 5), payer=sun)
    sheet = month_sheet(world.org("BT-JY"), MARCH)
    row = next(r for r in sheet.rows if r.person == wang)
    assert row.payment.paid_by_other and row.payment.payer == sun
    assert sheet.counts["paid_by_other"] == 1


def test_only_a_party_member_can_pay_for_another(world, wang):
    with pytest.raises(ValidationError) as e:
        actions.do_record_payment(
            None, wang, MARCH, paid_on=dt.date(2024, 3, 5), payer=world.people["zhou"]
        )
    assert "不是党员" in e.value.message_dict["payer"][0]


def test_a_month_paid_after_it_ended_is_back_paid(world, wang):
    payment = actions.do_record_payment(None, wang, MARCH, paid_on=dt.date(2024, 4, 2)).payments[0]
    assert payment.back_paid
    assert month_sheet(world.org("BT-JY"), MARCH).counts["back_paid"] == 1


def test_r3_3_a_back_payment_of_six_months_is_accepted_quietly(world, wang):
    months = [dt.date(2024, m, 1) for m in range(2, 8)]  # February to July
    result = actions.do_record_payments(None, wang, months, paid_on=dt.date(2024, 8, 10))
    assert len(result.payments) == 6 and all(p.back_paid for p in result.payments)
    assert result.warnings == []


def test_r3_3_a_back_payment_over_six_months_is_recorded_with_a_warning(world, wang):
    months = [dt.date(2024, m, 1) for m in range(1, 8)]  # January to July
    result = actions.do_record_payments(None, wang, months, paid_on=dt.date(2024, 8, 10))
    assert len(result.payments) == 7
    assert len(result.warnings) == 1
    assert "超过6个月" in result.warnings[0] and "2024年01月" in result.warnings[0]
    # One batch ties the seven audit rows together.
    batches = set(AuditEvent.objects.filter(action="dues.pay").values_list("batch", flat=True))
    assert len(batches) == 1 and batches != {""}


def test_the_same_month_cannot_be_paid_twice(world, wang):
    actions.do_record_payment(None, wang, MARCH, paid_on=dt.date(2024, 3, 5))
    with pytest.raises(ValidationError) as e:
        actions.do_record_payments(
            None, wang, [dt.date(2024, 2, 1), MARCH], paid_on=dt.date(2024, 3, 6)
        )
    assert "2024年03月的党费已登记交纳" in e.value.message_dict["month"][0]
    assert DuesPayment.objects.filter(person=wang).count() == 1


def test_a_payment_with_a_future_date_or_no_base_is_refused_and_nothing_is_written(world):
    sun = world.people["sun"]
    with pytest.raises(ValidationError) as e:
        actions.do_record_payment(None, sun, MARCH, paid_on=dt.date(2024, 3, 5))
    assert "没有核定党费基数" in e.value.message_dict["amount"][0]
    with pytest.raises(ValidationError) as e:
        actions.do_record_payment(None, sun, MARCH, paid_on=dt.date(2999, 1, 1), amount_fen=100)
    assert "paid_on" in e.value.message_dict
    assert not DuesPayment.objects.exists() and not AuditEvent.objects.filter(action="dues.pay")


def test_a_member_may_pay_more_than_the_dues(world, wang):
    payment = actions.do_record_payment(
        None, wang, MARCH, paid_on=dt.date(2024, 3, 5), amount_fen=20000
    ).payments[0]
    assert payment.amount_fen == 20000
    row = next(r for r in month_sheet(world.org("BT-JY"), MARCH).rows if r.person == wang)
    assert row.short_fen == 0


def test_r3_3_a_probationary_member_owes_nothing_before_the_resolution_month(world):
    newcomer = member(
        world, "JY0300", "新党员", status=PoliticalStatus.PROBATIONARY, joined=dt.date(2024, 3, 20)
    )
    actions.do_set_base(None, newcomer, dt.date(2024, 1, 1), 400_000)
    with pytest.raises(ValidationError) as e:
        actions.do_record_payment(None, newcomer, dt.date(2024, 2, 1), paid_on=dt.date(2024, 3, 25))
    assert "2024年03月起交纳党费" in e.value.message_dict["month"][0]
    ok = actions.do_record_payment(None, newcomer, MARCH, paid_on=dt.date(2024, 3, 25))
    assert ok.payments[0].amount_fen == 4000


def test_a_voided_payment_stays_with_who_and_why_and_the_month_can_be_paid_again(world, wang):
    first = actions.do_record_payment(
        None, wang, MARCH, paid_on=dt.date(2024, 3, 5), amount_fen=9570
    ).payments[0]
    with pytest.raises(ValidationError):
        actions.do_void_payment(world.users["carol"], first, "  ")
    actions.do_void_payment(world.users["carol"], first, "金额录错")
    first.refresh_from_db()
    assert first.is_void and first.void_reason == "金额录错"
    assert first.voided_by == world.users["carol"]
    audit = AuditEvent.objects.get(action="dues.void")
    assert audit.before["void_reason"] is None and audit.after["void_reason"] == "金额录错"
    again = actions.do_record_payment(None, wang, MARCH, paid_on=dt.date(2024, 3, 5)).payments[0]
    row = next(r for r in month_sheet(world.org("BT-JY"), MARCH).rows if r.person == wang)
    assert row.payment == again
    assert DuesPayment.objects.filter(person=wang, month=MARCH).count() == 2


def test_r3_3_setting_a_base_for_a_month_twice_corrects_it_with_before_and_after(world):
    sun = world.people["sun"]
    actions.do_set_base(None, sun, MARCH, 500_000)
    actions.do_set_base(None, sun, MARCH, 500_000)  # no change, no audit row
    actions.do_set_base(world.users["bob"], sun, MARCH, 510_000)
    assert DuesBase.objects.filter(person=sun).count() == 1
    events = list(AuditEvent.objects.filter(action="dues.base").order_by("id"))
    assert len(events) == 2
    assert events[1].before["base_fen"] == "5000.00" and events[1].after["base_fen"] == "5100.00"


def test_a_negative_base_is_refused_by_the_action(world):
    with pytest.raises(ValidationError) as e:
        actions.do_set_base(None, world.people["sun"], MARCH, -1)
    assert e.value.message_dict["base"] == ["月基数不能为负数"]


# --- arrears (R3.3, 党章第九条) ------------------------------------------------------


def pay_months(person, first, last, paid_on=None):
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    actions.do_record_payments(None, person, months, paid_on=paid_on or dt.date(2024, 1, 1))


def test_r3_3_six_months_unpaid_are_flagged_and_five_are_not(world, wang):
    sun = world.people["sun"]
    actions.do_set_base(None, sun, dt.date(2023, 1, 1), 400_000)
    # 王芳 paid to the end of 2023: January to June 2024 unpaid is six months.
    pay_months(wang, dt.date(2023, 1, 1), dt.date(2023, 12, 1))
    # 孙丽 paid to January 2024: February to June unpaid is five.
    pay_months(sun, dt.date(2023, 1, 1), dt.date(2024, 1, 1), paid_on=dt.date(2024, 1, 20))
    found = {a.person.employee_no: a for a in arrears(world.org("BT-JY"), dt.date(2024, 6, 1))}
    assert found["JY0001"].count == 6 and found["JY0001"].flagged
    assert found["JY0001"].since == dt.date(2024, 1, 1)
    assert str(found["JY0001"].owed) == "585.00"
    assert found["JY0003"].count == 5 and not found["JY0003"].flagged
    # 赵磊 has no base on file: no amount to be in arrears of.
    assert "JY0002" not in found


def test_r3_3_unpaid_months_count_only_from_the_first_base_on_file(world):
    sun = world.people["sun"]
    actions.do_set_base(None, sun, dt.date(2024, 2, 1), 400_000)
    found = {a.person.employee_no: a for a in arrears(world.org("BT-JY"), dt.date(2024, 6, 1))}
    assert found["JY0003"].count == 5 and not found["JY0003"].flagged


def test_r3_3_months_with_an_accepted_reason_are_not_unpaid_without_reason(world, wang):
    pay_months(wang, dt.date(2023, 1, 1), dt.date(2023, 12, 1))
    actions.do_record_excuse(
        world.users["carol"], wang, dt.date(2024, 1, 1), dt.date(2024, 1, 1), "住院，经支部同意缓交"
    )
    found = {a.person.employee_no: a for a in arrears(world.org("BT-JY"), dt.date(2024, 6, 1))}
    assert found["JY0001"].count == 5 and not found["JY0001"].flagged
    assert AuditEvent.objects.filter(action="dues.excuse").count() == 1


def test_r3_3_a_withdrawn_reason_counts_the_months_as_unpaid_again(world, wang):
    pay_months(wang, dt.date(2023, 1, 1), dt.date(2023, 12, 1))
    excuse = actions.do_record_excuse(None, wang, dt.date(2024, 1, 1), None, "病休")
    assert not arrears(world.org("BT-JY"), dt.date(2024, 6, 1))
    actions.do_withdraw_excuse(world.users["bob"], excuse)
    found = arrears(world.org("BT-JY"), dt.date(2024, 6, 1))
    assert [(a.person, a.count, a.flagged) for a in found] == [(wang, 6, True)]
    assert AuditEvent.objects.filter(action="dues.excuse_withdraw").count() == 1


def test_an_excuse_needs_a_reason_and_an_order_of_months(world, wang):
    with pytest.raises(ValidationError) as e:
        actions.do_record_excuse(None, wang, dt.date(2024, 3, 1), dt.date(2024, 1, 1), " ")
    assert set(e.value.message_dict) == {"reason", "last_month"}


def test_a_members_own_year_shows_each_month_and_the_unpaid_run(world, wang):
    pay_months(wang, dt.date(2023, 1, 1), dt.date(2023, 12, 1))
    actions.do_record_payment(
        None, wang, dt.date(2024, 1, 1), paid_on=dt.date(2024, 2, 3), payer=world.people["sun"]
    )
    own = own_dues(wang, 2024, dt.date(2024, 9, 15))
    assert [m.month.month for m in own.months] == list(range(1, 10))
    january = own.months[0]
    assert january.payment.paid_by_other and january.payment.back_paid
    assert [m.unpaid for m in own.months] == [False] + [True] * 8
    # As of August (the last complete month): February to August, seven months.
    assert len(own.run) == 7 and own.flagged
    assert str(own.due) == "877.50" and str(own.paid) == "97.50"
