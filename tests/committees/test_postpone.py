"""Approved postponements of an election (R1.4): at most one year past term end, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tianping.audit.models import AuditEvent
from tianping.committees.actions import do_postpone_term
from tianping.committees.queries import committee_status, full_members_on

from .conftest import add_members, elect, posts_for

D = dt.date
APPROVER = "中共九原区人民法院机关委员会"


@pytest.fixture
def term(world):
    branch = world.org("BT-JY-B02")
    add_members(branch, 2)
    people = list(full_members_on(branch, D(2023, 1, 1)))
    return elect(None, branch, D(2022, 3, 1), list(zip(people, posts_for(3), strict=True))).term


def test_a_postponement_of_twelve_months_is_recorded_R1_4(world, term):
    assert term.ends_on == D(2025, 3, 1)
    do_postpone_term(
        world.users["bob"],
        term,
        postponed_to=D(2026, 3, 1),
        approved_by=APPROVER,
        approved_on=D(2025, 1, 15),
        reason="审判任务集中",
    )
    term.refresh_from_db()
    assert (term.postponed_to, term.due_on) == (D(2026, 3, 1), D(2026, 3, 1))
    event = AuditEvent.objects.get(action="committees.postpone")
    assert event.after["postponed_to"] == "2026-03-01"
    assert event.before["postponed_to"] is None
    # The reminder and the overdue flag follow the approved date.
    status = committee_status(term.branch, D(2025, 6, 1))
    assert not status.has("election_overdue")
    assert committee_status(term.branch, D(2026, 3, 2)).has("election_overdue")


def test_a_postponement_of_thirteen_months_is_refused_R1_4(world, term):
    with pytest.raises(ValidationError) as caught:
        do_postpone_term(
            None, term, postponed_to=D(2026, 4, 1), approved_by=APPROVER, approved_on=D(2025, 1, 15)
        )
    assert "最晚可延至2026-03-01" in caught.value.message_dict["postponed_to"][0]
    term.refresh_from_db()
    assert term.postponed_to is None
    assert not AuditEvent.objects.filter(action="committees.postpone").exists()


def test_a_postponement_needs_the_approving_body_and_an_open_term_R1_4(world, term):
    with pytest.raises(ValidationError) as caught:
        do_postpone_term(
            None, term, postponed_to=D(2025, 9, 1), approved_by=" ", approved_on=D(2025, 1, 15)
        )
    assert "approved_by" in caught.value.message_dict
    branch = term.branch
    people = list(full_members_on(branch, D(2025, 5, 1)))
    elect(None, branch, D(2025, 5, 1), list(zip(people, posts_for(3), strict=True)))
    term.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        do_postpone_term(
            None, term, postponed_to=D(2025, 9, 1), approved_by=APPROVER, approved_on=D(2025, 1, 15)
        )
    assert "已于2025-05-01换届" in caught.value.message_dict["postponed_to"][0]


def test_one_day_past_term_end_without_approval_is_overdue_R1_4(world, term):
    assert committee_status(term.branch, D(2025, 3, 1)).has("election_due")
    overdue = committee_status(term.branch, D(2025, 3, 2))
    assert overdue.has("election_overdue")
    assert overdue.days_to_due == -1
