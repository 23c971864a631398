"""Political birthdays (政治生日): each month's party anniversaries, for the branch and the member."""

import datetime as dt

from tianping.people.actions import do_update_person


def test_a_branch_sees_the_months_party_anniversaries(world):
    do_update_person(None, world.people["wang"], party_joined_on=dt.date(2008, 3, 12))
    body = world.client("carol").get("/people/birthdays/", {"month": "2024-03"}).content.decode()
    assert "王芳" in body and "3月12日" in body and ">16<" in body
    assert (
        "王芳"
        not in world.client("carol")
        .get("/people/birthdays/", {"month": "2024-04"})
        .content.decode()
    )


def test_the_api_lists_them_and_a_member_sees_only_theirs(world):
    do_update_person(None, world.people["wang"], party_joined_on=dt.date(2008, 3, 12))
    do_update_person(None, world.people["zhao"], party_joined_on=dt.date(2023, 3, 1))
    data = world.client("carol").get("/api/v1/people/birthdays", {"month": "2024-03"}).json()
    assert [i["name"] for i in data["items"]] == ["赵磊", "王芳"]
    mine = world.client("dave").get("/api/v1/people/birthdays", {"month": "2024-03"}).json()
    assert [i["name"] for i in mine["items"]] == ["赵磊"] and mine["items"][0]["years"] == 1


def test_a_member_sees_their_next_political_birthday_on_their_record(world):
    do_update_person(None, world.people["zhao"], party_joined_on=dt.date(2020, 1, 5))
    body = world.client("dave").get("/people/me/").content.decode()
    assert 'id="political-birthday"' in body and "入党" in body
