"""Journey: a secretary takes an applicant from application to probationary member in the browser.

She is stopped once by a time rule (R2.4, a year as activist) and told the date it
becomes possible; at the end the roster shows the new probationary member.
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import browser, logged_in, page  # noqa: F401 - the journey's fixtures
from tianping.people.models import Person
from tianping.recruitment.models import Recruit, Stage

from .factories import full_members

pytestmark = pytest.mark.e2e


def test_a_secretary_takes_an_applicant_to_probationary_member(
    page,  # noqa: F811
    live_server,
    transactional_world,
    tmp_path,
):
    world = transactional_world
    second = full_members(world, 1)[0]  # a second full member to introduce and to vote
    logged_in(page, live_server, "carol", PASSWORD)

    page.goto(f"{live_server.url}/recruitment/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("发展党员 · 第一党支部")
    page.get_by_role("link", name="登记入党申请").click()
    page.get_by_label("或按工号指定申请人").fill("JY0004")
    page.get_by_label("递交入党申请书日期").fill("2022-03-01")
    page.get_by_role("button", name="登记").click()
    expect(page.locator(".messages")).to_contain_text("已登记周强的入党申请（2022-03-01）")
    expect(page.locator("#stage")).to_have_text("入党申请人")

    def step(label: str, fields: dict[str, str], select: dict[str, list[str]] | None = None):
        page.get_by_role("link", name="记录步骤").click()
        page.get_by_role("link", name=label, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(label)
        for name, value in fields.items():
            page.locator(f"#id_{name}").fill(value)
        for name, labels in (select or {}).items():
            page.locator(f"#id_{name}").select_option(label=labels)
        page.get_by_role("button", name="记录").click()

    step("党组织派人谈话", {"on": "2022-03-15", "note": "了解入党动机"})
    expect(page.locator(".messages")).to_contain_text("已记录“党组织派人谈话”（2022-03-15）")
    step("确定为入党积极分子", {"on": "2022-04-01"}, {"people": ["王芳（JY0001）"]})
    expect(page.locator("#stage")).to_have_text("入党积极分子")
    step("培养考察（每半年）", {"on": "2022-10-01", "note": "表现良好"})
    step("培养考察（每半年）", {"on": "2023-03-20", "note": "表现良好"})
    step("发展对象公示", {"on": "2023-03-23", "ends_on": "2023-03-29"})

    # Stopped by the year rule: the day before the anniversary, with the date it opens.
    step("确定为发展对象", {"on": "2023-03-31"})
    expect(page.locator("#refusals")).to_contain_text("R2.4")
    on_row = page.locator(".form-row", has=page.locator("#id_on"))
    expect(on_row.locator(".errorlist")).to_contain_text("最早可于2023-04-01确定")
    page.screenshot(path=str(tmp_path / "refused.png"), full_page=True)
    page.locator("#id_on").fill("2023-04-03")
    page.get_by_role("button", name="记录").click()
    expect(page.locator("#stage")).to_have_text("发展对象")

    step(
        "确定入党介绍人",
        {"on": "2023-04-10"},
        {"people": ["王芳（JY0001）", f"{second.name}（{second.employee_no}）"]},
    )
    step("政治审查", {"on": "2023-05-10", "note": "政治审查合格"})
    step("集中培训", {"on": "2023-05-15", "days": "3", "hours": "24"})
    step("接收预备党员公示", {"on": "2023-06-05", "ends_on": "2023-06-09"})
    step("支部党员大会讨论接收", {"on": "2023-06-12", "present": "2", "votes_yes": "2"})
    expect(page.get_by_text("待上级党委审批")).to_be_visible()
    step("上级党委审批", {"on": "2023-07-10", "approver": "九原区人民法院机关党委"})
    expect(page.locator("#stage")).to_have_text("预备党员")
    expect(page.locator("dl.fields")).to_contain_text("2024-06-12")
    page.screenshot(path=str(tmp_path / "file.png"), full_page=True)

    recruit = Recruit.objects.get(person__employee_no="JY0004")
    assert recruit.stage == Stage.PROBATIONARY
    zhou = Person.objects.get(pk=recruit.person_id)
    assert zhou.party_joined_on == dt.date(2023, 6, 12)

    # The roster shows the change: now in her branch, she sees him as 中共预备党员.
    page.goto(f"{live_server.url}/people/{zhou.pk}/")
    fields = page.locator("dl.fields")
    expect(fields).to_contain_text("中共预备党员")
    expect(fields).to_contain_text("2023-06-12")
    expect(fields).to_contain_text("第一党支部")

    # The board shows him in the probationary column.
    page.goto(f"{live_server.url}/recruitment/")
    expect(page.locator('[data-stage="probationary"]')).to_contain_text("周强")
    expect(page.locator('[data-stage="probationary"]')).to_contain_text("预备期至 2024-06-12")
    expect(page.locator("#dues")).to_contain_text(
        "周强（第一党支部）：预备期满，应讨论转为正式党员 2024-06-12，已逾期"
    )
    page.screenshot(path=str(tmp_path / "board.png"), full_page=True)
