"""Journeys: the compliance matrix by quarter, scrolled with its header in place; a 中院's
matrix opened one court at a time (R1.5)."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import logged_in
from tianping.orgs.actions import do_create_org
from tianping.orgs.models import OrgKind

pytestmark = pytest.mark.e2e

YEAR = 2024


def box(locator):
    found = locator.bounding_box()
    assert found is not None
    return found


def test_r1_5_the_matrix_filters_by_quarter_and_keeps_its_header_aligned_when_scrolled(
    page, live_server, transactional_world, tmp_path
):
    # Enough branches that the matrix scrolls inside its box.
    for i in range(40):
        do_create_org(
            None,
            code=f"BT-JY-B{i + 10}",
            name=f"第{i + 10}党支部",
            kind=OrgKind.BRANCH,
            parent=transactional_world.org("BT-JY-JGDW"),
            founded_on=None,
        )
    logged_in(page, live_server, "bob", PASSWORD)
    page.goto(f"{live_server.url}/activities/compliance/?org=BT-JY&year={YEAR}")
    matrix = page.locator("table.matrix")
    header = matrix.locator("thead th")
    expect(header).to_have_count(1 + 12 + 4 + 1)

    # A quarter: its three months and the quarter itself.
    page.get_by_label("期间").select_option("Q2")
    page.get_by_role("button", name="查询").click()
    # The organisation's picker sends its label; the page reads the code back.
    picked = quote("九原区人民法院（BT-JY）")
    expect(page).to_have_url(
        f"{live_server.url}/activities/compliance/?org={picked}&year={YEAR}&period=Q2"
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("二季度")
    expect(header).to_have_text(["组织", "4月", "5月", "6月", "二季度"])

    # The whole year again, then scroll the box down and right.
    page.get_by_label("期间").select_option("")
    page.get_by_role("button", name="查询").click()
    expect(header).to_have_count(18)
    wrap = page.locator(".matrix-wrap")
    wrap_box = box(wrap)
    june = header.nth(6)
    last_row = matrix.locator("tbody tr[data-org]").last
    wrap.evaluate("el => { el.scrollTop = el.scrollHeight; el.scrollLeft = 400; }")
    page.wait_for_timeout(100)
    # The header row sits at the top of the box, not scrolled away with the rows.
    assert abs(box(june)["y"] - wrap_box["y"]) <= 2
    # Each heading is still above its own column.
    june_cell = last_row.locator("td").nth(6)
    assert abs(box(june)["x"] - box(june_cell)["x"]) <= 1
    assert abs(box(june)["width"] - box(june_cell)["width"]) <= 1
    # And the organisation column stays at the left edge, beside its heading.
    assert abs(box(header.first)["x"] - wrap_box["x"]) <= 2
    assert abs(box(last_row.locator("td.org"))["x"] - box(header.first)["x"]) <= 1
    page.screenshot(path=str(tmp_path / "matrix-scrolled.png"))


def test_r1_5_a_mid_courts_matrix_opens_one_court_at_a_time_in_the_page(
    page, live_server, transactional_world
):
    logged_in(page, live_server, "alice", PASSWORD)
    url = f"{live_server.url}/activities/compliance/?org=BT&year={YEAR}&period=Q2"
    page.goto(url)
    matrix = page.locator("table.matrix")
    courts = matrix.locator("tr.court-row")
    expect(courts).to_have_count(2)
    expect(courts.first).to_contain_text("包头市中级人民法院")
    expect(courts.last).to_contain_text("九原区人民法院")
    expect(courts.last).to_contain_text("完成率")
    expect(matrix.locator("tr[data-org]")).to_have_count(0)

    # Opening 九原 brings its own branches into the page, under its line; the page stays.
    jiuyuan = page.locator("tbody#court-BT-JY")
    jiuyuan.get_by_role("link", name="九原区人民法院").click()
    branch = jiuyuan.locator('tr[data-org="BT-JY-B01"]')
    expect(branch).to_be_visible()
    expect(page).to_have_url(url)
    expect(matrix.locator('tr[data-org="BT-B01"]')).to_have_count(0)
    # Its cells sit under the quarter's columns.
    header = matrix.locator("thead th")
    expect(header).to_have_text(["组织", "4月", "5月", "6月", "二季度"])
    may = branch.locator("td").nth(2)
    assert abs(box(header.nth(2))["x"] - box(may)["x"]) <= 1
    expect(may.locator("a.chip")).to_have_text("党日 0/1")

    # The 中院's own line opens too, beside it, with the 中院's own branches only.
    page.locator("tbody#court-BT").get_by_role("link", name="包头市中级人民法院").click()
    expect(page.locator('tbody#court-BT tr[data-org="BT-B01"]')).to_be_visible()
    expect(page.locator("tbody#court-BT tr[data-org]")).to_have_count(3)

    # Folding 九原 again leaves its line, with its figures.
    page.locator("tbody#court-BT-JY").get_by_role("link", name="九原区人民法院").click()
    expect(page.locator("tbody#court-BT-JY tr[data-org]")).to_have_count(0)
    expect(page.locator("tbody#court-BT-JY tr.court-row")).to_contain_text("完成率")
    expect(page.locator('tbody#court-BT tr[data-org="BT-B01"]')).to_be_visible()

    # A missing chip leads to the branch's health check, as before.
    page.locator('tbody#court-BT tr[data-org="BT-B01"] a.chip.st-missing').first.click()
    expect(page).to_have_url(re.compile(r"/activities/health/BT-B01/\?year=2024#obligations$"))
    expect(page.locator("#obligations")).to_contain_text("组织生活制度落实情况")
