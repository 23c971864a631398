"""Journey: a secretary plans and records a 支委会, corrects one attendance; the member sees the reversal."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import ACTIVE, logged_in, pick, sidenav
from tianping.activities.models import Activity, ActivityStatus, Attendance, AttendanceStatus
from tianping.audit.models import AuditEvent
from tianping.points.models import PointEntry, Trigger

pytestmark = pytest.mark.e2e

KIND = "branch_committee"
TITLE = "研究第三季度党建工作"


def swap_after(page, change) -> None:
    """Do `change` on the plan form and wait until HTMX has put the re-rendered form in place.

    The form re-renders itself when the organisation, kind or date changes (hx-select of
    #activity-form, outerHTML): the stale element is marked first, so the wait ends exactly
    when a fresh form, without the mark, has replaced it.
    """
    page.locator("#activity-form").evaluate("form => form.setAttribute('data-stale', '1')")
    change()
    expect(page.locator("#activity-form:not([data-stale])")).to_be_attached()


def ledger_row(page, reason: str):
    return page.locator("#ledger tbody tr").filter(has_text=reason)


def test_a_secretary_records_a_committee_meeting_and_a_corrected_absence_reverses_its_points_r4_3(
    page, live_server, transactional_world, tmp_path
):
    carol = transactional_world.users["carol"]
    wang = transactional_world.people["wang"]
    zhao = transactional_world.people["zhao"]
    today = timezone.localdate()

    # 1. carol plans the meeting for her branch from 活动台账 → 计划活动.
    logged_in(page, live_server, "carol", PASSWORD)
    sidenav(page).get_by_role("link", name="活动台账").click()
    expect(page.get_by_role("heading", name="组织生活与活动")).to_be_visible()
    page.get_by_role("link", name="计划活动").click()
    expect(page.get_by_role("heading", name="计划活动")).to_be_visible()
    # Her branch is the only organisation she may plan for, and today is the default date.
    expect(page.get_by_label("组织 *", exact=True)).to_have_value("第一党支部（BT-JY-B01）")
    expect(page.get_by_label("日期 *", exact=True)).to_have_value(today.isoformat())
    swap_after(
        page,
        lambda: page.get_by_label("活动类型 *", exact=True).select_option(label="支部委员会会议"),
    )
    expect(page.get_by_label("活动类型 *", exact=True)).to_have_value(KIND)
    # A 支委会 has no lecturer (the field comes only with kinds that have one).
    expect(page.get_by_label("授课人", exact=True)).to_have_count(0)
    page.get_by_label("标题", exact=True).fill(TITLE)
    page.get_by_label("开始时间").fill("15:00")
    page.get_by_label("结束时间").fill("16:30")
    page.get_by_label("地点").fill("三楼党员活动室")
    page.get_by_label("议程").fill("一、研究第三季度党建工作\n二、讨论发展党员工作")
    pick(page.get_by_label("主持人", exact=True), "wangf", "王芳（JY0001）")
    pick(page.get_by_label("记录人", exact=True), "赵磊", "赵磊（JY0002）")
    page.get_by_role("button", name="保存计划").click()

    expect(page.get_by_role("status")).to_have_text(f"已计划“{TITLE}”（{today:%Y-%m-%d}）。")
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect(page.get_by_role("heading", level=1)).to_contain_text("计划")
    overview = page.locator("dl.fields")
    expect(overview).to_contain_text("第一党支部")
    expect(overview).to_contain_text("支部委员会会议")
    expect(overview).to_contain_text("三楼党员活动室")
    activity = Activity.objects.get(title=TITLE)
    assert (activity.org.code, activity.kind, activity.on) == ("BT-JY-B01", KIND, today)
    assert activity.status == ActivityStatus.PLANNED
    assert (activity.host_id, activity.recorder_id) == (wang.pk, zhao.pk)
    assert not Attendance.objects.filter(activity=activity).exists()

    # 2. Recorded as held: the grid lists the branch's members as of today.
    page.get_by_role("link", name="记录召开情况").click()
    expect(page.get_by_role("heading", name="记录召开情况")).to_be_visible()
    grid = page.locator("#grid .att-row")
    expect(grid).to_have_count(2)
    expect(grid.nth(0)).to_contain_text("王芳")
    expect(grid.nth(1)).to_contain_text("赵磊")
    page.get_by_role("radiogroup", name="王芳的出勤").get_by_label("出席").check()
    page.get_by_role("radiogroup", name="赵磊的出勤").get_by_label("缺席").check()
    page.get_by_label("会议记录/内容摘要").fill("会议研究了第三季度党建工作安排。")
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_role("status")).to_have_text(
        f"已记录“{TITLE}”召开情况：出席1人、请假0人、缺席1人。"
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("已召开")
    expect(page.get_by_role("tab", name="出勤（1/2）")).to_have_class(ACTIVE)
    expect(page.get_by_text("应到 2 人，出席 1，请假 0，缺席 1。")).to_be_visible()
    rows = page.locator("table tbody tr")
    expect(
        rows.filter(has_text="王芳").get_by_role("cell", name="出席", exact=True)
    ).to_be_visible()
    expect(
        rows.filter(has_text="赵磊").get_by_role("cell", name="缺席", exact=True)
    ).to_be_visible()
    absence = PointEntry.objects.get(person=zhao, activity__title=TITLE)
    assert (absence.trigger, absence.points) == (Trigger.UNEXCUSED_ABSENCE, Decimal("-2"))

    # 3. 赵磊 had asked for leave after all: corrected from the 出勤 tab.
    page.get_by_role("combobox", name="赵磊的出勤").select_option(label="请假")
    rows.filter(has_text="赵磊").get_by_role("button", name="更正").click()
    expect(page.get_by_role("status")).to_have_text("已将赵磊的出勤更正为“请假”。")
    expect(page.get_by_text("应到 2 人，出席 1，请假 1，缺席 0。")).to_be_visible()
    expect(
        rows.filter(has_text="赵磊").get_by_role("cell", name="请假", exact=True)
    ).to_be_visible()
    # The change is in the activity's history, person by person.
    page.get_by_role("tab", name="变更记录").click()
    history = page.locator("table tbody tr")
    expect(history.filter(has_text="更正出勤")).to_contain_text("出勤·赵磊：缺席 → 请假")
    expect(history.filter(has_text="记录召开情况")).to_contain_text("出勤·王芳：— → 出席")
    page.screenshot(path=str(tmp_path / "meeting-history.png"), full_page=True)

    # 4. dave (赵磊) opens 我的积分: the −2 and the +2 that cancels it, each with its source.
    page.get_by_role("button", name="退出").click()
    logged_in(page, live_server, "dave", PASSWORD)
    sidenav(page).get_by_role("link", name="我的积分").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("我的积分")
    expect(sidenav(page).get_by_role("link", name="我的积分")).to_have_class(ACTIVE)
    entries = page.locator("#ledger tbody tr")
    expect(entries).to_have_count(2)
    original = ledger_row(page, "已冲销")
    reversal = ledger_row(page, "更正：冲销“无故缺席支部委员会会议”")
    expect(original.get_by_role("cell", name="-2.00", exact=True)).to_be_visible()
    expect(original).to_contain_text("无故缺席支部委员会会议")
    expect(original).to_contain_text(Trigger.UNEXCUSED_ABSENCE.label)
    expect(reversal.get_by_role("cell", name="+2.00", exact=True)).to_be_visible()
    for row in (original, reversal):
        expect(row.get_by_role("link", name=TITLE)).to_be_visible()
        expect(row).to_contain_text(f"{today:%Y-%m-%d} · 支部委员会会议")
        expect(row).to_contain_text("现出勤：请假")
    reversal_entry = PointEntry.objects.get(reverses=absence)
    expect(reversal.get_by_role("link", name=f"#{absence.pk}")).to_be_visible()
    expect(original.get_by_role("link", name=f"#{reversal_entry.pk}")).to_be_visible()
    expect(page.locator("#ledger tfoot")).to_contain_text("+0.00")
    expect(page.locator("#year-score")).to_have_text("60.00 分")
    page.screenshot(path=str(tmp_path / "meeting-ledger.png"), full_page=True)

    # The source leads to the meeting, which the member sees with only their own row.
    reversal.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    page.get_by_role("tab", name="出勤").click()
    attendance_rows = page.locator("table tbody tr")
    expect(attendance_rows).to_have_count(1)
    expect(attendance_rows.first).to_contain_text("赵磊")
    expect(attendance_rows.first.get_by_role("cell", name="请假", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="更正")).to_have_count(0)

    # Stored: attendance as corrected; the ledger appended, never rewritten (R4.3).
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.HELD
    assert activity.summary == "会议研究了第三季度党建工作安排。"
    # Who was present is credited with the planned 15:00–16:30; who was not, with nothing.
    assert {
        a.person_id: (a.status, a.hours) for a in Attendance.objects.filter(activity=activity)
    } == {
        wang.pk: (AttendanceStatus.PRESENT, Decimal("1.5")),
        zhao.pk: (AttendanceStatus.LEAVE, None),
    }
    entries_stored = PointEntry.objects.filter(activity=activity).order_by(
        "person__employee_no", "id"
    )
    assert [(e.person_id, e.trigger, e.points) for e in entries_stored] == [
        (wang.pk, Trigger.ATTEND_ORG_LIFE, Decimal("1")),
        (zhao.pk, Trigger.UNEXCUSED_ABSENCE, Decimal("-2")),
        (zhao.pk, Trigger.UNEXCUSED_ABSENCE, Decimal("2")),
    ]
    assert reversal_entry.reverses_id == absence.pk
    assert reversal_entry.created_by == carol
    assert reversal_entry.attendance.status == AttendanceStatus.LEAVE
    assert PointEntry.objects.get(pk=absence.pk).points == Decimal("-2")
    events = AuditEvent.objects.filter(
        object_type="activities.activity", object_id=str(activity.pk)
    ).order_by("id")
    assert [(e.action, e.user_id) for e in events] == [
        ("activities.plan", carol.pk),
        ("activities.held", carol.pk),
        ("activities.attendance", carol.pk),
    ]
    held, corrected = events[1], events[2]
    assert held.after["attendance"] == {"王芳": "出席", "赵磊": "缺席"}
    assert (corrected.before, corrected.after) == (
        {"attendance": {"赵磊": "缺席"}},
        {"attendance": {"赵磊": "请假"}},
    )
    # Looking at the ledger and the meeting wrote nothing for dave.
    assert not AuditEvent.objects.filter(user=transactional_world.users["dave"]).exists()
