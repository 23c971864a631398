"""The dues API: a month for a court, one's own dues, arrears, recording a payment; scoped."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from tianping.accounts.actions import do_create_token
from tianping.dues import actions
from tianping.dues.models import DuesPayment

API = "/api/v1/dues"
MARCH = dt.date(2024, 3, 1)


def client(world, name):
    return world.client(name)


def get(world, name, path):
    return client(world, name).get(API + path)


def post(world, name, path, body):
    return client(world, name).post(API + path, json.dumps(body), content_type="application/json")


@pytest.fixture
def bases(world):
    actions.do_set_base(None, world.people["wang"], dt.date(2023, 1, 1), 650_000)
    actions.do_set_base(None, world.people["zhao"], dt.date(2023, 1, 1), 300_000)
    actions.do_set_base(None, world.people["sun"], dt.date(2023, 1, 1), 500_001)


def test_the_month_of_a_court_answers_rows_and_totals_as_decimal_strings(world, bases):
    actions.do_record_payment(None, world.people["wang"], MARCH, paid_on=dt.date(2024, 3, 5))
    r = get(world, "bob", "/month?court=BT-JY&month=2024-03")
    assert r.status_code == 200, r.content
    doc = r.json()
    assert (doc["court"], doc["month"], doc["total"], doc["paid_total"], doc["count"]) == (
        "BT-JY",
        "2024-03",
        "187.50",
        "97.50",
        3,
    )
    wang = doc["items"][0]
    assert {k: wang[k] for k in ("employee_no", "base", "category", "rate", "dues", "paid")} == {
        "employee_no": "JY0001",
        "base": "6500.00",
        "category": "在职",
        "rate": "0.015",
        "dues": "97.50",
        "paid": True,
    }
    assert wang["org"] == {"code": "BT-JY-B01", "name": "第一党支部"}
    assert wang["payment"]["amount"] == "97.50" and wang["payment"]["back_paid"] is False


def test_the_month_is_scoped_like_the_web(world, bases):
    assert get(world, "oscar", "/month?court=BT-JY").status_code == 404
    assert get(world, "carol", "/month?court=BT-JY").status_code == 404
    names = [i["name"] for i in get(world, "carol", "/month?month=2024-03").json()["items"]]
    assert names == ["王芳", "赵磊"]
    assert get(world, "dave", "/month?court=BT-JY").status_code == 404
    r = get(world, "bob", "/month?court=BT-JY&month=2024-13")
    assert r.status_code == 422 and "月份“2024-13”无效" in r.json()["errors"]["month"][0]


def test_own_dues_show_only_the_caller(world, bases):
    actions.do_record_payment(None, world.people["zhao"], MARCH, paid_on=dt.date(2024, 3, 8))
    r = get(world, "dave", "/mine?year=2024")
    assert r.status_code == 200
    doc = r.json()
    assert doc["person"]["name"] == "赵磊"
    march = next(m for m in doc["months"] if m["month"] == "2024-03")
    assert march["dues"] == "15.00" and march["payment"]["amount"] == "15.00"
    assert "王芳" not in r.content.decode()
    assert get(world, "bob", "/mine").status_code == 404  # no person on bob's account


def test_a_payment_is_posted_and_a_long_back_payment_warns(world, bases):
    wang = world.people["wang"]
    r = post(
        world,
        "carol",
        "/payments",
        {"person_id": wang.pk, "month": "2024-01", "through": "2024-07", "paid_on": "2024-08-10"},
    )
    assert r.status_code == 201, r.content
    doc = r.json()
    assert [p["month"] for p in doc["payments"]] == [f"2024-0{m}" for m in range(1, 8)]
    assert all(p["back_paid"] for p in doc["payments"])
    assert len(doc["warnings"]) == 1 and "超过6个月" in doc["warnings"][0]
    assert DuesPayment.objects.filter(person=wang).count() == 7


def test_a_payment_by_another_member_with_an_amount(world, bases):
    wang, zhao = world.people["wang"], world.people["zhao"]
    r = post(
        world,
        "bob",
        "/payments",
        {"person_id": wang.pk, "month": "2024-03", "amount": "100.00", "payer_id": zhao.pk},
    )
    assert r.status_code == 201, r.content
    payment = r.json()["payments"][0]
    assert payment["amount"] == "100.00" and payment["payer"]["name"] == "赵磊"


def test_a_refused_payment_is_422_in_chinese_and_writes_nothing(world, bases):
    wang = world.people["wang"]
    actions.do_record_payment(None, wang, MARCH, paid_on=dt.date(2024, 3, 5))
    r = post(world, "bob", "/payments", {"person_id": wang.pk, "month": "2024-03"})
    assert r.status_code == 422
    assert "已登记交纳" in r.json()["errors"]["month"][0]
    assert DuesPayment.objects.filter(person=wang).count() == 1


def test_payments_are_scoped_and_need_the_capability(world, bases):
    sun = world.people["sun"]
    assert (
        post(world, "carol", "/payments", {"person_id": sun.pk, "month": "2024-03"}).status_code
        == 404
    )
    assert (
        post(world, "oscar", "/payments", {"person_id": sun.pk, "month": "2024-03"}).status_code
        == 403
    )
    assert (
        post(world, "erin", "/payments", {"person_id": sun.pk, "month": "2024-03"}).status_code
        == 403
    )
    anonymous = Client().post(
        API + "/payments",
        json.dumps({"person_id": sun.pk, "month": "2024-03"}),
        content_type="application/json",
    )
    assert anonymous.status_code == 401


def test_a_token_reaches_the_same_answers(world, bases):
    _, raw = do_create_token(world.users["bob"], world.users["bob"], "测试")
    r = Client().get(
        API + "/month?court=BT-JY&month=2024-03", headers={"Authorization": f"Bearer {raw}"}
    )
    assert r.status_code == 200 and r.json()["total"] == "187.50"


def test_arrears_list_the_unpaid_run_and_the_flag(world, bases):
    wang = world.people["wang"]
    actions.do_record_payments(
        None, wang, [dt.date(2023, m, 1) for m in range(1, 13)], paid_on=dt.date(2024, 1, 1)
    )
    r = get(world, "bob", "/arrears?court=BT-JY&month=2024-06&flagged=true")
    assert r.status_code == 200
    items = r.json()["items"]
    assert [(i["person"]["name"], i["months"], i["owed"], i["flagged"]) for i in items] == [
        ("赵磊", 18, "270.00", True),
        ("孙丽", 18, "1350.00", True),
        ("王芳", 6, "585.00", True),
    ]
    assert r.json()["as_of"] == "2024-06"


def test_every_operation_is_marked_with_a_capability(world):
    schema = Client().get("/api/v1/openapi.json").json()
    marks = {
        (method, path): op.get("x-capability")
        for path, ops in schema["paths"].items()
        if path.startswith("/api/v1/dues/")
        for method, op in ops.items()
    }
    assert marks == {
        ("get", "/api/v1/dues/month"): "membership.view",
        ("get", "/api/v1/dues/arrears"): "membership.view",
        ("get", "/api/v1/dues/mine"): "membership.view",
        ("post", "/api/v1/dues/payments"): "dues.manage",
    }
