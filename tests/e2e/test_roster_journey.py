"""Journey: 政治部 imports a roster (errors first, then clean), finds, transfers and audits a person."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import ACTIVE, logged_in, pick, sidenav
from tianping.audit.models import AuditEvent
from tianping.people.models import Person, Placement, PlacementKind

pytestmark = pytest.mark.e2e

COLUMNS = ["工号", "姓名", "性别", "出生日期", "人员类别", "部门", "政治面貌", "所在支部", "状态"]
# Initials that no one in the world shares: "csy" finds 陈思远 alone.
GOOD_ROWS = [
    [
        "JY0101",
        "陈思远",
        "男",
        "1985-03-01",
        "员额法官",
        "民事审判庭",
        "中共党员",
        "第一党支部",
        "在职",
    ],
    [
        "JY0102",
        "刘雨桐",
        "女",
        "1990/5/6",
        "法官助理",
        "民事审判庭",
        "中共党员",
        "第一党支部",
        "在职",
    ],
    ["JY0103", "马晓东", "男", "1988.03", "书记员", "政治部", "共青团员", "", "在职"],
    [
        "JY0104",
        "郭婷",
        "女",
        "1992年7月8日",
        "司法行政人员",
        "政治部",
        "中共党员",
        "第二党支部",
        "在职",
    ],
]
TRANSFER_ON = dt.date(2024, 9, 1)


def write_roster(path: Path, rows: list[list[Any]]) -> Path:
    """A sheet as a clerk makes it: a title row above the header, then one row per person."""
    book = Workbook()
    sheet = book.active
    sheet.title = "花名册"
    sheet.append(["九原区人民法院干警花名册"])
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def bad_rows() -> list[list[Any]]:
    rows = [list(r) for r in GOOD_ROWS]
    rows[0][3] = "1985-13-01"  # sheet row 3: no 13th month
    rows[1][4] = "律师"  # sheet row 4: not a category
    rows[2][0] = "JY0101"  # sheet row 5: the 工号 of row 3 again
    rows[3][7] = "第九党支部"  # sheet row 6: no such branch in the court
    return rows


def counts() -> tuple[int, int, int]:
    return Person.objects.count(), Placement.objects.count(), AuditEvent.objects.count()


def test_an_officer_imports_a_roster_fixes_its_errors_then_transfers_a_new_person(
    page, live_server, transactional_world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    alice = transactional_world.users["alice"]
    before = counts()

    logged_in(page, live_server, "alice", PASSWORD)
    sidenav(page).get_by_role("link", name="花名册导入").click()
    expect(page.get_by_role("heading", name="花名册导入", exact=True)).to_be_visible()
    expect(sidenav(page).get_by_role("link", name="花名册导入")).to_have_class(ACTIVE)

    # 1. A sheet with four mistakes: every one is listed, nothing is written.
    page.get_by_label("法院").select_option(label="九原区人民法院")
    page.get_by_label("花名册文件").set_input_files(
        write_roster(tmp_path / "花名册-有误.xlsx", bad_rows())
    )
    page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_role("heading", name="花名册导入预览")).to_be_visible()
    expect(page.get_by_text("文件：花名册-有误.xlsx · 法院：九原区人民法院")).to_be_visible()
    expect(page.get_by_role("alert").first).to_have_text(
        "发现 4 处问题，未写入任何数据。不认识的取值可在下方对照为标准值；其余问题请修改表格后重新上传。"
    )
    # The unknown term stands once with its row, to be mapped; the rest are listed.
    unknown = page.locator("#unknown-values tbody tr")
    expect(unknown).to_have_count(1)
    expect(unknown.first).to_contain_text("律师")
    expect(unknown.first.locator("td.rows")).to_have_text("4")
    errors = page.locator("#import-errors tbody tr")
    expect(errors).to_have_count(3)
    expected = [
        ("3", "出生日期", "1985-13-01", "不是有效的日期：没有13月"),
        ("5", "工号", "JY0101", "工号“JY0101”与第3行重复"),
        ("6", "所在支部", "第九党支部", "九原区人民法院没有代码或名称为“第九党支部”的支部"),
    ]
    for (row, column, value, says), line in zip(expected, errors.all(), strict=True):
        cells = line.get_by_role("cell")
        expect(cells.nth(0)).to_have_text(row)
        expect(cells.nth(1)).to_have_text(column)
        expect(cells.nth(2)).to_have_text(value)
        expect(cells.nth(3)).to_contain_text(says)
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "roster-preview-errors.png"), full_page=True)
    assert counts() == before
    assert not Person.objects.filter(name__in=[r[1] for r in GOOD_ROWS]).exists()

    # 2. The fixed sheet, through the 重新上传 form on the same page: the court is kept.
    expect(page.get_by_role("heading", name="重新上传")).to_be_visible()
    expect(page.get_by_label("法院")).to_have_value("BT-JY")
    page.get_by_label("花名册文件").set_input_files(
        write_roster(tmp_path / "花名册.xlsx", GOOD_ROWS)
    )
    page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_text("检查通过，尚未写入")).to_be_visible()
    expect(page.locator("#count-created")).to_have_text("4")
    expect(page.locator("#count-updated")).to_have_text("0")
    for _, name, *_ in GOOD_ROWS:
        expect(page.get_by_role("cell", name=name, exact=True)).to_be_visible()
    assert counts() == before  # a clean preview writes nothing either

    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_role("heading", name="花名册导入结果")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(
        "花名册已导入九原区人民法院：新增4人，更新0人，未变0人。"
    )
    expect(page.locator("#count-created")).to_have_text("4")

    imported = {
        p.employee_no: p
        for p in Person.objects.filter(employee_no__in=["JY0101", "JY0102", "JY0103", "JY0104"])
    }
    assert len(imported) == 4
    chen = imported["JY0101"]
    assert (chen.name, chen.court.code, chen.department.code, chen.party_org.code) == (
        "陈思远",
        "BT-JY",
        "BT-JY-MS",
        "BT-JY-B01",
    )
    assert chen.name_initials == "csy" and chen.category == "judge"
    assert imported["JY0102"].birth_date == dt.date(1990, 5, 6)
    assert imported["JY0103"].birth_date == dt.date(1988, 3, 1)
    assert imported["JY0103"].party_org is None
    assert imported["JY0104"].party_org.code == "BT-JY-B02"
    # Each department and branch named is an open placement of unknown start.
    assert Placement.objects.filter(person__in=imported.values()).count() == 7
    assert not Placement.objects.filter(person__in=imported.values(), until__isnull=False).exists()
    import_events = AuditEvent.objects.filter(action="people.import")
    assert import_events.count() == 4
    assert {e.object_id for e in import_events} == {str(p.pk) for p in imported.values()}
    assert {e.user_id for e in import_events} == {alice.pk}
    assert len({e.batch for e in import_events}) == 1 and import_events[0].batch
    assert not list((tmp_path / "media" / "imports").glob("*.*"))  # the upload is gone

    # 3. Found in 人员花名册 by pinyin initials, as the clerk types.
    sidenav(page).get_by_role("link", name="人员花名册").click()
    expect(page.get_by_role("heading", name="人员花名册")).to_be_visible()
    page.get_by_label("搜索").press_sequentially("csy")
    results = page.locator("#results tbody tr")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("JY0101")
    # The search is in the address bar (htmx pushes it), so it can be bookmarked or shared.
    expect(page).to_have_url(re.compile(r"/people/\?q=csy(&|$)"))
    results.first.get_by_role("link", name="陈思远").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("陈思远")
    record = page.locator("dl.fields")
    expect(record).to_contain_text("民事审判庭")
    expect(record).to_contain_text("第一党支部")

    # 4. 调动: to 政治部 and 第二党支部 on a date.
    page.get_by_role("link", name="调动").click()
    expect(page.get_by_role("heading", name="调动：陈思远")).to_be_visible()
    expect(page.get_by_text("当前：九原区人民法院 · 民事审判庭 · 第一党支部")).to_be_visible()
    page.get_by_label("调动日期").fill(TRANSFER_ON.isoformat())
    pick(page.get_by_label("调入部门"), "BT-JY-ZZB", "政治部（BT-JY-ZZB）")
    pick(page.get_by_label("转入支部"), "第二", "第二党支部（BT-JY-B02）")
    page.get_by_label("原因").fill("交流轮岗")
    page.get_by_role("button", name="确认调动").click()
    expect(page.get_by_role("status")).to_have_text(
        f"陈思远的调动已于{TRANSFER_ON.isoformat()}生效。"
    )
    expect(record).to_contain_text("政治部")
    expect(record).to_contain_text("第二党支部")
    page.get_by_role("tab", name="任职与组织关系").click()
    placements = page.locator("section.card tbody tr")
    expect(placements.filter(has_text="第二党支部")).to_contain_text(
        f"{TRANSFER_ON.isoformat()}至今交流轮岗"
    )
    expect(placements.filter(has_text="第一党支部")).to_contain_text(
        f"（早于记录）{TRANSFER_ON.isoformat()}"
    )
    page.screenshot(path=str(tmp_path / "roster-transfer.png"), full_page=True)

    chen.refresh_from_db()
    assert (chen.department.code, chen.party_org.code) == ("BT-JY-ZZB", "BT-JY-B02")
    rows = {
        (p.kind, p.org.code): (p.since, p.until, p.reason)
        for p in Placement.objects.filter(person=chen).select_related("org")
    }
    assert rows[(PlacementKind.DEPARTMENT, "BT-JY-MS")][:2] == (None, TRANSFER_ON)
    assert rows[(PlacementKind.PARTY_ORG, "BT-JY-B01")][:2] == (None, TRANSFER_ON)
    assert rows[(PlacementKind.DEPARTMENT, "BT-JY-ZZB")] == (TRANSFER_ON, None, "交流轮岗")
    assert rows[(PlacementKind.PARTY_ORG, "BT-JY-B02")] == (TRANSFER_ON, None, "交流轮岗")
    transfer = AuditEvent.objects.get(action="people.transfer", object_id=str(chen.pk))
    assert transfer.user == alice and transfer.after["on"] == TRANSFER_ON.isoformat()

    # 5. 审计日志 lists both the import and the transfer of 陈思远.
    sidenav(page).get_by_role("link", name="审计日志").click()
    expect(page.get_by_role("heading", name="审计日志")).to_be_visible()
    page.get_by_label("对象").fill("陈思远")
    page.get_by_role("button", name="查询").click()
    audit_rows = page.locator("#results tbody tr")
    expect(audit_rows).to_have_count(2)
    expect(audit_rows.nth(0)).to_contain_text("人员调动")
    expect(audit_rows.nth(1)).to_contain_text("花名册导入")
    for line in audit_rows.all():
        expect(line).to_contain_text("陈思远（JY0101）")
        expect(line).to_contain_text("alice")
        expect(line).to_contain_text("九原区人民法院")
    page.screenshot(path=str(tmp_path / "roster-audit.png"), full_page=True)
