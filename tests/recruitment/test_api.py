"""The recruitment API: files listed and read in scope, a file opened, steps recorded or refused."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from tianping.recruitment.models import Recruit, Stage, StepKind

from .factories import TIMELINE, applicant, open_file, record, to_activist

D = dt.date


@pytest.fixture
def api(world: Any, settings: Any) -> Any:
    """`api("carol").get("/recruitment")`: JSON calls as a persona, on /api/v1 once mounted there."""
    base = "/api/v1"

    class Caller:
        def __init__(self, name: str) -> None:
            self.client = world.client(name)

        def get(self, path: str) -> Any:
            return self.client.get(base + path)

        def post(self, path: str, body: dict[str, Any]) -> Any:
            return self.client.post(
                base + path, json.dumps(body, ensure_ascii=False), content_type="application/json"
            )

    return Caller


def test_files_are_listed_in_scope(world, api):
    mine = open_file(world, applicant(world), D(2023, 3, 1))
    r = api("carol").get("/recruitment")
    assert r.status_code == 200
    data = r.json()
    assert data["count"] == 1
    item = data["items"][0]
    assert item["id"] == mine.pk
    assert item["person"] == {"id": mine.person_id, "employee_no": "JY0101", "name": "钱学敏"}
    assert item["branch"] == {"code": "BT-JY-B01", "name": "第一党支部"}
    assert (item["stage"], item["stage_name"]) == ("applicant", "入党申请人")
    assert item["applied_on"] == "2023-03-01"
    assert api("oscar").get("/recruitment").json() == {"count": 0, "items": []}
    assert api("carol").get("/recruitment?stage=activist").json()["count"] == 0
    assert api("bob").get("/recruitment?org=BT-JY-B01").json()["count"] == 1


def test_a_file_reads_with_its_steps_and_what_is_next(world, api):
    recruit = to_activist(world, open_file(world, applicant(world), TIMELINE["applied"]))
    r = api("carol").get(f"/recruitment/{recruit.pk}")
    assert r.status_code == 200
    data = r.json()
    assert [s["kind"] for s in data["steps"]] == ["application", "talk", "activist"]
    activist = data["steps"][2]
    assert activist["people"] == [
        {
            "person": {"id": world.people["wang"].pk, "employee_no": "JY0001", "name": "王芳"},
            "role": "contact",
            "role_name": "培养联系人",
        }
    ]
    assert [p["name"] for p in data["contacts"]] == ["王芳"]
    candidate = next(n for n in data["next_steps"] if n["kind"] == "candidate")
    assert candidate["possible_on"] == "2023-04-01"
    assert (
        "发展对象公示5个工作日（《中国共产党发展党员工作细则》关于公示的规定）"
        in candidate["waiting_for"]
    )
    assert api("oscar").get(f"/recruitment/{recruit.pk}").status_code == 404


def test_a_member_reads_only_their_own_file(world, api):
    from tianping.people.actions import do_update_person

    zhao = world.people["zhao"]
    do_update_person(None, zhao, political_status="masses")
    own = open_file(world, zhao, D(2023, 3, 1))
    other = open_file(world, applicant(world), D(2023, 3, 1))
    dave = api("dave")
    assert [i["id"] for i in dave.get("/recruitment").json()["items"]] == [own.pk]
    assert dave.get(f"/recruitment/{own.pk}").status_code == 200
    assert dave.get(f"/recruitment/{other.pk}").status_code == 404


def test_a_step_is_recorded_and_the_file_answers(world, api):
    recruit = open_file(world, applicant(world), D(2023, 3, 1))
    r = api("carol").post(
        f"/recruitment/{recruit.pk}/steps", {"kind": "talk", "on": "2023-04-02", "note": "谈话"}
    )
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["step"]["kind"] == "talk"
    assert data["step"]["flags"][0]["rule"] == "R2.2"
    assert data["file"]["talked_on"] == "2023-04-02"
    r = api("carol").post(
        f"/recruitment/{recruit.pk}/steps",
        {"kind": "activist", "on": "2023-04-20", "people": ["JY0001"]},
    )
    assert r.status_code == 201, r.content
    assert r.json()["file"]["stage"] == "activist"


def test_a_refused_step_answers_422_with_the_rule_and_the_date(world, api):
    recruit = to_activist(world, open_file(world, applicant(world), TIMELINE["applied"]))
    record(world, recruit, StepKind.ASSESSMENT, D(2022, 10, 1))
    record(world, recruit, StepKind.CANDIDATE_NOTICE, D(2023, 1, 9), ends_on=D(2023, 1, 13))
    r = api("carol").post(
        f"/recruitment/{recruit.pk}/steps", {"kind": "candidate", "on": "2023-02-01"}
    )
    assert r.status_code == 422
    data = r.json()
    assert data["possible_on"] == "2023-04-01"
    assert [(x["rule"], x["field"], x["possible_on"]) for x in data["refusals"]] == [
        ("R2.4", "on", "2023-04-01")
    ]
    assert data["errors"]["on"][0].startswith(
        "《中国共产党发展党员工作细则》第十三条：入党积极分子经过1年以上培养考察"
    )
    assert data["detail"] == data["errors"]["on"][0]
    assert Recruit.objects.get(pk=recruit.pk).stage == Stage.ACTIVIST


def test_plain_input_errors_answer_422_in_chinese(world, api):
    recruit = open_file(world, applicant(world), D(2023, 3, 1))
    r = api("carol").post(
        f"/recruitment/{recruit.pk}/steps",
        {"kind": "activist", "on": "2023-04-20", "people": ["JY0999"]},
    )
    assert r.status_code == 422
    assert r.json()["errors"] == {"people": ["九原区人民法院花名册中没有工号：JY0999"]}
    r = api("carol").post(f"/recruitment/{recruit.pk}/steps", {"kind": "nonsense", "on": "x"})
    assert r.status_code == 422


def test_a_file_is_opened_by_employee_number_and_age_is_checked(world, api):
    # The court's party office finds anyone in the court; a secretary only her branch
    # (tests/security/test_recruitment_lookup.py).
    r = api("bob").post(
        "/recruitment", {"branch": "BT-JY-B01", "employee_no": "jy0004", "applied_on": "2023-03-01"}
    )
    assert r.status_code == 201, r.content
    assert r.json()["person"]["name"] == "周强"
    applicant(world, no="JY0105", name="少年", birth=D(2005, 5, 10))
    r = api("bob").post(
        "/recruitment", {"branch": "BT-JY-B01", "employee_no": "JY0105", "applied_on": "2023-05-09"}
    )
    assert r.status_code == 422
    assert r.json()["refusals"][0]["rule"] == "R2.1"
    assert r.json()["possible_on"] == "2023-05-10"


def test_reading_is_not_managing(world, api):
    recruit = open_file(world, applicant(world), D(2023, 3, 1))
    r = api("erin").post(f"/recruitment/{recruit.pk}/steps", {"kind": "talk", "on": "2023-03-02"})
    assert r.status_code == 403
    assert (
        api("oscar")
        .post(f"/recruitment/{recruit.pk}/steps", {"kind": "talk", "on": "2023-03-02"})
        .status_code
        == 403
    )


def test_what_falls_due_is_listed(world, api):
    from django.utils import timezone

    today = timezone.localdate()
    open_file(world, applicant(world), today - dt.timedelta(days=5))
    data = api("carol").get("/recruitment/due").json()
    assert data["count"] == 1
    due = data["items"][0]
    assert due["rule"] == "R2.2" and due["deadline"] is True and due["overdue"] is False
    assert due["sentence"].startswith("钱学敏：递交申请后1个月内应谈话，截止")
    assert api("oscar").get("/recruitment/due").json()["count"] == 0
