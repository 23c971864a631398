"""Lists at a 中院's scope name the court beside a branch: every court has its 第一党支部."""

import datetime as dt

from tianping.activities import actions


def test_a_mid_court_officer_sees_which_court_a_branch_belongs_to(world) -> None:
    actions.do_plan_activity(
        world.users["carol"],
        world.org("BT-JY-B01"),
        kind="branch_committee",
        title="三月支委会",
        on=dt.date(2024, 3, 28),
    )
    mid = world.client("alice").get("/activities/").content.decode()
    assert "第一党支部（九原区人民法院）" in mid
    basic = world.client("bob").get("/activities/").content.decode()
    assert "<td>第一党支部</td>" in basic and "第一党支部（九原区人民法院）" not in basic
