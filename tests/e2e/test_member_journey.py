"""Journey: a staff member (干警) logs in and sees their own record, and nobody else's."""

from __future__ import annotations

import pytest
from axes.models import AccessLog
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import ACTIVE, logged_in, sidenav
from tianping.audit.models import AuditEvent
from tianping.people.models import Person

pytestmark = pytest.mark.e2e


def test_a_member_lands_on_their_own_record_and_cannot_open_a_colleagues(
    page, live_server, transactional_world, tmp_path
):
    dave = transactional_world.users["dave"]
    zhao = transactional_world.people["zhao"]
    wang = transactional_world.people["wang"]
    assert dave.person_id == zhao.pk

    logged_in(page, live_server, "dave", PASSWORD)

    # The dashboard is not a member's: the log-in lands on 我的档案, their own record.
    expect(page).to_have_url(f"{live_server.url}/people/me/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("赵磊")
    expect(page.get_by_role("heading", level=1)).to_contain_text("JY0002")
    record = page.locator("dl.fields")
    expect(record).to_contain_text("民事审判庭")
    expect(record).to_contain_text("第一党支部")
    expect(record).to_contain_text("中共预备党员")
    expect(page.locator(".breadcrumbs")).to_have_text("我的档案")

    nav = sidenav(page)
    expect(nav.get_by_role("link", name="我的档案")).to_be_visible()
    expect(nav.get_by_role("link", name="我的档案")).to_have_class(ACTIVE)
    expect(nav.get_by_role("link", name="我的账户")).to_be_visible()
    for hidden in ("人员花名册", "审计日志", "花名册导入", "组织机构", "工作台", "账户与授权"):
        expect(nav.get_by_role("link", name=hidden)).to_have_count(0)
    # A member cannot change even their own record.
    expect(page.get_by_role("link", name="修改")).to_have_count(0)
    expect(page.get_by_role("link", name="调动")).to_have_count(0)

    # The tab with their placements works for them too.
    page.get_by_role("tab", name="任职与组织关系").click()
    expect(page.get_by_role("cell", name="第一党支部")).to_be_visible()
    expect(page.get_by_role("cell", name="2020-01-01").first).to_be_visible()
    page.screenshot(path=str(tmp_path / "member.png"), full_page=True)

    # A colleague's record answers 404, as if it did not exist.
    response = page.goto(f"{live_server.url}/people/{wang.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    expect(page.get_by_text("王芳")).to_have_count(0)
    expect(nav.get_by_role("link", name="人员花名册")).to_have_count(0)

    # Typing the roster's address leads back to their own record.
    page.goto(f"{live_server.url}/people/")
    expect(page).to_have_url(f"{live_server.url}/people/me/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("赵磊")

    # The audit page is not theirs either.
    response = page.goto(f"{live_server.url}/audit/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="无权操作")).to_be_visible()

    # Stored: the log-in was recorded; looking wrote nothing and changed nobody.
    assert AccessLog.objects.filter(username="dave").count() == 1
    assert not AuditEvent.objects.filter(user=dave).exists()
    wang_now = Person.objects.get(pk=wang.pk)
    assert (wang_now.name, wang_now.department.code, wang_now.party_org.code) == (
        "王芳",
        "BT-JY-MS",
        "BT-JY-B01",
    )
