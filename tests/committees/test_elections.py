"""Recording an election: who may stand, R1.3's sizes, and how it renews the term (R1.4)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tianping.activities import actions as activity_actions
from tianping.audit.models import AuditEvent
from tianping.committees.actions import CandidateIn, do_record_election
from tianping.committees.models import Candidate, CommitteeMember, Election, Term
from tianping.committees.queries import committee_status, full_members_on

from .conftest import add_members, elect, posts_for

D = dt.date
APPROVER = "中共九原区人民法院机关委员会"


@pytest.fixture
def branch(world):
    """第二党支部 of the basic court with 孙丽 and eight more full members: nine in all."""
    org = world.org("BT-JY-B02")
    add_members(org, 8)
    return org


def members(branch):
    """The branch's full members in 工号 order: 孙丽 (JY0003) and the eight added."""
    return list(full_members_on(branch, D(2024, 1, 1)))


def test_an_election_opens_a_three_year_term_with_the_elected_posts_R1_4(world, branch):
    people = members(branch)
    election = elect(
        world.users["carol"],
        branch,
        D(2023, 5, 20),
        list(zip(people[:5], posts_for(5), strict=True)),
        losers=people[5:6],
        present=9,
    )
    term = election.term
    assert (term.elected_on, term.years, term.ends_on, term.closed_on) == (
        D(2023, 5, 20),
        3,
        D(2026, 5, 20),
        None,
    )
    seats = {s.person: s.posts for s in term.members.all()}
    assert seats[people[0]] == ["secretary"]
    assert len(seats) == 5
    assert election.entitled == 9
    lost = Candidate.objects.get(election=election, person=people[5])
    assert (lost.elected, lost.votes, lost.posts) == (False, 2, [])
    event = AuditEvent.objects.get(action="committees.election")
    assert event.org.code == "BT-JY-B02"
    assert event.after["term"] == "2023-05-20至2026-05-20（3年）"
    assert f"{people[0].name}（书记）" in event.after["elected"]


def test_an_election_renews_the_term_and_keeps_the_history_R1_4(world, branch):
    people = members(branch)
    first = elect(None, branch, D(2020, 6, 1), list(zip(people[:3], posts_for(3), strict=True)))
    # Twelve days before the term ends: early, so approved (D7).
    second = elect(
        None,
        branch,
        D(2023, 5, 20),
        list(zip(people[2:7], posts_for(5), strict=True)),
        early_approved_by=APPROVER,
        early_approved_on=D(2023, 5, 10),
    )
    old, new = first.term, second.term
    old.refresh_from_db()
    assert old.closed_on == D(2023, 5, 20)
    assert new.closed_on is None and new.ends_on == D(2026, 5, 20)
    # The old seats end on the election day; the new ones start on it, history kept.
    old_seats = CommitteeMember.objects.filter(term=old)
    assert {s.until for s in old_seats} == {D(2023, 5, 20)}
    assert CommitteeMember.objects.filter(term=new, until__isnull=True).count() == 5
    assert Term.objects.filter(branch=branch).count() == 2
    assert Election.objects.filter(branch=branch).count() == 2
    # 党员3 served on both committees: two seats, one per term.
    assert CommitteeMember.objects.filter(person=people[2]).count() == 2
    event = AuditEvent.objects.filter(action="committees.election").first()
    assert event.after["closed_term"] == "2020-06-01起的一届于2023-05-20换届"


def test_a_primary_party_committee_serves_five_years_R1_4(world):
    jgdw = world.org("BT-JY-JGDW")
    wang, sun = world.people["wang"], world.people["sun"]
    election = elect(
        None, jgdw, D(2022, 7, 1), [(wang, ["secretary"]), (sun, ["deputy_secretary"])]
    )
    assert (election.term.years, election.term.ends_on) == (5, D(2027, 7, 1))
    # Candidates came from the branches below it: its members are theirs.
    assert election.entitled == 2


@pytest.mark.parametrize(
    ("size", "accepted"), [(2, False), (3, True), (5, True), (7, True), (8, False)]
)
def test_a_branch_with_seven_or_more_full_members_elects_three_to_seven_R1_3(
    world, branch, size, accepted
):
    people = members(branch)
    seats = list(zip(people[:size], posts_for(size), strict=True))
    if not accepted:
        with pytest.raises(ValidationError) as caught:
            elect(None, branch, D(2023, 5, 20), seats)
        assert f"本次当选{size}人" in " ".join(caught.value.message_dict["candidates"])
        assert not Term.objects.filter(branch=branch).exists()
        return
    elect(None, branch, D(2023, 5, 20), seats)
    status = committee_status(branch, D(2024, 1, 1))
    assert len(status.members) == size
    assert status.has("committee_over_five") is (size == 7)


def test_a_small_branch_elects_a_secretary_and_is_warned_of_a_larger_committee_R1_3(world):
    small = world.org("BT-JY-B01")  # 王芳 is its only full member
    others = add_members(small, 3)
    elect(None, small, D(2020, 1, 10), [(world.people["wang"], ["secretary"])])
    assert committee_status(small, D(2022, 1, 1)).warnings == []
    elect(None, small, D(2023, 2, 10), list(zip(others, posts_for(3), strict=True)))
    assert committee_status(small, D(2024, 1, 1)).has("committee_not_needed")


def test_the_secretary_post_is_held_exactly_once_R1_3(world, branch):
    people = members(branch)
    for posts in (
        [["organisation"], ["publicity"], ["discipline"]],
        [["secretary"], ["secretary"], ["publicity"]],
    ):
        with pytest.raises(ValidationError) as caught:
            elect(None, branch, D(2023, 5, 20), list(zip(people[:3], posts, strict=True)))
        assert "应有且只有一名书记" in caught.value.message_dict["candidates"][0]


def test_only_full_members_of_the_branch_on_the_day_may_stand(world, branch):
    zhao = world.people["zhao"]  # probationary, and of another branch
    wang = world.people["wang"]  # full member of 第一党支部
    late = add_members(branch, 1, since=D(2023, 6, 1))[0]
    candidates = [
        CandidateIn(members(branch)[0].employee_no, 9, True, ("secretary",)),
        CandidateIn(zhao.employee_no, 3),
        CandidateIn(wang.employee_no, 3),
        CandidateIn("NOBODY", 1),
        CandidateIn(late.employee_no, 1),
    ]
    with pytest.raises(ValidationError) as caught:
        do_record_election(None, branch, held_on=D(2023, 5, 20), candidates=candidates)
    errors = caught.value.message_dict
    assert "candidates.0" not in errors
    assert "赵磊（JY0002）2023-05-20时不是第二党支部的正式党员" in errors["candidates.1"][0]
    assert "王芳" in errors["candidates.2"][0]
    assert "找不到工号为NOBODY的人员" in errors["candidates.3"][0]
    assert "第5位候选人" in errors["candidates.4"][0]
    assert not Election.objects.exists()


def test_votes_posts_and_the_election_day_are_checked(world, branch):
    people = members(branch)
    sec = CandidateIn(people[0].employee_no, 9, True, ("secretary",))
    with pytest.raises(ValidationError) as caught:
        do_record_election(
            None,
            branch,
            held_on=dt.date.today() + dt.timedelta(days=2),
            present=20,
            candidates=[
                sec,
                CandidateIn(people[1].employee_no, 5, False, ("publicity",)),
                CandidateIn(people[2].employee_no, 5, True, ()),
                CandidateIn(people[0].employee_no, 1),
            ],
        )
    errors = caught.value.message_dict
    assert errors["held_on"] == ["选举日期不能晚于今天"]
    assert "实到人数不能超过有选举权的正式党员数（9人）" in errors["present"][0]
    assert "未当选者不能担任职务" in errors["candidates.1"][0]
    assert "请为当选者选择职务" in errors["candidates.2"][0]
    assert "重复" in errors["candidates.3"][0]
    with pytest.raises(ValidationError) as caught:
        do_record_election(None, branch, held_on=D(2023, 5, 20), candidates=[])
    assert caught.value.message_dict["candidates"] == ["请至少填写一名候选人"]


def test_elections_are_recorded_in_order(world, branch):
    people = members(branch)
    elect(None, branch, D(2023, 5, 20), list(zip(people[:3], posts_for(3), strict=True)))
    for day in (D(2023, 5, 20), D(2022, 1, 1)):
        with pytest.raises(ValidationError) as caught:
            elect(None, branch, day, list(zip(people[:3], posts_for(3), strict=True)))
        assert "最近一次换届选举在2023-05-20" in caught.value.message_dict["held_on"][0]


def test_an_election_may_cite_the_branch_congress_that_held_it(world, branch):
    people = members(branch)
    seats = list(zip(people[:3], posts_for(3), strict=True))
    congress = activity_actions.do_record_past_activity(
        None,
        branch,
        kind="branch_congress",
        title="换届选举党员大会",
        on=D(2023, 5, 20),
        attendance={},
    )
    other_day = activity_actions.do_record_past_activity(
        None,
        branch,
        kind="branch_congress",
        title="二季度党员大会",
        on=D(2023, 5, 10),
        attendance={},
    )
    with pytest.raises(ValidationError) as caught:
        elect(None, branch, D(2023, 5, 20), seats, congress=other_day)
    assert "与选举日期2023-05-20不一致" in caught.value.message_dict["congress"][0]
    foreign = activity_actions.do_record_past_activity(
        None,
        world.org("BT-JY-B01"),
        kind="branch_congress",
        title="一支部大会",
        on=D(2023, 5, 20),
        attendance={},
    )
    with pytest.raises(ValidationError) as caught:
        elect(None, branch, D(2023, 5, 20), seats, congress=foreign)
    assert "不是第二党支部的会议" in caught.value.message_dict["congress"][0]
    election = elect(None, branch, D(2023, 5, 20), seats, congress=congress)
    assert election.congress == congress
