"""Journey: a clerk mistypes the password until the account locks; a colleague still gets in."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import logged_in, login

pytestmark = pytest.mark.e2e

LOCKED = "账户已暂时锁定"
WRONG = "用户名或密码不正确"


def test_repeated_wrong_passwords_lock_the_account_but_not_a_colleague(
    page, live_server, transactional_world, tmp_path
):
    limit = settings.AXES_FAILURE_LIMIT
    for attempt in range(1, limit):
        login(page, live_server, "carol", f"wrong-{attempt}")
        # Each refusal says why, in Chinese, on the log-in form itself.
        expect(page.get_by_role("alert")).to_contain_text(WRONG)
        expect(page.get_by_role("heading", name="登录天平")).to_be_visible()
        expect(page.get_by_text(LOCKED)).to_have_count(0)
        # The name stays filled in; the password does not.
        expect(page.get_by_label("用户名")).to_have_value("carol")
        expect(page.get_by_label("密码")).to_have_value("")
        assert AccessAttempt.objects.get(username="carol").failures_since_start == attempt

    # The limit-th wrong password is the one that locks (django-axes counts it, then locks).
    login(page, live_server, "carol", f"wrong-{limit}")
    expect(page.get_by_role("heading", name=LOCKED)).to_be_visible()
    assert AccessAttempt.objects.get(username="carol").failures_since_start == limit

    # Now even the right password meets the locked page.
    login(page, live_server, "carol", PASSWORD)
    expect(page.get_by_role("heading", name=LOCKED)).to_be_visible()
    expect(page.get_by_text("后再试")).to_be_visible()
    expect(page.get_by_text("请联系本院信息中心")).to_be_visible()
    expect(page.locator(".topbar .who")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "lockout.png"), full_page=True)
    assert AccessAttempt.objects.get(username="carol").failures_since_start >= limit
    # The locked user has no session: the dashboard sends them back to the log-in form.
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")

    # A colleague at the same desk (same browser, same address) still logs in.
    logged_in(page, live_server, "alice", PASSWORD)
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()
    assert not AccessAttempt.objects.filter(username="alice").exists()
