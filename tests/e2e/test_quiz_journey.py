"""Journey: a member takes a quiz in the browser and cannot exceed its attempt limit."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import logged_in
from tests.learning.quiz_factories import quiz
from tianping.learning.models import Attempt, AttemptStatus

pytestmark = pytest.mark.e2e


def test_a_member_takes_a_quiz_and_cannot_exceed_the_attempt_limit(
    page, live_server, transactional_world
):
    q = quiz(transactional_world, attempt_limit=1, title="党章党规应知应会测试")
    logged_in(page, live_server, "dave", PASSWORD)

    page.goto(f"{live_server.url}/learning/")
    page.locator("#card-quizzes").get_by_role("link", name="测试列表").click()
    page.get_by_role("link", name="党章党规应知应会测试").click()
    expect(page.locator("#attempts-left")).to_contain_text("还可答1次")
    page.get_by_role("button", name="开始答题").click()

    # The paper: four questions, no answer or explanation in the page.
    expect(page.locator("section.question")).to_have_count(4)
    assert "解析甲" not in page.content()
    taking = page.url

    # Leaving and coming back resumes the same attempt rather than opening another.
    page.goto(f"{live_server.url}/learning/quizzes/{q.pk}/")
    page.get_by_role("button", name="继续答题").click()
    assert page.url == taking

    single = page.locator("section.question", has_text="党的最高领导机关是？")
    single.get_by_label("党的全国代表大会和它所产生的中央委员会").check()
    truth = page.locator("section.question", has_text="预备党员的预备期为一年。")
    truth.get_by_label("正确").check()
    page.locator("section.question", has_text="法官实行").get_by_role("textbox").fill(
        "单独职务序列管理"
    )
    page.get_by_role("button", name="交卷").click()

    # The result, scored on the server: three of four (multiple choice left blank).
    expect(page.locator("#attempt-result")).to_contain_text("75分")
    expect(page.locator("#attempt-result")).to_contain_text("及格")
    expect(page.get_by_text("正确答案").first).to_be_visible()

    # No second attempt: the start button is gone, and re-posting the form is refused.
    page.goto(f"{live_server.url}/learning/quizzes/{q.pk}/")
    expect(page.locator("#no-attempts-left")).to_be_visible()
    expect(page.get_by_role("button", name="开始答题")).to_have_count(0)
    page.goto(taking)
    expect(page.locator("#attempt-result")).to_be_visible()

    attempts = list(Attempt.objects.filter(quiz=q))
    assert len(attempts) == 1
    assert attempts[0].status == AttemptStatus.SUBMITTED and attempts[0].percent == 75
