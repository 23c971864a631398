"""Recording an activity through the pages: plan, record as held, correct, cancel, 补录 (R1.5, R4)."""

import datetime as dt
from decimal import Decimal

import pytest

from tianping.accounts import scoping
from tianping.accounts.models import Role
from tianping.activities import actions
from tianping.activities.models import Activity, ActivityStatus, Attendance
from tianping.audit.models import AuditEvent
from tianping.people.actions import do_create_person, do_transfer
from tianping.people.models import PoliticalStatus
from tianping.points.models import PointEntry

VIEW, RECORD = "activities.view", "activities.record"


@pytest.fixture(autouse=True)
def activity_capabilities(monkeypatch):
    # The capabilities these pages declare, granted here as accounts.scoping will grant them.
    for role in (
        Role.PLATFORM_ADMIN,
        Role.POLITICAL_DEPT,
        Role.PARTY_OFFICE,
        Role.BRANCH_SECRETARY,
    ):
        monkeypatch.setitem(scoping.CAPABILITIES, role, scoping.CAPABILITIES[role] | {VIEW, RECORD})
    for role in (Role.LEADER, Role.MEMBER):
        monkeypatch.setitem(scoping.CAPABILITIES, role, scoping.CAPABILITIES[role] | {VIEW})


def grid_post(statuses, was=None, **fields):
    """A record-page POST: each person's chosen status beside the value the page showed."""
    was = was or {}
    data = {"summary_was": "", "hours_was": "", "external_audience_was": "", **fields}
    for person, status in statuses.items():
        data[f"was-{person.pk}"] = was.get(person, "")
        if status:
            data[f"status-{person.pk}"] = status
    return data


def points_of(person):
    return sum((e.points for e in PointEntry.objects.filter(person=person)), Decimal("0"))


def plan_committee(world, on=dt.date(2024, 3, 28), code="BT-JY-B01"):
    return actions.do_plan_activity(
        world.users["carol"], world.org(code), kind="branch_committee", title="支委会", on=on
    )


def test_a_secretary_plans_then_records_held_and_points_follow_R4_1(world):
    wang, zhao = world.people["wang"], world.people["zhao"]
    client = world.client("carol")
    response = client.post(
        "/activities/plan/",
        {
            "org": "BT-JY-B01",
            "kind": "branch_committee",
            "title": "三月支委会",
            "on": "2024-03-28",
            "location": "三楼会议室",
            "agenda": "一、学习传达；二、研究发展党员",
            "host": wang.pk,
            "recorder_no": "jy0002",
        },
    )
    activity = Activity.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/activities/{activity.pk}/"
    assert activity.status == ActivityStatus.PLANNED
    assert (activity.host, activity.recorder, activity.location) == (wang, zhao, "三楼会议室")
    assert not PointEntry.objects.exists()

    grid = client.get(f"/activities/{activity.pk}/record/").content.decode()
    assert f'name="was-{wang.pk}" value=""' in grid and "全部出席" in grid
    response = client.post(
        f"/activities/{activity.pk}/record/",
        grid_post(
            {wang: "present", zhao: "absent"}, summary="会议研究了发展党员工作。", hours="1.5"
        ),
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.HELD and activity.summary == "会议研究了发展党员工作。"
    stored = {a.person: (a.status, a.hours) for a in Attendance.objects.filter(activity=activity)}
    assert stored == {wang: ("present", Decimal("1.5")), zhao: ("absent", None)}
    assert points_of(wang) == Decimal("1") and points_of(zhao) == Decimal("-2")
    page = client.get(f"/activities/{activity.pk}/?tab=attendance").content.decode()
    assert '出席 <strong class="ok">1</strong>' in page


def test_a_meeting_planned_with_its_times_takes_its_hours_from_them(world):
    client = world.client("carol")
    client.post(
        "/activities/plan/",
        {
            "org": "BT-JY-B01",
            "kind": "branch_committee",
            "on": "2024-03-28",
            "start_time": "14:30",
            "end_time": "16:00",
        },
    )
    activity = Activity.objects.get()
    client.post(f"/activities/{activity.pk}/record/", grid_post({world.people["wang"]: "present"}))
    assert Attendance.objects.get(activity=activity).hours == Decimal("1.5")


def test_correcting_one_attendance_shows_and_posts_a_reversing_entry_R4_3(world):
    zhao = world.people["zhao"]
    activity = plan_committee(world)
    client = world.client("carol")
    client.post(
        f"/activities/{activity.pk}/record/",
        grid_post({world.people["wang"]: "present", zhao: "absent"}),
    )
    response = client.post(
        f"/activities/{activity.pk}/attendance/", {"person": zhao.pk, "status": "leave"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "已将赵磊的出勤更正为“请假”" in page
    assert Attendance.objects.get(activity=activity, person=zhao).status == "leave"
    entries = list(PointEntry.objects.filter(person=zhao).order_by("id"))
    assert [e.points for e in entries] == [Decimal("-2"), Decimal("2")]
    assert entries[1].reverses == entries[0]


def test_a_correction_for_someone_outside_the_grid_is_404(world):
    activity = plan_committee(world)
    client = world.client("carol")
    client.post(f"/activities/{activity.pk}/record/", grid_post({world.people["wang"]: "present"}))
    response = client.post(
        f"/activities/{activity.pk}/attendance/",
        {"person": world.people["hu"].pk, "status": "present"},
    )
    assert response.status_code == 404
    assert not Attendance.objects.filter(person=world.people["hu"]).exists()


def test_only_a_held_activity_takes_a_correction(world):
    activity = plan_committee(world)
    client = world.client("carol")
    response = client.post(
        f"/activities/{activity.pk}/attendance/",
        {"person": world.people["wang"].pk, "status": "leave"},
    )
    page = client.get(response["Location"]).content.decode()
    assert "只有已召开的活动才能更正出勤" in page
    assert not Attendance.objects.exists()


def test_a_cancelled_activity_posts_nothing(world):
    wang = world.people["wang"]
    client = world.client("carol")
    never = plan_committee(world)
    response = client.post(f"/activities/{never.pk}/cancel/", {"reason": "书记外出培训，改期"})
    assert response.status_code == 302
    assert client.get(f"/activities/{never.pk}/record/").status_code == 302
    assert not PointEntry.objects.exists()

    held = plan_committee(world, on=dt.date(2024, 4, 25))
    client.post(f"/activities/{held.pk}/record/", grid_post({wang: "present"}))
    assert points_of(wang) == Decimal("1")
    client.post(f"/activities/{held.pk}/cancel/", {"reason": "误录"})
    held.refresh_from_db()
    assert held.status == ActivityStatus.CANCELLED and held.cancel_reason == "误录"
    assert points_of(wang) == Decimal("0")  # the point is reversed, never deleted
    assert PointEntry.objects.filter(person=wang).count() == 2


def test_cancelling_needs_a_reason_beside_the_field(world):
    activity = plan_committee(world)
    page = world.client("carol").post(f"/activities/{activity.pk}/cancel/", {"reason": ""})
    assert "必填" in page.content.decode()
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PLANNED


def person_in(world, code, no, name, since=dt.date(2020, 1, 1)):
    branch = world.org(code)
    return do_create_person(
        None,
        branch.court(),
        employee_no=no,
        name=name,
        political_status=PoliticalStatus.MEMBER,
        full_member_on=dt.date(2015, 7, 1),
        party_org=branch,
        since=since,
    )


def test_the_grid_lists_the_members_as_of_the_activity_date(world):
    qian = person_in(world, "BT-JY-B01", "JY0101", "钱多")
    do_transfer(
        None, qian, on=dt.date(2024, 3, 15), party_org=world.org("BT-JY-B02"), reason="调整"
    )
    before = plan_committee(world, on=dt.date(2024, 3, 10))
    after = plan_committee(world, on=dt.date(2024, 3, 20))
    other = plan_committee(world, on=dt.date(2024, 3, 20), code="BT-JY-B02")
    carol, bob = world.client("carol"), world.client("bob")
    assert "钱多" in carol.get(f"/activities/{before.pk}/record/").content.decode()
    assert "钱多" not in carol.get(f"/activities/{after.pk}/record/").content.decode()
    assert "钱多" in bob.get(f"/activities/{other.pk}/record/").content.decode()

    carol.post(f"/activities/{before.pk}/record/", grid_post({qian: "present"}))
    assert Attendance.objects.get(activity=before).person == qian
    assert points_of(qian) == Decimal("1")


def test_a_forged_row_outside_the_grid_is_ignored(world):
    activity = plan_committee(world)
    hu = world.people["hu"]  # the outsider court's member
    world.client("carol").post(
        f"/activities/{activity.pk}/record/",
        grid_post({world.people["wang"]: "present", hu: "present"}),
    )
    assert list(Attendance.objects.values_list("person__name", flat=True)) == ["王芳"]


def test_someone_beyond_the_list_is_added_by_employee_number(world):
    activity = plan_committee(world)
    client = world.client("carol")
    response = client.post(
        f"/activities/{activity.pk}/record/", grid_post({}, extra="JY0003、NOPE")
    )
    assert "未找到工号为“NOPE”的人员" in response.content.decode()
    assert not Attendance.objects.exists()
    client.post(f"/activities/{activity.pk}/record/", grid_post({}, extra="JY0003"))
    assert Attendance.objects.get(activity=activity).person == world.people["sun"]
    grid = client.get(f"/activities/{activity.pk}/record/").content.decode()
    assert "孙丽" in grid and "名单外" in grid


def test_outreach_kinds_count_the_audience_and_the_speakers(world):
    wang = world.people["wang"]
    activity = actions.do_plan_activity(
        world.users["carol"],
        world.org("BT-JY-B01"),
        kind="storytelling",
        title="听我断案",
        on=dt.date(2024, 5, 8),
    )
    client = world.client("carol")
    page = client.get(f"/activities/{activity.pk}/record/").content.decode()
    assert "主讲/发言" in page and "群众/外部参与人数" in page
    data = grid_post({wang: "present"}, external_audience="120")
    data[f"speaker-{wang.pk}"] = "1"
    data[f"role_was-{wang.pk}"] = "participant"
    client.post(f"/activities/{activity.pk}/record/", data)
    activity.refresh_from_db()
    assert activity.external_audience == 120
    assert Attendance.objects.get(activity=activity, person=wang).role == "speaker"
    meeting = plan_committee(world)
    page = client.get(f"/activities/{meeting.pk}/record/").content.decode()
    assert "主讲/发言" not in page and "群众/外部参与人数" not in page


def test_a_lecturer_from_a_higher_court_is_named_by_employee_number(world):
    client = world.client("carol")
    response = client.post(
        "/activities/plan/",
        {
            "org": "BT-JY-B01",
            "kind": "party_lecture",
            "on": "2024-06-28",
            "lecturer_no": "BT0001",
            "also_counts_as": ["theme_day"],
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.lecturer == world.people["zhang"]
    assert activity.title == "2024年6月党课"  # a blank title is made from the month and kind
    assert activity.counts_for == {"party_lecture", "theme_day"}


def test_a_past_activity_is_recorded_in_one_step(world):
    wang, zhao = world.people["wang"], world.people["zhao"]
    data = grid_post(
        {wang: "present", zhao: "leave"},
        org="BT-JY-B01",
        kind="theme_day",
        on="2024-02-20",
        also_counts_as="party_lecture",
        summary="参观革命纪念馆",
        hours="3",
    )
    response = world.client("carol").post("/activities/record-past/", data)
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.status == ActivityStatus.HELD and activity.title == "2024年2月主题党日"
    assert activity.hours == Decimal("3") and activity.summary == "参观革命纪念馆"
    assert activity.counts_for == {"theme_day", "party_lecture"}
    assert dict(Attendance.objects.values_list("person__name", "status")) == {
        "王芳": "present",
        "赵磊": "leave",
    }
    assert points_of(wang) == Decimal("1")


def test_a_past_record_cannot_be_dated_in_the_future(world):
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    response = world.client("carol").post(
        "/activities/record-past/",
        grid_post({}, org="BT-JY-B01", kind="theme_day", on=tomorrow.isoformat()),
    )
    assert "补录的活动日期不能晚于今天" in response.content.decode()
    assert not Activity.objects.exists()


def test_the_record_past_grid_follows_the_chosen_date(world):
    person_in(world, "BT-JY-B01", "JY0102", "新人", since=dt.date(2024, 6, 1))
    client = world.client("carol")
    early = client.get("/activities/record-past/", {"org": "BT-JY-B01", "on": "2024-05-01"})
    late = client.get("/activities/record-past/", {"org": "BT-JY-B01", "on": "2024-06-10"})
    assert "新人" not in early.content.decode() and "新人" in late.content.decode()


def test_an_edit_of_a_planned_activity_is_saved_and_audited(world):
    activity = plan_committee(world)
    client = world.client("carol")
    page = client.get(f"/activities/{activity.pk}/edit/").content.decode()
    assert 'value="支委会"' in page
    response = client.post(
        f"/activities/{activity.pk}/edit/",
        {
            "kind": "branch_committee",
            "title": "支委会（改）",
            "on": "2024-03-29",
            "location": "党员活动室",
        },
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.title, activity.on, activity.location) == (
        "支委会（改）",
        dt.date(2024, 3, 29),
        "党员活动室",
    )
    assert AuditEvent.objects.filter(
        action="activities.update", object_id=str(activity.pk)
    ).exists()
    history = client.get(f"/activities/{activity.pk}/?tab=history").content.decode()
    assert "修改活动" in history and "党员活动室" in history
