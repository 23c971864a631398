"""The training API under /api/v1/learning: classes, sessions, enrolments and a person's hours,
scoped like the pages, with bounded inputs (422, never 500)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.api.conftest import ApiClient
from tianping.learning.models import TrainingClass

from .factories import business_class, held_session

pytestmark = pytest.mark.django_db
D = dt.date


def api(world, name: str) -> ApiClient:
    return ApiClient(world.client(name))


NEW_CLASS = {
    "organiser": "BT-JY",
    "name": "2024年书记员技能培训班",
    "kind": "business",
    "starts_on": "2024-05-06",
    "ends_on": "2024-05-07",
    "courses": [
        {"title": "速录技能", "hours": "8.5", "category": "skill"},
        {"title": "党纪学习教育", "hours": "1.5", "category": "political"},
    ],
}


def test_an_officer_creates_a_class_with_its_plan_and_sees_its_share(world):
    response = api(world, "bob").post("/learning/classes", NEW_CLASS)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "2024-001" and body["court"]["code"] == "BT-JY"
    assert body["political_share"]["share"] == 0.15 and body["political_share"]["below"]


def test_a_member_cannot_create_a_class_through_the_api(world):
    assert api(world, "dave").post("/learning/classes", NEW_CLASS).status_code == 403
    assert not TrainingClass.objects.exists()


def test_bad_inputs_are_422_not_500(world):
    client = api(world, "bob")
    assert (
        client.post("/learning/classes", {**NEW_CLASS, "starts_on": "2024-13-40"}).status_code
        == 422
    )
    assert (
        client.post("/learning/classes", {**NEW_CLASS, "ends_on": "2024-05-01"}).status_code == 422
    )
    bad_hours = {**NEW_CLASS, "courses": [{"title": "x", "hours": "1e9", "category": "skill"}]}
    assert client.post("/learning/classes", bad_hours).status_code == 422
    assert client.get("/learning/classes?year=99999").status_code == 422
    assert client.get("/learning/hours/99999999999999999999").status_code in (404, 422)


def test_sessions_enrolments_and_hours_through_the_api(world):
    wang, zhao = world.people["wang"], world.people["zhao"]
    tc = business_class(world)
    client = api(world, "bob")
    enrolled = client.post(f"/learning/classes/{tc.pk}/enrolments", {"employee_nos": ["JY0001"]})
    assert enrolled.status_code == 201 and [e["person"]["name"] for e in enrolled.json()] == [
        "王芳"
    ]
    by_rule = client.post(f"/learning/classes/{tc.pk}/enrolments", {"rule": "clerk"})
    assert {e["enrolled_by_rule"] for e in by_rule.json()} == {"", "九原区人民法院全部书记员"}
    course = tc.courses.get(title="习近平法治思想专题")
    made = client.post(
        f"/learning/classes/{tc.pk}/sessions", {"on": "2024-03-06", "course_id": course.pk}
    )
    assert made.status_code == 201 and made.json()["hours"] == "2.0"
    held_session(tc, D(2024, 3, 4), {wang.pk: "present", zhao.pk: "leave"}, "民法典合同编疑难问题")
    sessions = client.get(f"/learning/classes/{tc.pk}/sessions").json()
    assert len(sessions) == 2
    hours = client.get(f"/learning/hours/{wang.pk}?year=2024").json()
    assert hours["hours"]["total"] == "8.0" and hours["by_class"][0]["class_id"] == tc.pk
    assert client.get(f"/learning/hours/{zhao.pk}?year=2024").json()["hours"]["total"] == "0.0"


def test_the_api_is_scoped_like_the_pages(world):
    tc = business_class(world)
    assert api(world, "oscar").get(f"/learning/classes/{tc.pk}").status_code == 404
    assert api(world, "oscar").get("/learning/classes").json()["count"] == 0
    assert api(world, "oscar").get(f"/learning/hours/{world.people['wang'].pk}").status_code == 404
    assert api(world, "alice").get("/learning/classes").json()["count"] == 1


def test_results_certificates_and_feedback_through_the_api(world):
    wang, zhao = world.people["wang"], world.people["zhao"]
    tc = business_class(world)
    officer = api(world, "bob")
    officer.post(f"/learning/classes/{tc.pk}/enrolments", {"employee_nos": ["JY0001"]})
    held_session(
        tc, D(2024, 3, 4), {wang.pk: "present", zhao.pk: "present"}, "民法典合同编疑难问题"
    )
    e_wang = tc.enrolments.get(person=wang)
    e_zhao, _ = tc.enrolments.get_or_create(person=zhao)
    # Not yet passed: no certificate (422, nothing stored).
    refused = officer.post(f"/learning/enrolments/{e_wang.pk}/certificate")
    assert refused.status_code == 422 and not tc.enrolments.get(person=wang).certificate_code
    set_result = officer.patch(
        f"/learning/enrolments/{e_wang.pk}/result", {"result": "passed", "grade": "优秀"}
    )
    assert set_result.status_code == 200, set_result.content
    assert (set_result.json()["result"], set_result.json()["grade"]) == ("passed", "优秀")
    issued = officer.post(f"/learning/enrolments/{e_wang.pk}/certificate")
    assert issued.status_code == 201 and issued.json()["hours"]["total"] == "8.0"
    code = issued.json()["code"]
    listed = officer.get(f"/learning/classes/{tc.pk}/certificates").json()
    assert [c["code"] for c in listed] == [code]
    assert officer.get(f"/learning/enrolments/{e_wang.pk}/certificate").json()["code"] == code
    assert officer.get(f"/learning/enrolments/{e_zhao.pk}/certificate").status_code == 404
    # Feedback: only the participant themself, only after attending; read aggregated.
    member = api(world, "dave")  # 赵磊
    assert member.post(f"/learning/enrolments/{e_wang.pk}/feedback", {"rating": 5}).status_code in (
        403,
        404,
    )
    given = member.post(
        f"/learning/enrolments/{e_zhao.pk}/feedback", {"rating": 4, "comment": "案例很实用"}
    )
    assert given.status_code == 200, given.content
    assert member.get(f"/learning/classes/{tc.pk}/feedback").status_code == 403
    summary = officer.get(f"/learning/classes/{tc.pk}/feedback").json()
    assert (summary["count"], summary["attended"], summary["average"]) == (1, 2, 4.0)
    assert summary["by_rating"]["4"] == 1 and summary["comments"] == ["案例很实用"]
    assert "赵磊" not in str(summary)
    # Bounded inputs: 422, never 500; the actions audited every write.
    assert (
        officer.patch(f"/learning/enrolments/{e_wang.pk}/result", {"result": "x"}).status_code
        == 422
    )
    assert (
        officer.patch(
            f"/learning/enrolments/{e_wang.pk}/result", {"result": "passed", "grade": "9" * 21}
        ).status_code
        == 422
    )
    assert (
        member.post(f"/learning/enrolments/{e_zhao.pk}/feedback", {"rating": 6}).status_code == 422
    )
    from tianping.audit.models import AuditEvent

    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"learning.result", "learning.certificate", "learning.feedback"} <= actions


def test_feedback_before_attending_is_refused(world):
    tc = business_class(world)
    zhao = world.people["zhao"]
    e = tc.enrolments.create(person=zhao)
    answer = api(world, "dave").post(f"/learning/enrolments/{e.pk}/feedback", {"rating": 5})
    assert answer.status_code == 422
    assert not hasattr(tc.enrolments.get(pk=e.pk), "feedback")
