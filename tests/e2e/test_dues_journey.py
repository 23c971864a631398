"""Journey: the party office computes a court's month of dues from a pay sheet and downloads it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import ACTIVE, logged_in, sidenav
from tianping.audit.models import AuditEvent
from tianping.dues.models import BaseSource, DuesBase
from tianping.dues.rules import DuesCategory
from tianping.people.actions import do_create_person
from tianping.people.models import PersonStatus, PoliticalStatus

pytestmark = pytest.mark.e2e

MARCH = dt.date(2024, 3, 1)
HEADER = ["工号", "姓名", "月基数", "人员状态"]
GOOD_ROWS = [
    ["JY0001", "王芳", 6500, "在职"],  # R3.1: 5000 < base ≤ 10000 → 1.5% of all of it
    ["JY0002", "赵磊", 3000, None],  # blank means 在职; exactly 3000 → 0.5%
    ["JY0003", "孙丽", 5000.01, "在职"],  # a fen over 5000 → 1.5%
    ["JY0120", "高建华", 5001, "离退休"],  # R3.2: retired over 5000 → 1%
    ["JY0004", "周强", 4200, "在职"],  # 群众: on the pay sheet, owes no dues
]
# What each member owes for March, and the court's total.
EXPECTED = {
    "JY0001": ("王芳", "第一党支部", "6500.00", "在职", "1.5%", "97.50"),
    "JY0002": ("赵磊", "第一党支部", "3000.00", "在职", "0.5%", "15.00"),
    "JY0003": ("孙丽", "第二党支部", "5000.01", "在职", "1.5%", "75.00"),
    "JY0120": ("高建华", "第二党支部", "5001.00", "离退休", "1%", "50.01"),
}
TOTAL = "237.51"


def write_pay_sheet(path: Path, rows: Sequence[Sequence[Any]]) -> Path:
    """A pay sheet as a court's finance office sends it: a title row above the header."""
    book = Workbook()
    sheet = book.active
    sheet.append(["九原区人民法院2024年3月工资表"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def cells(row) -> list[str]:
    return [c.strip() for c in row.locator("td").all_inner_texts()]


def test_the_party_office_uploads_a_pay_sheet_and_downloads_the_months_dues_sheet_r3_1_r3_2(
    page, live_server, transactional_world, tmp_path
):
    bob = transactional_world.users["bob"]
    court = transactional_world.org("BT-JY")
    retired = do_create_person(
        None,
        court,
        employee_no="JY0120",
        name="高建华",
        birth_date=dt.date(1960, 2, 1),
        status=PersonStatus.RETIRED,
        political_status=PoliticalStatus.MEMBER,
        party_joined_on=dt.date(1985, 7, 1),
        party_org=transactional_world.org("BT-JY-B02"),
        since=dt.date(2020, 1, 1),
    )
    people = {p.employee_no: p for p in transactional_world.people.values()}
    people[retired.employee_no] = retired

    logged_in(page, live_server, "bob", PASSWORD)
    sidenav(page).get_by_role("link", name="党费", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("党费收缴：九原区人民法院")
    expect(sidenav(page).get_by_role("link", name="党费", exact=True)).to_have_class(ACTIVE)
    page.get_by_role("link", name="工资表导入").click()
    expect(page.get_by_role("heading", name="工资表导入：核定党费基数")).to_be_visible()
    expect(page.get_by_label("法院 *", exact=True)).to_have_value("BT-JY")

    # 1. A sheet with a negative base and an unknown 工号: every bad row named, nothing written.
    bad = [["JY0001", "王芳", -6500, "在职"], ["JY9999", "无名", 4000, "在职"], *GOOD_ROWS[1:]]
    page.get_by_label("月份 *", exact=True).fill("2024-03")
    page.get_by_label("工资表 *", exact=True).set_input_files(
        write_pay_sheet(tmp_path / "工资表-有误.xlsx", bad)
    )
    page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_role("heading", name="工资表导入预览")).to_be_visible()
    expect(
        page.get_by_text("文件：工资表-有误.xlsx · 法院：九原区人民法院 · 月份：2024年3月")
    ).to_be_visible()
    expect(page.get_by_role("alert").first).to_have_text(
        "发现 2 处问题，未写入任何数据。请修改表格后重新上传。"
    )
    errors = page.locator("#import-errors tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_contain_text("月基数不能为负数")
    expect(errors.nth(1)).to_contain_text("九原区人民法院没有工号为“JY9999”的人员")
    assert [cells(errors.nth(i))[:2] for i in range(2)] == [["3", "月基数"], ["4", "工号"]]
    expect(page.get_by_role("button", name="确认并核定基数")).to_have_count(0)
    assert not DuesBase.objects.exists()

    # 2. The corrected sheet, from the same page: a preview of the month, still nothing written.
    expect(page.get_by_label("月份 *", exact=True)).to_have_value("2024-03")
    page.get_by_label("工资表 *", exact=True).set_input_files(
        write_pay_sheet(tmp_path / "工资表.xlsx", GOOD_ROWS)
    )
    page.get_by_role("button", name="上传并检查").click()
    expect(
        page.get_by_text("检查通过，尚未写入任何数据。确认后，以上基数自2024年3月起执行。")
    ).to_be_visible()
    expect(page.locator("#count-members")).to_have_text("4")
    expect(page.locator("#preview-total")).to_have_text(TOTAL)
    expect(page.locator("#count-new")).to_have_text("4")
    expect(page.get_by_text("第7行 周强（JY0004）：非党员")).to_be_visible()
    assert not DuesBase.objects.exists()
    page.screenshot(path=str(tmp_path / "dues-preview.png"), full_page=True)

    # 3. Confirmed: the month's dues of the court, member by member, with the total.
    page.get_by_role("button", name="确认并核定基数").click()
    expect(page.get_by_role("status")).to_have_text(
        "已按工资表核定九原区人民法院2024年03月起的党费基数：新增4人，修改0人，不变0人。"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("党费收缴：九原区人民法院 2024年3月")
    expect(page.locator("#stat-members")).to_have_text("4")
    expect(page.locator("#stat-total")).to_have_text(TOTAL)
    expect(page.locator("#total")).to_have_text(TOTAL)
    rows = page.locator("#dues-table tbody tr")
    expect(rows).to_have_count(4)
    for no, (name, branch, base, category, rate, dues) in EXPECTED.items():
        row = page.locator(f"#row-{people[no].pk}")
        expect(row.get_by_role("cell").nth(1)).to_contain_text(name)
        got = cells(row)
        assert [got[0], *got[2:7]] == [no, branch, category, base, rate, dues], got
    # R3.3: a probationary member pays too, and is marked as one.
    expect(page.locator(f"#row-{people['JY0002'].pk} .tag")).to_have_text("预备党员")
    expect(page.get_by_role("cell", name="周强")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "dues-month.png"), full_page=True)

    # 4. The dues sheet downloads with the same figures.
    with page.expect_download() as info:
        page.get_by_role("link", name="导出Excel").click()
    download = info.value
    assert download.suggested_filename == "党费-BT-JY-2024-03.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved, read_only=True).active
    assert sheet.title == "2024年03月党费"
    lines = list(sheet.iter_rows(values_only=True))
    assert list(lines[0]) == [
        "工号",
        "姓名",
        "所在支部",
        "月基数（元）",
        "人员状态",
        "交纳比例",
        "应交党费（元）",
    ]
    body = {line[0]: line for line in lines[1:-1]}
    assert set(body) == set(EXPECTED)
    for no, (name, branch, base, category, rate, dues) in EXPECTED.items():
        got = body[no]
        assert (got[1], got[2], got[4], got[5]) == (name, branch, category, rate), got
        assert Decimal(str(got[3])) == Decimal(base) and Decimal(str(got[6])) == Decimal(dues)
    total = lines[-1]
    assert (total[0], total[1]) == ("合计", "4人")
    assert Decimal(str(total[6])) == Decimal(TOTAL)

    # Stored: one base per member from March, from the sheet, each audited as bob's.
    stored = {
        b.person.employee_no: (b.since, b.base_fen, b.category, b.source, b.recorded_by)
        for b in DuesBase.objects.select_related("person")
    }
    assert stored == {
        "JY0001": (MARCH, 650_000, DuesCategory.SERVING, BaseSource.SHEET, bob),
        "JY0002": (MARCH, 300_000, DuesCategory.SERVING, BaseSource.SHEET, bob),
        "JY0003": (MARCH, 500_001, DuesCategory.SERVING, BaseSource.SHEET, bob),
        "JY0120": (MARCH, 500_100, DuesCategory.RETIRED, BaseSource.SHEET, bob),
    }
    assert AuditEvent.objects.filter(action="dues.base", user=bob).count() == 4
    # The uploaded sheets are not kept once confirmed or refused.
    assert not list((tmp_path / "media" / "imports").glob("dues-*.xlsx"))
