"""The compliance API: the CLI's JSON document (CONTRACT.md), for an organisation in scope (R1.5)."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from tianping.activities import actions


def cli(*args: str) -> dict:
    out = StringIO()
    call_command("compliance", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def records(world):
    """A quarter's congress and a month's theme day held, one meeting cancelled."""
    admin = world.users["admin"]

    def held(code, kind, on):
        return actions.do_record_past_activity(
            admin, world.org(code), kind=kind, title="会议", on=on, attendance={}
        )

    held("BT-JY-B02", "branch_congress", dt.date(2024, 3, 31))
    held("BT-JY-B01", "theme_day", dt.date(2024, 6, 30))
    cancelled = held("BT-JY-B01", "branch_congress", dt.date(2024, 6, 1))
    actions.do_cancel(admin, cancelled, "改期")


def test_the_document_equals_the_clis_for_the_same_org_and_year_R1_5(session, records):
    r = session("bob").get("/compliance?org=BT-JY&year=2024&as_of=2024-07-15")
    assert r.status_code == 200, r.content
    doc = r.json()
    assert doc == cli("--org", "BT-JY", "--year", "2024", "--as-of", "2024-07-15")
    assert list(doc) == ["org", "year", "as_of", "rows", "summary"]
    assert list(doc["summary"]) == ["required", "met", "missing", "upcoming", "rate"]
    rows = {(r["org"], r["kind"], r["period"]): r["status"] for r in doc["rows"]}
    # A meeting on the last day of a quarter counts for that quarter.
    assert rows[("BT-JY-B02", "branch_congress", "2024-Q1")] == "met"
    # A cancelled activity counts for nothing.
    assert rows[("BT-JY-B01", "branch_congress", "2024-Q2")] == "missing"
    assert rows[("BT-JY-B01", "theme_day", "2024-06")] == "met"
    assert rows[("BT-JY-B01", "theme_day", "2024-08")] == "upcoming"


def test_without_as_of_it_judges_as_the_cli_does(session, records):
    doc = session("carol").get("/compliance?org=BT-JY-B01&year=2024").json()
    assert doc == cli("--org", "BT-JY-B01", "--year", "2024")
    assert doc["as_of"] == "2024-12-31"
    assert {r["org"] for r in doc["rows"]} == {"BT-JY-B01"}
    assert "\\u" not in session("carol").get("/compliance?org=BT-JY-B01&year=2024").content.decode()


def test_a_leader_reads_compliance_for_their_court(session, records):
    doc = session("erin").get("/compliance?org=BT&year=2024&as_of=2024-12-31").json()
    assert doc == cli("--org", "BT", "--year", "2024", "--as-of", "2024-12-31")
    assert {"BT-B01", "BT-JY-B01", "BT-JY-B02"} <= {r["org"] for r in doc["rows"]}


def test_an_org_outside_the_scope_is_404_like_an_absent_one(session, records):
    assert session("carol").get("/compliance?org=BT-JY-B02&year=2024").status_code == 404
    assert session("bob").get("/compliance?org=BT&year=2024").status_code == 404
    assert session("oscar").get("/compliance?org=BT-JY&year=2024").status_code == 404
    r = session("alice").get("/compliance?org=NOWHERE&year=2024")
    assert r.status_code == 404 and r.json() == {"detail": "不存在或不在您的范围内"}


def test_compliance_needs_compliance_view(session):
    # A member sees their own record, not their branch's compliance.
    r = session("dave").get("/compliance?org=BT-JY-B01&year=2024")
    assert r.status_code == 403 and r.json() == {"detail": "无权执行此操作"}
    assert session(None).get("/compliance?org=BT-JY-B01&year=2024").status_code == 401


def test_bad_questions_are_422_in_chinese(session):
    carol = session("carol")
    assert carol.get("/compliance?year=2024").json()["errors"] == {"org": ["此项必填"]}
    assert "year" in carol.get("/compliance?org=BT-JY-B01&year=24").json()["errors"]
    r = carol.get("/compliance?org=BT-JY-B01&year=2024&as_of=2024-02-30")
    assert r.json()["errors"] == {"as_of": ["日期格式应为 YYYY-MM-DD"]}
