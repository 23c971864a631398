"""Journey: a clerk takes a timed stenography test in the browser; an IME composes normally, a
paste is refused and recorded, and the result page shows the server's cpm, accuracy and level."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import logged_in
from tests.talent.typing_factories import BODY, exam
from tianping.talent.models import AttemptState, TypingAttempt

pytestmark = pytest.mark.e2e


def test_a_clerk_takes_a_timed_test_a_paste_is_refused_and_the_result_shows(
    page, live_server, transactional_world
):
    sample = exam(transactional_world, title="书记员速录达标考核", duration_seconds=20)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    logged_in(page, live_server, "dave", PASSWORD)

    # The pending exam is on 人才与荣誉's page.
    page.goto(f"{live_server.url}/talent/")
    card = page.locator("#card-typing")
    card.get_by_role("link", name="书记员速录达标考核").click()
    page.get_by_role("button", name="开始测试").click()
    expect(page.locator("#typing-clock")).to_have_text(re.compile(r"^00:(1\d|20)$"))

    area = page.locator("#typing-input")
    area.click()
    page.keyboard.type(BODY[:30])
    # An IME composes pinyin and commits the characters: only what it commits is logged.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.imeSetComposition", {"text": "yifa", "selectionStart": 4, "selectionEnd": 4})
    cdp.send("Input.insertText", {"text": BODY[30:32]})
    expect(page.locator("#typing-count")).to_have_text("32")

    # A paste is refused: the text stays as typed, the refusal is shown.
    page.evaluate("text => navigator.clipboard.writeText(text)", BODY[32:120])
    area.press("Control+V")
    expect(page.locator("#typing-refused")).to_be_visible()
    expect(page.locator("#typing-refused-count")).to_have_text("1")
    expect(area).to_have_value(BODY[:32])

    # Time runs out: the page hands in by itself and shows the server's result.
    expect(page.locator("#typing-result")).to_be_visible(timeout=40_000)
    expect(page.locator("#result-cpm")).to_have_text("96.0")
    expect(page.locator("#result-accuracy")).to_have_text("100.00%")
    expect(page.locator("#result-level")).to_have_text("未达等级")
    expect(page.locator("#result-passed")).to_have_text("合格")
    expect(page.locator("#result-refusals")).to_contain_text("粘贴")

    attempt = TypingAttempt.objects.get(exam=sample)
    assert attempt.state in (AttemptState.FINISHED, AttemptState.EXPIRED)
    assert attempt.typed == BODY[:32] and attempt.correct == 32
    assert [r["kind"] for r in attempt.refusals] == ["insertFromPaste"]
    assert all(e[3] != "yifa" for e in attempt.log)
