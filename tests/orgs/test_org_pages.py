"""Organisation pages: the tree, a node, create, rename, move and merge two branches."""

import datetime as dt

from tianping.audit.models import AuditEvent
from tianping.orgs.models import Org
from tianping.people.models import Placement


def test_the_tree_starts_at_the_scope_root(world):
    body = world.client("bob").get("/orgs/").content.decode()
    assert "九原区人民法院" in body and "包头市中级人民法院" not in body


def test_children_load_on_demand(world):
    body = world.client("alice").get("/orgs/BT-JY-JGDW/children/").content.decode()
    assert "第一党支部" in body and "第二党支部" in body


def test_an_org_page_lists_its_children_and_people(world):
    client = world.client("alice")
    assert "第一党小组" in client.get("/orgs/BT-JY-B01/").content.decode()
    members = client.get("/people/orgs/BT-JY-B01/members/").content.decode()
    assert "王芳" in members and "赵磊" in members and "孙丽" not in members


def test_search_finds_an_org_by_name(world):
    body = world.client("alice").get("/orgs/", {"q": "第二党支部"}).content.decode()
    assert "BT-JY-B02" in body and "BT-B02" in body


def test_a_branch_is_created_under_the_party_committee(world):
    response = world.client("bob").post(
        "/orgs/BT-JY-JGDW/new/", {"kind": "branch", "code": "bt-jy-b03", "name": "第三党支部"}
    )
    assert response.status_code == 302
    org = Org.objects.get(code="BT-JY-B03")
    assert Org.objects.get_parent(org).code == "BT-JY-JGDW"
    assert AuditEvent.objects.filter(
        action="orgs.create", object_id=str(org.pk), user=world.users["bob"]
    ).exists()


def test_a_kind_that_cannot_sit_there_is_refused(world):
    response = world.client("alice").post(
        "/orgs/BT-JY-B01/new/", {"kind": "department", "code": "X1", "name": "错误"}
    )
    assert response.status_code == 200
    assert not Org.objects.filter(code="X1").exists()


def test_the_party_office_cannot_shape_departments(world):
    assert world.client("bob").get("/orgs/BT-JY-MS/edit/").status_code == 403
    assert world.client("bob").get("/orgs/BT-JY-B01/edit/").status_code == 200


def test_a_rename_is_audited(world):
    response = world.client("alice").post(
        "/orgs/BT-JY-B02/edit/", {"code": "BT-JY-B02", "name": "第二党支部（审判）"}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action="orgs.update").latest("id")
    assert event.before["name"] == "第二党支部" and event.after["name"] == "第二党支部（审判）"


def test_a_duplicate_code_is_refused_beside_the_field(world):
    response = world.client("alice").post(
        "/orgs/BT-JY-B02/edit/", {"code": "BT-JY-B01", "name": "x"}
    )
    assert "已被使用" in response.content.decode()


def test_a_branch_moves_with_its_subtree(world):
    response = world.client("alice").post("/orgs/BT-JY-B01/move/", {"parent": "BT-JY"})
    assert response.status_code == 302
    branch = Org.objects.get(code="BT-JY-B01")
    group = Org.objects.get(code="BT-JY-B01-G1")
    assert Org.objects.get_parent(branch).code == "BT-JY" and group.path.startswith(branch.path)
    assert Org.objects.find_problems() == ([], [], [], [], [])


def test_merging_two_branches_moves_the_members_and_keeps_history(world):
    response = world.client("bob").post(
        "/people/orgs/BT-JY-B01/merge/", {"target": "BT-JY-B02", "on": "2024-01-01"}
    )
    assert response.status_code == 302
    source = Org.objects.get(code="BT-JY-B01")
    assert not source.is_active and source.merged_into.code == "BT-JY-B02"
    wang = world.people["wang"]
    wang.refresh_from_db()
    assert wang.party_org.code == "BT-JY-B02"
    assert Placement.objects.get(person=wang, org=source).until == dt.date(2024, 1, 1)
    # The group carries on under the target.
    assert Org.objects.get_parent(Org.objects.get(code="BT-JY-B01-G1")).code == "BT-JY-B02"
    members_then = (
        world.client("bob")
        .get("/people/orgs/BT-JY-B01/members/", {"on": "2023-12-31"})
        .content.decode()
    )
    assert "王芳" in members_then
    assert AuditEvent.objects.filter(action="orgs.merge").exists()


def test_merging_a_branch_into_another_court_is_refused(world):
    response = world.client("alice").post(
        "/people/orgs/BT-JY-B01/merge/", {"target": "BT-B01", "on": "2024-01-01"}
    )
    assert response.status_code == 200
    assert Org.objects.get(code="BT-JY-B01").is_active
