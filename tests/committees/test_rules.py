"""R1.1–R1.4 on their edges, as pure rules: sizes, terms, reminders, postponements."""

from __future__ import annotations

import datetime as dt

import pytest

from tianping.committees import rules
from tianping.committees.rules import Facts, alerts, election_errors
from tianping.orgs.models import OrgKind

from .conftest import posts_for

D = dt.date
BRANCH = OrgKind.BRANCH


NEW_YEAR = D(2024, 1, 1)


def codes(facts: Facts, on: dt.date = NEW_YEAR) -> set[str]:
    return {a.code for a in alerts(facts, on)}


def branch(full: int, members: int | None = None, **kwargs) -> Facts:
    return Facts(
        kind=kwargs.pop("kind", BRANCH),
        name=kwargs.pop("name", "第一党支部"),
        full_members=full,
        party_members=full if members is None else members,
        **kwargs,
    )


# R1.1 ------------------------------------------------------------------------------


def test_two_full_members_are_told_to_form_a_joint_branch_R1_1():
    found = alerts(branch(2, 5), D(2024, 1, 1))
    assert "正式党员不足3人，应成立联合党支部" in found[0].text
    assert found[0].rule == "R1.1"


def test_three_full_members_may_have_their_own_branch_R1_1():
    assert "too_few_full_members" not in codes(branch(3))


def test_a_branch_of_fifty_members_is_fine_and_fifty_one_is_warned_R1_1():
    assert "over_fifty_members" not in codes(branch(40, 50))
    found = {a.code: a for a in alerts(branch(40, 51), D(2024, 1, 1))}
    assert "党员51人，超过50人" in found["over_fifty_members"].text


def test_a_joint_branch_of_six_units_is_warned_and_five_is_fine_R1_1():
    assert "joint_branch_units" not in codes(branch(10, name="第一联合党支部", units=5))
    assert "joint_branch_units" in codes(branch(10, name="第一联合党支部", units=6))
    # An ordinary branch spans several departments without being a joint branch.
    assert "joint_branch_units" not in codes(branch(10, units=9))


# R1.2 ------------------------------------------------------------------------------


def test_ninety_nine_members_suggest_a_general_branch_and_a_hundred_a_primary_committee_R1_2():
    ninety_nine = codes(branch(80, 99))
    assert "over_fifty_members" in ninety_nine
    assert "should_be_primary_committee" not in ninety_nine
    hundred = {a.code: a for a in alerts(branch(80, 100), D(2024, 1, 1))}
    assert "should_be_primary_committee" in hundred
    assert "达到100人，应成立基层党委" in hundred["should_be_primary_committee"].text


def test_a_court_reading_more_than_a_hundred_keeps_a_hundred_as_a_general_branch_R1_2():
    assert "should_be_primary_committee" not in codes(
        branch(80, 100, kind=OrgKind.GENERAL_BRANCH, primary_committee_min=101)
    )
    assert "should_be_primary_committee" in codes(
        branch(80, 101, kind=OrgKind.GENERAL_BRANCH, primary_committee_min=101)
    )


def test_a_party_committee_of_any_size_is_not_told_to_become_one_R1_2():
    assert "should_be_primary_committee" not in codes(
        branch(150, 150, kind=OrgKind.PARTY_COMMITTEE, seats=[["secretary"]], has_term=True)
    )


# R1.3 ------------------------------------------------------------------------------


def test_six_full_members_need_no_committee_and_seven_do_R1_3():
    assert not rules.must_have_committee(BRANCH, 6)
    assert rules.must_have_committee(BRANCH, 7)
    assert "no_committee" not in codes(branch(6))
    found = {a.code: a for a in alerts(branch(7), D(2024, 1, 1))}
    assert found["no_committee"].level == "bad"
    assert "应设立支部委员会，目前没有" in found["no_committee"].text


@pytest.mark.parametrize(
    ("size", "code"),
    [
        (2, "committee_too_small"),
        (3, None),
        (5, None),
        (7, "committee_over_five"),
        (8, "committee_too_large"),
    ],
)
def test_a_committee_of_three_to_five_is_right_and_others_are_warned_R1_3(size, code):
    found = codes(branch(10, seats=posts_for(size), has_term=True, due_on=D(2026, 1, 1)))
    size_codes = {"committee_too_small", "committee_over_five", "committee_too_large"}
    assert found & size_codes == ({code} if code else set())


def test_below_seven_full_members_a_secretary_and_deputy_are_enough_R1_3():
    pair = [["secretary"], ["deputy_secretary"]]
    assert "committee_not_needed" not in codes(branch(6, seats=pair, has_term=True))
    three = [["secretary"], ["deputy_secretary"], ["organisation"]]
    assert "committee_not_needed" in codes(branch(6, seats=three, has_term=True))
    assert "committee_not_needed" in codes(
        branch(6, seats=[["secretary"], ["publicity"]], has_term=True)
    )


def test_a_committee_without_a_secretary_is_flagged_R1_3():
    assert "no_secretary" in codes(
        branch(8, seats=[["organisation"], ["publicity"], ["discipline"]], has_term=True)
    )


@pytest.mark.parametrize(
    ("elected", "ok"), [(2, False), (3, True), (5, True), (7, True), (8, False)]
)
def test_an_election_in_a_branch_of_seven_or_more_elects_three_to_seven_R1_3(elected, ok):
    errors = election_errors(BRANCH, 10, posts_for(elected))
    assert (errors == []) is ok
    if not ok:
        assert f"本次当选{elected}人" in errors[0]


def test_an_election_names_exactly_one_secretary_R1_3():
    assert "本次没有" in election_errors(BRANCH, 3, [["deputy_secretary"]])[0]
    two = election_errors(BRANCH, 3, [["secretary"], ["secretary"]])
    assert "本次有2名" in two[0]
    assert election_errors(BRANCH, 3, [["secretary"]]) == []


# R1.4 ------------------------------------------------------------------------------


def test_a_branch_committee_serves_three_years_and_a_primary_committee_five_R1_4():
    assert rules.term_years(OrgKind.BRANCH) == 3
    assert rules.term_years(OrgKind.GENERAL_BRANCH) == 3
    assert rules.term_years(OrgKind.PARTY_COMMITTEE) == 5
    assert rules.add_years(D(2024, 2, 29), 3) == D(2027, 2, 28)


def term(due: dt.date, **kwargs) -> Facts:
    return branch(5, seats=[["secretary"]], has_term=True, due_on=due, **kwargs)


def test_the_reminder_starts_ninety_days_before_term_end_not_ninety_one_R1_4():
    due = D(2026, 6, 1)
    assert "election_due" not in codes(term(due), due - dt.timedelta(days=91))
    found = {a.code: a for a in alerts(term(due), due - dt.timedelta(days=90))}
    assert "还有90天" in found["election_due"].text


def test_the_term_end_day_itself_is_due_and_the_next_day_overdue_R1_4():
    due = D(2026, 6, 1)
    assert codes(term(due), due) >= {"election_due"}
    assert "election_overdue" not in codes(term(due), due)
    found = {a.code: a for a in alerts(term(due), due + dt.timedelta(days=1))}
    assert "election_due" not in found
    assert found["election_overdue"].level == "bad"
    assert "已逾期1天" in found["election_overdue"].text


def test_a_postponement_of_twelve_months_is_allowed_and_thirteen_refused_R1_4():
    ends = D(2026, 6, 1)
    assert rules.postponement_error(ends, D(2027, 6, 1)) is None
    refused = rules.postponement_error(ends, D(2027, 7, 1))
    assert refused and "最多延期1年" in refused and "2027-06-01" in refused
    assert rules.postponement_error(ends, ends) is not None


def test_an_approved_postponement_moves_the_reminders_R1_4():
    postponed = term(D(2027, 6, 1), postponed=True)
    assert "election_overdue" not in codes(postponed, D(2026, 8, 1))
    found = {a.code: a for a in alerts(postponed, D(2027, 6, 2))}
    assert "经批准延期的换届日期" in found["election_overdue"].text
