"""Journey: a member registers with their community and records a service; the secretary
finds who has not registered, lists a practical deed for the branch and closes it; the
overdue deed of the court is shown plainly."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import logged_in, pick
from tianping.service.actions import community as actions
from tianping.service.models import CommunityService, Deed

pytestmark = pytest.mark.e2e


def test_a_member_registers_and_the_secretary_follows_the_branchs_deeds(
    page, live_server, transactional_world, tmp_path
):
    world = transactional_world
    today = timezone.localdate()
    actions.do_promise_deed(
        None,
        world.org("BT-JY"),
        year=today.year,
        title="农民工欠薪专项执行",
        owner=world.people["sun"],
        deadline=today - dt.timedelta(days=1),
    )

    logged_in(page, live_server, "dave", PASSWORD)
    page.goto(f"{live_server.url}/service/")
    page.get_by_role("link", name="我的双报到").click()
    expect(page.get_by_text("尚未到社区报到")).to_be_visible()
    page.get_by_label("报到社区").fill("朝阳社区")
    page.get_by_label("所属街道/区").fill("萨如拉街道")
    page.get_by_role("button", name="登记报到").click()
    expect(page.locator(".messages")).to_contain_text("朝阳社区")
    page.get_by_label("服务内容").fill("社区普法宣传")
    page.get_by_label("服务时长（小时）").fill("2")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.locator("#services")).to_contain_text("社区普法宣传")
    assert CommunityService.objects.get().person == world.people["zhao"]
    page.get_by_role("button", name="退出").click()

    logged_in(page, live_server, "carol", PASSWORD)
    page.goto(f"{live_server.url}/service/community/")
    page.get_by_label("报到情况").select_option("no")
    rows = page.locator("#registrations tbody tr")
    expect(rows.filter(has_text="王芳")).to_have_count(1)
    expect(rows.filter(has_text="赵磊")).to_have_count(0)

    page.goto(f"{live_server.url}/service/community/deeds/")
    expect(page.locator("#deeds")).to_contain_text("农民工欠薪专项执行")
    expect(page.locator("#deeds tr.overdue")).to_contain_text("逾期")
    pick(page.get_by_label("承诺单位"), "BT-JY-B01", "第一党支部（BT-JY-B01）")
    page.get_by_label("事项").fill("巡回审判进社区")
    pick(page.get_by_label("责任人"), "JY0001", "王芳（JY0001）")
    page.get_by_label("完成时限").fill(f"{today.year}-12-31")
    page.get_by_role("button", name="列入清单").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("巡回审判进社区")
    page.get_by_label("新状态").select_option("done")
    page.get_by_label("办结情况").fill("在朝阳社区巡回开庭3次")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#deed-status")).to_contain_text("已完成")
    expect(page.locator("#deed-history")).to_contain_text("未开始 → 已完成")
    page.screenshot(path=str(tmp_path / "deed.png"), full_page=True)
    assert Deed.objects.get(title="巡回审判进社区").completion_note == "在朝阳社区巡回开庭3次"
