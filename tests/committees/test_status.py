"""committee_status and the counts behind it: who is a full member on a day, across a whole court."""

from __future__ import annotations

import datetime as dt

import pytest

from tianping.accounts.scoping import scope_for
from tianping.committees import actions
from tianping.committees.models import CommitteeSetting
from tianping.committees.queries import committee_orgs, committee_status, committee_statuses
from tianping.orgs.actions import do_create_org
from tianping.orgs.models import OrgKind
from tianping.people.actions import do_transfer
from tianping.people.models import PoliticalStatus

from .conftest import add_members, elect, posts_for

D = dt.date
ON = D(2024, 6, 1)


def test_full_members_are_those_placed_in_the_branch_and_fully_admitted_on_the_day(world):
    branch = world.org("BT-JY-B01")  # 王芳 (full) and 赵磊 (probationary)
    add_members(branch, 1, full_member_on=D(2024, 6, 2))  # not yet full on ON
    add_members(branch, 1, full_member_on=D(2024, 6, 1))  # full from ON
    add_members(branch, 1, since=D(2024, 6, 2))  # arrives the next day
    status = committee_status(branch, ON)
    assert status.full_members == 2
    assert status.party_members == 4


def test_a_transfer_counts_the_member_where_they_were_on_each_day(world):
    b01, b02 = world.org("BT-JY-B01"), world.org("BT-JY-B02")
    do_transfer(None, world.people["wang"], on=D(2024, 3, 1), party_org=b02, reason="调动")
    assert committee_status(b01, D(2024, 2, 29)).full_members == 1
    assert committee_status(b01, D(2024, 3, 1)).full_members == 0
    assert committee_status(b02, D(2024, 3, 1)).full_members == 2


def test_six_full_members_need_only_a_secretary_and_seven_must_have_a_committee_R1_3(world):
    branch = world.org("BT-JY-B02")  # 孙丽
    add_members(branch, 5)
    six = committee_status(branch, ON)
    assert (six.full_members, six.must_have_committee) == (6, False)
    assert not six.has("no_committee")
    add_members(branch, 1)
    seven = committee_status(branch, ON)
    assert (seven.full_members, seven.must_have_committee) == (7, True)
    assert seven.has("no_committee")


def test_two_full_members_are_warned_and_three_are_fine_R1_1(world):
    branch = world.org("BT-JY-B02")
    add_members(branch, 1)
    add_members(branch, 3, status=PoliticalStatus.PROBATIONARY)  # probationers do not count
    two = committee_status(branch, ON)
    assert two.full_members == 2
    assert any("正式党员不足3人，应成立联合党支部" in a.text for a in two.warnings)
    add_members(branch, 1)
    assert not committee_status(branch, ON).has("too_few_full_members")


def test_fifty_members_are_fine_and_fifty_one_are_warned_R1_1(world):
    branch = world.org("BT-JY-B02")
    add_members(branch, 49)
    assert committee_status(branch, ON).party_members == 50
    assert not committee_status(branch, ON).has("over_fifty_members")
    add_members(branch, 1, status=PoliticalStatus.PROBATIONARY)
    fifty_one = committee_status(branch, ON)
    assert fifty_one.party_members == 51
    assert fifty_one.has("over_fifty_members")


def test_a_hundred_members_call_for_a_primary_committee_as_the_court_reads_R1_2(world):
    branch = world.org("BT-JY-B02")
    add_members(branch, 98)
    ninety_nine = committee_status(branch, ON)
    assert ninety_nine.party_members == 99
    assert not ninety_nine.has("should_be_primary_committee")
    add_members(branch, 1)
    assert committee_status(branch, ON).has("should_be_primary_committee")
    # The basic court reads R1.2 as "more than 100": exactly 100 is a general branch's size.
    actions.do_set_committee_setting(
        world.users["bob"], world.org("BT-JY"), primary_committee_min=101
    )
    hundred = committee_status(branch, ON)
    assert not hundred.has("should_be_primary_committee")
    assert hundred.has("over_fifty_members")
    assert hundred.primary_committee_min == 101


def test_a_basic_court_follows_its_mid_courts_setting_until_it_has_its_own_R1_2(world):
    branch = world.org("BT-JY-B02")
    actions.do_set_committee_setting(None, world.org("BT"), primary_committee_min=120)
    assert committee_status(branch, ON).primary_committee_min == 120
    actions.do_set_committee_setting(None, world.org("BT-JY"), primary_committee_min=101)
    assert committee_status(branch, ON).primary_committee_min == 101
    assert committee_status(world.org("BT-B01"), ON).primary_committee_min == 120


def test_the_setting_change_is_audited_and_its_range_checked(world):
    from django.core.exceptions import ValidationError

    from tianping.audit.models import AuditEvent

    actions.do_set_committee_setting(
        world.users["bob"], world.org("BT-JY"), primary_committee_min=101
    )
    event = AuditEvent.objects.get(action="committees.setting")
    assert event.after == {"primary_committee_min": 101}
    assert CommitteeSetting.objects.get(court__code="BT-JY").primary_committee_min == 101
    with pytest.raises(ValidationError):
        actions.do_set_committee_setting(None, world.org("BT-JY"), primary_committee_min=20)
    with pytest.raises(ValidationError):
        actions.do_set_committee_setting(None, world.org("BT-JY-B01"), primary_committee_min=100)


def test_a_party_committee_counts_everyone_in_its_branches(world):
    status = committee_status(world.org("BT-JY-JGDW"), ON)
    assert (status.full_members, status.party_members) == (2, 3)  # 王芳, 孙丽; 赵磊 probationary
    assert status.must_have_committee
    assert status.has("no_committee")


def test_a_whole_court_is_counted_in_a_fixed_number_of_queries(
    world, django_assert_max_num_queries
):
    for code in ("BT-JY-B01", "BT-JY-B02", "BT-B01"):
        add_members(world.org(code), 8)
    for n in range(3, 6):
        jgdw = world.org("BT-JY-JGDW")
        new = do_create_org(
            None, code=f"BT-JY-B0{n}", name=f"第{n}党支部", kind=OrgKind.BRANCH, parent=jgdw
        )
        new.refresh_from_db()
        add_members(new, 3)
    b01 = world.org("BT-JY-B01")
    elect(None, b01, D(2023, 5, 1), list(zip(add_members(b01, 3), posts_for(3), strict=True)))
    orgs = list(committee_orgs(scope_for(world.users["admin"]), world.org("BT")))
    # placements, court settings, terms, seats: the same four however many branches there are
    with django_assert_max_num_queries(4):
        statuses = committee_statuses(orgs, ON)
    by_code = {s.org.code: s for s in statuses}
    assert len(statuses) == 9
    assert by_code["BT-JY-B01"].full_members == 12
    assert [m.person.name for m in by_code["BT-JY-B01"].members][0].startswith("党员")
    assert by_code["BT-JY-JGDW"].full_members == 12 + 9 + 9


def test_committee_status_answers_the_committee_on_a_past_day(world):
    branch = world.org("BT-JY-B02")
    people = add_members(branch, 8)
    elect(None, branch, D(2021, 4, 1), list(zip(people[:3], posts_for(3), strict=True)))
    elect(
        None,
        branch,
        D(2024, 3, 20),
        list(zip(people[3:8], posts_for(5), strict=True)),
        early_approved_by="中共九原区人民法院机关委员会",
        early_approved_on=D(2024, 3, 1),
    )
    then = committee_status(branch, D(2022, 1, 1))
    now = committee_status(branch, ON)
    assert [m.person for m in then.members] == people[:3]
    assert [m.person for m in now.members] == people[3:8]
    assert then.term.ends_on == D(2024, 4, 1)
    assert now.secretary.person == people[3]
    assert committee_status(branch, D(2021, 3, 31)).term is None


def test_committee_status_refuses_an_organisation_that_elects_no_committee(world):
    with pytest.raises(ValueError):
        committee_status(world.org("BT-JY-MS"), ON)
