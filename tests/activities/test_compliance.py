"""The compliance engine: obligations per organisation and period (R1.5), committees (R1.3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tianping.accounts.scoping import scope_for
from tianping.activities import actions
from tianping.activities.compliance import (
    compliance,
    dashboard_summary,
    default_as_of,
    membership_on,
)
from tianping.activities.models import ObligationSetting
from tianping.orgs.actions import do_create_org
from tianping.orgs.models import Org, OrgKind
from tianping.people.actions import do_create_person, do_merge_branches, do_transfer
from tianping.people.models import PoliticalStatus

D = dt.date
LONG_AGO = D(2020, 1, 1)


def org(code):
    return Org.objects.get(code=code)


def held(world, code, kind, on, **fields):
    return actions.do_record_past_activity(
        world.users["admin"],
        org(code),
        kind=kind,
        title=f"{on:%Y年%m月}{kind}",
        on=on,
        attendance={},
        **fields,
    )


def row(report, code, obligation, period):
    """The one row of an organisation's obligation (by its code or its kind) in a period."""
    found = [
        r
        for r in report.rows
        if r.org.code == code
        and obligation in (r.obligation.code, r.kind)
        and r.span.code == period
    ]
    assert len(found) == 1, f"{len(found)} rows for {code} {obligation} {period}"
    return found[0]


def periods(report, code, obligation):
    return [
        r.span.code for r in report.rows if r.org.code == code and r.obligation.code == obligation
    ]


def add_full_members(world, code, n, *, since=LONG_AGO, prefix="X", full_member_on=None):
    court = org(code).court()
    return [
        do_create_person(
            None,
            court,
            employee_no=f"{prefix}{i:03d}",
            name=f"党员{prefix}{i}",
            political_status=PoliticalStatus.MEMBER,
            full_member_on=full_member_on,
            party_org=org(code),
            since=since,
        )
        for i in range(n)
    ]


def test_a_meeting_on_the_last_day_of_a_quarter_counts_for_that_quarter_R1_5(world):
    held(world, "BT-JY-B01", "branch_congress", D(2024, 3, 31))
    report = compliance(world.org("BT-JY-B01"), 2024, D(2024, 12, 31))
    q1 = row(report, "BT-JY-B01", "branch_congress", "2024-Q1")
    assert (q1.required, q1.held, q1.status) == (1, 1, "met")
    assert row(report, "BT-JY-B01", "branch_congress", "2024-Q2").status == "missing"


def test_a_meeting_on_the_first_day_of_the_next_quarter_does_not_R1_5(world):
    held(world, "BT-JY-B01", "branch_congress", D(2024, 4, 1))
    report = compliance(world.org("BT-JY-B01"), 2024, D(2024, 12, 31))
    assert row(report, "BT-JY-B01", "branch_congress", "2024-Q1").held == 0
    assert row(report, "BT-JY-B01", "branch_congress", "2024-Q1").status == "missing"
    assert row(report, "BT-JY-B01", "branch_congress", "2024-Q2").status == "met"


def test_a_cancelled_activity_counts_for_nothing_R1_5(world):
    meeting = held(world, "BT-JY-B01", "theme_day", D(2024, 5, 20))
    actions.do_cancel(world.users["carol"], meeting, "改期")
    actions.do_plan_activity(
        world.users["carol"],
        world.org("BT-JY-B01"),
        kind="theme_day",
        title="计划",
        on=D(2024, 5, 28),
    )
    report = compliance(world.org("BT-JY-B01"), 2024, D(2024, 12, 31))
    may = row(report, "BT-JY-B01", "theme_day", "2024-05")
    assert (may.held, may.status) == (0, "missing")


def test_a_theme_day_held_with_a_party_lecture_counts_for_both_R1_5(world):
    day = held(world, "BT-JY-B01", "theme_day", D(2024, 5, 20), also_counts_as=["party_lecture"])
    report = compliance(world.org("BT-JY-B01"), 2024, D(2024, 12, 31), with_ids=True)
    assert row(report, "BT-JY-B01", "theme_day", "2024-05").status == "met"
    lecture = row(report, "BT-JY-B01", "party_lecture", "2024-Q2")
    assert (lecture.held, lecture.status, lecture.activity_ids) == (1, "met", (day.pk,))


def test_periods_are_coded_as_the_contract_says(world):
    do_create_person(
        None,
        world.org("BT-JY"),
        employee_no="JY0100",
        name="钱进",
        political_status=PoliticalStatus.MEMBER,
        party_org=world.org("BT-JY-B01"),
        party_group=world.org("BT-JY-B01-G1"),
        since=D(2020, 1, 1),
    )
    report = compliance(world.org("BT-JY-B01"), 2024, D(2024, 12, 31))
    assert periods(report, "BT-JY-B01", "theme_day") == [f"2024-{m:02d}" for m in range(1, 13)]
    assert periods(report, "BT-JY-B01", "branch_congress") == [f"2024-Q{q}" for q in range(1, 5)]
    assert periods(report, "BT-JY-B01", "life_meeting") == ["2024"]
    assert periods(report, "BT-JY-B01-G1", "group_meeting") == [
        f"2024-{m:02d}" for m in range(1, 13)
    ]


def test_a_small_branch_owes_no_committee_meetings_R1_3(world):
    report = compliance(world.org("BT-JY-B01"), 2024, D(2024, 12, 31))
    assert periods(report, "BT-JY-B01", "branch_committee") == []
    assert report.full_members[world.org("BT-JY-B01").pk] == [1] * 12  # 王芳; 赵磊 is probationary


def test_a_branch_that_crossed_7_full_members_mid_year_owes_committee_meetings_from_that_month_R1_3(
    world,
):
    add_full_members(world, "BT-JY-B02", 5)  # with 孙丽: 6 full members
    add_full_members(world, "BT-JY-B02", 1, since=D(2024, 6, 10), prefix="Y")
    report = compliance(world.org("BT-JY-B02"), 2024, D(2024, 12, 31))
    assert report.full_members[world.org("BT-JY-B02").pk] == [6] * 5 + [7] * 7
    assert periods(report, "BT-JY-B02", "branch_committee") == [
        f"2024-{m:02d}" for m in range(6, 13)
    ]


def test_a_probationary_member_counts_from_the_day_they_became_full_R1_3(world):
    add_full_members(world, "BT-JY-B02", 5)
    add_full_members(world, "BT-JY-B02", 1, prefix="Y", full_member_on=D(2024, 9, 1))
    report = compliance(world.org("BT-JY-B02"), 2024, D(2024, 12, 31))
    assert periods(report, "BT-JY-B02", "branch_committee")[0] == "2024-09"


def test_a_member_who_moved_branch_mid_month_counts_where_they_were_at_month_end_R1_3(world):
    movers = add_full_members(world, "BT-JY-B01", 6)  # with 王芳: 7 full members
    add_full_members(world, "BT-JY-B02", 5, prefix="Z")  # with 孙丽: 6
    do_transfer(None, movers[0], on=D(2024, 3, 15), party_org=world.org("BT-JY-B02"))
    report = compliance(world.org("BT-JY"), 2024, D(2024, 12, 31))
    assert periods(report, "BT-JY-B01", "branch_committee") == ["2024-01", "2024-02"]
    assert periods(report, "BT-JY-B02", "branch_committee") == [
        f"2024-{m:02d}" for m in range(3, 13)
    ]


def test_a_committee_meeting_counts_only_where_a_committee_is_owed_R1_3(world):
    add_full_members(world, "BT-JY-B01", 6)
    meeting = held(world, "BT-JY-B01", "branch_committee", D(2024, 2, 29))
    report = compliance(world.org("BT-JY-B01"), 2024, D(2024, 12, 31), with_ids=True)
    february = row(report, "BT-JY-B01", "branch_committee", "2024-02")
    assert (february.held, february.status, february.activity_ids) == (1, "met", (meeting.pk,))
    assert row(report, "BT-JY-B01", "branch_committee", "2024-03").status == "missing"


def test_as_of_makes_the_current_month_upcoming_R1_5(world):
    held(world, "BT-JY-B01", "theme_day", D(2024, 1, 10))
    held(world, "BT-JY-B01", "theme_day", D(2024, 3, 20))  # after as_of: not yet known
    report = compliance(world.org("BT-JY-B01"), 2024, D(2024, 3, 15))
    assert [
        row(report, "BT-JY-B01", "theme_day", f"2024-{m:02d}").status for m in (1, 2, 3, 4)
    ] == [
        "met",
        "missing",
        "upcoming",
        "upcoming",
    ]
    assert row(report, "BT-JY-B01", "theme_day", "2024-03").held == 0
    assert row(report, "BT-JY-B01", "life_meeting", "2024").status == "upcoming"


def test_a_period_ending_on_as_of_has_ended():
    from tianping.activities.compliance import _status, spans

    march = spans(2024, "month")[2]
    assert _status(1, 0, march, D(2024, 3, 31)) == "missing"
    assert _status(1, 0, march, D(2024, 3, 30)) == "upcoming"
    assert _status(1, 1, march, D(2024, 3, 1)) == "met"


def test_as_of_defaults_to_today_or_the_end_of_a_past_year():
    assert default_as_of(2024, D(2026, 5, 4)) == D(2024, 12, 31)
    assert default_as_of(2026, D(2026, 5, 4)) == D(2026, 5, 4)


def test_a_court_setting_changes_the_party_lecture_frequency_R1_5(world):
    ObligationSetting.objects.create(
        court=world.org("BT-JY"), obligation="party_lecture", period="month", count=1
    )
    held(world, "BT-JY-B01", "party_lecture", D(2024, 2, 5))
    report = compliance(world.org("BT"), 2024, D(2024, 12, 31))
    assert periods(report, "BT-JY-B01", "party_lecture") == [f"2024-{m:02d}" for m in range(1, 13)]
    assert row(report, "BT-JY-B01", "party_lecture", "2024-02").status == "met"
    # The mid court keeps the default: one a quarter.
    assert periods(report, "BT-B01", "party_lecture") == [f"2024-Q{q}" for q in range(1, 5)]


def test_a_court_setting_changes_the_heart_talk_count(world):
    ObligationSetting.objects.create(
        court=world.org("BT-JY"), obligation="heart_talk", period="year", count=2
    )
    held(world, "BT-JY-B01", "heart_talk", D(2024, 4, 2))
    report = compliance(world.org("BT-JY-B01"), 2024, D(2024, 12, 31))
    talk = row(report, "BT-JY-B01", "heart_talk", "2024")
    assert (talk.required, talk.held, talk.status) == (2, 1, "missing")


def test_the_secretary_lecture_counts_only_a_lecture_by_the_secretary_R1_5(world):
    held(world, "BT-JY-JGDW", "party_lecture", D(2024, 6, 1))
    report = compliance(world.org("BT-JY-JGDW"), 2024, D(2024, 12, 31))
    assert row(report, "BT-JY-JGDW", "secretary_lecture", "2024").status == "missing"
    held(world, "BT-JY-JGDW", "party_lecture", D(2024, 7, 1), lecturer_is_secretary=True)
    report = compliance(world.org("BT-JY-JGDW"), 2024, D(2024, 12, 31))
    lecture = row(report, "BT-JY-JGDW", "secretary_lecture", "2024")
    assert (lecture.kind, lecture.kind_name, lecture.held) == (
        "party_lecture",
        "党委（党组）书记讲党课",
        1,
    )


def test_the_leading_group_owes_center_group_study_each_month_R1_5(world):
    do_create_org(
        None, code="BT-DZ", name="党组", kind=OrgKind.LEADING_GROUP, parent=world.org("BT")
    )
    held(world, "BT-DZ", "center_group_study", D(2024, 1, 12))
    report = compliance(org("BT-DZ"), 2024, D(2024, 12, 31))
    assert periods(report, "BT-DZ", "center_group_study") == [f"2024-{m:02d}" for m in range(1, 13)]
    assert row(report, "BT-DZ", "center_group_study", "2024-01").status == "met"
    assert row(report, "BT-DZ", "secretary_lecture", "2024").status == "missing"


def test_d2_a_merged_branch_owes_only_the_periods_that_ended_before_the_merge(world):
    do_merge_branches(None, world.org("BT-JY-B02"), world.org("BT-JY-B01"), D(2024, 5, 15))
    report = compliance(world.org("BT-JY"), 2024, D(2024, 12, 31))
    assert periods(report, "BT-JY-B02", "theme_day") == [f"2024-{m:02d}" for m in range(1, 5)]
    assert periods(report, "BT-JY-B02", "branch_congress") == ["2024-Q1"]
    # The year's 组织生活会, 民主评议 and 谈心谈话 pass with its members to 第一党支部.
    for obligation in ("life_meeting", "democratic_review", "heart_talk"):
        assert periods(report, "BT-JY-B02", obligation) == []
        assert periods(report, "BT-JY-B01", obligation) == ["2024"]
    # A branch dissolved before the year owes nothing in it.
    assert [
        r
        for r in compliance(world.org("BT-JY"), 2025, D(2025, 12, 31)).rows
        if r.org.code == "BT-JY-B02"
    ] == []


def test_an_organisation_owes_nothing_before_it_began(world):
    do_create_org(
        None,
        code="BT-JY-B03",
        name="第三党支部",
        kind=OrgKind.BRANCH,
        parent=world.org("BT-JY-JGDW"),
    )
    add_full_members(world, "BT-JY-B03", 3, since=D(2024, 9, 10))
    report = compliance(org("BT-JY-B03"), 2024, D(2024, 12, 31))
    assert periods(report, "BT-JY-B03", "theme_day") == [f"2024-{m:02d}" for m in range(9, 13)]
    assert periods(report, "BT-JY-B03", "branch_congress") == ["2024-Q3", "2024-Q4"]


def test_the_summary_counts_rows_and_the_rate_is_met_over_due(world):
    held(world, "BT-JY-B01", "theme_day", D(2024, 1, 10))
    report = compliance(world.org("BT-JY-B01"), 2024, D(2024, 2, 29))
    summary = report.summary
    assert summary.required == len(report.rows)
    assert summary.required == summary.met + summary.missing + summary.upcoming
    assert (summary.met, summary.missing) == (1, 1)  # theme day met; group meeting missing
    assert summary.rate == 0.5
    assert compliance(world.org("BT-JY-B01"), 2024, D(2023, 12, 1)).summary.rate is None


def test_the_engine_asks_a_constant_number_of_queries(world):
    def queries(code):
        with CaptureQueriesContext(connection) as ctx:
            compliance(world.org(code), 2024, D(2024, 12, 31))
        return len(ctx.captured_queries)

    small = queries("BT-JY-B01")
    for i in range(4):
        do_create_org(
            None,
            code=f"BT-JY-B1{i}",
            name=f"支部{i}",
            kind=OrgKind.BRANCH,
            parent=world.org("BT-JY-JGDW"),
        )
        held(world, f"BT-JY-B1{i}", "theme_day", D(2024, 2, 2))
    assert queries("BT") <= small + 1
    # The node itself, then the engine: organisations, courts, settings, two that date the
    # lives of organisations entered after the year began, branch placements, held
    # activities, the committees' terms (D5) and the talks' attendance.
    assert queries("BT") <= 10


def test_a_group_entered_today_with_nobody_in_it_owes_nothing_for_past_years(world):
    report = compliance(world.org("BT-JY-B01"), 2024, D(2024, 12, 31))
    assert periods(report, "BT-JY-B01-G1", "group_meeting") == []


def test_membership_counts_full_and_probationary_members_on_a_day_R1_1(world):
    members = membership_on(world.org("BT-JY-B01"), D(2024, 6, 30))
    assert (members.full, members.probationary, members.total) == (1, 1, 2)


@pytest.fixture
def carols_scope(world):
    return scope_for(world.users["carol"])


def test_the_dashboard_names_what_is_due_overdue_and_branches_gone_quiet(world):
    held(world, "BT-JY-B01", "theme_day", D(2024, 1, 10))
    held(world, "BT-JY-B02", "theme_day", D(2024, 3, 1))
    summary = dashboard_summary(scope_for(world.users["bob"]), D(2024, 3, 15))
    due = {(r.org.code, r.obligation.code, r.span.code) for r in summary.due}
    assert ("BT-JY-B01", "theme_day", "2024-03") in due
    assert ("BT-JY-B02", "theme_day", "2024-03") not in due  # already met this month
    overdue = {(r.org.code, r.obligation.code, r.span.code) for r in summary.overdue}
    assert ("BT-JY-B01", "theme_day", "2024-02") in overdue
    sentences = [i.sentence for i in summary.idle]
    assert "第一党支部 已连续65天没有活动记录" in sentences
    assert not any(s.startswith("第二党支部") for s in sentences)


def test_the_dashboard_summary_stays_inside_the_scope(world, carols_scope):
    held(world, "BT-JY-B02", "theme_day", D(2024, 3, 1))
    summary = dashboard_summary(carols_scope, D(2024, 3, 15))
    codes = {r.org.code for r in summary.due + summary.overdue} | {i.org.code for i in summary.idle}
    assert codes <= {"BT-JY-B01", "BT-JY-B01-G1"}
    assert dashboard_summary(scope_for(world.users["dave"]), D(2024, 3, 15)).empty
