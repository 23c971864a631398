"""Journey: a secretary records a leave with its reason and an absence, then the absent member's 补学."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import logged_in, sidenav
from tianping.activities import actions
from tianping.activities.models import Attendance, AttendanceStatus
from tianping.audit.models import AuditEvent
from tianping.points.models import PointEntry, Trigger

pytestmark = pytest.mark.e2e

TITLE = "学习贯彻全会精神支委会"


def test_a_secretary_records_a_leave_for_a_trip_an_absence_and_its_make_up_study_r4_2(
    page, live_server, transactional_world, tmp_path
):
    world = transactional_world
    wang, zhao = world.people["wang"], world.people["zhao"]
    carol = world.users["carol"]
    today = timezone.localdate()
    held_on = today - dt.timedelta(days=3)
    activity = actions.do_plan_activity(
        carol, world.org("BT-JY-B01"), kind="branch_committee", title=TITLE, on=held_on
    )

    # 1. carol opens the planned meeting from 活动台账 and records it as held.
    logged_in(page, live_server, "carol", PASSWORD)
    sidenav(page).get_by_role("link", name="活动台账").click()
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("link", name="记录召开情况").click()
    expect(page.get_by_role("heading", name="记录召开情况")).to_be_visible()
    wang_row = page.locator("#grid .att-row").filter(has_text="王芳")
    zhao_row = page.locator("#grid .att-row").filter(has_text="赵磊")
    # The reason field comes with a leave or an absence, not before.
    expect(wang_row.get_by_label("王芳的请假/缺席原因")).to_be_hidden()
    page.get_by_role("radiogroup", name="王芳的出勤").get_by_label("请假").check()
    reason = wang_row.get_by_label("王芳的请假/缺席原因")
    expect(reason).to_be_visible()
    # The common reasons are offered beside the field.
    offered = page.locator("#att-reasons option")
    expect(offered).to_have_count(5)
    assert [offered.nth(i).get_attribute("value") for i in range(5)] == [
        "出差",
        "病假",
        "事假",
        "公务",
        "休假",
    ]
    reason.fill("出差")
    page.get_by_role("radiogroup", name="赵磊的出勤").get_by_label("缺席").check()
    expect(zhao_row.get_by_label("赵磊的请假/缺席原因")).to_be_visible()
    page.get_by_label("会议记录/内容摘要").fill("传达学习全会精神，研究贯彻措施。")
    page.set_viewport_size({"width": 390, "height": 844})  # a secretary's phone
    page.locator("#grid").screenshot(path=str(tmp_path / "grid-phone.png"))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="保存").click()

    # The flash counts the attendance, not the rows sent.
    expect(page.get_by_role("status")).to_have_text(
        f"已记录“{TITLE}”召开情况：出席0人、请假1人、缺席1人。"
    )
    expect(page.get_by_text("应到 2 人，出席 0，请假 1，缺席 1。")).to_be_visible()
    rows = page.locator("table tbody tr")
    expect(
        rows.filter(has_text="王芳").get_by_role("cell", name="请假（出差）", exact=True)
    ).to_be_visible()
    expect(
        rows.filter(has_text="赵磊").get_by_role("cell", name="缺席", exact=True)
    ).to_be_visible()
    expect(rows.filter(has_text="赵磊")).to_contain_text("未补学")

    # 2. 赵磊 studied the meeting afterwards: carol records his 补学 from the 出勤 tab.
    zhao_cells = rows.filter(has_text="赵磊")
    zhao_cells.get_by_text("登记补学").click()
    zhao_cells.get_by_label("补学日期").fill(today.isoformat())
    zhao_cells.get_by_label("补学方式").fill("自学会议精神、补看录像")
    zhao_cells.get_by_role("button", name="保存补学").click()
    expect(page.get_by_role("status")).to_have_text(
        f"已登记赵磊的补学：{today:%Y-%m-%d} 自学会议精神、补看录像。补学不计积分。"
    )
    expect(page.get_by_text("请假、缺席人员中已补学 1 人。")).to_be_visible()
    expect(rows.filter(has_text="赵磊")).to_contain_text(f"{today:%Y-%m-%d} 自学会议精神、补看录像")
    # The absence itself stands as recorded.
    expect(
        rows.filter(has_text="赵磊").get_by_role("cell", name="缺席", exact=True)
    ).to_be_visible()
    page.screenshot(path=str(tmp_path / "attendance-tab.png"), full_page=True)

    # 3. The record page shows both: the reason kept in its field, the make-up beside the row.
    page.get_by_role("link", name="修改出勤与记录").click()
    expect(page.get_by_role("heading", name="记录召开情况")).to_be_visible()
    expect(wang_row.get_by_label("王芳的请假/缺席原因")).to_have_value("出差")
    expect(zhao_row).to_contain_text(f"已补学：{today:%Y-%m-%d} 自学会议精神、补看录像")
    page.get_by_role("link", name="返回").click()

    # 4. The print view (会议记录) names the reason and the make-up study.
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="打印会议记录").click()
    printed = opened.value
    printed.wait_for_load_state()
    expect(printed.get_by_role("heading", level=1)).to_have_text("第一党支部支部委员会会议记录")
    table = printed.locator("table")
    expect(table.locator("tr").filter(has_text="应到（2人）")).to_contain_text("王芳、赵磊")
    expect(table.locator("tr").filter(has_text="实到（0人）")).to_be_visible()
    expect(table.locator("tr").filter(has_text="请假（1人）")).to_contain_text("王芳（出差）")
    expect(table.locator("tr").filter(has_text="缺席（1人）")).to_contain_text("赵磊")
    expect(table.locator("tr").filter(has_text="补学（1人）")).to_contain_text(
        f"赵磊：{today.year}年{today.month}月{today.day}日，自学会议精神、补看录像"
    )
    printed.screenshot(path=str(tmp_path / "print.png"), full_page=True)
    printed.close()

    # 5. 赵磊 (dave) sees his own absence and make-up; he may not print a record of one row.
    page.get_by_role("button", name="退出").click()
    logged_in(page, live_server, "dave", PASSWORD)
    page.goto(f"{live_server.url}/activities/{activity.pk}/?tab=attendance")
    own = page.locator("table tbody tr")
    expect(own).to_have_count(1)
    expect(own.first.get_by_role("cell", name="缺席", exact=True)).to_be_visible()
    expect(own.first).to_contain_text(f"{today:%Y-%m-%d} 自学会议精神、补看录像")
    expect(page.get_by_role("link", name="打印会议记录")).to_have_count(0)
    expect(page.get_by_text("登记补学")).to_have_count(0)
    response = page.goto(f"{live_server.url}/activities/{activity.pk}/print/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="不能打印会议记录")).to_be_visible()
    expect(page.get_by_text("王芳")).to_have_count(0)

    # Stored: the reason and the make-up on their rows; the absence's −2 and nothing more.
    stored = {
        a.person_id: (a.status, a.reason, a.makeup_on, a.makeup_method, a.makeup_by_id)
        for a in Attendance.objects.filter(activity=activity)
    }
    assert stored == {
        wang.pk: (AttendanceStatus.LEAVE, "出差", None, "", None),
        zhao.pk: (AttendanceStatus.ABSENT, "", today, "自学会议精神、补看录像", carol.pk),
    }
    entries = PointEntry.objects.filter(activity=activity)
    assert [(e.person_id, e.trigger, e.points) for e in entries] == [
        (zhao.pk, Trigger.UNEXCUSED_ABSENCE, Decimal("-2"))
    ]
    events = AuditEvent.objects.filter(
        object_type="activities.activity", object_id=str(activity.pk)
    ).order_by("id")
    assert [(e.action, e.user_id) for e in events] == [
        ("activities.plan", carol.pk),
        ("activities.held", carol.pk),
        ("activities.makeup", carol.pk),
    ]
    assert events[1].after["attendance"] == {"王芳": "请假（出差）", "赵磊": "缺席"}
    assert events[2].after == {"makeup": {"赵磊": f"{today:%Y-%m-%d} 自学会议精神、补看录像"}}
