"""谈心谈话 pair by pair (D5): every committee member with every member of the branch."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tianping.activities import actions
from tianping.activities.compliance import compliance
from tianping.activities.heart_talks import do_record_heart_talk
from tianping.activities.models import ActivityStatus, AttendanceRole, ObligationSetting
from tianping.committees.actions import CandidateIn, do_record_election
from tianping.people.actions import do_create_person, do_merge_branches
from tianping.people.models import PoliticalStatus

D = dt.date
YEAR_END = D(2024, 12, 31)
SEPTEMBER = D(2024, 9, 10)


def add_member(world, code, number, name, *, status=PoliticalStatus.MEMBER):
    org = world.org(code)
    return do_create_person(
        None,
        org.court(),
        employee_no=number,
        name=name,
        political_status=status,
        party_org=org,
        since=D(2020, 1, 1),
    )


@pytest.fixture
def branch(world):
    """第二党支部: 孙丽 (书记), 钱一 (副书记), 钱二, and 钱三 a probationary member.

    Its five pairs: 孙丽–钱一 (the committee with itself), 孙丽–钱二, 孙丽–钱三, 钱一–钱二,
    钱一–钱三.
    """
    people = {
        "sun": world.people["sun"],
        "qian1": add_member(world, "BT-JY-B02", "JY0501", "钱一"),
        "qian2": add_member(world, "BT-JY-B02", "JY0502", "钱二"),
        "qian3": add_member(
            world, "BT-JY-B02", "JY0503", "钱三", status=PoliticalStatus.PROBATIONARY
        ),
    }
    do_record_election(
        world.users["bob"],
        world.org("BT-JY-B02"),
        held_on=D(2023, 6, 1),
        candidates=[
            CandidateIn("JY0003", votes=3, elected=True, posts=("secretary",)),
            CandidateIn("JY0501", votes=3, elected=True, posts=("deputy_secretary",)),
        ],
    )
    return people


def talk(world, talker, *members, on=SEPTEMBER, code="BT-JY-B02"):
    return do_record_heart_talk(
        world.users["carol"], world.org(code), on=on, talker=talker, members=list(members)
    )


def heart_row(report, code="BT-JY-B02"):
    rows = [r for r in report.rows if r.org.code == code and r.obligation.code == "heart_talk"]
    assert len(rows) == 1
    return rows[0]


def year(world, code="BT-JY-B02", as_of=YEAR_END):
    return compliance(world.org(code), 2024, as_of, with_ids=True)


def test_d5_a_talk_matrix_with_one_pair_missing_is_not_met(world, branch):
    p = branch
    talk(world, p["sun"], p["qian1"], p["qian2"], p["qian3"])
    talk(world, p["qian1"], p["qian2"])  # 钱一 has not talked with 钱三
    report = year(world)
    row = heart_row(report)
    assert (row.required, row.held, row.status, row.unit) == (5, 4, "missing", "对")
    assert row.tally == "应谈心谈话5对，已谈4对"
    matrix = report.talks[world.org("BT-JY-B02").pk]
    assert matrix.missing == [(p["qian1"].pk, p["qian3"].pk)]
    assert matrix.missing_by_talker() == [(p["qian1"].pk, [p["qian3"].pk])]


def test_d5_a_complete_talk_matrix_is_met(world, branch):
    p = branch
    first = talk(world, p["sun"], p["qian1"], p["qian2"], p["qian3"])
    second = talk(world, p["qian1"], p["qian2"], p["qian3"], on=D(2024, 10, 8))
    row = heart_row(year(world))
    assert (row.required, row.held, row.status) == (5, 5, "met")
    assert row.activity_ids == (first.pk, second.pk)


def test_d5_committee_members_must_talk_with_each_other_too(world, branch):
    p = branch
    talk(world, p["sun"], p["qian2"], p["qian3"])
    talk(world, p["qian1"], p["qian2"], p["qian3"])
    report = year(world)
    assert heart_row(report).status == "missing"
    assert report.talks[world.org("BT-JY-B02").pk].missing == [(p["sun"].pk, p["qian1"].pk)]
    # A talk counts whichever of the two was the talker.
    talk(world, p["qian1"], p["sun"])
    assert heart_row(year(world)).status == "met"


def test_d5_a_record_without_a_talker_or_an_absent_member_counts_for_no_pair(world, branch):
    p = branch
    actions.do_record_past_activity(
        world.users["carol"],
        world.org("BT-JY-B02"),
        kind="heart_talk",
        title="年度谈心谈话",
        on=D(2024, 9, 1),
        attendance={p["sun"].pk: "present", p["qian2"].pk: "present"},
    )
    actions.do_record_past_activity(
        world.users["carol"],
        world.org("BT-JY-B02"),
        kind="heart_talk",
        title="谈心谈话",
        on=D(2024, 9, 2),
        attendance={p["sun"].pk: "present", p["qian3"].pk: "absent"},
        roles={p["sun"].pk: AttendanceRole.TALKER},
    )
    row = heart_row(year(world))
    assert (row.held, row.activity_ids) == (0, ())


def test_d5_only_talks_of_the_year_up_to_as_of_count(world, branch):
    p = branch
    talk(world, p["sun"], p["qian1"], on=D(2023, 12, 30))
    talk(world, p["sun"], p["qian2"], on=D(2024, 6, 1))
    talk(world, p["sun"], p["qian3"], on=D(2024, 8, 1))
    assert heart_row(year(world, as_of=D(2024, 7, 1))).held == 1
    assert heart_row(year(world, as_of=D(2024, 7, 1))).status == "upcoming"
    assert heart_row(year(world)).held == 2


def test_d5_a_branch_with_no_committee_recorded_cannot_meet_it(world):
    qian = add_member(world, "BT-JY-B02", "JY0501", "钱一")
    talk(world, world.people["sun"], qian)
    row = heart_row(year(world))
    assert (row.required, row.held, row.status) == (1, 0, "missing")
    assert row.tally == "尚未登记支部委员会（书记），无法逐对核对谈心谈话"


def test_d5_a_court_may_set_a_plainer_count_instead(world, branch):
    ObligationSetting.objects.create(
        court=world.org("BT-JY"), obligation="heart_talk", period="year", count=2
    )
    talk(world, branch["sun"], branch["qian1"])
    row = heart_row(year(world))
    assert (row.required, row.held, row.status, row.unit) == (2, 1, "missing", "次")
    assert world.org("BT-JY-B02").pk not in year(world).talks


def test_d5_the_subtree_answers_as_the_branch_alone_does(world, branch):
    p = branch
    talk(world, p["sun"], p["qian1"], p["qian2"], p["qian3"])
    alone = heart_row(year(world))
    court = heart_row(compliance(world.org("BT"), 2024, YEAR_END))
    assert (court.required, court.held, court.status) == (alone.required, alone.held, "missing")
    assert (alone.required, alone.held) == (5, 3)


def test_d5_talks_recorded_in_a_branch_merged_into_this_one_count(world, branch):
    p = branch
    # 第一党支部's 王芳 talked with 孙丽 before 第一党支部 merged into 第二党支部 (D2).
    do_record_heart_talk(
        world.users["carol"],
        world.org("BT-JY-B01"),
        on=D(2024, 3, 1),
        talker=p["sun"],
        members=[p["qian1"]],
    )
    talk(world, p["sun"], p["qian2"], p["qian3"])
    talk(world, p["qian1"], p["qian2"], p["qian3"])
    do_merge_branches(None, world.org("BT-JY-B01"), world.org("BT-JY-B02"), D(2024, 5, 15))
    report = year(world)
    matrix = report.talks[world.org("BT-JY-B02").pk]
    # 王芳 and 赵磊 joined on 15 May: the committee owes each a talk; the rest is done.
    wang, zhao = world.people["wang"].pk, world.people["zhao"].pk
    assert matrix.missing == [
        (p["sun"].pk, wang),
        (p["sun"].pk, zhao),
        (p["qian1"].pk, wang),
        (p["qian1"].pk, zhao),
    ]


def test_d5_the_record_names_its_talker_and_the_members_talked_with(world, branch):
    p = branch
    record = talk(world, p["sun"], p["qian1"], p["qian2"], p["qian3"], p["sun"])
    assert record.status == ActivityStatus.HELD and record.kind == "heart_talk"
    assert record.title == "谈心谈话：孙丽与钱一、钱二、钱三"
    roles = {a.person.name: (a.role, a.status) for a in record.attendance.all()}
    assert roles == {
        "孙丽": ("talker", "present"),
        "钱一": ("participant", "present"),
        "钱二": ("participant", "present"),
        "钱三": ("participant", "present"),
    }


def test_d5_a_talk_needs_someone_to_talk_with_in_the_court(world, branch):
    with pytest.raises(ValidationError) as caught:
        talk(world, branch["sun"], branch["sun"])
    assert caught.value.message_dict["members"] == ["请至少选择一名谈话对象（谈话人本人除外）"]
    with pytest.raises(ValidationError) as caught:
        talk(world, branch["sun"], world.people["hu"])
    assert caught.value.message_dict["members"] == ["胡敏不是九原区人民法院的人员"]
