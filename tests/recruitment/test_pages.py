"""The recruitment pages: the board and what falls due, a file, recording steps, who sees what."""

from __future__ import annotations

import datetime as dt
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tianping.activities.actions import do_record_past_activity
from tianping.audit.models import AuditEvent
from tianping.lib.dates import add_months, add_years
from tianping.people.actions import do_update_person
from tianping.recruitment.models import Recruit, RecruitmentSetting, Stage, Step, StepKind
from tianping.recruitment.rules import nth_working_day
from tianping.recruitment.workdays import work_calendar

from .factories import (
    TIMELINE,
    admitted,
    applicant,
    full_members,
    open_file,
    ready_for_admission,
    record,
    refresh,
    sample_file,
    shift_to,
    to_activist,
    to_probationary,
)

D = dt.date


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def column(html: str, stage: str) -> str:
    match = re.search(rf'data-stage="{stage}">(.*?)</section>', html, re.S)
    assert match, stage
    return match.group(1)


def section(html: str, element_id: str) -> str:
    """The element's HTML with runs of white space as one space."""
    match = re.search(rf'id="{element_id}"(.*?)</(section|table)>', html, re.S)
    assert match, element_id
    return re.sub(r"\s+", " ", match.group(1))


def form_row(html: str, field: str) -> str:
    match = re.search(
        rf'<div class="form-row[^"]*">\s*<label for="id_{field}">.*?(?=<div class="form-row|<button)',
        html,
        re.S,
    )
    assert match, field
    return match.group(0)


# ---------------------------------------------------------------------------------------
# The board


def test_the_board_shows_each_stage_and_what_falls_due_in_30_days(world):
    today = timezone.localdate()
    new = open_file(world, applicant(world, "JY0201", "新申请"), today - dt.timedelta(days=10))
    late = open_file(world, applicant(world, "JY0202", "未谈话"), today - dt.timedelta(days=45))
    activist = open_file(world, applicant(world, "JY0203", "积极分子"), D(2020, 1, 2))
    record(world, activist, StepKind.TALK, D(2020, 1, 10))
    record(
        world,
        activist,
        StepKind.ACTIVIST,
        today - dt.timedelta(days=170),
        people=[world.people["wang"]],
    )
    notice_end = nth_working_day(today, 5, work_calendar(today))
    record(world, activist, StepKind.CANDIDATE_NOTICE, today, ends_on=notice_end)
    waiting = admitted(
        world,
        open_file(world, applicant(world, "JY0204", "待审批"), D(2020, 1, 2)),
        shift=shift_to(today - dt.timedelta(days=70)),
    )
    probation = to_probationary(
        world,
        open_file(world, applicant(world, "JY0205", "预备期"), D(2020, 1, 2)),
        shift=shift_to(today - dt.timedelta(days=351)),
    )
    html = page(world.client("carol").get("/recruitment/"))

    assert "新申请" in column(html, "applicant") and "未谈话" in column(html, "applicant")
    assert "积极分子" in column(html, "activist")
    assert "待审批" in column(html, "candidate")
    assert "支部大会通过" in column(html, "candidate")
    assert "预备期" in column(html, "probationary")

    dues = section(html, "dues")
    talk_due = add_months(new.applied_on, 1)
    assert f"新申请</a>（第一党支部）：递交申请后1个月内应谈话，截止 {talk_due:%Y-%m-%d}" in dues
    assert re.search(r'<li class="bad">.*?未谈话</a>.*?已逾期</li>', dues, re.S)
    assert f"半年培养考察，截止 {add_months(today - dt.timedelta(days=170), 6):%Y-%m-%d}" in dues
    assert f"发展对象公示结束 {notice_end:%Y-%m-%d}" in dues
    deadline = add_months(refresh(waiting).resolution_on, 3)
    assert f"上级党委审批期限（3个月） {deadline:%Y-%m-%d}" in dues
    assert f"预备期满，应讨论转为正式党员 {refresh(probation).probation_ends_on:%Y-%m-%d}" in dues
    assert late.pk


def test_nothing_due_is_said_plainly(world):
    html = page(world.client("carol").get("/recruitment/"))
    assert "今后30天内没有到期的谈话、考察、公示、审批或预备期满事项" in html


def test_a_court_board_counts_each_branch(world):
    open_file(world, applicant(world), D(2023, 3, 1))
    html = page(world.client("bob").get("/recruitment/?org=BT-JY"))
    assert "各支部情况" in html
    assert re.search(r"第一党支部</a></td><td>九原区人民法院</td><td class=\"num\">1</td>", html)
    html = page(world.client("alice").get("/recruitment/"))
    assert "钱学敏" in column(html, "applicant")


def test_a_full_member_stays_on_the_board_for_a_year(world):
    today = timezone.localdate()
    recruit = to_probationary(
        world,
        open_file(world, applicant(world), D(2020, 1, 2)),
        shift=shift_to(today - dt.timedelta(days=380)),
    )
    record(world, recruit, StepKind.FULL, refresh(recruit).probation_ends_on)
    html = page(world.client("carol").get("/recruitment/"))
    assert "钱学敏" in column(html, "member")


# ---------------------------------------------------------------------------------------
# Who sees what


def test_the_outsider_gets_404_on_our_files_and_orgs(world):
    recruit = sample_file(world)
    oscar = world.client("oscar")
    assert oscar.get(f"/recruitment/{recruit.pk}/").status_code == 404
    assert oscar.get("/recruitment/?org=BT-JY").status_code == 404
    step = Step.objects.get(recruit=recruit)
    assert oscar.get(f"/recruitment/steps/{step.pk}/file/").status_code == 404
    html = page(oscar.get("/recruitment/"))
    assert "钱学敏" not in html and "九原区" not in html


def test_a_member_sees_only_their_own_file(world):
    zhao = world.people["zhao"]
    do_update_person(None, zhao, political_status="masses")
    own = open_file(world, zhao, D(2023, 3, 1))
    other = sample_file(world)
    dave = world.client("dave")
    response = dave.get("/recruitment/")
    assert response.status_code == 302 and response["Location"] == f"/recruitment/{own.pk}/"
    html = page(dave.get(f"/recruitment/{own.pk}/"))
    assert "赵磊的入党档案" in html and "记录步骤" not in html
    assert dave.get(f"/recruitment/{other.pk}/").status_code == 404
    assert dave.get(f"/recruitment/{own.pk}/step/").status_code == 403


def test_a_member_without_a_file_is_told_so(world):
    html = page(world.client("dave").get("/recruitment/"))
    assert "您目前没有发展党员档案" in html


def test_a_secretary_sees_her_branch_and_a_leader_only_reads(world):
    from tianping.recruitment.actions import do_open_file

    other = do_open_file(
        None, applicant(world, "JY0301", "二支部申请人"), world.org("BT-JY-B02"), on=D(2023, 3, 1)
    )
    assert world.client("carol").get(f"/recruitment/{other.pk}/").status_code == 404
    assert world.client("bob").get(f"/recruitment/{other.pk}/").status_code == 200
    erin = world.client("erin")
    assert erin.get(f"/recruitment/{other.pk}/").status_code == 200
    assert erin.get(f"/recruitment/{other.pk}/step/").status_code == 403
    assert erin.get("/recruitment/new/").status_code == 403


# ---------------------------------------------------------------------------------------
# A file


def test_the_file_shows_its_timeline_and_from_when_the_next_step_is_possible(world):
    recruit = to_activist(world, open_file(world, applicant(world), TIMELINE["applied"]))
    record(world, recruit, StepKind.ASSESSMENT, D(2022, 10, 1), note="学习认真")
    record(world, recruit, StepKind.ASSESSMENT, D(2023, 3, 31), note="学习认真")
    start, end = TIMELINE["candidate_notice"]
    record(world, recruit, StepKind.CANDIDATE_NOTICE, start, ends_on=end)
    html = page(world.client("carol").get(f"/recruitment/{recruit.pk}/"))
    timeline = section(html, "timeline")
    assert timeline.index("递交入党申请书") < timeline.index("党组织派人谈话")
    assert "培养联系人：王芳" in timeline
    assert "2023-03-27至2023-03-31" in timeline
    assert "学习认真" in timeline
    nxt = section(html, "next")
    assert "确定为发展对象</strong>： 2023-04-01起可记录 <a" in nxt


def test_the_file_gives_the_first_date_a_future_step_becomes_possible(world):
    today = timezone.localdate()
    since = today - dt.timedelta(days=100)
    recruit = open_file(world, applicant(world), since - dt.timedelta(days=20))
    record(world, recruit, StepKind.TALK, since - dt.timedelta(days=10))
    record(world, recruit, StepKind.ACTIVIST, since, people=[world.people["wang"]])
    record(world, recruit, StepKind.ASSESSMENT, today - dt.timedelta(days=10))
    html = page(world.client("carol").get(f"/recruitment/{recruit.pk}/"))
    assert (
        "需先完成：发展对象公示5个工作日（《中国共产党发展党员工作细则》关于公示的规定）"
        in section(html, "next")
    )
    record(
        world,
        recruit,
        StepKind.CANDIDATE_NOTICE,
        today,
        ends_on=nth_working_day(today, 5, work_calendar(today)),
    )
    html = page(world.client("carol").get(f"/recruitment/{recruit.pk}/"))
    eligible = add_years(since, 1)
    again = add_months(today - dt.timedelta(days=10), 6)
    assert (
        f"确定为发展对象</strong>： 最早可于{eligible:%Y-%m-%d}；"
        f"需先完成：{again:%Y-%m-%d}前再考察一次（《中国共产党发展党员工作细则》第十一条，每半年一次）"
    ) in section(html, "next")


def test_the_file_says_what_must_come_first(world):
    recruit = open_file(world, applicant(world), D(2023, 3, 1))
    html = page(world.client("carol").get(f"/recruitment/{recruit.pk}/"))
    assert "需先完成：先与申请人谈话（《中国共产党发展党员工作细则》第七条）" in html


# ---------------------------------------------------------------------------------------
# Recording steps


def test_a_refused_step_shows_the_rule_and_its_date_beside_the_field(world):
    recruit = to_activist(world, open_file(world, applicant(world), TIMELINE["applied"]))
    record(world, recruit, StepKind.ASSESSMENT, D(2022, 10, 1))
    record(world, recruit, StepKind.CANDIDATE_NOTICE, D(2023, 1, 9), ends_on=D(2023, 1, 13))
    response = world.client("carol").post(
        f"/recruitment/{recruit.pk}/step/?kind=candidate", {"kind": "candidate", "on": "2023-02-01"}
    )
    html = page(response)
    row = form_row(html, "on")
    assert "field-error" in row
    assert (
        "《中国共产党发展党员工作细则》第十三条：入党积极分子经过1年以上培养考察方可确定为发展对象"
        in row
    )
    assert "最早可于2023-04-01确定" in row
    assert "该步骤不符合发展党员规定，未予记录" in html
    assert refresh(recruit).stage == Stage.ACTIVIST


def test_recording_a_step_goes_back_to_the_file_with_a_confirmation(world):
    recruit = open_file(world, applicant(world), D(2023, 3, 1))
    client = world.client("carol")
    response = client.post(
        f"/recruitment/{recruit.pk}/step/?kind=talk",
        {"kind": "talk", "on": "2023-03-20", "note": "谈话了解入党动机"},
        follow=True,
    )
    html = page(response)
    assert "已记录“党组织派人谈话”（2023-03-20）。" in html
    assert refresh(recruit).talked_on == D(2023, 3, 20)
    response = client.post(
        f"/recruitment/{recruit.pk}/step/?kind=activist",
        {"kind": "activist", "on": "2023-04-20", "people": ["王芳（JY0001）"]},
        follow=True,
    )
    assert "已记录“确定为入党积极分子”" in page(response)
    assert refresh(recruit).stage == Stage.ACTIVIST


def test_a_late_talk_is_recorded_with_a_warning(world):
    recruit = open_file(world, applicant(world), D(2023, 3, 1))
    response = world.client("carol").post(
        f"/recruitment/{recruit.pk}/step/?kind=talk",
        {"kind": "talk", "on": "2023-04-02"},
        follow=True,
    )
    html = page(response)
    assert "msg-warning" in html and "R2.2 谈话晚于规定" in html


def test_contacts_may_be_named_by_employee_number(world):
    recruit = open_file(world, applicant(world), D(2023, 3, 1))
    record(world, recruit, StepKind.TALK, D(2023, 3, 10))
    # A member of another branch, named by the court's party office (a secretary may name
    # only people of her own branch).
    response = world.client("bob").post(
        f"/recruitment/{recruit.pk}/step/?kind=activist",
        {"kind": "activist", "on": "2023-04-20", "people_no": "jy0003、JY0099"},
    )
    html = page(response)
    assert "九原区人民法院花名册中没有工号：JY0099" in form_row(html, "people_no")
    world.client("bob").post(
        f"/recruitment/{recruit.pk}/step/?kind=activist",
        {"kind": "activist", "on": "2023-04-20", "people_no": "JY0003"},
    )
    step = Step.objects.get(recruit=recruit, kind=StepKind.ACTIVIST)
    assert step.names("contact") == ["孙丽"]


def test_a_failed_vote_is_refused_beside_the_yes_votes(world):
    members = full_members(world, 3)
    recruit = ready_for_admission(
        world,
        open_file(world, applicant(world), TIMELINE["applied"]),
        [world.people["wang"], members[0]],
    )
    html = page(
        world.client("carol").post(
            f"/recruitment/{recruit.pk}/step/?kind=admission",
            {
                "kind": "admission",
                "on": "2023-06-12",
                "present": "4",
                "votes_yes": "2",
                "votes_no": "2",
            },
        )
    )
    assert "赞成票须超过应到会有表决权正式党员的半数：应到4名，赞成2票" in form_row(
        html, "votes_yes"
    )
    assert refresh(recruit).resolution_on is None


def test_r2_6_the_vote_form_offers_the_branchs_held_congresses_with_their_attendance(world):
    members = full_members(world, 3)
    recruit = ready_for_admission(
        world,
        open_file(world, applicant(world), TIMELINE["applied"]),
        [world.people["wang"], members[0]],
    )
    voters = [world.people["wang"], *members]

    def congress(on, branch="BT-JY-B01", present=voters[:3], title="支部党员大会"):
        return do_record_past_activity(
            None,
            world.org(branch),
            kind="branch_congress",
            title=title,
            on=on,
            attendance={p.pk: "present" for p in present},
        )

    held = congress(D(2023, 6, 12), title="六月支部党员大会")
    bare = congress(D(2023, 6, 13), present=[], title="未记出勤的大会")
    before_notice = congress(D(2023, 6, 8), title="公示期内的大会")
    other_branch = congress(D(2023, 6, 12), branch="BT-JY-B02", present=[], title="二支部大会")
    html = page(world.client("carol").get(f"/recruitment/{recruit.pk}/step/?kind=admission"))
    row = form_row(html, "activity")
    assert f'value="{held.pk}"' in row
    assert "2023-06-12 六月支部党员大会（到会正式党员3名）" in row
    assert f'value="{bare.pk}"' in row and "未记出勤的大会（尚未记录出勤）" in row
    assert f'value="{before_notice.pk}"' not in row
    assert f'value="{other_branch.pk}"' not in row

    # A typed count other than the meeting's is refused beside the field, naming the count.
    html = page(
        world.client("carol").post(
            f"/recruitment/{recruit.pk}/step/?kind=admission",
            {
                "kind": "admission",
                "on": "2023-06-12",
                "activity": str(held.pk),
                "present": "4",
                "votes_yes": "4",
            },
        )
    )
    assert "出勤记录中，到会的正式党员为3名，与填写的到会人数4名不一致" in form_row(html, "present")
    assert refresh(recruit).resolution_on is None
    # Left blank, the count is the meeting's.
    response = world.client("carol").post(
        f"/recruitment/{recruit.pk}/step/?kind=admission",
        {"kind": "admission", "on": "2023-06-12", "activity": str(held.pk), "votes_yes": "3"},
    )
    assert response.status_code == 302
    step = Step.objects.get(recruit=recruit, kind=StepKind.ADMISSION)
    assert (step.entitled, step.present, step.votes_yes, step.activity_id) == (4, 3, 3, held.pk)


def test_the_step_page_offers_the_steps_the_stage_allows(world):
    recruit = open_file(world, applicant(world), D(2023, 3, 1))
    html = page(world.client("carol").get(f"/recruitment/{recruit.pk}/step/"))
    assert "?kind=talk" in html and "?kind=activist" in html and "?kind=full" not in html
    html = page(world.client("carol").get(f"/recruitment/{recruit.pk}/step/?kind=full"))
    assert "该档案当前不能记录“转为正式党员”" in html


def test_evidence_is_attached_to_a_step_and_downloaded_in_scope(world):
    recruit = open_file(world, applicant(world), D(2023, 3, 1))
    upload = SimpleUploadedFile("谈话记录.pdf", b"%PDF talk", content_type="application/pdf")
    world.client("carol").post(
        f"/recruitment/{recruit.pk}/step/?kind=talk",
        {"kind": "talk", "on": "2023-03-20", "evidence": upload},
    )
    step = Step.objects.get(recruit=recruit, kind=StepKind.TALK)
    assert step.evidence_name == "谈话记录.pdf"
    response = world.client("carol").get(f"/recruitment/steps/{step.pk}/file/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF talk"


# ---------------------------------------------------------------------------------------
# Opening a file, settings


def test_the_party_office_registers_an_application_by_employee_number(world):
    html = page(world.client("bob").get("/recruitment/new/"))
    assert "递交入党申请书日期" in html
    response = world.client("bob").post(
        "/recruitment/new/",
        {"branch": "BT-JY-B01", "employee_no": "jy0004", "on": "2023-03-01"},
    )
    recruit = Recruit.objects.get(person=world.people["zhou"])
    assert response.status_code == 302 and response["Location"] == f"/recruitment/{recruit.pk}/"
    assert recruit.branch.code == "BT-JY-B01" and recruit.stage == Stage.APPLICANT
    assert AuditEvent.objects.filter(action="recruitment.open", object_id=str(recruit.pk)).exists()


def test_an_under_age_application_is_refused_beside_the_date(world):
    applicant(world, birth=D(2005, 5, 10))
    html = page(
        world.client("bob").post(
            "/recruitment/new/",
            {"branch": "BT-JY-B01", "employee_no": "JY0101", "on": "2023-05-09"},
        )
    )
    assert "《中国共产党章程》第一条：申请人须年满18周岁" in form_row(html, "on")
    assert not Recruit.objects.exists()


def test_the_party_office_sets_the_notice_length_of_its_court(world):
    response = world.client("bob").post(
        "/recruitment/settings/", {"org": "BT-JY", "notice_working_days": "7"}
    )
    assert response.status_code == 302
    assert RecruitmentSetting.objects.get(court__code="BT-JY").notice_working_days == 7
    assert AuditEvent.objects.filter(action="recruitment.settings").exists()
    assert world.client("carol").get("/recruitment/settings/").status_code == 403
    assert world.client("bob").get("/recruitment/settings/?org=EH").status_code == 404


# ---------------------------------------------------------------------------------------
# Queries


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_board_and_a_file_cost_the_same_queries_however_many_files(world):
    first = to_activist(world, open_file(world, applicant(world), TIMELINE["applied"]))
    client = world.client("bob")
    board_one = _queries(client, "/recruitment/?org=BT-JY")
    file_one = _queries(client, f"/recruitment/{first.pk}/")
    for i in range(4):
        recruit = open_file(
            world, applicant(world, f"JY02{i:02d}", f"申请人{i}"), TIMELINE["applied"]
        )
        to_activist(world, recruit, contacts=[world.people["wang"]])
    record(world, first, StepKind.ASSESSMENT, D(2022, 10, 1))
    record(world, first, StepKind.ASSESSMENT, D(2023, 3, 1))
    assert _queries(client, "/recruitment/?org=BT-JY") == board_one
    assert _queries(client, f"/recruitment/{first.pk}/") == file_one
