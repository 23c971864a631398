"""Journey under the Content-Security-Policy: every behaviour works and the browser reports no violation.

The policy allows scripts only from the server's own files; a page that still carried an
inline script or an on…= handler would log a violation here and lose the behaviour.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import logged_in, sidenav
from tianping.accounts.actions import do_grant
from tianping.accounts.models import Role
from tianping.activities import actions

pytestmark = pytest.mark.e2e

TITLE = "九月支委会"


def watch(page) -> list[str]:
    """Every CSP violation and script error the page reports, as it reports them."""
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if "Content Security Policy" in m.text or m.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    return problems


def test_the_watch_catches_an_inline_script(page, live_server, transactional_world):
    problems = watch(page)
    logged_in(page, live_server, "alice", PASSWORD)
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = 1'; document.body.appendChild(s); }"
    )
    expect(page.locator("body")).to_be_visible()
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.ran") is None
    assert any("Content Security Policy" in p for p in problems), problems


def test_key_pages_work_under_the_policy_without_a_violation(
    page, live_server, transactional_world, tmp_path
):
    world = transactional_world
    alice = world.users["alice"]
    do_grant(None, alice, Role.PARTY_OFFICE, world.org("BT-JY"))
    planned = actions.do_plan_activity(
        world.users["carol"],
        world.org("BT-JY-B01"),
        kind="branch_committee",
        title=TITLE,
        on=timezone.localdate() - dt.timedelta(days=1),
    )
    problems = watch(page)

    # The dashboard draws its charts from the page's JSON, by a static script.
    logged_in(page, live_server, "alice", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("工作台")
    expect(page.locator("[data-chart] svg").first).to_be_visible()
    assert page.locator("[data-chart] svg").count() == page.locator("[data-chart]").count()

    # A confirmation asks before a grant is revoked; dismissing it keeps the grant.
    page.goto(f"{live_server.url}/accounts/users/{world.users['carol'].pk}/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="撤销").first.click()
    expect(page.get_by_text("有效", exact=True).first).to_be_visible()
    page.screenshot(path=str(tmp_path / "csp-user.png"), full_page=True)

    # The scope switch submits on change.
    page.locator("#scope-select").select_option(label="九原区人民法院 · 机关党委")
    expect(page.get_by_role("heading", level=1)).to_contain_text("九原区人民法院")
    expect(page.locator("#scope-select option:checked")).to_contain_text("机关党委")

    # The roster, its filters by htmx.
    sidenav(page).get_by_role("link", name="人员花名册").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("花名册")
    expect(page.locator("table tbody tr").first).to_be_visible()

    # The organisation tree opens and folds a node by htmx and the static script.
    sidenav(page).get_by_role("link", name="组织机构").click()
    committee = page.locator("#node-BT-JY-JGDW")
    committee.locator("> button").click()
    expect(committee.locator("> button")).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#node-BT-JY-B01")).to_be_visible()
    committee.locator("> button").click()
    expect(committee.locator("> button")).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#node-BT-JY-B01")).to_have_count(0)

    # The attendance grid: 全部出席 marks everyone present.
    page.goto(f"{live_server.url}/activities/{planned.pk}/")
    page.get_by_role("link", name="记录召开情况").click()
    expect(page.get_by_role("heading", name="记录召开情况")).to_be_visible()
    present = page.locator("#grid input[type=radio][value=present]")
    expect(present).to_have_count(2)
    expect(present.first).not_to_be_checked()
    page.get_by_role("button", name="全部出席").click()
    for i in range(2):
        expect(present.nth(i)).to_be_checked()

    assert problems == [], problems
