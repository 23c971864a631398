"""An attacker with an API token sends values no court means, to make the server fail.

schemathesis found these answering 500: an `offset` past 2^63, the year 999999, a day in the
year 9999, a meeting time with a UTC offset on SQLite, and on PostgreSQL a NUL byte in a query
parameter or a JSON body. Every one is now refused at the door with 422 and a Chinese message
naming the field, in the API's usual error shape, and nothing is written.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tianping.accounts.actions import do_create_token
from tianping.activities.models import Activity
from tianping.orgs.models import Org
from tianping.people.models import Person

API = "/api/v1"


class Attacker:
    """A signed-in caller with a bearer token, as a script would be."""

    def __init__(self, world: Any, name: str) -> None:
        user = world.users[name]
        _, raw = do_create_token(user, user, "attack")
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {raw}"}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(API + path, params or {}, headers=self.headers)

    def send(self, method: str, path: str, body: Any) -> Any:
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return getattr(self.client, method)(
            API + path, data, content_type="application/json", headers=self.headers
        )


@pytest.fixture
def admin(world: Any) -> Attacker:
    return Attacker(world, "admin")


@pytest.fixture
def member(world: Any) -> Attacker:
    return Attacker(world, "dave")


def refused(response: Any, field: str, message: str) -> None:
    """422 in the API's error shape, with a Chinese message beside the field."""
    assert response.status_code == 422, response.content.decode()[:500]
    body = response.json()
    assert message in "".join(body["errors"][field]), body
    assert field in body["detail"] and message in body["detail"]


LISTS = ["/orgs", "/people", "/activities", "/recruitment", "/committees", "/dues/month"]


@pytest.mark.parametrize("path", LISTS)
def test_an_offset_past_2_63_is_422(admin, path):
    refused(admin.get(path, {"offset": 2**63}), "offset", "不能大于1000000")
    refused(admin.get(path, {"offset": 2**64 + 5}), "offset", "不能大于1000000")
    refused(admin.get(path, {"offset": -1}), "offset", "不能小于0")


@pytest.mark.parametrize("path", LISTS)
def test_a_huge_or_negative_limit_is_422(admin, path):
    refused(admin.get(path, {"limit": 10**30}), "limit", "不能大于200")
    refused(admin.get(path, {"limit": -5}), "limit", "不能小于1")
    refused(admin.get(path, {"limit": "1e3"}), "limit", "应为整数")


@pytest.mark.parametrize("year", [999999, 0, -55486119, 1899, 2101])
def test_a_year_no_court_means_is_422(world, admin, member, year):
    zhao = world.people["zhao"].pk
    refused(member.get("/dues/mine", {"year": year}), "year", "不能")
    refused(member.get("/points/me", {"year": year}), "year", "不能")
    refused(admin.get(f"/points/people/{zhao}", {"year": year}), "year", "不能")
    refused(admin.get("/points", {"org": "BT", "year": year}), "year", "不能")
    refused(admin.get("/compliance", {"org": "BT", "year": year}), "year", "不能")


@pytest.mark.parametrize("month", ["0000-01", "9999-12", "2024-13", "2024-00"])
def test_a_month_no_court_means_is_422(admin, month):
    refused(
        admin.get("/people/birthdays", {"month": month}), "month", "月份应在1900-01至2100-12之间"
    )


@pytest.mark.parametrize(
    "path, field, params",
    [
        ("/activities", "start", {}),
        ("/activities", "end", {}),
        ("/committees", "on", {}),
        ("/orgs/BT-JY-B01/members", "on", {}),
        ("/compliance", "as_of", {"org": "BT"}),
    ],
)
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_day_out_of_range_in_a_filter_is_422(admin, path, field, params, day):
    response = admin.get(path, {**params, field: day})
    refused(response, field, "日期应在1900-01-01至2100-12-31之间")


@pytest.mark.parametrize("day", ["0", "1700000000", "20240301", "2024-03-01T10:00:00"])
def test_a_timestamp_is_not_read_as_a_day(admin, day):
    # Pydantic would read "0" as 1970-01-01: a filter that silently means something else.
    refused(admin.get("/activities", {"start": day}), "start", "日期格式应为 YYYY-MM-DD")


def test_a_day_out_of_range_in_a_body_is_422_and_writes_nothing(world, admin):
    before = Activity.objects.count()
    body = {"org": "BT-JY-B01", "kind": "branch_committee", "on": "9999-12-31"}
    refused(admin.send("post", "/activities", body), "on", "日期应在1900-01-01至2100-12-31之间")
    refused(admin.send("post", "/activities", {**body, "on": 0}), "on", "日期格式应为 YYYY-MM-DD")
    transfer = {"on": "9999-12-31", "department": "BT-JY-MS"}
    zhao = world.people["zhao"].pk
    refused(admin.send("post", f"/people/{zhao}/transfer", transfer), "on", "日期应在")
    assert Activity.objects.count() == before


def test_a_meeting_time_with_a_utc_offset_is_read_as_beijing_time(world, admin):
    body = {
        "org": "BT-JY-B01",
        "kind": "branch_committee",
        "on": "2024-03-28",
        "start_time": "01:00:00Z",
        "end_time": "10:30+08:00",
    }
    response = admin.send("post", "/activities", body)
    assert response.status_code == 201, response.content.decode()
    assert response.json()["start_time"] == "09:00:00"
    activity = Activity.objects.get(pk=response.json()["id"])
    assert (str(activity.start_time), str(activity.end_time)) == ("09:00:00", "10:30:00")


def test_a_time_given_as_a_number_is_422(admin):
    body = {"org": "BT-JY-B01", "kind": "branch_committee", "on": "2024-03-28", "start_time": 3600}
    refused(admin.send("post", "/activities", body), "start_time", "时间格式应为 HH:MM")


NUL = "\x00"


@pytest.mark.parametrize(
    "path, field",
    [
        ("/people", "q"),
        ("/orgs", "q"),
        ("/orgs", "parent"),
        ("/activities", "q"),
        ("/activities", "org"),
        ("/recruitment", "org"),
        ("/dues/month", "court"),
        ("/dues/month", "month"),
        ("/compliance", "org"),
    ],
)
def test_a_nul_byte_in_a_query_parameter_is_422(admin, path, field):
    refused(admin.get(path, {field: f"BT{NUL}"}), field, "不能包含空字符")


def test_a_nul_byte_in_a_parameter_name_is_422(admin):
    response = admin.get("/people", {f"q{NUL}": "x"})
    refused(response, "q", "不能包含空字符")


def test_a_nul_byte_in_a_path_is_422(admin):
    refused(admin.get(f"/orgs/BT{NUL}"), "code", "不能包含空字符")
    refused(admin.get(f"/committees/BT{NUL}"), "code", "不能包含空字符")


def test_a_nul_byte_in_a_json_body_is_422_naming_the_field_and_writes_nothing(world, admin):
    before = (Org.objects.count(), Activity.objects.count(), Person.objects.count())
    refused(
        admin.send(
            "post",
            "/orgs",
            {"code": "BT-B09", "name": f"第九{NUL}", "kind": "branch", "parent": "BT-JGDW"},
        ),
        "name",
        "不能包含空字符",
    )
    body = {"org": "BT-JY-B01", "kind": "branch_committee", "on": "2024-03-28"}
    refused(admin.send("post", "/activities", {**body, "title": NUL}), "title", "不能包含空字符")
    held = {"attendance": [{"employee_no": "JY0001", "status": "leave", "reason": f"出差{NUL}"}]}
    activity = admin.send("post", "/activities", body).json()["id"]
    refused(
        admin.send("post", f"/activities/{activity}/held", held),
        "attendance.0.reason",
        "不能包含空字符",
    )
    # A NUL in a key is refused as well as in a value.
    refused(admin.send("post", "/activities", {**body, f"ti{NUL}tle": "x"}), "title", "空字符")
    assert Org.objects.count() == before[0]
    assert Activity.objects.count() == before[1] + 1
    assert Person.objects.count() == before[2]


@pytest.mark.parametrize(
    "path, field, length, limit",
    [
        ("/people", "q", 101, 100),
        ("/activities", "q", 5_000, 100),
        ("/orgs", "parent", 41, 40),
        ("/dues/month", "month", 21, 20),
    ],
)
def test_an_overlong_query_string_is_422(admin, path, field, length, limit):
    refused(admin.get(path, {field: "张" * length}), field, f"不能超过{limit}个字符")


def test_an_overlong_body_field_is_422(admin):
    body = {"org": "BT-JY-B01", "kind": "branch_committee", "on": "2024-03-28"}
    refused(
        admin.send("post", "/activities", {**body, "agenda": "议" * 20_001}), "agenda", "不能超过"
    )
    refused(
        admin.send("post", "/activities", {**body, "host": "J" * 31}), "host", "不能超过30个字符"
    )


@pytest.mark.parametrize("number", [2**63, 2**64, 10**30, 0])
def test_an_id_no_row_can_have_is_422(world, admin, number):
    refused(admin.get(f"/people/{number}"), "person_id", "不能")
    refused(admin.get(f"/activities/{number}"), "activity_id", "不能")
    refused(admin.get(f"/recruitment/{number}"), "recruit_id", "不能")
    body = {"person_id": number, "month": "2024-01"}
    refused(admin.send("post", "/dues/payments", body), "person_id", "不能")
    refused(
        admin.send("post", "/dues/payments", {**body, "person_id": -number - 1}),
        "person_id",
        "不能",
    )


def test_a_head_count_past_any_party_is_422(world, admin):
    body = {
        "org": "BT-JY-B01",
        "held_on": "2024-03-01",
        "present": 2**63,
        "candidates": [{"employee_no": "JY0001", "votes": 2**40}],
    }
    response = admin.send("post", "/committees/elections", body)
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"present", "candidates.0.votes"}


def test_a_body_that_is_not_json_is_422(admin):
    refused(admin.send("post", "/activities", "{'org': 'BT'"), "body", "请求体不是有效的 JSON")
    refused(admin.send("post", "/activities", b"\xff\xfe"), "body", "请求体不是有效的 JSON")


def test_an_unknown_api_address_answers_json_404(admin):
    for path in ("/people/abc", "/activities/1.5", "/no-such-thing"):
        response = admin.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "不存在或不在您的范围内"}
