"""The activities API: list and detail, plan, edit, record as held, correct, cancel, who sees what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tianping.accounts.actions import do_create_user
from tianping.activities import actions
from tianping.activities.models import Activity, ActivitySource, Attendance
from tianping.audit.models import AuditEvent
from tianping.points.models import PointEntry, Trigger

from .conftest import ApiClient

MARCH = dt.date(2024, 3, 28)


def plan(world, code="BT-JY-B01", kind="branch_committee", on=MARCH, **fields):
    fields.setdefault("title", f"{on:%m}月{kind}")
    return actions.do_plan_activity(
        world.users["admin"], world.org(code), kind=kind, on=on, **fields
    )


def held(world, code="BT-JY-B01", kind="branch_committee", on=MARCH, **attendance):
    activity = plan(world, code, kind, on)
    people = {world.people[k].pk: v for k, v in attendance.items()}
    return actions.do_record_held(world.users["admin"], activity, attendance=people)


def titles(response):
    assert response.status_code == 200, response.content
    return [a["title"] for a in response.json()["items"]]


@pytest.fixture
def nobody(world):
    """A signed-in user with no grant: no capability at all."""
    client = ApiClient(Client())
    client.client.force_login(do_create_user(None, "nobody", password=None))
    return client


@pytest.fixture
def meetings(world):
    """Activities across the tree: ours in BT and BT-JY, and the outsider's in EH."""
    return {
        "b01": held(world, wang="present", zhao="absent"),
        "b02": plan(
            world, "BT-JY-B02", "branch_congress", dt.date(2024, 3, 29), title="二支部大会"
        ),
        "bt": plan(
            world,
            "BT-B01",
            "theme_day",
            dt.date(2024, 5, 10),
            title="中院主题党日",
            also_counts_as=["party_lecture"],
        ),
        "eh": plan(world, "EH-B01", on=dt.date(2024, 4, 2), title="鄂尔多斯支委会"),
    }


# ---------------------------------------------------------------------------------------
# Reading


def test_the_list_covers_the_scope_newest_first(session, meetings):
    assert titles(session("alice").get("/activities")) == [
        "中院主题党日",
        "二支部大会",
        "03月branch_committee",
    ]
    assert titles(session("bob").get("/activities")) == ["二支部大会", "03月branch_committee"]
    assert titles(session("carol").get("/activities")) == ["03月branch_committee"]
    assert titles(session("erin").get("/activities")) == [
        "中院主题党日",
        "二支部大会",
        "03月branch_committee",
    ]
    assert titles(session("oscar").get("/activities")) == ["鄂尔多斯支委会"]


def test_a_member_sees_only_the_activities_they_were_listed_in(session, meetings):
    dave = session("dave")
    assert titles(dave.get("/activities")) == ["03月branch_committee"]
    detail = dave.get(f"/activities/{meetings['b01'].pk}").json()
    # Only his own row: the rest of the branch is outside his scope.
    assert [(a["name"], a["status"]) for a in detail["attendance"]] == [("赵磊", "absent")]
    assert detail["unrecorded"] == []
    assert dave.get(f"/activities/{meetings['b02'].pk}").status_code == 404


def test_the_list_filters_by_org_kind_status_dates_and_title(session, meetings):
    alice = session("alice")
    assert titles(alice.get("/activities?org=BT-JY")) == ["二支部大会", "03月branch_committee"]
    assert titles(alice.get("/activities?org=BT-JY-JGDW&subtree=false")) == []
    assert titles(alice.get("/activities?org=BT-JY-B02&subtree=false")) == ["二支部大会"]
    assert titles(alice.get("/activities?status=held")) == ["03月branch_committee"]
    assert titles(alice.get("/activities?start=2024-03-29&end=2024-04-30")) == ["二支部大会"]
    assert titles(alice.get("/activities?q=大会")) == ["二支部大会"]
    # A 主题党日 held with a 党课 counts for both (R1.5).
    assert titles(alice.get("/activities?kind=party_lecture")) == ["中院主题党日"]


def test_bad_list_filters_are_422_in_chinese(session, meetings):
    alice = session("alice")
    r = alice.get("/activities?kind=meeting")
    assert r.status_code == 422
    assert r.json()["errors"]["kind"][0].startswith("取值无效，可选：branch_congress")
    assert alice.get("/activities?org=EH").json()["errors"] == {"org": ["找不到代码为“EH”的组织"]}
    assert alice.get("/activities?start=2024-13-01").status_code == 422


def test_the_list_pages_with_counts_of_attendance(session, meetings):
    first = session("alice").get("/activities?limit=1").json()
    assert first["count"] == 3 and len(first["items"]) == 1
    last = session("alice").get("/activities?limit=1&offset=2").json()
    assert last["items"][0]["attendance_counts"] == {"present": 1, "leave": 0, "absent": 1}
    assert last["items"][0]["kind_name"] == "支部委员会会议"


def test_the_list_reads_a_constant_number_of_queries_however_long_it_is(world, session):
    alice = session("alice")
    held(world, wang="present", zhao="absent")
    with CaptureQueriesContext(connection) as one:
        assert alice.get("/activities").status_code == 200
    for month in range(4, 10):
        held(world, on=dt.date(2024, month, 20), wang="present", zhao="leave")
    with CaptureQueriesContext(connection) as seven:
        assert len(alice.get("/activities").json()["items"]) == 7
    assert len(seven) == len(one)


def test_the_detail_lists_attendance_and_the_members_not_yet_recorded(world, session, meetings):
    carol = session("carol")
    detail = carol.get(f"/activities/{meetings['b01'].pk}").json()
    assert detail["status"] == "held" and detail["status_name"] == "已召开"
    assert [
        (a["employee_no"], a["name"], a["status"], a["role"]) for a in detail["attendance"]
    ] == [("JY0001", "王芳", "present", "participant"), ("JY0002", "赵磊", "absent", "participant")]
    planned = plan(world, title="四月支委会", on=dt.date(2024, 4, 25))
    detail = carol.get(f"/activities/{planned.pk}").json()
    # Expected: the branch's members as of the activity's date (placement history).
    assert [p["name"] for p in detail["unrecorded"]] == ["王芳", "赵磊"]
    assert detail["attendance"] == []


def test_reading_needs_activities_view(world, session, nobody, meetings):
    pk = meetings["b01"].pk
    assert nobody.get("/activities").status_code == 403
    assert nobody.get(f"/activities/{pk}").json() == {"detail": "无权执行此操作"}
    assert session(None).get("/activities").status_code == 401
    assert session(None).get(f"/activities/{pk}").status_code == 401


def test_the_outsider_gets_404_on_our_activities(session, meetings):
    oscar = session("oscar")
    pk = meetings["b01"].pk
    assert oscar.get(f"/activities/{pk}").status_code == 404
    assert oscar.patch(f"/activities/{pk}", {"title": "x"}).status_code == 404
    assert oscar.post(f"/activities/{pk}/held", {}).status_code == 404
    body = {"employee_no": "JY0001", "status": "leave"}
    assert oscar.post(f"/activities/{pk}/attendance", body).status_code == 404
    assert oscar.post(f"/activities/{pk}/cancel", {"reason": "x"}).status_code == 404
    assert Activity.objects.get(pk=pk).status == "held"


# ---------------------------------------------------------------------------------------
# Planning and editing


def test_a_secretary_plans_an_activity_and_it_is_audited(world, session):
    r = session("carol").post(
        "/activities",
        {
            "org": "BT-JY-B01",
            "kind": "party_lecture",
            "title": "学习党章专题党课",
            "on": "2024-06-20",
            "start_time": "14:30",
            "end_time": "16:00",
            "location": "三楼会议室",
            "agenda": "一、学习党章",
            "host": "jy0001",
            "recorder": "JY0002",
            "lecturer": "BT0001",
            "also_counts_as": ["theme_day"],
        },
    )
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["status"] == "planned" and data["source"] == "api"
    assert data["host"]["name"] == "王芳" and data["recorder"]["name"] == "赵磊"
    # A lecturer may come from the court above the branch's court.
    assert data["lecturer"] == {
        "id": world.people["zhang"].pk,
        "employee_no": "BT0001",
        "name": "张华庆",
    }
    assert data["also_counts_as"] == ["theme_day"]
    activity = Activity.objects.get(pk=data["id"])
    assert activity.source == ActivitySource.API and activity.start_time == dt.time(14, 30)
    event = AuditEvent.objects.get(action="activities.plan", object_id=str(activity.pk))
    assert event.user == world.users["carol"]


def test_a_plan_without_a_title_is_named_after_its_month_and_kind(session):
    r = session("carol").post(
        "/activities", {"org": "BT-JY-B01", "kind": "theme_day", "on": "2024-07-01"}
    )
    assert r.status_code == 201
    assert r.json()["title"] == "2024年7月主题党日"


def test_planning_errors_are_422_beside_their_fields_and_write_nothing(session):
    carol = session("carol")
    r = carol.post(
        "/activities",
        {"org": "BT-JY-B01", "kind": "branch_committee", "on": "2024-07-01", "host": "NOPE"},
    )
    assert r.status_code == 422
    assert r.json()["errors"] == {"host": ["找不到工号为“NOPE”的人员"]}
    r = carol.post(
        "/activities", {"org": "BT-JY-B01-G1", "kind": "branch_committee", "on": "2024-07-01"}
    )
    assert r.json()["errors"] == {"kind": ["党小组不能开展“支部委员会会议”"]}
    r = carol.post(
        "/activities",
        {
            "org": "BT-JY-B01",
            "kind": "branch_committee",
            "on": "2024-07-01",
            "also_counts_as": ["party_lecture"],
        },
    )
    assert r.json()["errors"] == {"also_counts_as": ["“支部委员会会议”不能同时计为党课"]}
    # An organisation outside the secretary's branch reads as unknown.
    r = carol.post("/activities", {"org": "BT-JY-B02", "kind": "theme_day", "on": "2024-07-01"})
    assert r.json()["errors"] == {"org": ["找不到代码为“BT-JY-B02”的组织"]}
    r = carol.post("/activities", {"org": "BT-JY-B01", "kind": "meeting", "on": "someday"})
    assert set(r.json()["errors"]) == {"kind", "on"}
    assert not Activity.objects.exists()


def test_planning_needs_activities_record(world, session, bearer):
    body = {"org": "BT-JY-B01", "kind": "theme_day", "on": "2024-07-01"}
    for name in ("erin", "dave"):
        r = session(name).post("/activities", body)
        assert r.status_code == 403, name
    assert session(None).post("/activities", body).status_code == 401
    assert not Activity.objects.exists()
    # A token acts as its user.
    r = bearer("carol").post("/activities", body)
    assert r.status_code == 201
    assert Activity.objects.get().created_by == world.users["carol"]


def test_a_patch_changes_only_what_was_sent_and_is_audited(world, session):
    activity = plan(
        world,
        title="五月支委会",
        on=dt.date(2024, 5, 20),
        location="二楼",
        host=world.people["wang"],
    )
    carol = session("carol")
    r = carol.patch(f"/activities/{activity.pk}", {"title": "五月支委会（改）", "host": None})
    assert r.status_code == 200, r.content
    data = r.json()
    assert (data["title"], data["location"], data["host"]) == ("五月支委会（改）", "二楼", None)
    event = AuditEvent.objects.get(action="activities.update", object_id=str(activity.pk))
    assert event.before["title"] == "五月支委会" and event.after["title"] == "五月支委会（改）"
    # A PATCH that changes nothing leaves no audit row behind.
    carol.patch(f"/activities/{activity.pk}", {"location": "二楼"})
    assert AuditEvent.objects.filter(action="activities.update").count() == 1


def test_a_patch_refuses_blank_required_fields_and_cancelled_activities(world, session):
    activity = plan(world)
    carol = session("carol")
    r = carol.patch(f"/activities/{activity.pk}", {"kind": None, "title": ""})
    assert r.status_code == 422
    assert set(r.json()["errors"]) == {"kind", "title"}
    actions.do_cancel(world.users["carol"], activity, "改期")
    r = carol.patch(f"/activities/{activity.pk}", {"title": "新标题"})
    assert r.json()["errors"] == {"status": ["已取消的活动不能修改"]}
    assert session("erin").patch(f"/activities/{activity.pk}", {"title": "x"}).status_code == 403


# ---------------------------------------------------------------------------------------
# Recording as held, correcting, cancelling


def test_recording_held_posts_points_and_an_audit_row_R4_1(world, session):
    activity = plan(world)
    r = session("carol").post(
        f"/activities/{activity.pk}/held",
        {
            "summary": "研究发展党员工作",
            "hours": "1.5",
            "attendance": [
                {"employee_no": "JY0001", "status": "present"},
                {"employee_no": "jy0002", "status": "absent", "role": "recorder"},
            ],
        },
    )
    assert r.status_code == 200, r.content
    data = r.json()
    assert (data["status"], data["summary"], data["hours"]) == ("held", "研究发展党员工作", 1.5)
    assert data["attendance_counts"] == {"present": 1, "leave": 0, "absent": 1}
    assert [(a["name"], a["role"]) for a in data["attendance"]] == [
        ("王芳", "participant"),
        ("赵磊", "recorder"),
    ]
    wang = PointEntry.objects.get(person=world.people["wang"])
    zhao = PointEntry.objects.get(person=world.people["zhao"])
    assert (wang.trigger, wang.points, wang.activity_id) == (
        Trigger.ATTEND_ORG_LIFE,
        Decimal("1"),
        activity.pk,
    )
    assert (zhao.trigger, zhao.points) == (Trigger.UNEXCUSED_ABSENCE, Decimal("-2"))
    assert wang.created_by == world.users["carol"]
    event = AuditEvent.objects.get(action="activities.held", object_id=str(activity.pk))
    assert event.user == world.users["carol"]
    assert event.after["attendance"] == {"王芳": "出席", "赵磊": "缺席（记录）"}


def test_only_the_rows_sent_are_recorded_so_two_secretaries_lose_nothing(world, session):
    activity = plan(world)
    first, second = session("carol"), session("bob")
    first.post(
        f"/activities/{activity.pk}/held",
        {"attendance": [{"employee_no": "JY0001", "status": "present"}]},
    )
    second.post(
        f"/activities/{activity.pk}/held",
        {"attendance": [{"employee_no": "JY0002", "status": "leave"}]},
    )
    rows = Attendance.objects.filter(activity=activity).order_by("person__employee_no")
    assert [(a.person.name, a.status) for a in rows] == [("王芳", "present"), ("赵磊", "leave")]
    assert PointEntry.objects.filter(person=world.people["wang"]).count() == 1


def test_recording_held_names_every_bad_row_and_writes_nothing(world, session):
    activity = plan(world)
    r = session("carol").post(
        f"/activities/{activity.pk}/held",
        {
            "attendance": [
                {"employee_no": "JY0001", "status": "present"},
                {"employee_no": "JY9999", "status": "present"},
                {"employee_no": "JY0001", "status": "absent"},
                {"employee_no": "JY0002", "status": "sleeping"},
            ]
        },
    )
    assert r.status_code == 422
    assert set(r.json()["errors"]) == {"attendance.3.status"}
    r = session("carol").post(
        f"/activities/{activity.pk}/held",
        {
            "attendance": [
                {"employee_no": "JY0001", "status": "present"},
                {"employee_no": "JY9999", "status": "present"},
                {"employee_no": "JY0001", "status": "absent"},
            ]
        },
    )
    assert r.json()["errors"] == {
        "attendance.1.employee_no": ["找不到工号为“JY9999”的人员"],
        "attendance.2.employee_no": ["工号“JY0001”重复"],
    }
    activity.refresh_from_db()
    assert activity.status == "planned"
    assert not Attendance.objects.exists() and not PointEntry.objects.exists()


def test_a_future_or_cancelled_activity_cannot_be_recorded_as_held(world, session):
    future = plan(world, on=dt.date(2999, 1, 1))
    r = session("carol").post(f"/activities/{future.pk}/held", {})
    assert r.status_code == 422 and "on" in r.json()["errors"]
    cancelled = plan(world)
    actions.do_cancel(world.users["carol"], cancelled, "改期")
    r = session("carol").post(f"/activities/{cancelled.pk}/held", {})
    assert r.json()["errors"] == {"status": ["已取消的活动不能记录为已召开"]}


def test_recording_held_needs_activities_record(world, session):
    activity = plan(world)
    body = {"attendance": [{"employee_no": "JY0001", "status": "present"}]}
    assert session("erin").post(f"/activities/{activity.pk}/held", body).status_code == 403
    assert session("dave").post(f"/activities/{activity.pk}/held", body).status_code == 403
    assert session(None).post(f"/activities/{activity.pk}/held", body).status_code == 401
    assert not Attendance.objects.exists()


def test_a_correction_posts_a_reversing_entry_R4_3(world, session):
    activity = held(world, wang="present", zhao="absent")
    r = session("carol").post(
        f"/activities/{activity.pk}/attendance", {"employee_no": "JY0002", "status": "leave"}
    )
    assert r.status_code == 200, r.content
    assert [(a["name"], a["status"]) for a in r.json()["attendance"]] == [
        ("王芳", "present"),
        ("赵磊", "leave"),
    ]
    entries = list(PointEntry.objects.filter(person=world.people["zhao"]).order_by("id"))
    assert [e.points for e in entries] == [Decimal("-2"), Decimal("2")]
    assert entries[1].reverses == entries[0]
    event = AuditEvent.objects.get(action="activities.attendance", object_id=str(activity.pk))
    assert event.user == world.users["carol"]
    assert (event.before["attendance"], event.after["attendance"]) == (
        {"赵磊": "缺席"},
        {"赵磊": "请假"},
    )


def test_a_correction_names_someone_on_the_list_of_a_held_activity(world, session):
    activity = held(world, wang="present")
    carol = session("carol")
    url = f"/activities/{activity.pk}/attendance"
    r = carol.post(url, {"employee_no": "JY0404", "status": "leave"})
    assert r.json()["errors"] == {"employee_no": ["找不到工号为“JY0404”的人员"]}
    # 孙丽 is of the second branch: neither expected at this meeting nor recorded.
    r = carol.post(url, {"employee_no": "JY0003", "status": "present"})
    assert r.status_code == 422 and "孙丽不在该活动的出勤名单中" in r.json()["detail"]
    planned = plan(world, on=dt.date(2024, 4, 25))
    r = carol.post(
        f"/activities/{planned.pk}/attendance", {"employee_no": "JY0001", "status": "present"}
    )
    assert r.json()["errors"] == {"status": ["只有已召开的活动才能更正出勤"]}
    assert (
        session("erin").post(url, {"employee_no": "JY0001", "status": "leave"}).status_code == 403
    )
    assert session(None).post(url, {"employee_no": "JY0001", "status": "leave"}).status_code == 401
    assert Attendance.objects.get(person=world.people["wang"]).status == "present"


def test_a_cancelled_activity_counts_for_nothing_and_its_points_are_reversed(world, session):
    activity = held(world, wang="present")
    carol = session("carol")
    r = carol.post(f"/activities/{activity.pk}/cancel", {"reason": "  会议改期  "})
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["cancel_reason"]) == ("cancelled", "会议改期")
    assert sum(e.points for e in PointEntry.objects.filter(person=world.people["wang"])) == 0
    assert AuditEvent.objects.filter(
        action="activities.cancel", object_id=str(activity.pk)
    ).exists()
    r = carol.post(f"/activities/{activity.pk}/cancel", {"reason": "再次取消"})
    assert r.json()["errors"] == {"status": ["该活动已取消"]}


def test_cancelling_needs_a_reason_and_activities_record(world, session):
    activity = plan(world)
    carol = session("carol")
    r = carol.post(f"/activities/{activity.pk}/cancel", {"reason": "   "})
    assert r.json()["errors"] == {"reason": ["请填写取消原因"]}
    assert carol.post(f"/activities/{activity.pk}/cancel", {}).json()["errors"] == {
        "reason": ["此项必填"]
    }
    assert (
        session("erin").post(f"/activities/{activity.pk}/cancel", {"reason": "x"}).status_code
        == 403
    )
    assert (
        session(None).post(f"/activities/{activity.pk}/cancel", {"reason": "x"}).status_code == 401
    )
    activity.refresh_from_db()
    assert activity.status == "planned"


def test_the_attendance_carries_its_reason_and_make_up_study(world, session):
    activity = plan(world)
    carol = session("carol")
    r = carol.post(
        f"/activities/{activity.pk}/held",
        {
            "attendance": [
                {"employee_no": "JY0001", "status": "present", "reason": "出差"},
                {"employee_no": "JY0002", "status": "leave", "reason": "出差"},
            ]
        },
    )
    assert r.status_code == 200, r.content
    assert [(a["name"], a["reason"]) for a in r.json()["attendance"]] == [
        ("王芳", ""),  # a reason belongs to a leave or an absence
        ("赵磊", "出差"),
    ]
    actions.do_record_makeup(
        world.users["carol"],
        activity,
        world.people["zhao"],
        on=dt.date(2024, 4, 2),
        method="补看录像",
    )
    r = carol.post(
        f"/activities/{activity.pk}/attendance",
        {"employee_no": "JY0002", "status": "absent"},
    )
    zhao = r.json()["attendance"][1]
    assert (zhao["status"], zhao["reason"], zhao["makeup_on"], zhao["makeup_method"]) == (
        "absent",
        "出差",  # kept when the correction does not name one
        "2024-04-02",
        "补看录像",
    )
    r = carol.post(
        f"/activities/{activity.pk}/attendance",
        {"employee_no": "JY0002", "status": "absent", "reason": "未请假"},
    )
    assert r.json()["attendance"][1]["reason"] == "未请假"
    detail = session("dave").get(f"/activities/{activity.pk}").json()
    assert [(a["name"], a["makeup_method"]) for a in detail["attendance"]] == [("赵磊", "补看录像")]
