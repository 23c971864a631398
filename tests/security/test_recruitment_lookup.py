"""A branch secretary types 工号 into the recruitment forms to learn who is who in the court.

The lookup by 工号 (opening a file, naming contacts or introducers) once searched the whole
court: a secretary learnt anyone's name and party status ("孙丽已是中共党员"). It now searches
only the people the caller may see, and, for an applicant, the court's serving staff outside
the party who belong to no party organisation (they are in no branch, so in no secretary's
scope, yet they are who hands a branch an application); any other number reads exactly like
one that does not exist, on the web and in the API.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.test import Client

from tianping.accounts.actions import do_create_token
from tianping.recruitment.models import Recruit

OUTSIDE = {"JY0003": "孙丽", "BT0001": "张华庆"}


def api(world: Any, name: str) -> tuple[Client, dict[str, str]]:
    user = world.users[name]
    _, raw = do_create_token(user, user, "lookup")
    return Client(), {"Authorization": f"Bearer {raw}"}


def open_by_number(world: Any, name: str, number: str) -> Any:
    client, headers = api(world, name)
    body = {"branch": "BT-JY-B01", "employee_no": number, "applied_on": "2024-03-01"}
    return client.post(
        "/api/v1/recruitment", json.dumps(body), content_type="application/json", headers=headers
    )


def test_the_api_tells_a_secretary_nothing_of_people_outside_her_branch(world):
    for number, name in {**OUTSIDE, "JY9999": None}.items():
        response = open_by_number(world, "carol", number)
        assert response.status_code == 422
        assert response.json()["errors"] == {
            "employee_no": [f"九原区人民法院花名册中没有工号“{number}”"]
        }
        assert name is None or name not in response.content.decode()
    assert not Recruit.objects.exists()


def test_the_web_form_tells_a_secretary_nothing_of_people_outside_her_branch(world):
    client = world.client("carol")
    for number, name in OUTSIDE.items():
        response = client.post(
            "/recruitment/new/",
            {"branch": "BT-JY-B01", "employee_no": number, "on": "2024-03-01"},
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert f"花名册中没有工号“{number}”" in page and name not in page
        assert "已是" not in page
    assert not Recruit.objects.exists()


def test_inside_her_branch_the_lookup_still_names_the_person(world):
    # 赵磊 is a probationary member of her branch: she may see him, and why he cannot apply.
    response = open_by_number(world, "carol", "jy0002")
    assert response.status_code == 422
    assert "赵磊已是" in response.json()["detail"]


def test_a_secretary_registers_a_colleague_who_belongs_to_no_branch(world):
    # 周强 is outside the party and in no branch: the application is hers to register.
    response = open_by_number(world, "carol", "jy0004")
    assert response.status_code == 201, response.content.decode()
    assert response.json()["person"]["name"] == "周强"


def test_the_web_form_registers_a_colleague_who_belongs_to_no_branch(world):
    client = world.client("carol")
    response = client.post(
        "/recruitment/new/", {"branch": "BT-JY-B01", "employee_no": "JY0004", "on": "2024-03-01"}
    )
    assert response.status_code == 302
    assert Recruit.objects.get().person.name == "周强"


def test_the_party_office_of_the_court_finds_anyone_in_it(world):
    response = open_by_number(world, "bob", "JY0004")
    assert response.status_code == 201, response.content.decode()
    assert response.json()["person"]["name"] == "周强"


def test_contacts_named_by_number_come_only_from_the_callers_scope(world):
    from tianping.recruitment.actions import do_open_file

    zhou = world.people["zhou"]
    recruit = do_open_file(world.users["bob"], zhou, world.org("BT-JY-B01"), on=dt.date(2024, 3, 1))
    client, headers = api(world, "carol")
    body = {"kind": "activist", "on": "2024-03-10", "people": ["JY0003"]}
    response = client.post(
        f"/api/v1/recruitment/{recruit.pk}/steps",
        json.dumps(body),
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"]["people"] == ["九原区人民法院花名册中没有工号：JY0003"]
    assert "孙丽" not in response.content.decode()
