"""Journey: the party committee office (机关党委) browses the tree, adds a branch, merges two."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import logged_in, pick, sidenav
from tianping.audit.models import AuditEvent
from tianping.orgs.models import Org, OrgKind
from tianping.people.models import Person, Placement

pytestmark = pytest.mark.e2e

MERGE_ON = dt.date(2024, 7, 1)


def test_an_officer_browses_the_tree_creates_a_branch_and_merges_two_branches(
    page, live_server, transactional_world, tmp_path
):
    bob = transactional_world.users["bob"]
    sun = transactional_world.people["sun"]
    logged_in(page, live_server, "bob", PASSWORD)

    # 组织机构 from the left navigation: bob's court is the root, opened one level.
    sidenav(page).get_by_role("link", name="组织机构").click()
    expect(page.get_by_role("heading", name="组织机构")).to_be_visible()
    court = page.locator("#node-BT-JY")
    expect(court.get_by_role("link", name="九原区人民法院")).to_be_visible()
    committee = page.locator("#node-BT-JY-JGDW")
    expect(committee.get_by_role("link", name="机关党委", exact=True)).to_be_visible()
    expect(page.locator("#node-BT-JY-B01")).to_have_count(0)
    # Nothing of the mid court above bob's court is shown.
    expect(page.get_by_text("包头市中级人民法院")).to_have_count(0)

    # Expand 机关党委, then 第一党支部 down to its party group.
    committee.locator("> button").click()
    expect(committee.locator("> button")).to_have_attribute("aria-expanded", "true")
    branch1 = page.locator("#node-BT-JY-B01")
    expect(branch1.get_by_role("link", name="第一党支部")).to_be_visible()
    expect(page.locator("#node-BT-JY-B02").get_by_role("link", name="第二党支部")).to_be_visible()
    branch1.locator("> button").click()
    expect(
        page.locator("#node-BT-JY-B01-G1").get_by_role("link", name="第一党小组")
    ).to_be_visible()

    # A new branch under 机关党委, through its page and the form.
    committee.get_by_role("link", name="机关党委", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("机关党委")
    page.get_by_role("link", name="新建党支部").click()
    expect(page.get_by_role("heading", name="在“机关党委”下新建")).to_be_visible()
    expect(page.get_by_label("类型")).to_have_value(OrgKind.BRANCH.value)
    # The form checks on the server and puts the error beside the field.
    page.get_by_label("代码").fill("")
    page.get_by_label("名称").fill("第三党支部")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".field-error").get_by_role("alert")).to_be_visible()
    assert not Org.objects.filter(name="第三党支部").exists()
    page.get_by_label("代码").fill("bt-jy-b03")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_have_text("已创建党支部“第三党支部”。")
    expect(page.get_by_role("heading", level=1)).to_contain_text("第三党支部")
    created = Org.objects.get(code="BT-JY-B03")
    assert created.kind == OrgKind.BRANCH and created.is_active
    assert Org.objects.get_parent(created).code == "BT-JY-JGDW"
    assert AuditEvent.objects.filter(
        action="orgs.create", object_id=str(created.pk), user=bob
    ).exists()

    # To 第二党支部 through the breadcrumbs and 机关党委's list of branches.
    page.locator(".breadcrumbs").get_by_role("link", name="机关党委").click()
    page.locator(".card").get_by_role("link", name="第二党支部").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("第二党支部")
    expect(page.locator("#members").get_by_role("link", name="孙丽")).to_be_visible()

    page.get_by_role("link", name="合并支部").click()
    expect(page.get_by_role("heading", name="合并支部：第二党支部")).to_be_visible()
    pick(page.get_by_label("并入支部"), "BT-JY-B01", "第一党支部（BT-JY-B01）")
    page.get_by_label("合并日期").fill(MERGE_ON.isoformat())

    # Cancelling the confirmation writes nothing.
    asked: list[str] = []

    def cancel(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", cancel)
    page.get_by_role("button", name="确认合并").click()
    expect(page.get_by_role("heading", name="合并支部：第二党支部")).to_be_visible()
    assert asked == ["确定合并？此操作会转移全体成员的组织关系。"]
    assert Org.objects.get(code="BT-JY-B02").is_active

    # Confirming merges.
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="确认合并").click()
    expect(page.get_by_role("status")).to_have_text(
        "“第二党支部”已并入“第一党支部”，1人的组织关系随之转入。"
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("第一党支部")
    expect(page.locator("dl.fields")).to_contain_text("由以下支部并入")
    expect(page.locator("dl.fields")).to_contain_text(f"第二党支部（{MERGE_ON.isoformat()}）")
    members = page.locator("#members")
    for name in ("王芳", "赵磊", "孙丽"):
        expect(members.get_by_role("link", name=name)).to_be_visible()
    expect(members.get_by_role("row").filter(has_text="孙丽")).to_contain_text("第一党支部")
    page.screenshot(path=str(tmp_path / "org-merge.png"), full_page=True)

    # The day before the merge, 孙丽 was not yet here (history, not today's roster).
    page.get_by_label("截至日期（查看当时在册人员）").fill("2024-06-30")
    expect(members).to_contain_text("2024年6月30日在册人员")
    expect(members.get_by_role("link", name="王芳")).to_be_visible()
    expect(members.get_by_role("link", name="孙丽")).to_have_count(0)

    # Stored: the source is kept, inactive, pointing at its successor; 孙丽's placement
    # in it closes on the merge date and a new one opens in the target.
    source = Org.objects.get(code="BT-JY-B02")
    assert not source.is_active
    assert source.merged_into.code == "BT-JY-B01" and source.dissolved_on == MERGE_ON
    assert Person.objects.get(pk=sun.pk).party_org.code == "BT-JY-B01"
    old = Placement.objects.get(person=sun, org=source)
    new = Placement.objects.get(person=sun, org__code="BT-JY-B01")
    assert (old.until, new.since, new.until) == (MERGE_ON, MERGE_ON, None)
    merge = AuditEvent.objects.get(action="orgs.merge", object_id=str(source.pk))
    assert merge.user == bob and merge.after["moved_people"] == 1

    # The tree shows the merged branch as 已撤销.
    sidenav(page).get_by_role("link", name="组织机构").click()
    page.locator("#node-BT-JY-JGDW > button").click()
    expect(page.locator("#node-BT-JY-B02")).to_contain_text("已撤销")
    expect(page.locator("#node-BT-JY-B03")).to_contain_text("第三党支部")
