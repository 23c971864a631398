"""Journey: a 政治部 officer opens a talent pool, sees a member flagged for passing the age
limit, runs the eligibility check, nominates a candidate from it and admits her."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import logged_in
from tianping.people.models import Person
from tianping.talent.actions.pools import do_admit, do_create_pool, do_nominate
from tianping.talent.models import MemberStatus

pytestmark = pytest.mark.e2e


def test_an_officer_runs_a_talent_pool_nomination_and_sees_a_flagged_member(
    page, live_server, transactional_world, tmp_path
):
    world = transactional_world
    Person.objects.filter(pk=world.people["wang"].pk).update(birth_date=dt.date(1995, 1, 1))
    pool = do_create_pool(
        None,
        world.org("BT-JY"),
        kind="youth_backbone",
        name="青年骨干人才库",
        rules=[
            {"criterion": "age_max", "value": 35},
            {"criterion": "categories", "value": ["judge", "clerk"]},
        ],
    )
    # 赵磊 (born 1985) was admitted years ago; he is past the age limit now.
    (old,) = do_nominate(None, pool, [world.people["zhao"]], on=dt.date(2019, 3, 1))
    do_admit(None, old, on=dt.date(2019, 3, 20))

    logged_in(page, live_server, "alice", PASSWORD)
    page.goto(f"{live_server.url}/talent/")
    page.locator("#card-pools").get_by_role("link", name="人才库", exact=True).click()
    page.get_by_role("link", name="青年骨干人才库").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("青年骨干人才库")
    flagged = page.locator("#members-table tr.flagged")
    expect(flagged).to_have_count(1)
    expect(flagged).to_contain_text("赵磊")
    expect(flagged).to_contain_text("已不符合：年龄")
    expect(page.locator("#count-flagged")).to_have_text("1")

    page.get_by_role("link", name="按条件筛选").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("符合条件人员")
    row = page.locator("#run-table tr").filter(has_text="王芳")
    expect(row).to_contain_text("员额法官")
    expect(page.locator("#run-table")).not_to_contain_text("赵磊")
    row.get_by_role("checkbox").check()
    page.get_by_label("提名说明").fill("审判业务骨干，表现突出")
    page.get_by_role("button", name="提名所选人员").click()
    expect(page.locator(".messages")).to_contain_text("已提名1人：王芳")

    page.locator("#members-table").get_by_role("link", name="王芳").click()
    expect(page.locator("table.evidence")).to_contain_text("不超过35周岁")
    page.get_by_role("button", name="入库", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("王芳已入库")
    page.screenshot(path=str(tmp_path / "pool-member.png"), full_page=True)
    member = pool.members.get(person=world.people["wang"])
    assert member.status == MemberStatus.ADMITTED
    assert [e.kind for e in member.events.all()] == ["nominate", "admit"]
    old.refresh_from_db()
    assert old.status == MemberStatus.ADMITTED  # flagged, never dropped
