"""Journey: a branch secretary records a liaison visit with a matter raised, follows it up and
closes it later; the ledger then counts it closed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import logged_in
from tianping.service.actions import liaison as actions
from tianping.service.models import Matter

pytestmark = pytest.mark.e2e


def test_a_secretary_records_a_liaison_visit_with_a_matter_and_closes_it_later(
    page, live_server, transactional_world, tmp_path
):
    world = transactional_world
    today = timezone.localdate()
    actions.do_assign(
        None,
        world.people["wang"],
        contact_kind="association",
        contact_name="九原区工商业联合会（总商会）",
        contact_person="商会秘书长",
        starts_on=today - dt.timedelta(days=90),
    )

    logged_in(page, live_server, "carol", PASSWORD)
    page.goto(f"{live_server.url}/service/")
    page.get_by_role("link", name="联系人台账").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("法官联系人台账")
    page.get_by_role("row").filter(has_text="九原区工商业联合会").get_by_role(
        "link", name="王芳"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "王芳联系九原区工商业联合会（总商会）"
    )

    visit = page.locator("#visit-form")
    visit.get_by_label("走访日期").fill((today - dt.timedelta(days=1)).isoformat())
    visit.get_by_label("走访主题").fill("走访区总商会听取企业诉求")
    visit.get_by_label("接触群众/企业人数").fill("15")
    visit.get_by_label("同行人员工号").fill("JY0002")
    visit.get_by_label("反映的诉求").fill("会员企业反映一起买卖合同纠纷执行进度缓慢")
    visit.get_by_label("诉求类别").select_option(label="执行问题")
    visit.get_by_label("诉求提出人").fill("某建材公司")
    visit.get_by_role("button", name="登记走访").click()
    expect(page.locator(".messages")).to_contain_text("登记诉求1件")
    expect(page.locator("#visits")).to_contain_text("走访区总商会听取企业诉求")
    expect(page.locator("#visits")).to_contain_text("2人")
    page.get_by_role("link", name="会员企业反映一起买卖合同纠纷执行进度缓慢").click()
    expect(page.locator("#matter-state")).to_contain_text("办理中")

    # Later: a step, then the closing, which needs a result.
    page.locator("#step-form").get_by_label("办理情况").fill("已协调执行局查明被执行人财产线索")
    page.locator("#step-form").get_by_role("button", name="登记").click()
    expect(page.locator("#matter-steps")).to_contain_text("已协调执行局查明被执行人财产线索")
    page.locator("#close-form").get_by_role("button", name="办结").click()
    expect(page.locator("#close-form")).to_contain_text("办结须填写办理结果")
    page.locator("#close-form").get_by_label("办理结果").fill("案款已执行到位，企业表示满意")
    page.locator("#close-form").get_by_role("button", name="办结").click()
    expect(page.locator(".messages")).to_contain_text("诉求已办结")
    expect(page.locator("#matter-state")).to_contain_text("已办结")
    expect(page.locator("#matter-result")).to_contain_text("案款已执行到位")
    page.screenshot(path=str(tmp_path / "matter.png"), full_page=True)

    matter = Matter.objects.get()
    assert matter.closed_on == today and matter.steps.count() == 1
    page.goto(f"{live_server.url}/service/liaison/")
    expect(page.locator("#liaison-figures")).to_contain_text("已办结1件")
