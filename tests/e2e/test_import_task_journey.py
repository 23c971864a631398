"""Journey: a big roster is checked and written by a worker while the pages follow it."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import logged_in, sidenav
from tests.e2e.test_roster_journey import GOOD_ROWS, counts, write_roster
from tests.people.test_import_tasks import DATABASE_TASKS
from tianping.people.models import Person

pytestmark = pytest.mark.e2e


def work() -> None:
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)


def test_the_pages_follow_a_worker_that_checks_then_writes_a_big_roster(
    page, live_server, transactional_world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = DATABASE_TASKS
    settings.TIANPING_TASK_ROWS = 1  # every sheet counts as big
    before = counts()

    logged_in(page, live_server, "alice", PASSWORD)
    sidenav(page).get_by_role("link", name="花名册导入").click()
    page.get_by_label("法院").select_option(label="九原区人民法院")
    page.get_by_label("花名册文件").set_input_files(
        write_roster(tmp_path / "花名册.xlsx", GOOD_ROWS)
    )
    page.get_by_role("button", name="上传并检查").click()

    # The check waits for a worker; the page says so, then shows the preview by itself.
    expect(page.get_by_role("heading", name="正在检查")).to_be_visible()
    expect(page.locator("#import-checking .import-progress")).to_have_text("正在检查…")
    work()
    expect(page.get_by_text("检查通过，尚未写入")).to_be_visible(timeout=15_000)
    expect(page.locator("#count-created")).to_have_text("4")
    assert counts() == before

    # Confirming returns at once; the summary follows the write and then shows its result.
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_role("heading", name="花名册导入结果")).to_be_visible()
    expect(page.locator("#import-writing .import-progress")).to_have_text("已排队，等待后台写入…")
    assert counts() == before
    work()
    expect(page.locator("#count-created")).to_have_text("4", timeout=15_000)
    expect(page.locator("#import-writing")).to_have_count(0)
    assert Person.objects.filter(name__in=[r[1] for r in GOOD_ROWS]).count() == 4
