"""Journey: 政治部 opens 工作台 (charts and figures), reads it in Traditional, then on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import ACTIVE, logged_in, sidenav
from tianping.people.models import Category, Gender, Person, PersonStatus

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
CHART_TITLES = ["人员类别", "职务层级", "政治面貌", "性别", "学历", "年龄结构"]


def figures_table(page, title: str):
    """The numbers table under a chart, found by the chart's heading."""
    return (
        page.locator("section.card")
        .filter(has=page.get_by_role("heading", name=title, exact=True))
        .locator("table")
    )


def row_cells(table, label: str) -> list[str]:
    row = table.locator("tbody tr").filter(
        has=table.page.get_by_role("cell", name=label, exact=True)
    )
    return [c.strip() for c in row.locator("td").all_inner_texts()]


def page_overflows(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def test_the_dashboard_draws_its_charts_switches_script_and_works_on_a_phone(
    page, live_server, transactional_world, tmp_path
):
    bt = transactional_world.org("BT")
    serving = Person.objects.filter(court__path__startswith=bt.path, status=PersonStatus.SERVING)
    total, party = serving.count(), serving.party_members().count()
    assert (total, party) == (6, 5)

    logged_in(page, live_server, "alice", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("工作台")
    expect(page.get_by_role("heading", level=1)).to_contain_text("包头市中级人民法院")
    expect(sidenav(page).get_by_role("link", name="工作台")).to_have_class(ACTIVE)

    # Head-counts, counted by the database for alice's whole subtree (BT and BT-JY).
    expect(page.locator("#stat-total")).to_have_text(str(total))
    expect(page.locator("#stat-party")).to_have_text(str(party))

    # Every chart is drawn by ECharts' svg renderer, with its labels inside.
    charts = page.locator(".chart")
    expect(charts).to_have_count(len(CHART_TITLES))
    for title in CHART_TITLES:
        chart = page.locator(f'.chart[data-chart="{title}"]')
        expect(chart.locator("svg").first).to_be_visible()
        box = chart.locator("svg").first.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 200, title
    category_chart = page.locator('.chart[data-chart="人员类别"] svg')
    expect(category_chart.locator("text", has_text="员额法官").first).to_be_attached()
    expect(page.locator('.chart[data-chart="性别"] svg path').first).to_be_attached()

    # The numbers beside the charts match what is stored.
    judges = serving.filter(category=Category.JUDGE).count()
    assert row_cells(figures_table(page, "人员类别"), "员额法官") == [
        "员额法官",
        str(judges),
        f"{judges / total:.1%}",
    ]
    men = serving.filter(gender=Gender.MALE).count()
    women = serving.filter(gender=Gender.FEMALE).count()
    assert row_cells(figures_table(page, "性别"), "男")[1:] == [str(men), f"{men / total:.1%}"]
    assert row_cells(figures_table(page, "性别"), "女")[1:] == [str(women), f"{women / total:.1%}"]
    assert row_cells(figures_table(page, "年龄结构"), "80后")[1:] == [str(total), "100.0%"]
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

    # 繁: the same page in Traditional characters, charts included; the choice is a cookie.
    page.get_by_role("link", name="繁", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("工作臺")
    expect(page.get_by_text("在職人員")).to_be_visible()
    expect(sidenav(page).get_by_role("link", name="人員花名冊")).to_be_visible()
    expect(page.locator('.chart[data-chart="人員類別"] svg').first).to_be_visible()
    expect(page.get_by_text("工作台")).to_have_count(0)
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get("tianping_script") == "hant"
    sidenav(page).get_by_role("link", name="人員花名冊").click()
    expect(page.get_by_role("heading", name="人員花名冊")).to_be_visible()
    # 简 (itself shown as 簡 now) switches back and stays on the page the user was reading.
    page.get_by_role("link", name="簡", exact=True).click()
    expect(page.get_by_role("heading", name="人员花名册")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/people/")

    # A phone: the navigation is still there, and the people list still works.
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/")
    nav = sidenav(page)
    expect(nav).to_be_visible()
    nav_box = nav.bounding_box()
    assert nav_box is not None and nav_box["width"] <= PHONE["width"]
    for title in CHART_TITLES:
        box = page.locator(f'.chart[data-chart="{title}"] svg').first.bounding_box()
        assert box is not None and box["width"] <= PHONE["width"], title
    assert not page_overflows(page), "the dashboard scrolls sideways on a phone"
    page.screenshot(path=str(tmp_path / "dashboard-phone.png"), full_page=True)

    people_link = nav.get_by_role("link", name="人员花名册")
    people_link.scroll_into_view_if_needed()
    expect(people_link).to_be_in_viewport()
    people_link.click()
    expect(page.get_by_role("heading", name="人员花名册")).to_be_visible()
    search = page.get_by_label("搜索")
    expect(search).to_be_in_viewport()
    search.press_sequentially("wf")
    results = page.locator("#results tbody tr")
    expect(results).to_have_count(1)
    link = results.first.get_by_role("link", name="王芳")
    link.scroll_into_view_if_needed()
    expect(link).to_be_in_viewport()
    assert not page_overflows(page), "the people list scrolls sideways on a phone"
    page.screenshot(path=str(tmp_path / "people-phone.png"), full_page=True)
    link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("王芳")
    expect(page.locator("dl.fields")).to_contain_text("民事审判庭")
