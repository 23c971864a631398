"""Journey: from a person's page to their attendance, points, dues and recruitment records."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import logged_in
from tianping.activities import actions

pytestmark = pytest.mark.e2e


def _meeting(world, on: dt.date, title: str, **attendance: str):
    carol = world.users["carol"]
    activity = actions.do_plan_activity(
        carol, world.org("BT-JY-B01"), kind="branch_committee", title=title, on=on
    )
    return actions.do_record_held(
        carol,
        activity,
        attendance={world.people[k].pk: v for k, v in attendance.items()},
        reasons={world.people[k].pk: "出差" for k, v in attendance.items() if v == "leave"},
    )


def _records_bar(page):
    return page.locator("#person-records")


def test_a_secretary_follows_each_record_link_of_a_branch_member(
    page, live_server, transactional_world, tmp_path
):
    world = transactional_world
    _meeting(world, dt.date(2024, 3, 28), "三月支委会", wang="present", zhao="leave")
    _meeting(world, dt.date(2024, 4, 25), "四月支委会", wang="absent", zhao="present")
    wang = world.people["wang"]

    logged_in(page, live_server, "carol", PASSWORD)
    page.goto(f"{live_server.url}/people/")
    page.get_by_role("link", name="王芳").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("王芳")
    person_page = page.url
    assert person_page.endswith(f"/people/{wang.pk}/")
    bar = _records_bar(page)
    expect(bar.get_by_role("link")).to_have_count(5)
    page.screenshot(path=str(tmp_path / "person-links.png"), full_page=True)

    bar.get_by_role("link", name="出勤记录").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("王芳的出勤记录")
    history = page.locator("#attendance-history")
    expect(history.get_by_role("row")).to_have_count(3)
    expect(history).to_contain_text("三月支委会")
    expect(history).to_contain_text("缺席")
    expect(page.locator("#history-summary")).to_contain_text("出席 1 次，请假 0 次，缺席 1 次")
    # The breadcrumbs lead back to the person.
    page.locator(".breadcrumbs").get_by_role("link", name="王芳").click()
    expect(page).to_have_url(person_page)

    bar.get_by_role("link", name="积分明细").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("王芳的积分")
    # Present once (+1), absent once (−2): 60 + 1 − 2.
    page.get_by_label("年度").select_option("2024")
    expect(page.locator("#year-score")).to_have_text("59.00 分")
    page.goto(person_page)

    bar.get_by_role("link", name="党费缴纳（所在支部）").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("党费收缴：第一党支部")
    expect(page.get_by_role("cell", name="王芳").first).to_be_visible()
    page.goto(person_page)

    bar.get_by_role("link", name="学时档案").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("王芳的学时档案")
    page.goto(person_page)

    bar.get_by_role("link", name="发展党员（所在支部）").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("发展党员 · 第一党支部")
    page.go_back()
    expect(page).to_have_url(person_page)
    # The secretary does not read the telephone number.
    expect(page.get_by_text("联系电话")).to_have_count(0)


def test_a_member_opens_their_own_records_from_my_record(page, live_server, transactional_world):
    world = transactional_world
    _meeting(world, dt.date(2024, 3, 28), "三月支委会", wang="present", zhao="leave")

    logged_in(page, live_server, "dave", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/people/me/")
    bar = _records_bar(page)
    expect(bar.get_by_role("link")).to_have_count(5)

    bar.get_by_role("link", name="出勤记录").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("我的出勤记录")
    expect(page.locator("#attendance-history")).to_contain_text("请假（出差）")
    page.locator(".breadcrumbs").get_by_role("link", name="我的档案").click()
    expect(page).to_have_url(f"{live_server.url}/people/me/")

    bar.get_by_role("link", name="积分明细").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("我的积分")
    page.go_back()

    bar.get_by_role("link", name="党费缴纳").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("我的党费：赵磊")
    page.go_back()

    bar.get_by_role("link", name="学时档案").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("我的学时")
    page.go_back()

    bar.get_by_role("link", name="入党档案").click()
    expect(page).to_have_url(re.compile(r"/recruitment/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("我的入党档案")
