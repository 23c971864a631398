"""Journey: a secretary takes an applicant to probationary member, stopped once by R2.4."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import ACTIVE, logged_in, pick, sidenav
from tianping.activities.models import Activity, ActivityStatus
from tianping.audit.models import AuditEvent
from tianping.people.actions import do_create_person
from tianping.people.models import Person, Placement, PoliticalStatus
from tianping.recruitment.models import Recruit, Stage, Step, StepKind, StepPerson, StepRole

pytestmark = pytest.mark.e2e

D = dt.date
APPLICANT = "钱学敏"


def dd(page, term: str):
    """The value beside a term of the page's field list."""
    return (
        page.locator("dl.fields dt")
        .filter(has_text=re.compile(rf"^{term}$"))
        .locator("xpath=following-sibling::dd[1]")
    )


def record_step(page, label: str, fields: dict[str, str], *, people: list[str] = ()) -> None:
    """From the file: 记录步骤 → the step → its form, filled and submitted."""
    page.get_by_role("link", name="记录步骤", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"记录步骤：{APPLICANT}")
    page.get_by_role("link", name=label, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{label}：{APPLICANT}")
    for name, value in fields.items():
        page.get_by_label(name, exact=True).fill(value)
    if people:
        for person in people:
            pick(page.locator("[data-picker-multi]"), person.split("（")[0], person)
    page.get_by_role("button", name="记录", exact=True).click()


def recorded(page, label: str, on: dt.date) -> None:
    """Back on the file, with the step's confirmation."""
    expect(page.get_by_role("status")).to_have_text(f"已记录“{label}”（{on:%Y-%m-%d}）。")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{APPLICANT}的入党档案")


def test_a_secretary_takes_an_applicant_to_probationary_member_and_is_stopped_once_by_r2_4(
    page, live_server, transactional_world, tmp_path
):
    carol = transactional_world.users["carol"]
    court, branch = transactional_world.org("BT-JY"), transactional_world.org("BT-JY-B01")
    applicant = do_create_person(
        None,
        court,
        employee_no="JY0101",
        name=APPLICANT,
        birth_date=D(1995, 5, 4),
        political_status=PoliticalStatus.LEAGUE,
        department=transactional_world.org("BT-JY-MS"),
        # On her branch's roster: a secretary finds by 工号 only people in her scope.
        party_org=branch,
        since=D(2020, 1, 1),
    )
    # Two more full members, so the branch has three to introduce and to vote (R1.1, R2.6).
    for no, name in (("JY0111", "刘洋"), ("JY0112", "陈静")):
        do_create_person(
            None,
            court,
            employee_no=no,
            name=name,
            birth_date=D(1980, 1, 1),
            political_status=PoliticalStatus.MEMBER,
            party_joined_on=D(2005, 7, 1),
            full_member_on=D(2006, 7, 1),
            party_org=branch,
            since=D(2020, 1, 1),
        )

    # 1. The application, from the board; the applicant is found by 工号 in the roster.
    logged_in(page, live_server, "carol", PASSWORD)
    sidenav(page).get_by_role("link", name="发展党员").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("发展党员 · 第一党支部")
    expect(sidenav(page).get_by_role("link", name="发展党员")).to_have_class(ACTIVE)
    expect(page.locator('[data-stage="applicant"]')).to_contain_text("暂无")
    page.get_by_role("link", name="登记入党申请").click()
    expect(page.get_by_role("heading", name="登记入党申请")).to_be_visible()
    expect(page.get_by_label("党支部 *", exact=True)).to_have_value("第一党支部（BT-JY-B01）")
    page.get_by_label("或按工号指定申请人").fill("JY0101")
    page.get_by_label("递交入党申请书日期 *", exact=True).fill("2022-03-01")
    page.get_by_role("button", name="登记").click()
    expect(page.get_by_role("status")).to_have_text(
        f"已登记{APPLICANT}的入党申请（2022-03-01）。请在1个月内派人谈话（《中国共产党发展党员工作细则》第七条）。"
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{APPLICANT}的入党档案")
    expect(page.locator("#stage")).to_have_text("入党申请人")
    expect(page.locator("#next")).to_contain_text(
        "先与申请人谈话（《中国共产党发展党员工作细则》第七条）"
    )

    # 2. Talk, activist with a contact, two half-yearly assessments, the notice.
    record_step(page, "党组织派人谈话", {"谈话日期 *": "2022-03-15", "谈话情况": "支部书记谈话"})
    recorded(page, "党组织派人谈话", D(2022, 3, 15))
    record_step(page, "确定为入党积极分子", {"确定日期 *": "2022-04-01"}, people=["王芳（JY0001）"])
    recorded(page, "确定为入党积极分子", D(2022, 4, 1))
    expect(page.locator("#stage")).to_have_text("入党积极分子")
    expect(dd(page, "培养联系人")).to_have_text("王芳")
    record_step(page, "培养考察（每半年）", {"考察日期 *": "2022-10-01", "考察意见": "表现良好"})
    recorded(page, "培养考察（每半年）", D(2022, 10, 1))
    record_step(page, "培养考察（每半年）", {"考察日期 *": "2023-03-17", "考察意见": "表现良好"})
    recorded(page, "培养考察（每半年）", D(2023, 3, 17))
    record_step(
        page, "发展对象公示", {"公示开始日期 *": "2023-03-20", "公示截止日期 *": "2023-03-24"}
    )
    recorded(page, "发展对象公示", D(2023, 3, 20))
    # The file says from when the next stage is possible.
    expect(page.locator("#next")).to_contain_text(
        re.compile(r"确定为发展对象：\s*2023-04-01起可记录")
    )

    # 3. A development object five days early: refused, with the rule and the date.
    record_step(page, "确定为发展对象", {"确定日期 *": "2023-03-27"})
    refusals = page.locator("#refusals")
    expect(refusals).to_contain_text("该步骤不符合发展党员规定，未予记录")
    expect(refusals.locator("li")).to_have_count(1)
    expect(refusals.locator("li")).to_contain_text("《中国共产党发展党员工作细则》第十三条")
    expect(refusals.locator("li")).to_contain_text("最早可于2023-04-01确定")
    on_row = page.locator(".form-row.field-error").filter(has=page.get_by_label("确定日期 *"))
    expect(on_row.get_by_role("alert")).to_have_text(
        "《中国共产党发展党员工作细则》第十三条：入党积极分子经过1年以上培养考察方可确定为发展对象："
        f"{APPLICANT}于2022-04-01确定为入党积极分子，至2023-03-27未满1年，最早可于2023-04-01确定。"
    )
    page.screenshot(path=str(tmp_path / "recruitment-refused.png"), full_page=True)
    assert Recruit.objects.get(person=applicant).stage == Stage.ACTIVIST
    assert not Step.objects.filter(recruit__person=applicant, kind=StepKind.CANDIDATE).exists()
    # The same form, on a date the rule allows.
    page.get_by_label("确定日期 *", exact=True).fill("2023-04-03")
    page.get_by_role("button", name="记录", exact=True).click()
    recorded(page, "确定为发展对象", D(2023, 4, 3))
    expect(page.locator("#stage")).to_have_text("发展对象")

    # 4. Introducers, political review, training, the second notice, the congress vote.
    record_step(
        page,
        "确定入党介绍人",
        {"确定日期 *": "2023-04-10"},
        people=["王芳（JY0001）", "刘洋（JY0111）"],
    )
    recorded(page, "确定入党介绍人", D(2023, 4, 10))
    expect(dd(page, "入党介绍人")).to_have_text("王芳、刘洋")
    record_step(page, "政治审查", {"政审日期 *": "2023-05-10", "政审结论 *": "政治审查合格"})
    recorded(page, "政治审查", D(2023, 5, 10))
    record_step(
        page, "集中培训", {"培训开始日期 *": "2023-05-15", "培训天数": "3", "培训学时": "24"}
    )
    recorded(page, "集中培训", D(2023, 5, 15))
    expect(dd(page, "集中培训")).to_have_text("3天，24学时")
    record_step(
        page, "接收预备党员公示", {"公示开始日期 *": "2023-06-05", "公示截止日期 *": "2023-06-09"}
    )
    recorded(page, "接收预备党员公示", D(2023, 6, 5))
    record_step(
        page,
        "支部党员大会讨论接收",
        {"支部党员大会日期 *": "2023-06-12", "到会有表决权党员数": "3", "赞成票 *": "3"},
    )
    recorded(page, "支部党员大会讨论接收", D(2023, 6, 12))
    expect(page.get_by_role("heading", level=1)).to_contain_text("待上级党委审批")
    vote = page.locator('#timeline tr[data-kind="admission"]')
    expect(vote).to_contain_text("有表决权正式党员3名，到会3名；赞成3票，反对0票，弃权0票")
    expect(vote).to_contain_text(f"会议：支部党员大会（讨论{APPLICANT}接收预备党员）")

    # 5. The party committee approves: a probationary member from the congress's date.
    record_step(
        page, "上级党委审批", {"审批日期 *": "2023-07-10", "审批党组织": "九原区人民法院机关党委"}
    )
    recorded(page, "上级党委审批", D(2023, 7, 10))
    expect(page.locator("#stage")).to_have_text("预备党员")
    expect(dd(page, "支部大会通过")).to_have_text("2023-06-12（入党时间）")
    expect(dd(page, "上级党委审批")).to_have_text("2023-07-10")
    expect(dd(page, "预备期满")).to_have_text("2024-06-12")
    timeline = page.locator("#timeline tbody tr")
    expect(timeline).to_have_count(13)
    expect(timeline.first).to_contain_text("递交入党申请书")
    expect(timeline.last).to_contain_text("上级党委审批")
    page.screenshot(path=str(tmp_path / "recruitment-file.png"), full_page=True)

    # 6. The roster shows the change: 中共预备党员, joined 2023-06-12, in 第一党支部.
    sidenav(page).get_by_role("link", name="人员花名册").click()
    page.get_by_label("搜索").press_sequentially("钱学")
    row = page.locator("#results tbody tr").filter(has_text=APPLICANT)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("中共预备党员")
    row.get_by_role("link", name=APPLICANT).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(APPLICANT)
    expect(dd(page, "政治面貌")).to_have_text("中共预备党员")
    expect(dd(page, "入党日期")).to_have_text("2023-06-12")
    expect(dd(page, "转正日期")).to_have_text("—")
    expect(dd(page, "所在支部")).to_have_text("第一党支部")

    # Stored: the file, its twelve steps and their people, the roster, the congress, the audit.
    recruit = Recruit.objects.get(person=applicant)
    assert recruit.stage == Stage.PROBATIONARY and recruit.branch == branch
    assert (
        recruit.applied_on,
        recruit.talked_on,
        recruit.activist_on,
        recruit.candidate_on,
        recruit.resolution_on,
        recruit.approved_on,
        recruit.probation_ends_on,
    ) == (
        D(2022, 3, 1),
        D(2022, 3, 15),
        D(2022, 4, 1),
        D(2023, 4, 3),
        D(2023, 6, 12),
        D(2023, 7, 10),
        D(2024, 6, 12),
    )
    steps = list(Step.objects.filter(recruit=recruit).order_by("on", "id"))
    assert [s.kind for s in steps] == [
        StepKind.APPLICATION,
        StepKind.TALK,
        StepKind.ACTIVIST,
        StepKind.ASSESSMENT,
        StepKind.ASSESSMENT,
        StepKind.CANDIDATE_NOTICE,
        StepKind.CANDIDATE,
        StepKind.INTRODUCERS,
        StepKind.POLITICAL_REVIEW,
        StepKind.TRAINING,
        StepKind.ADMISSION_NOTICE,
        StepKind.ADMISSION,
        StepKind.APPROVAL,
    ]
    assert all(s.flags == [] for s in steps)
    assert all(s.created_by == carol for s in steps[1:])
    assert sorted(
        StepPerson.objects.filter(step__recruit=recruit).values_list("role", "person__name")
    ) == sorted(
        [
            (StepRole.CONTACT, "王芳"),
            (StepRole.INTRODUCER, "王芳"),
            (StepRole.INTRODUCER, "刘洋"),
        ]
    )
    admission = steps[11]
    assert (admission.entitled, admission.present, admission.votes_yes) == (3, 3, 3)
    congress = Activity.objects.get(pk=admission.activity_id)
    assert (congress.org, congress.kind, congress.on, congress.status) == (
        branch,
        "branch_congress",
        D(2023, 6, 12),
        ActivityStatus.HELD,
    )
    person = Person.objects.get(pk=applicant.pk)
    assert person.political_status == PoliticalStatus.PROBATIONARY
    assert (person.party_joined_on, person.full_member_on) == (D(2023, 6, 12), None)
    assert person.party_org == branch
    # Already on the branch's roster as an applicant, so admission keeps that placement.
    assert Placement.objects.filter(
        person=person, org=branch, since=D(2020, 1, 1), until=None
    ).exists()
    actions = list(
        AuditEvent.objects.filter(user=carol, object_type="recruitment.recruit")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["recruitment.open"] + ["recruitment.step"] * 12
    assert AuditEvent.objects.filter(
        user=carol, object_type="people.person", object_id=str(person.pk)
    ).exists()
