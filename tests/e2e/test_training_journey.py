"""Journey: an officer plans a class, sees the political-share warning (R7.1), fixes it with a
political course, makes the plan final, enrols a personnel line, records two sessions'
attendance on the activity grid and prints a certificate."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import logged_in, pick
from tianping.learning.hours import person_hours
from tianping.learning.models import ClassStatus, Enrolment, TrainingClass

pytestmark = pytest.mark.e2e

NAME = "民事审判业务培训班"


def fill_course(page, row: int, title: str, hours: str, category: str) -> None:
    page.locator(f"#id_courses-{row}-title").fill(title)
    page.locator(f"#id_courses-{row}-hours").fill(hours)
    page.locator(f"#id_courses-{row}-category").select_option(label=category)


def test_an_officer_plans_a_class_fixes_its_political_share_and_prints_a_certificate_r7_1_r7_2(
    page, live_server, transactional_world
):
    wang = transactional_world.people["wang"]
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)

    # 1. bob (机关党委 of 九原区法院) creates the class from 教育培训.
    logged_in(page, live_server, "bob", PASSWORD)
    page.goto(f"{live_server.url}/learning/")
    page.locator("#card-training").get_by_role("link", name="新建培训班").click()
    pick(page.get_by_label("主办单位 *", exact=True), "BT-JY", "九原区人民法院（BT-JY）")
    page.get_by_label("培训班名称 *").fill(NAME)
    page.get_by_label("培训类型 *").select_option(label="业务培训")
    page.get_by_label("开始日期 *").fill(yesterday.isoformat())
    page.get_by_label("结束日期 *").fill(today.isoformat())
    page.get_by_label("地点").fill("本院三楼培训室")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"培训方案：{NAME}")

    # 2. The plan: the share shows live while the rows are edited, below 20% it warns.
    fill_course(page, 0, "民法典合同编疑难问题", "8", "业务")
    fill_course(page, 1, "党纪学习教育", "1", "政治理论")
    expect(page.locator("#share-warning")).to_be_visible()
    expect(page.locator("#share-value")).to_have_text("11.1%")
    page.get_by_role("button", name="保存方案").click()
    expect(page.locator("#share-warning")).to_be_visible()

    # Made final below the share without a reason: refused.
    page.get_by_role("button", name="方案定稿").click()
    expect(page.get_by_role("status").filter(has_text="低于本院要求的20%")).to_be_visible()
    tc = TrainingClass.objects.get(name=NAME)
    assert tc.status == ClassStatus.DRAFT

    # 3. Fixed by adding a political course: 2 of 10 hours is 20%, no warning.
    fill_course(page, 2, "习近平法治思想专题", "1", "政治理论")
    expect(page.locator("#share-ok")).to_be_visible()
    expect(page.locator("#share-value")).to_have_text("20.0%")
    page.get_by_role("button", name="保存方案").click()
    expect(page.locator("#share-warning")).to_have_count(0)
    page.get_by_role("button", name="方案定稿").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(NAME)
    tc.refresh_from_db()
    assert tc.status == ClassStatus.FINAL and tc.below_share_reason == ""

    # 4. Enrol a personnel line: all 员额法官 of the court.
    page.get_by_role("link", name="报名").click()
    page.get_by_label("报名规则 *").select_option(label="全部员额法官")
    page.get_by_role("button", name="按规则报名").click()
    expect(page.locator("#enrolments")).to_contain_text("学员（1）")
    enrolment = Enrolment.objects.get(training_class=tc)
    assert enrolment.person == wang and enrolment.enrolled_by_rule == "九原区人民法院全部员额法官"

    # 5. Two sessions, each recorded on the activity's attendance grid.
    for day, course, status in (
        (yesterday, "民法典合同编疑难问题", "出席"),
        (today, "党纪学习教育", "请假"),
    ):
        page.get_by_role("link", name="安排课次").click()
        page.get_by_label("课程").select_option(label=course)
        page.get_by_label("日期 *").fill(day.isoformat())
        page.get_by_role("button", name="安排").click()
        page.locator("#sessions + div tr").filter(has_text=course).get_by_role(
            "link", name="记录出勤"
        ).click()
        grid = page.locator("#grid .att-row")
        expect(grid).to_have_count(1)
        expect(grid.nth(0)).to_contain_text("王芳")
        page.get_by_role("radiogroup", name="王芳的出勤").get_by_label(status).check()
        page.get_by_role("button", name="保存").click()
        expect(page.get_by_role("status")).to_contain_text("召开情况")
        page.goto(f"{live_server.url}/learning/training/{tc.pk}/")

    # On leave for one session, he keeps the other's hours (R7.2).
    assert (
        person_hours(wang.pk, yesterday.year).total
        + (person_hours(wang.pk, today.year).total if today.year != yesterday.year else 0)
        == 8
    )
    row = page.locator("#enrolments + div tr").filter(has_text="王芳")
    expect(row).to_contain_text("8.0")

    # 6. Passed with a certificate, printed on A4 with its verification code.
    row.get_by_label("王芳的结业结果").select_option(label="合格")
    row.get_by_role("button", name="合格并发证").click()
    expect(page.get_by_role("status")).to_contain_text("颁发结业证书")
    page.locator("#enrolments + div tr").filter(has_text="王芳").get_by_role(
        "link", name="结业证书"
    ).click()
    enrolment.refresh_from_db()
    code = enrolment.certificate_code
    assert code and re.fullmatch(r"[2-9A-Z]{12}", code)
    expect(page.locator("#certificate-code")).to_have_text(code)
    expect(page.get_by_role("button", name="打印")).to_be_visible()
    assert "size: A4" in page.content()

    # Anyone with the code sees its four facts, without logging in.
    anonymous = page.context.browser.new_context()
    try:
        public = anonymous.new_page()
        public.goto(f"{live_server.url}/learning/certificates/{code}/")
        expect(public.locator("#v-name")).to_have_text("王芳")
        expect(public.locator("#v-class")).to_have_text(NAME)
        expect(public.locator("#v-hours")).to_have_text("8.0")
    finally:
        anonymous.close()
