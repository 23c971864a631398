"""Every rule of R2 on its edges, checked when the step is recorded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tianping.activities.actions import do_record_past_activity
from tianping.activities.models import Activity
from tianping.recruitment.actions import do_remove_calendar_day, do_set_notice_days
from tianping.recruitment.models import CalendarDay, Recruit, Stage, Step, StepKind
from tianping.recruitment.rules import StepRefused

from .factories import (
    TIMELINE,
    applicant,
    full_members,
    open_file,
    record,
    refresh,
    to_activist,
    to_candidate,
    to_probationary,
)

D = dt.date


def refused(excinfo) -> StepRefused:
    assert isinstance(excinfo.value, StepRefused), excinfo.value
    return excinfo.value


def only_rule(error: StepRefused) -> str:
    rules = {r.rule for r in error.refusals}
    assert len(rules) == 1, error.refusals
    return rules.pop()


# ---------------------------------------------------------------------------------------
# R2.1 at least 18


def test_r2_1_an_applicant_of_17_years_364_days_is_refused_with_the_18th_birthday(world):
    person = applicant(world, birth=D(2005, 5, 10))
    with pytest.raises(ValidationError) as excinfo:
        open_file(world, person, D(2023, 5, 9))
    error = refused(excinfo)
    assert only_rule(error) == "R2.1"
    assert error.possible_on == D(2023, 5, 10)
    assert "最早可于2023-05-10递交入党申请" in error.message_dict["on"][0]
    assert error.message_dict["on"][0].startswith("《中国共产党章程》第一条：申请人须年满18周岁")
    assert not Recruit.objects.exists()


def test_r2_1_an_applicant_on_their_18th_birthday_is_accepted(world):
    person = applicant(world, birth=D(2005, 5, 10))
    recruit = open_file(world, person, D(2023, 5, 10))
    assert recruit.stage == Stage.APPLICANT
    assert recruit.applied_on == D(2023, 5, 10)
    assert recruit.status_before == "league"
    assert list(recruit.steps.values_list("kind", flat=True)) == [StepKind.APPLICATION]


def test_r2_1_d1_someone_born_on_29_february_turns_18_on_28_february(world):
    person = applicant(world, birth=D(2004, 2, 29))
    with pytest.raises(StepRefused) as excinfo:
        open_file(world, person, D(2022, 2, 27))
    assert excinfo.value.possible_on == D(2022, 2, 28)
    assert open_file(world, person, D(2022, 2, 28)).pk


def test_r2_1_an_applicant_without_a_birth_date_cannot_be_checked(world):
    person = applicant(world, birth=None)
    with pytest.raises(StepRefused) as excinfo:
        open_file(world, person, D(2023, 5, 10))
    assert "没有出生日期" in excinfo.value.message_dict["person"][0]


def test_a_party_member_or_someone_with_a_file_in_progress_cannot_open_another(world):
    with pytest.raises(ValidationError) as excinfo:
        open_file(world, world.people["wang"], D(2023, 5, 10))
    assert excinfo.value.message_dict["person"] == ["王芳已是中共党员"]
    person = applicant(world)
    open_file(world, person, D(2023, 5, 10))
    with pytest.raises(ValidationError) as excinfo:
        open_file(world, person, D(2023, 6, 10))
    assert excinfo.value.message_dict["person"] == ["钱学敏已有正在办理的发展党员档案"]


def test_a_file_belongs_to_a_branch_of_the_applicants_court(world):
    from tianping.recruitment.actions import do_open_file

    person = applicant(world)
    with pytest.raises(ValidationError) as excinfo:
        do_open_file(None, person, world.org("BT-B01"), on=D(2023, 5, 10))
    assert "不属于钱学敏所在的九原区人民法院" in excinfo.value.message_dict["branch"][0]
    with pytest.raises(ValidationError) as excinfo:
        do_open_file(None, person, world.org("BT-JY-JGDW"), on=D(2023, 5, 10))
    assert "不是党支部" in excinfo.value.message_dict["branch"][0]


# ---------------------------------------------------------------------------------------
# R2.2 a talk within a month


def test_r2_2_a_talk_on_the_last_day_of_the_month_is_on_time(world):
    recruit = open_file(world, applicant(world), D(2023, 3, 15))
    step = record(world, recruit, StepKind.TALK, D(2023, 4, 15))
    assert step.flags == []
    assert refresh(recruit).talked_on == D(2023, 4, 15)


def test_r2_2_a_talk_a_day_late_is_recorded_and_flagged_overdue(world):
    recruit = open_file(world, applicant(world), D(2023, 3, 15))
    step = record(world, recruit, StepKind.TALK, D(2023, 4, 16))
    assert [f["rule"] for f in step.flags] == ["R2.2"]
    assert "应在递交申请后1个月内（2023-04-15前）谈话" in step.flags[0]["message"]
    # A later talk is cultivation, not the R2.2 talk: nothing more to flag.
    assert record(world, recruit, StepKind.TALK, D(2023, 5, 20)).flags == []
    assert refresh(recruit).talked_on == D(2023, 4, 16)


def test_r2_2_a_month_after_31_january_ends_on_the_last_day_of_february(world):
    recruit = open_file(world, applicant(world), D(2024, 1, 31))
    assert record(world, recruit, StepKind.TALK, D(2024, 2, 29)).flags == []


def test_r2_2_an_applicant_is_not_made_an_activist_before_the_talk(world):
    recruit = open_file(world, applicant(world), D(2023, 3, 15))
    with pytest.raises(StepRefused) as excinfo:
        record(world, recruit, StepKind.ACTIVIST, D(2023, 5, 1), people=[world.people["wang"]])
    assert only_rule(excinfo.value) == "R2.2"
    assert excinfo.value.possible_on is None


def test_a_step_cannot_predate_the_stage_or_lie_in_the_future(world):
    recruit = open_file(world, applicant(world), D(2023, 3, 15))
    with pytest.raises(ValidationError) as excinfo:
        record(world, recruit, StepKind.TALK, D(2023, 3, 14))
    assert "不能早于该档案进入当前阶段的日期2023-03-15" in excinfo.value.message_dict["on"][0]
    with pytest.raises(ValidationError) as excinfo:
        record(world, recruit, StepKind.TALK, D(2999, 1, 1))
    assert "晚于今天" in excinfo.value.message_dict["on"][0]


def test_a_step_of_another_stage_is_refused(world):
    recruit = open_file(world, applicant(world), D(2023, 3, 15))
    with pytest.raises(ValidationError) as excinfo:
        record(world, recruit, StepKind.FULL, D(2024, 3, 15))
    assert excinfo.value.message_dict["kind"] == [
        "该档案处于“入党申请人”阶段，不能记录“转为正式党员”"
    ]


# ---------------------------------------------------------------------------------------
# R2.3 contacts and half-yearly assessments


def _talked(world):
    recruit = open_file(world, applicant(world), TIMELINE["applied"])
    record(world, recruit, StepKind.TALK, TIMELINE["talk"])
    return refresh(recruit)


def test_r2_3_an_activist_needs_one_or_two_contacts(world):
    recruit = _talked(world)
    m = full_members(world, 2)
    with pytest.raises(StepRefused) as excinfo:
        record(world, recruit, StepKind.ACTIVIST, TIMELINE["activist"], people=[])
    assert only_rule(excinfo.value) == "R2.3"
    assert "现为0名" in excinfo.value.message_dict["people"][0]
    with pytest.raises(StepRefused) as excinfo:
        record(
            world,
            recruit,
            StepKind.ACTIVIST,
            TIMELINE["activist"],
            people=[world.people["wang"], *m],
        )
    assert "应由1至2名正式党员作培养联系人：现为3名" in excinfo.value.message_dict["people"][0]
    record(world, recruit, StepKind.ACTIVIST, TIMELINE["activist"], people=m)
    recruit = refresh(recruit)
    assert recruit.stage == Stage.ACTIVIST
    assert recruit.activist_on == TIMELINE["activist"]


def test_r2_3_a_probationary_member_cannot_be_a_contact(world):
    recruit = _talked(world)
    with pytest.raises(StepRefused) as excinfo:
        record(
            world, recruit, StepKind.ACTIVIST, TIMELINE["activist"], people=[world.people["zhao"]]
        )
    assert excinfo.value.message_dict["people"] == [
        "《中国共产党发展党员工作细则》第十一条：培养联系人须为正式党员：赵磊在2022-04-01不是正式党员。"
    ]


def test_r2_3_an_assessment_after_six_months_is_flagged(world):
    recruit = to_activist(world, open_file(world, applicant(world), TIMELINE["applied"]))
    on_time = record(world, recruit, StepKind.ASSESSMENT, D(2022, 10, 1))
    assert on_time.flags == []
    late = record(world, recruit, StepKind.ASSESSMENT, D(2023, 4, 2))
    assert [f["rule"] for f in late.flags] == ["R2.3"]
    assert "本次应于2023-04-01前完成" in late.flags[0]["message"]


def test_r2_3_a_development_object_needs_an_assessment_on_record(world):
    recruit = to_activist(world, open_file(world, applicant(world), TIMELINE["applied"]))
    start, end = TIMELINE["candidate_notice"]
    record(world, recruit, StepKind.CANDIDATE_NOTICE, start, ends_on=end)
    with pytest.raises(StepRefused) as excinfo:
        record(world, recruit, StepKind.CANDIDATE, TIMELINE["candidate"])
    assert only_rule(excinfo.value) == "R2.3"


# ---------------------------------------------------------------------------------------
# R2.4 a year as activist


def _activist_since(world, since: dt.date, candidate_on: dt.date) -> Recruit:
    """An activist since `since`, assessed, whose notice ends the working day before."""
    recruit = open_file(world, applicant(world), since - dt.timedelta(days=30))
    record(world, recruit, StepKind.TALK, since - dt.timedelta(days=20))
    record(world, recruit, StepKind.ACTIVIST, since, people=[world.people["wang"]])
    record(world, recruit, StepKind.ASSESSMENT, candidate_on - dt.timedelta(days=30))
    end = candidate_on - dt.timedelta(days=1)
    record(world, recruit, StepKind.CANDIDATE_NOTICE, end - dt.timedelta(days=9), ends_on=end)
    return refresh(recruit)


def test_r2_4_an_activist_on_day_364_is_refused_with_the_date_it_becomes_possible(world):
    recruit = _activist_since(world, D(2022, 3, 1), D(2023, 2, 28))
    day_364 = D(2022, 3, 1) + dt.timedelta(days=364)
    assert day_364 == D(2023, 2, 28)
    with pytest.raises(StepRefused) as excinfo:
        record(world, recruit, StepKind.CANDIDATE, day_364)
    error = excinfo.value
    assert only_rule(error) == "R2.4"
    assert error.possible_on == D(2023, 3, 1)
    assert error.message_dict["on"] == [
        "《中国共产党发展党员工作细则》第十三条：入党积极分子经过1年以上培养考察方可确定为发展对象："
        "钱学敏于2022-03-01确定为入党积极分子，至2023-02-28未满1年，最早可于2023-03-01确定。"
    ]
    assert refresh(recruit).stage == Stage.ACTIVIST
    assert not Step.objects.filter(kind=StepKind.CANDIDATE).exists()


def test_r2_4_an_activist_on_day_365_becomes_a_development_object(world):
    recruit = _activist_since(world, D(2022, 3, 1), D(2023, 3, 1))
    record(world, recruit, StepKind.CANDIDATE, D(2022, 3, 1) + dt.timedelta(days=365))
    recruit = refresh(recruit)
    assert recruit.stage == Stage.CANDIDATE
    assert recruit.candidate_on == D(2023, 3, 1)


def test_r2_4_across_29_february_the_year_ends_on_the_calendar_date(world):
    # 2023-03-01 + 365 days is 2024-02-29: still short of the calendar year.
    recruit = _activist_since(world, D(2023, 3, 1), D(2024, 2, 29))
    with pytest.raises(StepRefused) as excinfo:
        record(world, recruit, StepKind.CANDIDATE, D(2024, 2, 29))
    assert excinfo.value.possible_on == D(2024, 3, 1)
    record(world, recruit, StepKind.CANDIDATE, D(2024, 3, 1))
    assert refresh(recruit).stage == Stage.CANDIDATE


def test_an_activist_made_a_development_object_after_10_months_learns_the_date(world):
    recruit = _activist_since(world, D(2022, 3, 1), D(2023, 1, 2))
    with pytest.raises(StepRefused) as excinfo:
        record(world, recruit, StepKind.CANDIDATE, D(2023, 1, 2))
    assert "最早可于2023-03-01确定" in excinfo.value.message_dict["on"][0]


# ---------------------------------------------------------------------------------------
# R2.8 public notice


def test_r2_8_a_notice_of_4_working_days_across_a_weekend_is_refused(world):
    recruit = to_activist(world, open_file(world, applicant(world), TIMELINE["applied"]))
    # Thursday to the next Tuesday: Thu, Fri, Mon, Tue.
    with pytest.raises(StepRefused) as excinfo:
        record(world, recruit, StepKind.CANDIDATE_NOTICE, D(2023, 3, 23), ends_on=D(2023, 3, 28))
    error = excinfo.value
    assert only_rule(error) == "R2.8"
    assert error.possible_on == D(2023, 3, 29)
    assert error.message_dict["ends_on"] == [
        "《中国共产党发展党员工作细则》关于公示的规定：公示期应不少于5个工作日（法定节假日不计，调休上班日计入）："
        "2023-03-23至2023-03-28只有4个工作日，最早可于2023-03-29结束。"
    ]


def test_r2_8_a_notice_of_5_working_days_across_a_weekend_is_accepted(world):
    recruit = to_activist(world, open_file(world, applicant(world), TIMELINE["applied"]))
    step = record(world, recruit, StepKind.CANDIDATE_NOTICE, D(2023, 3, 23), ends_on=D(2023, 3, 29))
    assert (step.on, step.ends_on) == (D(2023, 3, 23), D(2023, 3, 29))


def _activist_in_2024(world):
    recruit = open_file(world, applicant(world), D(2024, 3, 1))
    record(world, recruit, StepKind.TALK, D(2024, 3, 11))
    record(world, recruit, StepKind.ACTIVIST, D(2024, 4, 1), people=[world.people["wang"]])
    return refresh(recruit)


def test_r2_8_d6_a_notice_over_national_day_ends_on_the_fifth_working_day(world):
    # Sunday 2024-09-29 was worked in lieu; 10-01 to 10-07 were the holiday. Working days:
    # 09-29, 09-30, 10-08, 10-09, 10-10.
    recruit = _activist_in_2024(world)
    with pytest.raises(StepRefused) as excinfo:
        record(world, recruit, StepKind.CANDIDATE_NOTICE, D(2024, 9, 29), ends_on=D(2024, 10, 9))
    error = excinfo.value
    assert only_rule(error) == "R2.8"
    assert error.possible_on == D(2024, 10, 10)
    assert error.message_dict["ends_on"] == [
        "《中国共产党发展党员工作细则》关于公示的规定：公示期应不少于5个工作日（法定节假日不计，调休上班日计入）："
        "2024-09-29至2024-10-09只有4个工作日，最早可于2024-10-10结束。"
    ]
    step = record(
        world, recruit, StepKind.CANDIDATE_NOTICE, D(2024, 9, 29), ends_on=D(2024, 10, 10)
    )
    assert (step.on, step.ends_on) == (D(2024, 9, 29), D(2024, 10, 10))


def test_r2_8_d6_a_notice_of_monday_to_friday_alone_is_refused_over_a_holiday(world):
    # Monday to Friday would count 09-30 to 10-04 as five days; four of them were holidays.
    recruit = _activist_in_2024(world)
    with pytest.raises(StepRefused) as excinfo:
        record(world, recruit, StepKind.CANDIDATE_NOTICE, D(2024, 9, 30), ends_on=D(2024, 10, 4))
    assert "只有1个工作日，最早可于2024-10-11结束" in excinfo.value.message_dict["ends_on"][0]


def test_r2_8_d6_the_platform_admins_change_to_the_calendar_counts_at_once(world):
    recruit = _activist_in_2024(world)
    # Had 10-07 been worked, a notice from 09-29 would have ended on 10-09.
    do_remove_calendar_day(world.users["admin"], D(2024, 10, 7))
    step = record(world, recruit, StepKind.CANDIDATE_NOTICE, D(2024, 9, 29), ends_on=D(2024, 10, 9))
    assert step.ends_on == D(2024, 10, 9)


def test_r2_8_d6_a_date_the_table_does_not_hold_counts_monday_to_friday(world):
    # 2030 is beyond the years the calendar was seeded for: Monday 09-30 to Friday 10-04.
    recruit = _activist_in_2024(world)
    assert not CalendarDay.objects.filter(day__year=2030).exists()
    step = record(world, recruit, StepKind.CANDIDATE_NOTICE, D(2030, 9, 30), ends_on=D(2030, 10, 4))
    assert step.ends_on == D(2030, 10, 4)


def test_r2_8_the_notice_length_is_set_per_court(world):
    do_set_notice_days(world.users["bob"], world.org("BT-JY"), 7)
    recruit = to_activist(world, open_file(world, applicant(world), TIMELINE["applied"]))
    with pytest.raises(StepRefused) as excinfo:
        record(world, recruit, StepKind.CANDIDATE_NOTICE, D(2023, 3, 23), ends_on=D(2023, 3, 29))
    assert "公示期应不少于7个工作日" in excinfo.value.message_dict["ends_on"][0]
    assert excinfo.value.possible_on == D(2023, 3, 31)


def test_r2_8_a_development_object_waits_for_the_notice_to_end(world):
    recruit = to_activist(world, open_file(world, applicant(world), TIMELINE["applied"]))
    record(world, recruit, StepKind.ASSESSMENT, D(2023, 3, 1))
    with pytest.raises(StepRefused) as excinfo:
        record(world, recruit, StepKind.CANDIDATE, D(2023, 4, 3))
    assert excinfo.value.message_dict["on"] == [
        "《中国共产党发展党员工作细则》关于公示的规定：确定为发展对象前应进行发展对象公示，不少于5个工作日：尚未记录公示。"
    ]
    record(world, recruit, StepKind.CANDIDATE_NOTICE, D(2023, 3, 29), ends_on=D(2023, 4, 4))
    with pytest.raises(StepRefused) as excinfo:
        record(world, recruit, StepKind.CANDIDATE, D(2023, 4, 4))
    assert excinfo.value.possible_on == D(2023, 4, 5)
    record(world, recruit, StepKind.CANDIDATE, D(2023, 4, 5))


# ---------------------------------------------------------------------------------------
# R2.5 introducers, political review, training


def test_r2_5_one_introducer_is_refused_and_two_are_accepted(world):
    recruit = to_candidate(world, open_file(world, applicant(world), TIMELINE["applied"]))
    m = full_members(world, 1)
    with pytest.raises(StepRefused) as excinfo:
        record(world, recruit, StepKind.INTRODUCERS, D(2023, 4, 10), people=[world.people["wang"]])
    assert excinfo.value.message_dict["people"] == [
        "《中国共产党发展党员工作细则》第十四条至第十七条：应由2名正式党员作入党介绍人：现为1名。"
    ]
    step = record(
        world, recruit, StepKind.INTRODUCERS, D(2023, 4, 10), people=[world.people["wang"], *m]
    )
    assert sorted(step.names("introducer")) == sorted(["王芳", m[0].name])


def test_r2_5_a_probationary_member_cannot_introduce(world):
    recruit = to_candidate(world, open_file(world, applicant(world), TIMELINE["applied"]))
    with pytest.raises(StepRefused) as excinfo:
        record(
            world,
            recruit,
            StepKind.INTRODUCERS,
            D(2023, 4, 10),
            people=[world.people["wang"], world.people["zhao"]],
        )
    assert "赵磊在2023-04-10不是正式党员" in excinfo.value.message_dict["people"][0]


def _admission_ready(world, *, days=None, hours=None, review=True):
    recruit = to_candidate(world, open_file(world, applicant(world), TIMELINE["applied"]))
    m = full_members(world, 3)
    record(
        world, recruit, StepKind.INTRODUCERS, D(2023, 4, 10), people=[world.people["wang"], m[0]]
    )
    if review:
        record(world, recruit, StepKind.POLITICAL_REVIEW, D(2023, 5, 10), note="合格")
    record(world, recruit, StepKind.TRAINING, D(2023, 5, 15), days=days, hours=hours)
    start, end = TIMELINE["admission_notice"]
    record(world, recruit, StepKind.ADMISSION_NOTICE, start, ends_on=end)
    return refresh(recruit)


def test_r2_5_training_of_23_class_hours_is_refused_at_admission(world):
    recruit = _admission_ready(world, days=2, hours=Decimal("23"))
    with pytest.raises(StepRefused) as excinfo:
        record(world, recruit, StepKind.ADMISSION, TIMELINE["admission"], present=4, votes_yes=4)
    assert only_rule(excinfo.value) == "R2.5"
    assert excinfo.value.message_dict["__all__"] == [
        "《中国共产党发展党员工作细则》第十四条至第十七条：发展对象应经过不少于3天或24学时的集中培训：已记录2天、23学时。"
    ]


def test_r2_5_training_of_24_class_hours_is_enough(world):
    recruit = _admission_ready(world, days=2, hours=Decimal("24"))
    record(world, recruit, StepKind.ADMISSION, TIMELINE["admission"], present=4, votes_yes=4)
    assert refresh(recruit).resolution_on == TIMELINE["admission"]


def test_r2_5_training_of_3_days_is_enough_whatever_the_hours(world):
    recruit = _admission_ready(world, days=3)
    record(world, recruit, StepKind.ADMISSION, TIMELINE["admission"], present=4, votes_yes=4)
    assert refresh(recruit).awaiting_approval


def test_r2_5_training_adds_up_across_sessions(world):
    recruit = _admission_ready(world, days=1, hours=Decimal("12"))
    record(world, recruit, StepKind.TRAINING, D(2023, 5, 20), days=1, hours=Decimal("12"))
    record(world, recruit, StepKind.ADMISSION, TIMELINE["admission"], present=4, votes_yes=4)


def test_r2_5_admission_needs_a_political_review(world):
    recruit = _admission_ready(world, days=3, review=False)
    with pytest.raises(StepRefused) as excinfo:
        record(world, recruit, StepKind.ADMISSION, TIMELINE["admission"], present=4, votes_yes=4)
    assert excinfo.value.message_dict["__all__"] == [
        "《中国共产党发展党员工作细则》第十四条至第十七条：发展对象应经过政治审查：尚未记录政治审查。"
    ]


# ---------------------------------------------------------------------------------------
# R2.6 the congress vote and the approval


@pytest.fixture
def ten_members(world):
    """BT-JY-B01 with 10 full members entitled to vote (王芳 and 9 more; 赵磊 is probationary)."""
    return full_members(world, 9)


def _ready(world, members):
    recruit = to_candidate(world, open_file(world, applicant(world), TIMELINE["applied"]))
    record(world, recruit, StepKind.INTRODUCERS, D(2023, 4, 10), people=members[:2])
    record(world, recruit, StepKind.POLITICAL_REVIEW, D(2023, 5, 10), note="合格")
    record(world, recruit, StepKind.TRAINING, D(2023, 5, 15), days=3)
    start, end = TIMELINE["admission_notice"]
    record(world, recruit, StepKind.ADMISSION_NOTICE, start, ends_on=end)
    return refresh(recruit)


def test_r2_6_exactly_half_of_the_members_present_is_not_a_quorum(world, ten_members):
    recruit = _ready(world, ten_members)
    with pytest.raises(StepRefused) as excinfo:
        record(world, recruit, StepKind.ADMISSION, TIMELINE["admission"], present=5, votes_yes=5)
    messages = excinfo.value.message_dict
    assert messages["present"] == [
        "《中国共产党发展党员工作细则》第四章：支部大会须有半数以上有表决权的党员到会：有表决权的正式党员10名，到会5名，"
        "未超过半数（至少6名）。"
    ]
    assert not Activity.objects.filter(kind="branch_congress").exists()


def test_r2_6_yes_votes_equal_to_half_of_all_members_are_refused(world, ten_members):
    recruit = _ready(world, ten_members)
    with pytest.raises(StepRefused) as excinfo:
        record(
            world,
            recruit,
            StepKind.ADMISSION,
            TIMELINE["admission"],
            present=6,
            votes_yes=5,
            votes_no=1,
        )
    assert only_rule(excinfo.value) == "R2.6"
    assert excinfo.value.message_dict["votes_yes"] == [
        "《中国共产党发展党员工作细则》第四章：赞成票须超过应到会有表决权正式党员的半数：应到10名，赞成5票，"
        "未超过半数（至少6票）；未获通过，不能接收为预备党员。"
    ]
    assert refresh(recruit).resolution_on is None


def test_r2_6_yes_votes_of_half_plus_one_admit_and_a_congress_is_recorded(world, ten_members):
    recruit = _ready(world, ten_members)
    step = record(world, recruit, StepKind.ADMISSION, TIMELINE["admission"], present=6, votes_yes=6)
    assert (step.entitled, step.present, step.votes_yes) == (10, 6, 6)
    congress = step.activity
    assert congress.kind == "branch_congress"
    assert congress.org.code == "BT-JY-B01"
    assert congress.on == TIMELINE["admission"]
    assert congress.is_held
    recruit = refresh(recruit)
    assert recruit.stage == Stage.CANDIDATE and recruit.awaiting_approval


def congress(world, present, absent=(), on=TIMELINE["admission"], branch="BT-JY-B01"):
    """A branch congress recorded as held, with its attendance, as the activity ledger has it."""
    attendance = {p.pk: "present" for p in present} | {p.pk: "absent" for p in absent}
    return do_record_past_activity(
        world.users["carol"],
        world.org(branch),
        kind="branch_congress",
        title="支部党员大会",
        on=on,
        attendance=attendance,
    )


def test_r2_6_d4_a_vote_takes_the_present_count_from_its_congress_attendance(world, ten_members):
    recruit = _ready(world, ten_members)
    voters = [world.people["wang"], *ten_members]
    # Six of the ten full members came, with a probationary member and a guest from the
    # second branch: neither has a vote here, so six are present.
    meeting = congress(
        world, [*voters[:6], world.people["zhao"], world.people["sun"]], absent=voters[6:]
    )
    step = record(
        world, recruit, StepKind.ADMISSION, TIMELINE["admission"], votes_yes=6, activity=meeting
    )
    assert (step.entitled, step.present, step.votes_yes) == (10, 6, 6)
    assert step.activity_id == meeting.pk
    assert refresh(recruit).awaiting_approval
    assert Activity.objects.filter(kind="branch_congress").count() == 1


def test_r2_6_a_vote_whose_congress_had_half_the_members_present_is_refused(world, ten_members):
    recruit = _ready(world, ten_members)
    voters = [world.people["wang"], *ten_members]
    meeting = congress(world, voters[:5], absent=voters[5:])
    with pytest.raises(StepRefused) as excinfo:
        record(
            world, recruit, StepKind.ADMISSION, TIMELINE["admission"], votes_yes=5, activity=meeting
        )
    assert only_rule(excinfo.value) == "R2.6"
    assert excinfo.value.message_dict["present"] == [
        "《中国共产党发展党员工作细则》第四章：支部大会须有半数以上有表决权的党员到会：有表决权的正式党员10名，"
        "到会5名（按会议出勤记录），未超过半数（至少6名）。"
    ]
    assert refresh(recruit).resolution_on is None
    assert not Step.objects.filter(kind=StepKind.ADMISSION).exists()


def test_r2_6_d4_a_typed_present_count_other_than_the_congress_is_refused(world, ten_members):
    recruit = _ready(world, ten_members)
    voters = [world.people["wang"], *ten_members]
    meeting = congress(world, voters[:5], absent=voters[5:])
    # Typing six where the meeting's attendance holds five does not make a quorum.
    with pytest.raises(ValidationError) as excinfo:
        record(
            world,
            recruit,
            StepKind.ADMISSION,
            TIMELINE["admission"],
            present=6,
            votes_yes=6,
            activity=meeting,
        )
    assert excinfo.value.message_dict["present"][0] == (
        "所选支部党员大会（2023-06-12）的出勤记录中，到会的正式党员为5名，"
        "与填写的到会人数6名不一致：到会人数以会议出勤记录为准，请更正会议出勤或不填此项"
    )
    assert not Step.objects.filter(kind=StepKind.ADMISSION).exists()
    # The count that agrees with the attendance is accepted.
    six = congress(world, voters[:6], absent=voters[6:], on=TIMELINE["admission"])
    step = record(
        world,
        recruit,
        StepKind.ADMISSION,
        TIMELINE["admission"],
        present=6,
        votes_yes=6,
        activity=six,
    )
    assert step.present == 6


def test_d4_a_congress_without_attendance_cannot_carry_a_vote(world, ten_members):
    recruit = _ready(world, ten_members)
    meeting = congress(world, [])
    with pytest.raises(ValidationError) as excinfo:
        record(
            world,
            recruit,
            StepKind.ADMISSION,
            TIMELINE["admission"],
            present=6,
            votes_yes=6,
            activity=meeting,
        )
    assert excinfo.value.message_dict["activity"] == [
        "所选支部党员大会尚未记录出勤，无法核对到会人数：请先在活动台账中记录这次会议的出勤情况"
    ]


def test_r2_6_without_a_congress_named_the_present_count_is_required(world, ten_members):
    recruit = _ready(world, ten_members)
    with pytest.raises(ValidationError) as excinfo:
        record(world, recruit, StepKind.ADMISSION, TIMELINE["admission"], votes_yes=6)
    assert excinfo.value.message_dict["present"] == [
        "未选择已记录出勤的支部党员大会时，请填写到会有表决权党员数"
    ]
    assert not Activity.objects.filter(kind="branch_congress").exists()


def test_r2_6_each_candidate_is_voted_on_separately_at_one_congress(world, ten_members):
    first = _ready(world, ten_members)
    second = open_file(world, applicant(world, no="JY0102", name="孙一鸣"), TIMELINE["applied"])
    second = to_candidate(world, second)
    record(world, second, StepKind.INTRODUCERS, D(2023, 4, 10), people=ten_members[2:4])
    record(world, second, StepKind.POLITICAL_REVIEW, D(2023, 5, 10), note="合格")
    record(world, second, StepKind.TRAINING, D(2023, 5, 15), days=3)
    start, end = TIMELINE["admission_notice"]
    record(world, second, StepKind.ADMISSION_NOTICE, start, ends_on=end)
    voters = [world.people["wang"], *ten_members]
    meeting = congress(world, voters[:8], absent=voters[8:])
    one = record(
        world, first, StepKind.ADMISSION, TIMELINE["admission"], votes_yes=8, activity=meeting
    )
    with pytest.raises(StepRefused):
        record(
            world,
            second,
            StepKind.ADMISSION,
            TIMELINE["admission"],
            votes_yes=4,
            votes_no=4,
            activity=meeting,
        )
    two = record(
        world,
        second,
        StepKind.ADMISSION,
        TIMELINE["admission"],
        votes_yes=7,
        votes_no=1,
        activity=meeting,
    )
    assert one.activity_id == two.activity_id == meeting.pk
    assert (one.present, two.present) == (8, 8)
    assert Activity.objects.filter(kind="branch_congress").count() == 1


def test_r2_6_a_count_of_voters_other_than_the_roster_needs_a_reason(world, ten_members):
    recruit = _ready(world, ten_members)
    with pytest.raises(ValidationError) as excinfo:
        record(
            world,
            recruit,
            StepKind.ADMISSION,
            TIMELINE["admission"],
            entitled=9,
            present=5,
            votes_yes=5,
        )
    assert (
        "花名册显示该支部2023-06-12有正式党员10名" in excinfo.value.message_dict["entitled_note"][0]
    )
    step = record(
        world,
        recruit,
        StepKind.ADMISSION,
        TIMELINE["admission"],
        entitled=9,
        entitled_note="一名党员受留党察看处分，没有表决权",
        present=5,
        votes_yes=5,
    )
    assert step.entitled == 9


def test_r2_6_a_congress_named_must_be_this_branchs_on_that_day(world, ten_members):
    recruit = _ready(world, ten_members)
    other = do_record_past_activity(
        None,
        world.org("BT-JY-B02"),
        kind="branch_congress",
        title="二支部大会",
        on=TIMELINE["admission"],
        attendance={},
    )
    with pytest.raises(ValidationError) as excinfo:
        record(
            world,
            recruit,
            StepKind.ADMISSION,
            TIMELINE["admission"],
            present=6,
            votes_yes=6,
            activity=other,
        )
    assert excinfo.value.message_dict["activity"] == ["所选会议不是第一党支部的支部党员大会"]


def test_r2_6_approval_within_three_months_is_not_flagged(world, ten_members):
    recruit = _ready(world, ten_members)
    record(world, recruit, StepKind.ADMISSION, D(2023, 6, 12), present=6, votes_yes=6)
    step = record(world, refresh(recruit), StepKind.APPROVAL, D(2023, 9, 12))
    assert step.flags == []


def test_r2_6_approval_after_three_months_is_flagged(world, ten_members):
    recruit = _ready(world, ten_members)
    record(world, recruit, StepKind.ADMISSION, D(2023, 6, 12), present=6, votes_yes=6)
    step = record(world, refresh(recruit), StepKind.APPROVAL, D(2023, 9, 13), special=True)
    assert [f["rule"] for f in step.flags] == ["R2.6"]
    assert (
        "应于2023-09-12前审批，实际2023-09-13（特殊情况延长，未超过6个月）"
        in step.flags[0]["message"]
    )
    assert refresh(recruit).stage == Stage.PROBATIONARY


def test_r2_6_approval_after_six_months_is_refused(world, ten_members):
    recruit = _ready(world, ten_members)
    record(world, recruit, StepKind.ADMISSION, D(2023, 6, 12), present=6, votes_yes=6)
    with pytest.raises(StepRefused) as excinfo:
        record(world, refresh(recruit), StepKind.APPROVAL, D(2023, 12, 13), special=True)
    assert only_rule(excinfo.value) == "R2.6"
    record(world, refresh(recruit), StepKind.APPROVAL, D(2023, 12, 12), special=True)


# ---------------------------------------------------------------------------------------
# R2.7 probation


def test_r2_7_approval_makes_a_probationary_member_on_the_roster(world):
    recruit = to_probationary(world, open_file(world, applicant(world), TIMELINE["applied"]))
    assert recruit.stage == Stage.PROBATIONARY
    assert recruit.probation_ends_on == D(2024, 6, 12)
    person = recruit.person
    person.refresh_from_db()
    assert person.political_status == "probationary"
    assert person.party_joined_on == TIMELINE["admission"]
    assert person.full_member_on is None
    # Not in any branch before: placed in the file's branch from the congress resolution.
    assert person.party_org.code == "BT-JY-B01"
    placement = person.placements.get(kind="party_org")
    assert (placement.since, placement.until) == (TIMELINE["admission"], None)


def test_r2_7_full_membership_before_the_year_is_refused_with_its_date(world):
    recruit = to_probationary(world, open_file(world, applicant(world), TIMELINE["applied"]))
    with pytest.raises(StepRefused) as excinfo:
        record(world, recruit, StepKind.FULL, D(2024, 6, 11))
    assert only_rule(excinfo.value) == "R2.7"
    assert excinfo.value.possible_on == D(2024, 6, 12)


def test_r2_7_full_membership_updates_the_roster_and_writes_audit_rows(world):
    from tianping.audit.models import AuditEvent

    recruit = to_probationary(world, open_file(world, applicant(world), TIMELINE["applied"]))
    before = AuditEvent.objects.count()
    record(world, recruit, StepKind.FULL, D(2024, 6, 20), note="支部大会讨论同意按期转正")
    recruit = refresh(recruit)
    assert recruit.stage == Stage.MEMBER
    assert recruit.full_on == D(2024, 6, 12)  # party standing counts from the end of probation
    person = recruit.person
    person.refresh_from_db()
    assert person.political_status == "member"
    assert person.full_member_on == D(2024, 6, 12)
    assert person.party_joined_on == TIMELINE["admission"]
    events = AuditEvent.objects.order_by("id")[before:]
    actions = [e.action for e in events]
    assert "people.update" in actions and "recruitment.step" in actions
    roster = next(e for e in events if e.action == "people.update")
    assert roster.before["political_status"] == "中共预备党员"
    assert roster.after["political_status"] == "中共党员"
    assert roster.after["full_member_on"] == "2024-06-12"
    step_event = next(e for e in events if e.action == "recruitment.step")
    assert step_event.user == world.users["carol"]
    assert step_event.after["step"]["kind"] == "转为正式党员"
    assert step_event.before["stage"] == "预备党员" and step_event.after["stage"] == "正式党员"


def test_r2_7_probation_extends_once_by_6_to_12_months(world):
    recruit = to_probationary(world, open_file(world, applicant(world), TIMELINE["applied"]))
    for months in (5, 13):
        with pytest.raises(StepRefused) as excinfo:
            record(
                world, recruit, StepKind.EXTENSION, D(2024, 6, 12), months=months, note="需继续考察"
            )
        assert excinfo.value.message_dict["months"] == [
            f"《中国共产党章程》第七条、《中国共产党发展党员工作细则》第五章：预备期可延长6至12个月：{months}个月不在此范围内。"
        ]
    record(world, recruit, StepKind.EXTENSION, D(2024, 6, 12), months=6, note="需继续考察")
    recruit = refresh(recruit)
    assert recruit.extension_months == 6
    assert recruit.probation_ends_on == D(2024, 12, 12)
    with pytest.raises(StepRefused) as excinfo:
        record(world, recruit, StepKind.EXTENSION, D(2024, 6, 20), months=6, note="再延长")
    assert excinfo.value.message_dict["months"] == [
        "《中国共产党章程》第七条、《中国共产党发展党员工作细则》第五章：预备期只能延长一次：已于此前延长6个月。"
    ]
    with pytest.raises(StepRefused) as excinfo:
        record(world, recruit, StepKind.FULL, D(2024, 12, 11))
    assert excinfo.value.possible_on == D(2024, 12, 12)
    record(world, recruit, StepKind.FULL, D(2024, 12, 12))
    person = refresh(recruit).person
    person.refresh_from_db()
    assert person.full_member_on == D(2024, 12, 12)


def test_r2_7_probation_can_end_in_cancellation(world):
    recruit = to_probationary(world, open_file(world, applicant(world), TIMELINE["applied"]))
    with pytest.raises(ValidationError):
        record(world, recruit, StepKind.CANCEL, D(2024, 6, 12))
    record(world, recruit, StepKind.CANCEL, D(2024, 6, 12), note="不履行党员义务")
    recruit = refresh(recruit)
    assert recruit.stage == Stage.CANCELLED and not recruit.is_open
    person = recruit.person
    person.refresh_from_db()
    assert person.political_status == "league"
    assert person.party_joined_on is None


def test_a_stopped_file_lets_the_person_apply_again(world):
    person = applicant(world)
    first = open_file(world, person, D(2022, 3, 1))
    record(world, first, StepKind.STOP, D(2022, 3, 10), note="本人撤回申请")
    assert refresh(first).stage == Stage.STOPPED
    second = open_file(world, person, D(2023, 3, 1))
    assert second.pk != first.pk


def test_the_approval_keeps_a_branch_placement_the_person_already_has(world):
    from tianping.people.actions import do_create_person

    person = do_create_person(
        None,
        world.org("BT-JY"),
        employee_no="JY0103",
        name="郑晓",
        birth_date=D(1996, 1, 1),
        political_status="masses",
        party_org=world.org("BT-JY-B01"),
        since=D(2020, 1, 1),
    )
    recruit = to_probationary(world, open_file(world, person, TIMELINE["applied"]))
    placements = list(recruit.person.placements.filter(kind="party_org"))
    assert [(p.org.code, p.since) for p in placements] == [("BT-JY-B01", D(2020, 1, 1))]
