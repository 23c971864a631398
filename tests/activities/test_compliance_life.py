"""Who owes what, when (D2): founding dates, organisations that live as long as their court."""

from __future__ import annotations

import datetime as dt

from tianping.activities import actions
from tianping.activities.compliance import compliance
from tianping.orgs.actions import do_create_org, do_update_org
from tianping.orgs.models import Org, OrgKind
from tianping.people.actions import do_create_person
from tianping.people.models import PoliticalStatus

D = dt.date
MONTHS = [f"2024-{m:02d}" for m in range(1, 13)]


def org(code):
    return Org.objects.get(code=code)


def periods(report, code, obligation, status=None):
    return [
        r.span.code
        for r in report.rows
        if r.org.code == code
        and r.obligation.code == obligation
        and (status is None or r.status == status)
    ]


def leading_group(world):
    return do_create_org(
        None, code="BT-DZ", name="党组", kind=OrgKind.LEADING_GROUP, parent=world.org("BT")
    )


def test_d2_a_leading_group_with_no_sessions_at_all_in_a_year_owes_every_month(world):
    # Entered today, never a session recorded: it still lives as long as its court, whose
    # records (people placed since 2020) cover 2024.
    leading_group(world)
    report = compliance(org("BT-DZ"), 2024, D(2024, 12, 31))
    assert periods(report, "BT-DZ", "center_group_study", "missing") == MONTHS
    assert periods(report, "BT-DZ", "secretary_lecture", "missing") == ["2024"]
    assert report.summary.as_dict() == {
        "required": 13,
        "met": 0,
        "missing": 13,
        "upcoming": 0,
        "rate": 0.0,
    }


def test_d2_the_leading_group_appears_in_its_courts_matrix_too(world):
    leading_group(world)
    report = compliance(world.org("BT"), 2024, D(2024, 12, 31))
    assert periods(report, "BT-DZ", "center_group_study", "missing") == MONTHS


def test_d2_a_courts_life_begins_with_its_records(world):
    leading_group(world)
    assert compliance(org("BT-DZ"), 2019, D(2019, 12, 31)).rows == []
    assert periods(compliance(org("BT-DZ"), 2020, D(2020, 12, 31)), "BT-DZ", "secretary_lecture")
    # The court's own founding date, where known, is where its life begins.
    do_update_org(None, world.org("BT"), founded_on=D(2024, 3, 10))
    report = compliance(org("BT-DZ"), 2024, D(2024, 12, 31))
    assert periods(report, "BT-DZ", "center_group_study") == MONTHS[2:]
    assert periods(report, "BT-DZ", "secretary_lecture") == ["2024"]
    assert compliance(org("BT-DZ"), 2023, D(2023, 12, 31)).rows == []


def test_d2_a_party_committee_with_no_branches_lives_as_long_as_its_court(world):
    court = do_create_org(
        None, code="BT-DH", name="东河区人民法院", kind=OrgKind.BASIC_COURT, parent=world.org("BT")
    )
    department = do_create_org(
        None, code="BT-DH-MS", name="民事审判庭", kind=OrgKind.DEPARTMENT, parent=org("BT-DH")
    )
    do_create_person(
        None,
        court,
        employee_no="DH0001",
        name="冯敏",
        political_status=PoliticalStatus.MEMBER,
        department=department,
        since=D(2022, 7, 1),
    )
    do_create_org(
        None, code="BT-DH-JGDW", name="机关党委", kind=OrgKind.PARTY_COMMITTEE, parent=org("BT-DH")
    )
    report = compliance(org("BT-DH-JGDW"), 2023, D(2023, 12, 31))
    assert periods(report, "BT-DH-JGDW", "secretary_lecture", "missing") == ["2023"]
    # The court's records begin in July 2022: that year is owed, 2021 is not.
    assert periods(
        compliance(org("BT-DH"), 2022, D(2022, 12, 31)), "BT-DH-JGDW", "secretary_lecture"
    )
    assert compliance(org("BT-DH"), 2021, D(2021, 12, 31)).rows == []


def test_d2_a_branch_founded_mid_period_owes_that_period(world):
    do_create_org(
        None,
        code="BT-JY-B03",
        name="第三党支部",
        kind=OrgKind.BRANCH,
        parent=world.org("BT-JY-JGDW"),
        founded_on=D(2024, 5, 15),
    )
    # Its members were placed long before: the founding date, where known, decides.
    for i in range(3):
        do_create_person(
            None,
            world.org("BT-JY"),
            employee_no=f"JY06{i:02d}",
            name=f"党员{i}",
            political_status=PoliticalStatus.MEMBER,
            party_org=org("BT-JY-B03"),
            since=D(2020, 1, 1),
        )
    report = compliance(org("BT-JY-B03"), 2024, D(2024, 12, 31))
    assert periods(report, "BT-JY-B03", "theme_day") == MONTHS[4:]
    assert periods(report, "BT-JY-B03", "branch_congress") == ["2024-Q2", "2024-Q3", "2024-Q4"]
    assert periods(report, "BT-JY-B03", "life_meeting") == ["2024"]
    assert compliance(org("BT-JY-B03"), 2023, D(2023, 12, 31)).rows == []


def test_d2_a_founding_date_long_ago_makes_a_branch_with_no_records_owe_the_whole_year(world):
    do_create_org(
        None,
        code="BT-JY-B03",
        name="第三党支部",
        kind=OrgKind.BRANCH,
        parent=world.org("BT-JY-JGDW"),
        founded_on=D(2010, 7, 1),
    )
    report = compliance(org("BT-JY-B03"), 2024, D(2024, 12, 31))
    assert periods(report, "BT-JY-B03", "theme_day", "missing") == MONTHS


def test_d2_a_founding_date_outweighs_an_earlier_activity(world):
    do_update_org(None, world.org("BT-JY-B02"), founded_on=D(2024, 7, 1))
    actions.do_record_past_activity(
        world.users["admin"],
        world.org("BT-JY-B02"),
        kind="theme_day",
        title="早于成立日期的记录",
        on=D(2024, 2, 5),
        attendance={},
    )
    report = compliance(world.org("BT-JY-B02"), 2024, D(2024, 12, 31))
    assert periods(report, "BT-JY-B02", "theme_day") == MONTHS[6:]
