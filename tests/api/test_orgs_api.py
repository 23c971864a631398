"""The organisation API: list and filters, detail, create, rename, move, members on a date."""

from __future__ import annotations

import datetime as dt

from tianping.audit.models import AuditEvent
from tianping.people.actions import do_merge_branches, do_transfer

NEW_BRANCH = {"code": "bt-jy-b03", "name": "第三党支部", "kind": "branch", "parent": "BT-JY-JGDW"}


def codes(response):
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


def test_a_basic_court_officer_lists_only_their_court(session):
    found = codes(session("bob").get("/orgs?limit=200"))
    assert found[0] == "BT-JY"
    assert all(code.startswith("BT-JY") for code in found)
    assert len(found) == 7


def test_the_platform_admin_lists_every_court(session):
    body = session("admin").get("/orgs?kind=mid_court").json()
    assert [o["code"] for o in body["items"]] == ["BT", "EH"]


def test_the_list_filters_by_kind_parent_text_and_state(world, session):
    alice = session("alice")
    assert codes(alice.get("/orgs?kind=branch")) == ["BT-B01", "BT-B02", "BT-JY-B01", "BT-JY-B02"]
    assert codes(alice.get("/orgs?parent=BT-JY-JGDW")) == ["BT-JY-B01", "BT-JY-B02"]
    assert codes(alice.get("/orgs?q=民事")) == ["BT-MS1", "BT-JY-MS"]
    assert codes(alice.get("/orgs?q=jy-b0&kind=branch")) == ["BT-JY-B01", "BT-JY-B02"]
    do_merge_branches(None, world.org("BT-JY-B02"), world.org("BT-JY-B01"), dt.date(2024, 1, 1))
    assert codes(alice.get("/orgs?active=false")) == ["BT-JY-B02"]
    assert "BT-JY-B02" not in codes(alice.get("/orgs?active=true&limit=200"))


def test_the_list_pages_with_a_total_count(session):
    alice = session("alice")
    everything = codes(alice.get("/orgs?limit=200"))
    body = alice.get("/orgs?limit=5&offset=5").json()
    assert body["count"] == len(everything) == 13
    assert [o["code"] for o in body["items"]] == everything[5:10]


def test_bad_filters_are_422_in_chinese(session):
    r = session("alice").get("/orgs?kind=court&limit=0")
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert errors["limit"] == ["不能小于1"]
    assert errors["kind"][0].startswith("取值无效，可选：high_court、mid_court")


def test_an_unknown_or_foreign_parent_filter_reads_the_same(session):
    bob = session("bob")
    foreign, unknown = bob.get("/orgs?parent=BT-JGDW"), bob.get("/orgs?parent=NOPE")
    assert foreign.status_code == unknown.status_code == 422
    assert foreign.json()["errors"]["parent"] == ["找不到代码为“BT-JGDW”的组织"]


def test_the_detail_shows_the_place_in_the_tree(session):
    body = session("alice").get("/orgs/BT-JY-B01").json()
    assert body["kind"] == "branch"
    assert body["kind_name"] == "党支部"
    assert body["parent"] == "BT-JY-JGDW"
    assert body["depth"] == 4
    assert body["children_count"] == 1
    assert body["descendant_count"] == 1
    assert body["children_by_kind"] == {"group": 1}
    assert body["is_active"] is True
    assert body["merged_into"] is None


def test_the_top_of_a_scope_shows_no_parent_beyond_it(session):
    assert session("bob").get("/orgs/BT-JY").json()["parent"] is None
    assert session("alice").get("/orgs/BT-JY").json()["parent"] == "BT"


def test_a_merged_branch_names_its_successor(world, session):
    do_merge_branches(None, world.org("BT-JY-B02"), world.org("BT-JY-B01"), dt.date(2024, 1, 1))
    body = session("bob").get("/orgs/BT-JY-B02").json()
    assert body["is_active"] is False
    assert body["merged_into"] == "BT-JY-B01"
    assert body["dissolved_on"] == "2024-01-01"


def test_creating_an_org_answers_201_and_is_audited(world, session):
    r = session("alice").post("/orgs", NEW_BRANCH)
    assert r.status_code == 201, r.content
    assert r.json()["code"] == "BT-JY-B03"
    assert r.json()["parent"] == "BT-JY-JGDW"
    event = AuditEvent.objects.get(action="orgs.create", object_repr="第三党支部")
    assert event.user == world.users["alice"]


def test_a_used_code_is_422_naming_the_field(session):
    r = session("alice").post("/orgs", {**NEW_BRANCH, "code": "BT-JY-B02"})
    assert r.status_code == 422
    assert r.json()["errors"] == {"code": ["代码“BT-JY-B02”已被使用"]}
    assert r.json()["detail"] == "代码“BT-JY-B02”已被使用"


def test_a_kind_that_cannot_sit_there_is_422(session):
    r = session("alice").post("/orgs", {**NEW_BRANCH, "kind": "group", "parent": "BT-JY"})
    assert r.status_code == 422
    assert "党小组不能设在" in r.json()["errors"]["parent"][0]


def test_missing_fields_are_422_in_chinese(session):
    r = session("alice").post("/orgs", {"code": "X", "parent": "BT"})
    assert r.status_code == 422
    assert r.json()["errors"] == {"name": ["此项必填"], "kind": ["此项必填"]}


def test_unknown_fields_are_refused(session):
    r = session("alice").post("/orgs", {**NEW_BRANCH, "is_active": False})
    assert r.status_code == 422
    assert r.json()["errors"] == {"is_active": ["不支持此字段"]}


def test_a_parent_outside_the_scope_reads_like_a_missing_one(session):
    bob = session("bob")
    foreign = bob.post("/orgs", {**NEW_BRANCH, "parent": "BT-JGDW"})
    unknown = bob.post("/orgs", {**NEW_BRANCH, "parent": "NOPE"})
    assert foreign.status_code == unknown.status_code == 422
    assert foreign.json()["errors"]["parent"] == ["找不到代码为“BT-JGDW”的组织"]
    assert not AuditEvent.objects.filter(action="orgs.create", object_repr="第三党支部").exists()


def test_only_the_platform_admin_creates_a_top_level_court(session):
    court = {"code": "HH", "name": "呼和浩特市中级人民法院", "kind": "mid_court"}
    assert session("alice").post("/orgs", court).status_code == 403
    assert session("admin").post("/orgs", court).status_code == 201


def test_a_party_office_shapes_party_organisations_only(session):
    bob = session("bob")
    assert bob.post("/orgs", NEW_BRANCH).status_code == 201
    department = {"code": "BT-JY-XZ", "name": "行政庭", "kind": "department", "parent": "BT-JY"}
    assert bob.post("/orgs", department).status_code == 403


def test_readers_cannot_write_orgs(session):
    for name in ("erin", "carol", "dave"):
        client = session(name)
        assert client.post("/orgs", NEW_BRANCH).status_code == 403
        assert client.patch("/orgs/BT-JY-B01", {"name": "改名"}).status_code == 403
        assert client.post("/orgs/BT-JY-B01-G1/move", {"parent": "BT-JY-B02"}).status_code == 403


def test_a_member_cannot_list_orgs(session):
    assert session("dave").get("/orgs").status_code == 403


def test_renaming_and_recoding_an_org_is_audited(world, session):
    r = session("alice").patch("/orgs/BT-JY-B01", {"name": "审判第一党支部", "code": "bt-jy-sp1"})
    assert r.status_code == 200, r.content
    assert (r.json()["code"], r.json()["name"]) == ("BT-JY-SP1", "审判第一党支部")
    event = AuditEvent.objects.get(action="orgs.update")
    assert event.before["name"] == "第一党支部"
    assert event.after["code"] == "BT-JY-SP1"
    assert session("alice").get("/orgs/BT-JY-B01").status_code == 404


def test_a_patch_that_changes_nothing_writes_no_audit_row(session):
    r = session("alice").patch("/orgs/BT-JY-B01", {"name": "第一党支部"})
    assert r.status_code == 200
    assert not AuditEvent.objects.filter(action="orgs.update").exists()


def test_a_blank_name_is_refused(session):
    r = session("alice").patch("/orgs/BT-JY-B01", {"name": "  "})
    assert r.status_code == 422
    assert r.json()["errors"] == {"name": ["名称不能为空"]}


def test_moving_an_org_changes_its_parent_and_is_audited(session):
    r = session("alice").post("/orgs/BT-JY-B01-G1/move", {"parent": "BT-JY-B02"})
    assert r.status_code == 200, r.content
    assert r.json()["parent"] == "BT-JY-B02"
    assert session("alice").get("/orgs/BT-JY-B02").json()["children_by_kind"] == {"group": 1}
    assert AuditEvent.objects.filter(action="orgs.move").count() == 1


def test_an_org_cannot_move_below_itself(session):
    r = session("alice").post("/orgs/BT-JY-JGDW/move", {"parent": "BT-JY-B01"})
    assert r.status_code == 422
    assert r.json()["errors"]["parent"] == ["不能移动到自身或其下级组织之下"]


def test_the_outsider_gets_404_on_every_org_of_ours(world, session):
    oscar = session("oscar")
    for code in [c for c in world.orgs if c.startswith("BT")]:
        for r in (
            oscar.get(f"/orgs/{code}"),
            oscar.patch(f"/orgs/{code}", {"name": "改名"}),
            oscar.post(f"/orgs/{code}/move", {"parent": "EH-JGDW"}),
            oscar.get(f"/orgs/{code}/members"),
        ):
            assert r.status_code == 404, (code, r.request)
            assert r.json() == {"detail": "不存在或不在您的范围内"}
    assert oscar.get("/orgs/NO-SUCH-ORG").json() == {"detail": "不存在或不在您的范围内"}
    assert oscar.get("/orgs?limit=200").json()["count"] == 4


def test_members_are_who_was_placed_there_on_the_day(world, session):
    alice = session("alice")
    zhao = world.people["zhao"]
    do_transfer(None, zhao, on=dt.date(2024, 1, 1), party_org=world.org("BT-JY-B02"))

    def names(query):
        r = alice.get(f"/orgs/BT-JY-B01/members{query}")
        assert r.status_code == 200, r.content
        return [p["name"] for p in r.json()["items"]]

    assert names("?on=2023-06-30") == ["王芳", "赵磊"]
    assert names("?on=2024-01-01") == ["王芳"]
    assert names("") == ["王芳"]
    assert names("?on=2019-12-31") == []


def test_members_of_a_subtree_include_the_levels_below(world, session):
    r = session("alice").get("/orgs/BT-JY-JGDW/members?subtree=true&on=2023-06-30")
    assert {p["name"] for p in r.json()["items"]} == {"王芳", "赵磊", "孙丽"}
    assert session("alice").get("/orgs/BT-JY-JGDW/members").json()["count"] == 0


def test_a_bad_members_date_is_422(session):
    r = session("alice").get("/orgs/BT-JY-B01/members?on=2023-02-30")
    assert r.status_code == 422
    assert r.json()["errors"] == {"on": ["日期格式应为 YYYY-MM-DD"]}
