"""A person's page: the 干部 record, who reads the telephone number, the links to the person's
other records, the roster's order, and a search typed in Traditional characters."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tianping.people.actions import do_update_person
from tianping.people.models import PersonStatus

PHONE = "13812345678"


@pytest.fixture
def zhao(world):
    """赵磊 (dave's own record) with a full 干部 record."""
    person = world.people["zhao"]
    do_update_person(
        None,
        person,
        title="书记员",
        civil_rank="clerk_1",
        work_started_on=dt.date(2015, 7, 1),
        joined_court_on=dt.date(2016, 3, 1),
        native_place="内蒙古包头",
        degree="bachelor",
        phone=PHONE,
    )
    return person


def page(world, persona: str, person) -> str:
    response = world.client(persona).get(f"/people/{person.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_person_page_shows_the_cadre_record(world, zhao):
    body = page(world, "alice", zhao)
    for text in ("书记员", "一级科员", "2015-07-01", "2016-03-01", "内蒙古包头", "学士"):
        assert text in body


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("admin", True),
        ("alice", True),  # 政治部
        ("bob", True),  # 机关党委
        ("dave", True),  # the person themself
        ("carol", False),  # the branch secretary
        ("erin", False),  # 院领导
    ],
)
def test_the_phone_is_shown_to_the_person_and_the_officers_only(world, zhao, persona, sees):
    body = page(world, persona, zhao)
    assert (PHONE in body) is sees
    assert ("联系电话" in body) is sees


def test_a_member_does_not_read_another_members_phone(world, zhao):
    # dave reaches only his own record; another member's page is out of his scope.
    do_update_person(None, world.people["wang"], phone="13900000000")
    assert world.client("dave").get(f"/people/{world.people['wang'].pk}/").status_code == 404


def test_the_change_history_hides_the_phone_from_those_who_may_not_read_it(world, zhao):
    # 院领导 reads the court's change history, but not telephone numbers.
    erin = world.client("erin").get(f"/people/{zhao.pk}/", {"tab": "history"}).content.decode()
    assert PHONE not in erin
    assert "联系电话：（不显示）" in erin
    assert "籍贯：— → 内蒙古包头" in erin
    alice = world.client("alice").get(f"/people/{zhao.pk}/", {"tab": "history"}).content.decode()
    assert f"联系电话：— → {PHONE}" in alice


def test_the_edit_form_saves_the_cadre_record(world):
    wang = world.people["wang"]
    data = {
        "employee_no": "JY0001",
        "name": "王芳",
        "gender": "female",
        "birth_date": "1985-03-02",
        "category": "judge",
        "post_level": "division_deputy",
        "title": " 副庭长 ",
        "judge_grade": "senior_4",
        "civil_rank": "",
        "native_place": "山西忻州",
        "degree": "master",
        "work_started_on": "2007-07-01",
        "joined_court_on": "2009-03-01",
        "political_status": "member",
        "status": "serving",
        "phone": "０４７２－５１２３４５６",
    }
    response = world.client("alice").post(f"/people/{wang.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()
    wang.refresh_from_db()
    assert (wang.title, wang.judge_grade, wang.degree, wang.phone) == (
        "副庭长",
        "senior_4",
        "master",
        "0472-5123456",
    )
    body = page(world, "alice", wang)
    assert "四级高级法官" in body and "副庭长" in body


def test_an_impossible_phone_or_date_order_is_refused_beside_the_field(world):
    wang = world.people["wang"]
    data = {
        "employee_no": "JY0001",
        "name": "王芳",
        "birth_date": "1985-03-02",
        "work_started_on": "2009-07-01",
        "joined_court_on": "2007-03-01",
        "status": "serving",
        "phone": "请打总机",
    }
    response = world.client("alice").post(f"/people/{wang.pk}/edit/", data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "入院时间不能早于参加工作时间" in body
    assert "联系电话只能包含数字" in body
    wang.refresh_from_db()
    assert wang.phone == "" and wang.joined_court_on is None


def links(body: str) -> dict[str, str]:
    """The 相关记录 bar: link text → href."""
    bar = re.search(r'<nav class="toolbar no-print" id="person-records".*?</nav>', body, re.S)
    if bar is None:
        return {}
    return {
        text.strip(): href.replace("&amp;", "&")
        for href, text in re.findall(
            r'<a class="button secondary" href="([^"]+)"[^>]*>([^<]+)</a>', bar.group(0)
        )
    }


def test_a_member_reaches_their_own_records_from_their_page(world, zhao):
    body = world.client("dave").get("/people/me/").content.decode()
    found = links(body)
    assert found == {
        "出勤记录": f"/activities/people/{zhao.pk}/history/",
        "积分明细": f"/points/people/{zhao.pk}/",
        "党费缴纳": "/dues/mine/",
        "入党档案": "/recruitment/",
        "学时档案": "/learning/hours/",
    }
    client = world.client("dave")
    for href in found.values():
        assert client.get(href, follow=True).status_code == 200, href


def test_a_secretary_reaches_a_branch_members_records_in_the_branch(world):
    wang = world.people["wang"]
    found = links(page(world, "carol", wang))
    assert found == {
        "出勤记录": f"/activities/people/{wang.pk}/history/",
        "积分明细": f"/points/people/{wang.pk}/",
        "党费缴纳（所在支部）": "/dues/?court=BT-JY-B01",
        "发展党员（所在支部）": "/recruitment/?org=BT-JY-B01",
        "学时档案": f"/learning/hours/{wang.pk}/",
    }
    client = world.client("carol")
    for href in found.values():
        assert client.get(href).status_code == 200, href


@pytest.mark.parametrize("persona", ["admin", "alice", "bob", "erin"])
def test_every_link_an_officer_is_offered_opens(world, persona):
    client = world.client(persona)
    wang = world.people["wang"]
    found = links(page(world, persona, wang))
    assert "出勤记录" in found and "积分明细" in found
    for href in found.values():
        assert client.get(href).status_code == 200, (persona, href)


def test_no_points_or_dues_link_for_someone_who_is_not_a_party_member(world):
    # 周强 is not a party member and has no branch.
    found = links(page(world, "alice", world.people["zhou"]))
    assert "出勤记录" in found and "积分明细" not in found
    assert not any(label.startswith("党费") for label in found)
    assert not any(label.startswith("发展党员") for label in found)


def test_the_roster_lists_serving_staff_first(world):
    do_update_person(None, world.people["wang"], status=PersonStatus.RETIRED)
    body = world.client("bob").get("/people/").content.decode()
    names = [n for n in re.findall(r">(王芳|赵磊|孙丽|周强)<", body)]
    assert names == ["赵磊", "孙丽", "周强", "王芳"]


def test_a_search_in_traditional_characters_finds_a_simplified_name(world):
    body = world.client("alice").get("/people/", {"q": "張華慶"}).content.decode()
    assert "张华庆" in body and "王芳" not in body
    body = world.client("alice").get("/people/", {"q": "趙"}).content.decode()
    assert "赵磊" in body and "张华庆" not in body
