"""Journey: a member writes a reflection made of a colleague's, and the secretary sees the
查重 report side by side with the shared passages highlighted."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import logged_in
from tests.learning.texts import ORIGINAL, REWRITTEN
from tianping.learning.actions import study as actions
from tianping.learning.models import Reflection

pytestmark = pytest.mark.e2e


def test_a_member_writes_a_reflection_and_the_secretary_sees_its_similarity_report(
    page, live_server, transactional_world, tmp_path
):
    world = transactional_world
    actions.do_submit_reflection(
        None, world.people["wang"], title="学习习近平法治思想心得", body=ORIGINAL
    )

    logged_in(page, live_server, "dave", PASSWORD)
    page.goto(f"{live_server.url}/learning/")
    page.get_by_role("link", name="我的心得体会").click()
    page.get_by_role("link", name="撰写心得体会").click()
    page.get_by_label("标题").fill("我的学习体会")
    page.get_by_label("正文").fill(REWRITTEN)
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的学习体会")
    expect(page.locator(".messages")).to_contain_text("等待支部书记审阅")
    # Advisory only: the member is told nothing of a similarity.
    expect(page.get_by_text("相似度")).to_have_count(0)
    expect(page.get_by_text("查重")).to_have_count(0)
    mine = Reflection.objects.get(title="我的学习体会")
    page.get_by_role("button", name="退出").click()

    logged_in(page, live_server, "carol", PASSWORD)
    page.goto(f"{live_server.url}/learning/")
    page.get_by_role("link", name="心得审阅").click()
    row = page.get_by_role("row").filter(has_text="我的学习体会")
    expect(row).to_contain_text("赵磊")
    expect(row).to_contain_text("100%")
    row.get_by_role("link", name="100%").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("查重报告：我的学习体会")
    match = page.locator(".similarity-match").first
    expect(match).to_contain_text("学习习近平法治思想心得")
    expect(match).to_contain_text("王芳")
    expect(match.locator(".rate")).to_have_text("100%")
    # Both sides highlighted: the Traditional rewrite and the original, punctuation kept.
    expect(
        match.locator("mark").filter(has_text="今後我將把學習成果轉化為推動工作的實際行動")
    ).to_have_count(1)
    expect(
        match.locator("mark").filter(has_text="今后我将把学习成果转化为推动工作的实际行动")
    ).to_have_count(1)
    page.screenshot(path=str(tmp_path / "similarity.png"), full_page=True)

    page.get_by_role("link", name="返回审阅").click()
    page.get_by_label("退回修改").check()
    page.get_by_label("意见").fill("请结合本人工作实际撰写")
    page.get_by_role("button", name="保存审阅").click()
    expect(page.locator("dl.fields")).to_contain_text("退回修改")
    mine.refresh_from_db()
    assert mine.status == "returned"
