"""Pickers: the search answers inside the user's scope, and forms read a picked text back safely."""

import re

import pytest

from tianping.lib.pickers import PICK_LIMIT
from tianping.orgs.actions import do_create_org
from tianping.orgs.models import Org, OrgKind

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


def picked(response) -> list[str]:
    """The labels a picker's list offers."""
    return re.findall(r'data-pick="([^"]*)"', body(response))


def test_a_secretary_finds_the_people_of_her_branch_and_nobody_else(world):
    carol = world.client("carol")
    assert picked(carol.get("/people/pick/", {"field": "q", "q": "王芳"})) == ["王芳（JY0001）"]
    # 孙丽 is in the same court, but in another branch: out of carol's scope.
    assert picked(carol.get("/people/pick/", {"field": "q", "q": "孙丽"})) == []
    assert picked(carol.get("/people/pick/", {"field": "q", "q": "JY0003"})) == []


def test_people_are_found_by_pinyin_and_number_within_the_scope(world):
    alice = world.client("alice")
    assert "张华庆（BT0001）" in picked(alice.get("/people/pick/", {"field": "q", "q": "zhq"}))
    assert "王芳（JY0001）" in picked(alice.get("/people/pick/", {"field": "host", "host": "JY00"}))
    # oscar keeps another court: none of ours answers him.
    oscar = world.client("oscar")
    assert picked(oscar.get("/people/pick/", {"field": "q", "q": "王芳"})) == []
    assert picked(oscar.get("/people/pick/", {"field": "q", "q": "zhq"})) == []


def test_the_organisation_search_is_scoped_and_narrowed_by_kind(world):
    bob = world.client("bob")
    found = picked(bob.get("/orgs/pick/", {"field": "org", "org": "党支部"}))
    assert found == ["第一党支部（BT-JY-B01）", "第二党支部（BT-JY-B02）"]  # not BT-B01, above bob
    found = picked(bob.get("/orgs/pick/", {"field": "org", "org": "BT-JY", "kinds": "group"}))
    assert found == ["第一党小组（BT-JY-B01-G1）"]
    assert picked(world.client("oscar").get("/orgs/pick/", {"field": "org", "org": "BT"})) == []


def test_a_search_answers_with_at_most_twenty_and_says_there_are_more(world):
    court = world.orgs["BT-JY"]
    for i in range(PICK_LIMIT + 5):
        do_create_org(
            world.users["admin"],
            code=f"BT-JY-T{i:02d}",
            name=f"审判团队{i}",
            kind=OrgKind.DEPARTMENT,
            parent=court,
        )
    response = world.client("alice").get("/orgs/pick/", {"field": "org", "org": "审判团队"})
    assert len(picked(response)) == PICK_LIMIT
    assert f"仅列出前{PICK_LIMIT}项" in body(response)
    # An exact code comes first, however deep in the list it would sort.
    response = world.client("alice").get("/orgs/pick/", {"field": "org", "org": "bt-jy-t24"})
    assert picked(response)[0] == "审判团队24（BT-JY-T24）"


def test_the_search_endpoints_need_a_login_and_the_capability(world):
    response = world.client(None).get("/orgs/pick/", {"field": "q", "q": "BT"})
    assert response.status_code == 302
    # A member sees no tree, and of the roster only herself.
    dave = world.client("dave")
    assert dave.get("/orgs/pick/", {"field": "q", "q": "BT"}).status_code == 403
    assert picked(dave.get("/people/pick/", {"field": "q", "q": "王芳"})) == []


def test_the_roster_filters_by_a_picked_organisation(world):
    alice = world.client("alice")
    page = body(alice.get("/people/", {"org": "第一党支部（BT-JY-B01）"}))
    assert "王芳" in page and "孙丽" not in page
    # The box shows the choice as it was picked, and the page carries no list of the tree.
    assert 'value="第一党支部（BT-JY-B01）"' in page and '<option value="BT-JY-B02"' not in page
    page = body(alice.get("/people/", {"org": "BT-JY-B01"}))  # a bare code, as links send it
    assert 'value="第一党支部（BT-JY-B01）"' in page and "孙丽" not in page


def test_a_transfer_saves_the_organisations_picked_by_label(world):
    wang = world.people["wang"]
    response = world.client("alice").post(
        f"/people/{wang.pk}/transfer/",
        {"on": "2024-03-01", "department": "BT-JY-ZZB", "party_org": "第二党支部（BT-JY-B02）"},
    )
    assert response.status_code == 302
    wang.refresh_from_db()
    assert (wang.department.code, wang.party_org.code) == ("BT-JY-ZZB", "BT-JY-B02")


def test_an_organisation_outside_the_scope_is_a_form_error_not_a_failure(world):
    wang = world.people["wang"]
    response = world.client("alice").post(
        f"/people/{wang.pk}/transfer/", {"on": "2024-03-01", "party_org": "第一党支部（EH-B01）"}
    )
    assert response.status_code == 200
    assert "没有找到“第一党支部（EH-B01）”" in body(response)
    wang.refresh_from_db()
    assert wang.party_org.code == "BT-JY-B01"
    response = world.client("alice").post("/orgs/BT-JY-B02/move/", {"parent": "EH-JGDW"})
    assert response.status_code == 200 and "没有找到“EH-JGDW”" in body(response)
    assert Org.objects.get_parent(Org.objects.get(code="BT-JY-B02")).code == "BT-JY-JGDW"


def test_a_name_two_organisations_share_asks_for_the_code(world):
    # Both BT's and BT-JY's 第一党支部 are in alice's scope.
    wang = world.people["wang"]
    response = world.client("alice").post(
        f"/people/{wang.pk}/transfer/", {"on": "2024-03-01", "party_org": "第一党支部"}
    )
    assert response.status_code == 200 and "“第一党支部”对应多个" in body(response)
