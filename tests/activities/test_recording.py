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
            "host": wang.employee_no,
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


# ---------------------------------------------------------------------------------------
# Reasons for leave or absence, the flash after recording, make-up study (补学)


def held_committee(world, **att):
    """A 支委会 of BT-JY-B01 recorded by carol, attendance given as person key → status."""
    activity = plan_committee(world)
    return actions.do_record_held(
        world.users["carol"],
        activity,
        attendance={world.people[k].pk: v for k, v in att.items()},
    )


def test_the_grid_keeps_a_reason_for_a_leave_and_offers_the_common_ones(world):
    wang, zhao = world.people["wang"], world.people["zhao"]
    activity = plan_committee(world)
    client = world.client("carol")
    grid = client.get(f"/activities/{activity.pk}/record/").content.decode()
    assert f'name="reason-{zhao.pk}"' in grid and 'list="att-reasons"' in grid
    for reason in ("出差", "病假", "事假", "公务", "休假"):
        assert f'<option value="{reason}">' in grid
    data = grid_post({wang: "absent", zhao: "leave"})
    data[f"reason-{zhao.pk}"] = " 出差 "
    data[f"reason-{wang.pk}"] = "赴北京参加庭审观摩（未请假）"  # any other text is kept
    response = client.post(f"/activities/{activity.pk}/record/", data)
    assert response.status_code == 302
    stored = dict(Attendance.objects.values_list("person__name", "reason"))
    assert stored == {"赵磊": "出差", "王芳": "赴北京参加庭审观摩（未请假）"}
    page = client.get(response["Location"]).content.decode()
    assert "请假（出差）" in page and "缺席（赴北京参加庭审观摩（未请假））" in page
    event = AuditEvent.objects.get(action="activities.held")
    assert event.after["attendance"] == {
        "王芳": "缺席（赴北京参加庭审观摩（未请假））",
        "赵磊": "请假（出差）",
    }
    again = client.get(f"/activities/{activity.pk}/record/").content.decode()
    assert f'name="reason_was-{zhao.pk}" value="出差"' in again


def test_a_reason_typed_for_someone_present_is_not_kept(world):
    wang = world.people["wang"]
    activity = plan_committee(world)
    data = grid_post({wang: "present"})
    data[f"reason-{wang.pk}"] = "出差"
    world.client("carol").post(f"/activities/{activity.pk}/record/", data)
    assert Attendance.objects.get(person=wang).reason == ""


def test_a_reason_alone_is_saved_for_that_row_only(world):
    wang, zhao = world.people["wang"], world.people["zhao"]
    activity = held_committee(world, wang="present", zhao="leave")
    client = world.client("carol")
    data = grid_post({wang: "present", zhao: "leave"}, was={wang: "present", zhao: "leave"})
    data.update({f"reason_was-{zhao.pk}": "", f"reason-{zhao.pk}": "病假"})
    data.update({f"reason_was-{wang.pk}": "", f"reason-{wang.pk}": ""})
    client.post(f"/activities/{activity.pk}/record/", data)
    assert Attendance.objects.get(person=zhao).reason == "病假"
    event = AuditEvent.objects.filter(action="activities.held").latest("id")
    assert (event.before["attendance"], event.after["attendance"]) == (
        {"赵磊": "请假"},
        {"赵磊": "请假（病假）"},
    )
    # A form without the reason fields (another client, an old page) leaves the reason alone.
    client.post(
        f"/activities/{activity.pk}/record/",
        grid_post({zhao: "absent"}, was={zhao: "leave"}),
    )
    assert Attendance.objects.get(person=zhao).status_text == "缺席（病假）"


def test_two_secretaries_one_giving_a_reason_one_changing_a_status_lose_nothing(world):
    wang, zhao = world.people["wang"], world.people["zhao"]
    activity = held_committee(world, wang="present", zhao="leave")
    url = f"/activities/{activity.pk}/record/"
    rendered = grid_post({wang: "present", zhao: "leave"}, was={wang: "present", zhao: "leave"})
    for p in (wang, zhao):
        rendered.update({f"reason_was-{p.pk}": "", f"reason-{p.pk}": ""})
    first, second = dict(rendered), dict(rendered)
    first[f"reason-{zhao.pk}"] = "出差"
    second[f"status-{wang.pk}"] = "absent"
    assert world.client("carol").post(url, first).status_code == 302
    assert world.client("bob").post(url, second).status_code == 302
    stored = {a.person: a.status_text for a in Attendance.objects.filter(activity=activity)}
    assert stored == {wang: "缺席", zhao: "请假（出差）"}


def test_a_reason_over_100_characters_is_refused_naming_the_person(world):
    zhao = world.people["zhao"]
    activity = plan_committee(world)
    data = grid_post({zhao: "leave"})
    data[f"reason-{zhao.pk}"] = "出" * 101
    page = world.client("carol").post(f"/activities/{activity.pk}/record/", data)
    assert "赵磊的请假/缺席原因不能超过100字" in page.content.decode()
    assert not Attendance.objects.exists()
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PLANNED


def test_the_flash_after_recording_counts_attendances_not_the_rows_sent(world):
    wang, zhao = world.people["wang"], world.people["zhao"]
    activity = held_committee(world, wang="present", zhao="present")
    client = world.client("carol")
    # Only one row is changed; the flash counts the meeting's attendance as it now stands.
    response = client.post(
        f"/activities/{activity.pk}/record/",
        grid_post({wang: "present", zhao: "leave"}, was={wang: "present", zhao: "present"}),
        follow=True,
    )
    page = response.content.decode()
    assert "已记录“支委会”召开情况：出席1人、请假1人、缺席0人。" in page
    assert "更新出勤" not in page


def test_the_flash_after_a_past_record_counts_its_attendances(world):
    wang, zhao = world.people["wang"], world.people["zhao"]
    data = grid_post(
        {wang: "absent", zhao: "leave"}, org="BT-JY-B01", kind="theme_day", on="2024-02-20"
    )
    data[f"reason-{zhao.pk}"] = "公务"
    client = world.client("carol")
    form = client.get("/activities/record-past/", {"org": "BT-JY-B01", "on": "2024-02-20"})
    assert f'name="reason-{zhao.pk}"' in form.content.decode()
    assert '<option value="公务">' in form.content.decode()
    response = client.post("/activities/record-past/", data, follow=True)
    page = response.content.decode()
    assert "已补录“2024年2月主题党日”（2024-02-20）：出席0人、请假1人、缺席1人。" in page
    assert Attendance.objects.get(person=zhao).reason == "公务"


def makeup_post(person, on="2024-04-02", method="自学会议精神"):
    return {"person": person.pk, "on": on, "method": method}


def test_r4_2_a_make_up_study_is_recorded_audited_and_earns_no_points(world):
    wang, zhao = world.people["wang"], world.people["zhao"]
    activity = held_committee(world, wang="present", zhao="absent")
    assert points_of(zhao) == Decimal("-2")
    client = world.client("carol")
    page = client.get(f"/activities/{activity.pk}/?tab=attendance").content.decode()
    assert "未补学" in page and "登记补学" in page and "补学记入会议记录，不计积分" in page
    response = client.post(f"/activities/{activity.pk}/makeup/", makeup_post(zhao), follow=True)
    page = response.content.decode()
    assert "已登记赵磊的补学：2024-04-02 自学会议精神。补学不计积分。" in page
    assert "请假、缺席人员中已补学 1 人" in page
    row = Attendance.objects.get(activity=activity, person=zhao)
    assert (row.status, row.makeup_on, row.makeup_method, row.makeup_by) == (
        "absent",
        dt.date(2024, 4, 2),
        "自学会议精神",
        world.users["carol"],
    )
    # The absence stands and its deduction with it; nothing is posted for the make-up.
    assert points_of(zhao) == Decimal("-2")
    assert PointEntry.objects.filter(person=zhao).count() == 1
    event = AuditEvent.objects.get(action="activities.makeup")
    assert (event.user, event.org) == (world.users["carol"], activity.org)
    assert (event.before, event.after) == (
        {"makeup": {"赵磊": "—"}},
        {"makeup": {"赵磊": "2024-04-02 自学会议精神"}},
    )
    history = client.get(f"/activities/{activity.pk}/?tab=history").content.decode()
    assert "登记补学" in history and "补学·赵磊：— → 2024-04-02 自学会议精神" in history
    grid = client.get(f"/activities/{activity.pk}/record/").content.decode()
    assert "已补学：2024-04-02 自学会议精神" in grid
    assert "补学" not in Attendance.objects.get(person=wang).status_text


def test_a_make_up_is_corrected_then_withdrawn_and_both_are_audited(world):
    zhao = world.people["zhao"]
    activity = held_committee(world, zhao="leave")
    client = world.client("carol")
    url = f"/activities/{activity.pk}/makeup/"
    client.post(url, makeup_post(zhao))
    client.post(url, makeup_post(zhao, on="2024-04-03", method="补看录像"))
    row = Attendance.objects.get(person=zhao)
    assert (row.makeup_on, row.makeup_method) == (dt.date(2024, 4, 3), "补看录像")
    page = client.post(url, {"person": zhao.pk, "withdraw": "1"}, follow=True).content.decode()
    assert "已撤销赵磊的补学记录。" in page
    row.refresh_from_db()
    assert (row.makeup_on, row.makeup_method, row.makeup_by) == (None, "", None)
    events = AuditEvent.objects.filter(action__startswith="activities.makeup").order_by("id")
    assert [(e.action, e.after["makeup"]["赵磊"]) for e in events] == [
        ("activities.makeup", "2024-04-02 自学会议精神"),
        ("activities.makeup", "2024-04-03 补看录像"),
        ("activities.makeup_clear", "—"),
    ]
    assert events[2].before == {"makeup": {"赵磊": "2024-04-03 补看录像"}}
    # Saving the same make-up twice writes nothing the second time.
    client.post(url, makeup_post(zhao))
    client.post(url, makeup_post(zhao))
    assert AuditEvent.objects.filter(action__startswith="activities.makeup").count() == 4


@pytest.mark.parametrize(
    ("on", "method", "message"),
    [
        ("2024-03-27", "自学会议精神", "补学日期不能早于活动日期2024-03-28"),
        ((dt.date.today() + dt.timedelta(days=2)).isoformat(), "补看录像", "补学日期不能晚于今天"),
        ("", "补看录像", "请填写补学日期"),
        ("2024-04-02", "   ", "请填写补学方式"),
    ],
)
def test_a_make_up_with_a_bad_date_or_no_method_is_refused_beside_the_form(
    world, on, method, message
):
    zhao = world.people["zhao"]
    activity = held_committee(world, zhao="absent")
    response = world.client("carol").post(
        f"/activities/{activity.pk}/makeup/", makeup_post(zhao, on=on, method=method)
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and '<details class="makeup" open>' in page
    assert Attendance.objects.get(person=zhao).makeup_on is None
    assert not AuditEvent.objects.filter(action="activities.makeup").exists()


def test_a_make_up_is_only_for_someone_who_missed_a_held_meeting(world):
    wang, zhao = world.people["wang"], world.people["zhao"]
    client = world.client("carol")
    activity = held_committee(world, wang="present")
    url = f"/activities/{activity.pk}/makeup/"
    page = client.post(url, makeup_post(wang), follow=True).content.decode()
    assert "王芳出席了本次活动，无需补学" in page
    page = client.post(url, makeup_post(zhao), follow=True).content.decode()
    assert "赵磊尚未记录出勤，请先记录请假或缺席" in page
    planned = plan_committee(world, on=dt.date(2024, 4, 25))
    page = client.post(
        f"/activities/{planned.pk}/makeup/", makeup_post(zhao, on="2024-04-26"), follow=True
    ).content.decode()
    assert "只有已召开的活动才能登记补学" in page
    assert not Attendance.objects.exclude(makeup_on=None).exists()
    # Someone outside the activity's list, a GET, a member: refused like the corrections.
    assert client.post(url, makeup_post(world.people["hu"])).status_code == 404
    assert client.get(url).status_code == 405
    assert world.client("dave").post(url, makeup_post(zhao)).status_code == 403


def test_correcting_a_missed_meeting_to_present_drops_its_reason_and_make_up(world):
    zhao = world.people["zhao"]
    activity = held_committee(world, zhao="leave")
    client = world.client("carol")
    client.post(
        f"/activities/{activity.pk}/attendance/",
        {"person": zhao.pk, "status": "leave", "reason": "出差"},
    )
    assert Attendance.objects.get(person=zhao).status_text == "请假（出差）"
    client.post(f"/activities/{activity.pk}/makeup/", makeup_post(zhao))
    response = client.post(
        f"/activities/{activity.pk}/attendance/",
        {"person": zhao.pk, "status": "present", "reason": "出差"},
    )
    assert "已将赵磊的出勤更正为“出席”" in client.get(response["Location"]).content.decode()
    row = Attendance.objects.get(person=zhao)
    assert (row.status, row.reason, row.makeup_on, row.makeup_method) == ("present", "", None, "")
    event = AuditEvent.objects.filter(action="activities.attendance").latest("id")
    assert (event.before, event.after) == (
        {"attendance": {"赵磊": "请假（出差）；补学2024-04-02"}},
        {"attendance": {"赵磊": "出席"}},
    )
