"""Journey: 机关党委 imports branches from a sheet: a department row is refused, the fixed
sheet is previewed and confirmed, and the tree shows the new branches."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import logged_in, sidenav
from tianping.audit.models import AuditEvent
from tianping.orgs.models import Org

pytestmark = pytest.mark.e2e


def write_sheet(path: Path, *rows: list[str]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(["九原区人民法院党组织设置"])
    sheet.append(["代码", "名称", "类型", "上级代码", "成立日期"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_party_office_imports_branches_and_is_refused_a_department(
    page, live_server, transactional_world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    before = Org.objects.count()
    logged_in(page, live_server, "bob", PASSWORD)
    sidenav(page).get_by_role("link", name="组织机构").click()
    page.get_by_role("link", name="导入组织机构").click()
    expect(page.get_by_role("heading", name="组织机构导入")).to_be_visible()
    expect(page.get_by_role("link", name="下载导入模板")).to_be_visible()

    branches = [
        ["BT-JY-B03", "第三党支部", "党支部", "BT-JY-JGDW", "2021-07-01"],
        ["BT-JY-B03-G1", "第一党小组", "党小组", "BT-JY-B03", ""],
    ]
    faulty = write_sheet(
        tmp_path / "党组织.xlsx", *branches, ["BT-JY-XZ", "行政审判庭", "部门", "BT-JY", ""]
    )
    page.get_by_label("法院").select_option(label="九原区人民法院")
    page.get_by_label("组织机构表").set_input_files(faulty)
    page.get_by_role("button", name="上传并检查").click()

    expect(page.get_by_text("发现 1 处问题，未写入任何数据")).to_be_visible()
    row = page.locator("#import-errors tbody tr")
    expect(row).to_have_count(1)
    expect(row.first).to_contain_text("无权新建或修改部门")
    expect(row.first.locator("td").first).to_have_text("5")
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    assert Org.objects.count() == before

    # The fixed sheet, uploaded again from the preview.
    page.get_by_label("组织机构表").set_input_files(write_sheet(tmp_path / "改.xlsx", *branches))
    page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_text("检查通过，尚未写入")).to_be_visible()
    expect(page.locator("#count-created")).to_have_text("2")
    expect(page.locator("#new-orgs tbody tr")).to_have_count(2)
    page.get_by_role("button", name="确认导入").click()

    expect(page.get_by_role("heading", name="组织机构导入结果")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("新增2个")
    page.get_by_role("link", name="查看组织机构").click()
    expect(page.get_by_role("heading", name="九原区人民法院")).to_be_visible()
    assert Org.objects.count() == before + 2
    branch = Org.objects.get(code="BT-JY-B03")
    assert Org.objects.get_parent(branch).code == "BT-JY-JGDW"
    assert str(branch.founded_on) == "2021-07-01"
    bob = transactional_world.users["bob"]
    assert AuditEvent.objects.filter(user=bob, action="orgs.create").count() == 2
