"""Journey: 政治部 imports a roster in the court's own words, maps 正科 once, and confirms."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import logged_in, sidenav
from tianping.orgs.models import ValueMapping
from tianping.people.models import Person, PostLevel

pytestmark = pytest.mark.e2e


def write_roster(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(["九原区人民法院干警花名册"])
    sheet.append(["工号", "姓名", "出生日期", "职务层级"])
    sheet.append(["jy0001", "王芳", None, "正科"])  # lower-case 工号 of an existing person
    sheet.append(["JY0201", "韩立新", 1985.1, "正科"])
    sheet["C4"].number_format = "0.00"  # the cell shows 1985.10
    sheet.append(["JY0202", "白雪", "1990-05-06", "副职"])
    book.save(path)
    return path


def test_an_officer_maps_a_courts_own_term_in_the_preview(
    page, live_server, transactional_world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    before = Person.objects.count()
    logged_in(page, live_server, "alice", PASSWORD)
    sidenav(page).get_by_role("link", name="花名册导入").click()
    page.get_by_label("法院").select_option(label="九原区人民法院")
    page.get_by_label("花名册文件").set_input_files(write_roster(tmp_path / "花名册.xlsx"))
    page.get_by_role("button", name="上传并检查").click()

    # 正科 is listed once, with both its rows; nothing can be confirmed yet.
    unknown = page.locator("#unknown-values tbody tr")
    expect(unknown).to_have_count(1)
    expect(unknown.first.locator("td.rows")).to_have_text("3、4")
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    page.get_by_label("职务层级“正科”对照为").select_option("中层正职")
    page.get_by_role("button", name="保存对照并重新检查").click()

    expect(page.get_by_role("status")).to_contain_text("已保存1项取值对照")
    expect(page.get_by_text("检查通过，尚未写入")).to_be_visible()
    expect(page.locator("#count-created")).to_have_text("2")
    expect(page.locator("#count-updated")).to_have_text("1")
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_role("heading", name="花名册导入结果")).to_be_visible()

    assert Person.objects.count() == before + 2
    wang = transactional_world.people["wang"]
    assert Person.objects.get(pk=wang.pk).post_level == PostLevel.DIVISION_CHIEF
    han = Person.objects.get(employee_no="JY0201")
    assert han.post_level == PostLevel.DIVISION_CHIEF
    assert han.birth_date == dt.date(1985, 10, 1)
    assert Person.objects.get(employee_no="JY0202").post_level == PostLevel.DIVISION_DEPUTY
    kept = ValueMapping.objects.get()
    assert (kept.court.code, kept.column, kept.written, kept.standard) == (
        "BT-JY",
        "职务层级",
        "正科",
        "中层正职",
    )


def test_an_officer_declares_a_courts_own_term_new_and_sees_it_on_the_person_page(
    page, live_server, transactional_world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    book = Workbook()
    sheet = book.active
    sheet.append(["工号", "姓名", "人员类别", "职务层级"])
    sheet.append(["JY0301", "乔木", "员额法官", "正科级"])
    sheet.append(["JY0302", "林森", "律师", "一般干警"])
    path = tmp_path / "花名册.xlsx"
    book.save(path)

    logged_in(page, live_server, "alice", PASSWORD)
    sidenav(page).get_by_role("link", name="花名册导入").click()
    page.get_by_label("法院").select_option(label="九原区人民法院")
    page.get_by_label("花名册文件").set_input_files(path)
    page.get_by_role("button", name="上传并检查").click()

    # 人员类别 is closed, and the preview says why; 职务层级 may take the court's own term.
    closed = page.locator('#unknown-values tr[data-column="人员类别"]')
    expect(closed).to_contain_text("不能新增为本院取值：人员类别决定考核序列")
    expect(closed.get_by_role("option", name="新增为本院取值“律师”")).to_have_count(0)
    page.get_by_label("职务层级“正科级”对照为").select_option(label="新增为本院取值“正科级”")
    page.get_by_label("人员类别“律师”对照为").select_option("司法行政人员")
    page.get_by_role("button", name="保存对照并重新检查").click()

    expect(page.get_by_role("status").first).to_be_visible()
    expect(page.get_by_text("已新增本院取值：职务层级“正科级”")).to_be_visible()
    expect(page.locator("#count-created")).to_have_text("2")
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_role("heading", name="花名册导入结果")).to_be_visible()

    qiao = Person.objects.get(employee_no="JY0301")
    assert qiao.post_level == "正科级"
    page.goto(f"{live_server.url}/people/{qiao.pk}/")
    expect(page.locator("dt:text-is('职务层级') + dd")).to_have_text("正科级")
