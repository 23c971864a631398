"""The committees API: statuses and warnings for a subtree, one organisation's history, elections.

Router `tianping.committees.api.router`, mounted at /api/v1/committees. Until the site mounts
it, these tests mount it in a URL configuration of their own.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from tianping.committees.models import Term

from .conftest import add_members, elect, posts_for

D = dt.date
API = "/api/v1/committees"


class Caller:
    def __init__(self, client: Client) -> None:
        self.client = client

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(API + path, params)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(API + path, json.dumps(body), content_type="application/json")


@pytest.fixture
def call(world):
    return lambda name: Caller(world.client(name))


def candidates(people, sizes):
    return [
        {"employee_no": p.employee_no, "votes": 6, "elected": True, "posts": posts}
        for p, posts in zip(people, sizes, strict=True)
    ]


def test_the_list_answers_each_organisation_of_the_subtree_with_its_warnings(world, call):
    r = call("bob").get("", org="BT-JY", on="2024-06-01")
    assert r.status_code == 200
    body = r.json()
    by_code = {item["org"]["code"]: item for item in body["items"]}
    assert body["count"] == 3 and set(by_code) == {"BT-JY-JGDW", "BT-JY-B01", "BT-JY-B02"}
    b01 = by_code["BT-JY-B01"]
    assert (b01["full_members"], b01["party_members"], b01["must_have_committee"]) == (1, 2, False)
    warning = next(w for w in b01["warnings"] if w["code"] == "too_few_full_members")
    assert warning["rule"] == "R1.1" and "应成立联合党支部" in warning["text"]
    assert b01["term"] is None and b01["committee"] == []


def test_the_list_filters_to_organisations_with_warnings(world, call):
    b01 = world.org("BT-JY-B01")
    add_members(b01, 2)
    elect(None, b01, D(2025, 1, 1), [(world.people["wang"], ["secretary"])])
    codes = [i["org"]["code"] for i in call("bob").get("", alerts="true").json()["items"]]
    assert "BT-JY-B01" not in codes and "BT-JY-B02" in codes


def test_a_member_lists_only_their_own_branch(world, call):
    body = call("dave").get("").json()
    assert [i["org"]["code"] for i in body["items"]] == ["BT-JY-B01"]
    assert call("dave").get("/BT-JY-B01").status_code == 404


def test_the_detail_answers_the_committee_its_terms_and_elections(world, call):
    branch = world.org("BT-JY-B02")
    people = [world.people["sun"], *add_members(branch, 7)]
    elect(None, branch, D(2020, 6, 1), list(zip(people[:3], posts_for(3), strict=True)))
    elect(
        None,
        branch,
        D(2023, 6, 1),
        list(zip(people[3:8], posts_for(5), strict=True)),
        losers=people[:1],
    )
    r = call("carol").get("/BT-JY-B02")
    assert r.status_code == 404  # not her branch
    body = call("bob").get("/BT-JY-B02").json()
    assert body["must_have_committee"] is True
    assert body["term"]["ends_on"] == "2026-06-01"
    assert [s["posts"] for s in body["committee"]][0] == ["secretary"]
    assert [t["elected_on"] for t in body["terms"]] == ["2023-06-01", "2020-06-01"]
    assert body["terms"][1]["closed_on"] == "2023-06-01"
    assert {s["until"] for s in body["terms"][1]["seats"]} == {"2023-06-01"}
    latest = body["elections"][0]
    assert latest["entitled"] == 8
    assert [c["elected"] for c in latest["candidates"]] == [True] * 5 + [False]


def test_a_secretary_records_an_election_through_the_api(world, call):
    b01 = world.org("BT-JY-B01")
    people = [world.people["wang"], *add_members(b01, 6)]
    body = {
        "org": "BT-JY-B01",
        "held_on": "2024-05-08",
        "present": 7,
        "candidates": candidates(people[:3], posts_for(3)),
    }
    r = call("carol").post("/elections", body)
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["term"]["years"] == 3 and data["term"]["ends_on"] == "2027-05-08"
    assert data["entitled"] == 7 and len(data["candidates"]) == 3
    assert Term.objects.get(branch=b01).members.count() == 3


def test_an_invalid_election_is_422_with_the_row_named(world, call):
    people = [world.people["wang"], *add_members(world.org("BT-JY-B01"), 7)]
    rows = candidates(people[:2], posts_for(2))
    r = call("carol").post(
        "/elections", {"org": "BT-JY-B01", "held_on": "2024-05-08", "candidates": rows}
    )
    assert r.status_code == 422
    assert "本次当选2人" in r.json()["errors"]["candidates"][0]
    rows.append({"employee_no": world.people["zhao"].employee_no, "votes": 1})
    r = call("carol").post(
        "/elections", {"org": "BT-JY-B01", "held_on": "2024-05-08", "candidates": rows}
    )
    assert "不是第一党支部的正式党员" in r.json()["errors"]["candidates.2"][0]
    r = call("carol").post(
        "/elections",
        {
            "org": "BT-JY-B01",
            "held_on": "2024-05-08",
            "candidates": [{"employee_no": "X", "votes": 1, "posts": ["mayor"]}],
        },
    )
    assert r.status_code == 422 and "candidates.0.posts.0" in r.json()["errors"]


def test_a_postponement_through_the_api_is_limited_to_a_year_R1_4(world, call):
    elect(None, world.org("BT-JY-B02"), D(2023, 3, 1), [(world.people["sun"], ["secretary"])])
    body = {
        "org": "BT-JY-B02",
        "postponed_to": "2027-03-02",
        "approved_by": "机关党委",
        "approved_on": "2025-12-01",
    }
    r = call("bob").post("/postponements", body)
    assert r.status_code == 422 and "最晚可延至2027-03-01" in r.json()["errors"]["postponed_to"][0]
    body["postponed_to"] = "2027-03-01"
    r = call("bob").post("/postponements", body)
    assert r.status_code == 200 and r.json()["due_on"] == "2027-03-01"


def test_the_outsider_and_the_reader_cannot_reach_or_change_our_committees(world, call):
    assert call("oscar").get("/BT-JY-B01").status_code == 404
    assert call("oscar").get("", org="BT-JY").status_code == 422  # a filter naming an unseen org
    assert all(i["org"]["code"].startswith("EH") for i in call("oscar").get("").json()["items"])
    body = {"org": "BT-JY-B01", "held_on": "2024-05-08", "candidates": []}
    assert call("erin").post("/elections", body).status_code == 403
    assert call("dave").post("/elections", body).status_code == 403
    r = call("admin").post("/elections", {**body, "org": "BT-JY-ZZB"})
    assert r.status_code == 422 and "这里需要" in r.json()["errors"]["org"][0]
    assert Client().get(API).status_code == 401
