"""Journey: the compliance matrix by quarter, scrolled both ways with its header in place (R1.5)."""

from __future__ import annotations

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
