"""Journey: 政治部 reads the compliance matrix, follows a missing cell to the branch's 支部体检."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import ACTIVE, logged_in, pick, sidenav
from tianping.activities import actions
from tianping.activities.compliance import MISSING, compliance
from tianping.activities.models import AttendanceStatus
from tianping.audit.models import AuditEvent

pytestmark = pytest.mark.e2e

YEAR = 2024
HELD_ON = dt.date(YEAR, 3, 15)
TITLE = "三月主题党日：重温入党誓词"


def stat(page, label: str):
    """A figure of the summary cards, found by the caption above it."""
    return page.locator("#summary section.card").filter(has_text=label).locator(".stat")


def test_an_officer_follows_a_missing_cell_of_the_matrix_to_the_branch_health_check_r1_5(
    page, live_server, transactional_world, tmp_path
):
    alice = transactional_world.users["alice"]
    carol = transactional_world.users["carol"]
    wang = transactional_world.people["wang"]
    zhao = transactional_world.people["zhao"]
    branch = transactional_world.org("BT-JY-B01")
    # One 主题党日 held in March: the only cell of the year that is met.
    actions.do_record_past_activity(
        carol,
        branch,
        kind="theme_day",
        title=TITLE,
        on=HELD_ON,
        attendance={wang.pk: AttendanceStatus.PRESENT, zhao.pk: AttendanceStatus.PRESENT},
    )
    audited = AuditEvent.objects.count()
    court = transactional_world.org("BT-JY")
    expected = compliance(court, YEAR, dt.date(YEAR, 12, 31))
    summary = expected.summary
    branch_missing = [r for r in expected.rows if r.org.code == "BT-JY-B01" and r.status == MISSING]
    assert (summary.met, summary.upcoming) == (1, 0) and summary.missing > 0
    today = timezone.localdate()

    # 1. 工作台 says plainly which branches have been silent for 30 days or more.
    logged_in(page, live_server, "alice", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")
    card = page.locator("#compliance-dashboard")
    expect(card.get_by_role("heading", name=re.compile(r"^组织生活"))).to_be_visible()
    expect(card).to_contain_text(f"截至{today.month}月{today.day}日")
    expect(
        card.get_by_role("heading", name="连续30天以上没有活动记录的支部（4个）")
    ).to_be_visible()
    idle = card.locator("ul.idle li")
    expect(idle).to_have_count(4)
    silent = idle.filter(has_text="九原区人民法院 第一党支部")
    days = (today - HELD_ON).days
    expect(silent).to_have_text(
        f"九原区人民法院 第一党支部 已连续{days}天没有活动记录（最近一次：{HELD_ON:%Y-%m-%d}）"
    )
    expect(silent.get_by_role("link")).to_have_attribute("href", "/activities/health/BT-JY-B01/")
    expect(idle.filter(has_text="九原区人民法院 第二党支部")).to_have_text(
        "九原区人民法院 第二党支部 尚无已开展的活动记录"
    )
    expect(idle.filter(has_text="包头市中级人民法院 第一党支部")).to_have_count(1)

    # 2. 组织生活合规 for 九原区人民法院, 2024.
    sidenav(page).get_by_role("link", name="组织生活合规").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("组织生活合规")
    expect(sidenav(page).get_by_role("link", name="组织生活合规")).to_have_class(ACTIVE)
    pick(page.get_by_label("组织（含下级）"), "九原区", "九原区人民法院（BT-JY）")
    page.get_by_label("年度").select_option(str(YEAR))
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"九原区人民法院 · {YEAR}年")
    # The picker sends its label, "九原区人民法院（BT-JY）"; the page reads the code back.
    expect(page).to_have_url(re.compile(rf"org=[^&]*BT-JY%EF%BC%89&year={YEAR}"))
    expect(page.get_by_text(f"截至{YEAR}年12月31日。")).to_be_visible()
    expect(stat(page, "应开展（项）")).to_have_text(str(summary.required))
    expect(stat(page, "已完成")).to_have_text("1")
    expect(stat(page, "缺项")).to_have_text(str(summary.missing))
    expect(stat(page, "未到期")).to_have_text("0")

    # The branch's row: March's 主题党日 met, January's missing; nothing of the mid court.
    row = page.locator('tr[data-org="BT-JY-B01"]')
    expect(row.get_by_role("link", name="第一党支部")).to_be_visible()
    expect(row).to_contain_text(f"（缺{len(branch_missing)}）")
    met = row.locator("a.chip.st-met")
    expect(met).to_have_count(1)
    expect(met).to_have_text("党日 1/1")
    expect(met).to_have_attribute("title", f"主题党日 {YEAR}-03：1/1 已完成")
    expect(row.locator("a.chip.st-upcoming")).to_have_count(0)
    expect(page.locator('tr[data-org="BT-JY-B02"] a.chip.st-met')).to_have_count(0)
    expect(page.locator('tr[data-org^="BT-B0"]')).to_have_count(0)
    page.screenshot(path=str(tmp_path / "compliance-matrix.png"), full_page=True)

    # 3. A red cell leads to the branch's 支部体检, at the obligations it misses.
    missing = row.locator("a.chip.st-missing").first
    expect(missing).to_have_text("党日 0/1")
    expect(missing).to_have_attribute("title", f"主题党日 {YEAR}-01：0/1 缺项")
    missing.click()
    expect(page).to_have_url(
        f"{live_server.url}/activities/health/BT-JY-B01/?year={YEAR}#obligations"
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("第一党支部")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{YEAR}年度体检")
    expect(page.locator(".breadcrumbs")).to_contain_text("第一党支部 · 体检")
    section = page.locator("#obligations")
    expect(section).to_be_in_viewport()
    expect(section.get_by_role("heading", name="组织生活制度落实情况")).to_be_visible()
    expect(section).to_contain_text(f"缺项 {len(branch_missing)}")
    gaps = section.get_by_role("heading", name="缺项").locator("xpath=following-sibling::ul[1]")
    expect(gaps.locator("li")).to_have_count(len(branch_missing))
    expect(gaps.get_by_text(f"主题党日 {YEAR}-01：应开展1次，已开展0次")).to_be_visible()
    expect(gaps).not_to_contain_text(f"主题党日 {YEAR}-03")
    # The record that met March is listed against its obligation, and links to it.
    theme_day = section.locator("tbody tr").filter(has_text="主题党日")
    expect(theme_day.get_by_role("cell", name="1/12", exact=True)).to_be_visible()
    expect(theme_day.get_by_role("link", name=f"03-15 {TITLE}")).to_be_visible()
    # R1.1 on the same page: one full member is fewer than a branch needs.
    expect(page.locator("#setup")).to_contain_text("正式党员不足3名")
    expect(page.locator("#setup")).to_contain_text("依据：《中国共产党支部工作条例（试行）》第五条")
    page.screenshot(path=str(tmp_path / "health.png"), full_page=True)

    # 合规总览 returns to the matrix of that branch.
    page.get_by_role("link", name="合规总览").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"第一党支部 · {YEAR}年")
    expect(page.locator('tr[data-org="BT-JY-B01"]')).to_be_visible()

    # Stored: reading wrote nothing; the answer is the engine's, for alice as for the CLI.
    assert AuditEvent.objects.count() == audited
    assert not AuditEvent.objects.filter(user=alice).exists()
