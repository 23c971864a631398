"""The points API: one's own ledger, a person's ledger, a subtree's scores (R4.2), hand entries."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tianping.accounts.actions import do_create_user
from tianping.activities import actions as activity_actions
from tianping.audit.models import AuditEvent
from tianping.people.actions import do_create_person
from tianping.people.models import PoliticalStatus
from tianping.points import actions
from tianping.points.models import PointEntry, Trigger
from tianping.points.rules import scheme_for

from .conftest import ApiClient

MARCH = dt.date(2024, 3, 28)


def held(world, code="BT-JY-B01", **attendance):
    activity = activity_actions.do_plan_activity(
        world.users["carol"], world.org(code), kind="branch_committee", title="三月支委会", on=MARCH
    )
    people = {world.people[k].pk: v for k, v in attendance.items()}
    return activity_actions.do_record_held(world.users["carol"], activity, attendance=people)


def cli(*args: str) -> dict:
    out = StringIO()
    call_command("points", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def rankings_for_secretaries(world, court="BT-JY"):
    scheme = scheme_for(world.org(court))
    actions.do_update_scheme(None, scheme, base=scheme.base, rankings_for_secretaries=True)


@pytest.fixture
def nobody(world):
    """A signed-in user with no grant: no capability at all."""
    client = ApiClient(Client())
    client.client.force_login(do_create_user(None, "nobody", password=None))
    return client


@pytest.fixture
def ledgers(world):
    """王芳 attended and 赵磊 missed a meeting of BT-JY-B01; 孙丽 and 张华庆 have hand entries."""
    held(world, wang="present", zhao="absent")
    actions.do_post_manual(None, world.people["sun"], "1", "理论文章获奖", dt.date(2024, 5, 1))
    actions.do_post_manual(None, world.people["zhang"], "3", "心得体会", dt.date(2024, 5, 1))


# ---------------------------------------------------------------------------------------
# Ledgers


def test_a_member_sees_their_own_ledger_with_the_source_of_every_entry_R4_2(
    world, session, ledgers
):
    r = session("dave").get("/points/me?year=2024")
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["person"]["name"] == "赵磊" and data["year"] == 2024
    assert (data["base"], data["total"], data["score"], data["vetoed"]) == (60.0, -2.0, 58.0, False)
    [entry] = data["entries"]
    assert (entry["points"], entry["trigger"], entry["reason"]) == (
        -2.0,
        "unexcused_absence",
        "无故缺席支部委员会会议",
    )
    assert entry["activity"]["title"] == "三月支委会" and entry["created_by"] == "carol"
    assert data["years"] == [2024]


def test_a_member_sees_only_their_own_ledger(world, session, ledgers):
    dave = session("dave")
    assert dave.get(f"/points/people/{world.people['zhao'].pk}?year=2024").json()["score"] == 58.0
    assert dave.get(f"/points/people/{world.people['wang'].pk}?year=2024").status_code == 404
    assert dave.get("/points?org=BT-JY-B01&year=2024").status_code == 403


def test_the_score_is_the_base_plus_the_years_entries_R4_1(world, session, ledgers):
    carol = session("carol")
    wang = world.people["wang"]
    actions.do_post_manual(None, wang, "2.5", "志愿讲解", dt.date(2024, 8, 1))
    actions.do_post_manual(None, wang, "7", "上一年度的文章", dt.date(2023, 12, 31))
    data = carol.get(f"/points/people/{wang.pk}?year=2024").json()
    assert [e["points"] for e in data["entries"]] == [1.0, 2.5]
    assert data["score"] == data["base"] + sum(e["points"] for e in data["entries"]) == 63.5
    assert data["years"] == [2024, 2023]
    assert carol.get(f"/points/people/{wang.pk}?year=2023").json()["score"] == 67.0


def test_without_a_year_the_ledger_is_this_years(world, session):
    actions.do_post_manual(None, world.people["zhao"], "1", "今年的文章", timezone.localdate())
    data = session("dave").get("/points/me").json()
    assert data["year"] == timezone.localdate().year and data["score"] == 61.0


def test_a_person_in_scope_may_be_read_by_officers(world, session, ledgers):
    wang = world.people["wang"].pk
    for name in ("admin", "alice", "bob", "carol", "erin"):
        r = session(name).get(f"/points/people/{wang}?year=2024")
        assert r.status_code == 200 and r.json()["score"] == 61.0, name
    # 孙丽 is of the second branch: outside carol's.
    assert session("carol").get(f"/points/people/{world.people['sun'].pk}").status_code == 404
    assert session("oscar").get(f"/points/people/{wang}").status_code == 404


def test_reading_ledgers_needs_points_view(world, session, nobody):
    wang = world.people["wang"].pk
    assert nobody.get("/points/me").json() == {"detail": "无权执行此操作"}
    assert nobody.get(f"/points/people/{wang}").status_code == 403
    assert session(None).get("/points/me").status_code == 401
    assert session(None).get(f"/points/people/{wang}").status_code == 401


def test_a_user_without_a_person_record_has_no_own_ledger(session):
    r = session("alice").get("/points/me")
    assert r.status_code == 404 and "没有关联人员档案" in r.json()["detail"]


def test_recording_and_correcting_through_the_api_shows_in_the_members_ledger_R4_3(world, session):
    carol = session("carol")
    r = carol.post(
        "/activities", {"org": "BT-JY-B01", "kind": "branch_committee", "on": "2024-03-28"}
    )
    pk = r.json()["id"]
    carol.post(
        f"/activities/{pk}/held", {"attendance": [{"employee_no": "JY0002", "status": "absent"}]}
    )
    carol.post(f"/activities/{pk}/attendance", {"employee_no": "JY0002", "status": "leave"})
    entries = session("dave").get("/points/me?year=2024").json()["entries"]
    assert [(e["points"], e["reverses"], e["reversed_by"]) for e in entries] == [
        (-2.0, None, entries[1]["id"]),
        (2.0, entries[0]["id"], None),
    ]
    assert all(e["activity"]["id"] == pk for e in entries)


# ---------------------------------------------------------------------------------------
# A subtree's scores: not a public ranking (R4.2)


def test_the_party_office_gets_the_clis_document_R4_2(world, session, ledgers):
    r = session("bob").get("/points?org=BT-JY&year=2024")
    assert r.status_code == 200, r.content
    doc = r.json()
    assert doc == cli("--org", "BT-JY", "--year", "2024")
    assert doc["rows"] == [
        {"rank": 1, "employee_no": "JY0001", "name": "王芳", "points": 61.0},
        {"rank": 1, "employee_no": "JY0003", "name": "孙丽", "points": 61.0},
        {"rank": 3, "employee_no": "JY0002", "name": "赵磊", "points": 58.0},
    ]
    top = session("bob").get("/points?org=BT-JY&year=2024&top=1").json()
    assert [r["name"] for r in top["rows"]] == ["王芳", "孙丽"]
    admin = session("admin").get("/points?org=BT&year=2024").json()
    assert admin == cli("--org", "BT", "--year", "2024")


def test_rankings_are_closed_to_secretaries_until_the_court_opens_them_R4_2(
    world, session, ledgers
):
    carol = session("carol")
    r = carol.get("/points?org=BT-JY-B01&year=2024")
    assert r.status_code == 403 and "《整治形式主义为基层减负若干规定》" in r.json()["detail"]
    rankings_for_secretaries(world)
    doc = carol.get("/points?org=BT-JY-B01&year=2024").json()
    assert [(r["rank"], r["name"]) for r in doc["rows"]] == [(1, "王芳"), (2, "赵磊")]
    # Their own branch only.
    assert carol.get("/points?org=BT-JY-B02&year=2024").status_code == 404


def test_other_roles_never_get_a_ranking_R4_2(world, session, ledgers):
    rankings_for_secretaries(world)
    rankings_for_secretaries(world, "BT")
    for name in ("alice", "erin", "dave", "oscar"):
        r = session(name).get("/points?org=BT-JY&year=2024")
        assert r.status_code == 403, name
    assert session(None).get("/points?org=BT-JY&year=2024").status_code == 401


def test_an_org_outside_the_offices_scope_is_404(session, ledgers):
    assert session("bob").get("/points?org=BT&year=2024").status_code == 404
    assert session("bob").get("/points?org=EH&year=2024").status_code == 404


# ---------------------------------------------------------------------------------------
# Hand entries


def test_the_party_office_posts_a_hand_entry_with_its_reason_R4_3(world, session):
    r = session("bob").post(
        "/points/manual",
        {
            "employee_no": "jy0001",
            "points": "2.5",
            "reason": "理论文章获市级表彰",
            "on": "2024-06-01",
        },
    )
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["person"]["name"] == "王芳" and data["points"] == 2.5
    assert (data["trigger"], data["created_by"]) == ("manual", "bob")
    entry = PointEntry.objects.get(pk=data["id"])
    assert (entry.points, entry.trigger, entry.on) == (
        Decimal("2.5"),
        Trigger.MANUAL,
        dt.date(2024, 6, 1),
    )
    assert entry.created_by == world.users["bob"]
    event = AuditEvent.objects.get(action="points.manual")
    assert event.user == world.users["bob"]
    ledger = session("bob").get(f"/points/people/{entry.person_id}?year=2024").json()
    assert ledger["score"] == 62.5


def test_hand_entries_are_checked_and_write_nothing_when_refused(world, session):
    bob = session("bob")

    def post(**body):
        body = {"employee_no": "JY0001", "points": "1", "reason": "事由", **body}
        return bob.post("/points/manual", body)

    assert post(points="0").json()["errors"] == {"points": ["分值不能为0"]}
    assert post(points="101").json()["errors"] == {"points": ["单次加减分不超过100分"]}
    assert post(on="2099-01-01").json()["errors"] == {"on": ["日期不能晚于今天"]}
    assert post(reason="").json()["errors"] == {"reason": ["不能为空"]}
    # 周强 is no party member; 张华庆 is of the mid court, outside bob's basic court.
    assert "employee_no" in post(employee_no="JY0004").json()["errors"]
    assert post(employee_no="BT0001").json()["errors"] == {
        "employee_no": ["在您的管理范围内找不到工号为“BT0001”的党员"]
    }
    assert not PointEntry.objects.exists()


def test_hand_entries_need_points_manage(world, session):
    body = {"employee_no": "JY0001", "points": "1", "reason": "事由"}
    for name in ("alice", "carol", "dave", "erin", "oscar"):
        assert session(name).post("/points/manual", body).status_code == 403, name
    assert session(None).post("/points/manual", body).status_code == 401
    assert not PointEntry.objects.exists()


def test_a_number_used_by_two_courts_needs_the_court_named(world, session):
    do_create_person(
        None,
        world.org("EH"),
        employee_no="JY0001",
        name="同号党员",
        political_status=PoliticalStatus.MEMBER,
        party_org=world.org("EH-B01"),
        since=dt.date(2020, 1, 1),
    )
    admin = session("admin")
    body = {"employee_no": "JY0001", "points": "1", "reason": "事由"}
    r = admin.post("/points/manual", body)
    assert r.json()["errors"] == {"employee_no": ["工号“JY0001”在多个法院都有，请同时指定 court"]}
    r = admin.post("/points/manual", {**body, "court": "EH"})
    assert r.status_code == 201 and r.json()["person"]["name"] == "同号党员"
    r = admin.post("/points/manual", {**body, "court": "NOWHERE"})
    assert r.json()["errors"] == {"court": ["找不到代码为“NOWHERE”的法院"]}
