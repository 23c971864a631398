"""Early elections (R1.4, D7): at most one year before term end, and only with approval recorded."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError

from tianping.audit.models import AuditEvent
from tianping.committees.models import Election, Term
from tianping.committees.queries import full_members_on
from tianping.committees.rules import earliest_early_election

from .conftest import add_members, elect, posts_for
from .test_pages import election_post

D = dt.date
APPROVER = "中共九原区人民法院机关委员会"


@pytest.fixture
def branch(world):
    """第二党支部 with 孙丽 and two more full members, its committee elected 2020-06-30."""
    org = world.org("BT-JY-B02")
    add_members(org, 2)
    elect(None, org, D(2020, 6, 30), seats(org))
    return org


def seats(org):
    people = list(full_members_on(org, D(2020, 6, 30)))
    return list(zip(people, posts_for(3), strict=True))


def term_of(org) -> Term:
    return Term.objects.get(branch=org, closed_on__isnull=True)


def test_r1_4_d7_an_election_366_days_before_term_end_is_refused(world, branch):
    assert term_of(branch).ends_on == D(2023, 6, 30)
    assert (D(2023, 6, 30) - D(2022, 6, 29)).days == 366
    with pytest.raises(ValidationError) as caught:
        elect(
            None,
            branch,
            D(2022, 6, 29),
            seats(branch),
            early_approved_by=APPROVER,
            early_approved_on=D(2022, 6, 1),
        )
    assert caught.value.message_dict["held_on"] == [
        "换届选举最多提前1年：本届任期2023-06-30届满，最早可于2022-06-30经批准提前换届，"
        "不能在2022-06-29换届"
    ]
    assert Election.objects.filter(branch=branch).count() == 1
    assert term_of(branch).elected_on == D(2020, 6, 30)
    assert AuditEvent.objects.filter(action="committees.election").count() == 1


def test_r1_4_d7_an_election_365_days_before_term_end_is_held_with_approval(world, branch):
    assert (D(2023, 6, 30) - D(2022, 6, 30)).days == 365
    election = elect(
        world.users["bob"],
        branch,
        D(2022, 6, 30),
        seats(branch),
        early_approved_by=APPROVER,
        early_approved_on=D(2022, 6, 15),
        early_reason="支部书记调任",
    )
    assert election.is_early
    stored = Election.objects.get(pk=election.pk)
    assert (stored.early_approved_by, stored.early_approved_on, stored.early_reason) == (
        APPROVER,
        D(2022, 6, 15),
        "支部书记调任",
    )
    old = Term.objects.get(branch=branch, elected_on=D(2020, 6, 30))
    assert old.closed_on == D(2022, 6, 30)
    assert term_of(branch).ends_on == D(2025, 6, 30)
    event = AuditEvent.objects.filter(action="committees.election").order_by("-pk").first()
    assert event.after["early_approved_by"] == APPROVER
    assert event.after["early_approved_on"] == "2022-06-15"
    assert event.after["early_reason"] == "支部书记调任"


def test_r1_4_d7_an_early_election_needs_the_approver_and_the_date(world, branch):
    with pytest.raises(ValidationError) as caught:
        elect(None, branch, D(2023, 6, 1), seats(branch))
    errors = caught.value.message_dict
    assert errors["early_approved_by"] == [
        "本届任期2023-06-30届满，2023-06-01换届属于提前换届，须经上级党组织批准："
        "请填写批准机关或批准文件"
    ]
    assert errors["early_approved_on"] == [
        "本届任期2023-06-30届满，2023-06-01换届属于提前换届，须经上级党组织批准：请填写批准日期"
    ]
    with pytest.raises(ValidationError) as caught:
        elect(None, branch, D(2023, 6, 1), seats(branch), early_approved_by=APPROVER)
    assert set(caught.value.message_dict) == {"early_approved_on"}
    # The approval comes before the election, within the term it ends.
    with pytest.raises(ValidationError) as caught:
        elect(
            None,
            branch,
            D(2023, 6, 1),
            seats(branch),
            early_approved_by=APPROVER,
            early_approved_on=D(2023, 6, 2),
        )
    assert caught.value.message_dict["early_approved_on"] == [
        "批准日期2023-06-02晚于选举日期2023-06-01：提前换届应先经批准"
    ]
    with pytest.raises(ValidationError) as caught:
        elect(
            None,
            branch,
            D(2023, 6, 1),
            seats(branch),
            early_approved_by=APPROVER,
            early_approved_on=D(2020, 6, 29),
        )
    assert caught.value.message_dict["early_approved_on"] == [
        "批准日期不能早于本届选举日期2020-06-30"
    ]
    assert Election.objects.filter(branch=branch).count() == 1


def test_r1_4_d7_an_election_on_the_day_the_term_ends_needs_no_approval(world, branch):
    with pytest.raises(ValidationError) as caught:
        elect(
            None,
            branch,
            D(2023, 6, 30),
            seats(branch),
            early_approved_by=APPROVER,
            early_approved_on=D(2023, 6, 1),
        )
    assert caught.value.message_dict["early_approved_on"] == [
        "本届任期2023-06-30届满，2023-06-30换届不属于提前换届，无需填写提前换届批准"
    ]
    election = elect(None, branch, D(2023, 6, 30), seats(branch))
    assert not election.is_early and election.early_approved_by == ""


def test_r1_4_d1_a_year_early_over_29_february_is_366_days(world):
    # Elected 2021-03-01, the term ends 2024-03-01; a year before is 2023-03-01, 366 days.
    org = world.org("BT-JY-B02")
    add_members(org, 2)
    elect(None, org, D(2021, 3, 1), seats(org))
    assert earliest_early_election(D(2024, 3, 1)) == D(2023, 3, 1)
    assert earliest_early_election(D(2028, 2, 29)) == D(2027, 2, 28)
    with pytest.raises(ValidationError):
        elect(
            None,
            org,
            D(2023, 2, 28),
            seats(org),
            early_approved_by=APPROVER,
            early_approved_on=D(2023, 2, 1),
        )
    election = elect(
        None,
        org,
        D(2023, 3, 1),
        seats(org),
        early_approved_by=APPROVER,
        early_approved_on=D(2023, 2, 1),
    )
    assert (D(2024, 3, 1) - election.held_on).days == 366


def test_r1_4_d7_the_election_form_takes_the_approval_and_the_branch_page_shows_it(world, branch):
    carol = world.client("bob")
    form = carol.get("/committees/BT-JY-B02/election/").content.decode()
    assert "本届任期2023-06-30届满" in form  # the running term, as of today
    rows = [
        {"no": p.employee_no, "votes": 3, "elected": True, "posts": posts}
        for p, posts in seats(branch)
    ]
    data = election_post(D(2023, 5, 20), rows, present=3)
    html = carol.post("/committees/BT-JY-B02/election/", data).content.decode()
    assert "须经上级党组织批准：请填写批准机关或批准文件" in html
    assert Election.objects.filter(branch=branch).count() == 1
    data |= {
        "early_approved_by": APPROVER,
        "early_approved_on": "2023-05-10",
        "early_reason": "支部书记调任",
    }
    response = carol.post("/committees/BT-JY-B02/election/", data, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/committees/BT-JY-B02/"
    elections = html[html.index('id="elections"') :]
    assert f"经{APPROVER}于2023-05-10批准提前换届（支部书记调任）" in elections


def test_r1_4_d7_the_api_records_an_early_election_with_its_approval(world, branch):
    body = {
        "org": "BT-JY-B02",
        "held_on": "2023-05-20",
        "candidates": [
            {"employee_no": p.employee_no, "votes": 3, "elected": True, "posts": posts}
            for p, posts in seats(branch)
        ],
    }
    client = world.client("bob")

    def post(payload):
        return client.post(
            "/api/v1/committees/elections", json.dumps(payload), content_type="application/json"
        )

    refused = post(body)
    assert refused.status_code == 422
    assert "须经上级党组织批准" in json.dumps(refused.json(), ensure_ascii=False)
    r = post(body | {"early_approved_by": APPROVER, "early_approved_on": "2023-05-10"})
    assert r.status_code == 201, r.content
    assert (r.json()["early_approved_by"], r.json()["early_approved_on"]) == (
        APPROVER,
        "2023-05-10",
    )
