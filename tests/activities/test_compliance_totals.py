"""The compliance page's totals, read from the tally cached per data generation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tianping.accounts.scoping import scope_for
from tianping.activities.actions import do_record_past_activity
from tianping.activities.compliance import cached_dashboard_summary
from tianping.activities.queries import PERIODS_BY_CODE, compliance_in_period, compliance_totals

pytestmark = pytest.mark.django_db


def held(world, code, on):
    do_record_past_activity(
        world.users["admin"],
        world.org(code),
        kind="theme_day",
        title="主题党日",
        on=on,
        attendance={},
    )


def test_totals_match_the_report_for_the_year_a_quarter_and_a_month(world):
    held(world, "BT-JY-B01", dt.date(2024, 1, 10))
    bob, court = scope_for(world.users["bob"]), world.org("BT-JY")
    for code in ("", "Q1", "M2"):
        period = PERIODS_BY_CODE[code]
        expected = compliance_in_period(court, 2024, period).summary
        assert compliance_totals(bob, court, 2024, period) == expected
    assert compliance_totals(bob, court, 2024).met >= 1


def test_totals_of_one_court_leave_the_others_out(world):
    alice, city = scope_for(world.users["alice"]), world.org("BT")
    court = world.org("BT-JY")
    whole = compliance_totals(alice, city, 2024)
    one = compliance_totals(alice, city, 2024, court_id=court.pk)
    assert one == compliance_in_period(court, 2024, PERIODS_BY_CODE[""]).summary
    assert 0 < one.required < whole.required


def test_totals_change_right_after_a_meeting_is_recorded(world):
    bob, court = scope_for(world.users["bob"]), world.org("BT-JY")
    before = compliance_totals(bob, court, 2024)
    held(world, "BT-JY-B01", dt.date(2024, 1, 10))
    after = compliance_totals(bob, court, 2024)
    assert after.met == before.met + 1


def test_the_dashboard_leaves_the_totals_of_today_for_the_compliance_page(world):
    bob, court = scope_for(world.users["bob"]), world.org("BT-JY")
    today = timezone.localdate()
    cached_dashboard_summary(bob, today)
    with CaptureQueriesContext(connection) as queries:
        totals = compliance_totals(bob, court, today.year)
    assert not [q for q in queries.captured_queries if "activities_" in q["sql"]]
    assert totals == compliance_in_period(court, today.year, PERIODS_BY_CODE[""]).summary


def test_totals_outside_the_scope_are_refused(world):
    with pytest.raises(PermissionDenied):
        compliance_totals(scope_for(world.users["carol"]), world.org("BT-JY"), 2024)
    with pytest.raises(PermissionDenied):
        compliance_totals(scope_for(world.users["oscar"]), world.org("BT-JY"), 2024)
    with pytest.raises(PermissionDenied):
        compliance_totals(scope_for(world.users["dave"]), world.org("BT-JY-B01"), 2024)
