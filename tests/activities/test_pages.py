"""The activity pages: list, export, calendar, plan form, detail tabs, print, scope and evidence."""

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from tianping.accounts import scoping
from tianping.accounts.models import Role
from tianping.activities import actions
from tianping.activities.models import Activity, Evidence, EvidenceBlob

VIEW, RECORD = "activities.view", "activities.record"


@pytest.fixture(autouse=True)
def activity_capabilities(monkeypatch):
    # The capabilities these pages declare, granted here as accounts.scoping will grant them.
    wanted = {
        Role.PLATFORM_ADMIN: {VIEW, RECORD},
        Role.POLITICAL_DEPT: {VIEW, RECORD},
        Role.PARTY_OFFICE: {VIEW, RECORD},
        Role.BRANCH_SECRETARY: {VIEW, RECORD},
        Role.LEADER: {VIEW},
        Role.MEMBER: {VIEW},
    }
    for role, caps in wanted.items():
        monkeypatch.setitem(scoping.CAPABILITIES, role, scoping.CAPABILITIES[role] | caps)


def held_meeting(world, code="BT-JY-B01", kind="branch_committee", on=dt.date(2024, 3, 28), **att):
    """A held meeting with attendance given as person key → status."""
    activity = actions.do_plan_activity(
        world.users["admin"], world.org(code), kind=kind, title=f"{code}会议", on=on
    )
    return actions.do_record_held(
        world.users["admin"],
        activity,
        attendance={world.people[k].pk: v for k, v in att.items()},
        summary="研究三月工作",
    )


def planned(world, code="BT-JY-B01", kind="theme_day", on=dt.date(2024, 3, 5), **fields):
    return actions.do_plan_activity(
        world.users["admin"], world.org(code), kind=kind, title=f"{code}计划", on=on, **fields
    )


def body(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_list_shows_the_scope_with_attendance_counts(world):
    held_meeting(world, wang="present", zhao="leave")
    held_meeting(world, code="BT-B01", zhang="present")
    page = body(world.client("carol").get("/activities/"))
    assert "BT-JY-B01会议" in page and "BT-B01会议" not in page
    assert '<td class="num">1</td>' in page  # one present, one on leave
    assert "导出Excel" in page


def test_the_officer_filters_by_org_subtree_status_and_dates(world):
    held_meeting(world, wang="present")
    planned(world, code="BT-JY-B02", kind="theme_day", on=dt.date(2024, 4, 2))
    client = world.client("alice")
    page = body(client.get("/activities/", {"org": "BT-JY-B02"}))
    assert "BT-JY-B02计划" in page and "BT-JY-B01会议" not in page
    page = body(client.get("/activities/", {"org": "BT-JY", "status": "held"}))
    assert "BT-JY-B01会议" in page and "BT-JY-B02计划" not in page
    page = body(client.get("/activities/", {"start": "2024-04-01", "end": "2024-04-30"}))
    assert "BT-JY-B02计划" in page and "BT-JY-B01会议" not in page
    page = body(client.get("/activities/", {"category": "service"}))
    assert "没有符合条件的活动" in page


def test_filtering_by_a_kind_finds_records_that_also_count_for_it_R1_5(world):
    planned(world, kind="theme_day", also_counts_as=["party_lecture"])
    page = body(world.client("carol").get("/activities/", {"kind": "party_lecture"}))
    assert "BT-JY-B01计划" in page and "+党课" in page
    page = body(world.client("carol").get("/activities/", {"kind": "branch_congress"}))
    assert "BT-JY-B01计划" not in page


def test_a_title_search_narrows_the_list(world):
    planned(world)
    held_meeting(world, wang="present")
    page = body(world.client("carol").get("/activities/", {"q": "计划"}))
    assert "BT-JY-B01计划" in page and "BT-JY-B01会议" not in page


def test_the_results_region_renders_alone_for_htmx(world):
    planned(world)
    response = world.client("carol").get(
        "/activities/", {"q": "计划"}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    page = body(response)
    assert "BT-JY-B01计划" in page and "<html" not in page


def test_the_export_is_a_workbook_in_the_ledger_columns(world):
    held_meeting(world, wang="present", zhao="absent")
    response = world.client("bob").get("/activities/export/")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:10] == (
        "组织",
        "活动类型",
        "日期",
        "标题",
        "地点",
        "时长",
        "参加人员",
        "请假人员",
        "缺席人员",
        "内容摘要",
    )
    assert rows[1][0] == "BT-JY-B01" and rows[1][1] == "支部委员会会议"
    assert rows[1][6] == "王芳" and rows[1][8] == "赵磊" and rows[1][10] == "已召开"


@pytest.mark.parametrize("persona", ["carol", "bob", "alice"])
def test_every_page_of_an_activity_renders_for_the_secretary_and_the_officers(world, persona):
    activity = held_meeting(world, wang="present", zhao="absent")
    client = world.client(persona)
    for url in ["/activities/plan/", "/activities/record-past/", "/activities/calendar/"]:
        assert "<form" in body(client.get(url)) or "活动日历" in body(client.get(url))
    for url in [
        "/activities/",
        "/activities/calendar/?month=2024-03",
        f"/activities/{activity.pk}/",
        f"/activities/{activity.pk}/?tab=attendance",
        f"/activities/{activity.pk}/?tab=evidence",
        f"/activities/{activity.pk}/?tab=history",
        f"/activities/{activity.pk}/print/",
        f"/activities/{activity.pk}/record/",
        f"/activities/{activity.pk}/edit/",
        f"/activities/{activity.pk}/cancel/",
    ]:
        assert "BT-JY-B01会议" in body(client.get(url)), url


def test_the_plan_form_offers_only_the_kinds_the_org_may_hold(world):
    client = world.client("carol")
    page = body(client.get("/activities/plan/", {"org": "BT-JY-B01-G1"}))
    assert '<option value="group_meeting">党小组会</option>' in page
    assert 'value="branch_committee"' not in page
    page = body(client.get("/activities/plan/", {"org": "BT-JY-B01"}))
    assert 'value="branch_committee"' in page and 'value="group_meeting"' not in page


def test_a_chosen_kind_narrows_the_orgs_and_shows_its_own_fields(world):
    client = world.client("carol")
    page = body(client.get("/activities/plan/", {"kind": "group_meeting"}))
    # The picker shows the one group carol may hold it in, and its search offers only groups.
    assert re.search(r'name="org" value="[^"]*（BT-JY-B01-G1）"', page)
    assert re.search(r'hx-get="/orgs/pick/\?field=org&amp;active=1&amp;kinds=group"', page)
    page = body(client.get("/activities/plan/", {"org": "BT-JY-B01", "kind": "party_lecture"}))
    assert "授课人为党委（党组）书记" in page and 'value="theme_day"' in page  # also counts as
    page = body(client.get("/activities/plan/", {"org": "BT-JY-B01", "kind": "branch_committee"}))
    assert "授课人" not in page and "同时计为" not in page


def test_hosts_are_chosen_among_the_members_on_that_date(world):
    client = world.client("carol")
    page = body(client.get("/activities/plan/", {"org": "BT-JY-B01"}))
    # No list of the members ships with the page: the picker searches the branch's court.
    assert "王芳（JY0001）" not in page and "/people/pick/?field=host&amp;court=BT-JY" in page
    plan = {"org": "BT-JY-B01", "kind": "branch_committee", "on": "2024-04-10"}
    response = client.post("/activities/plan/", {**plan, "host": "孙丽"})
    assert "没有找到“孙丽”" in body(response) and not Activity.objects.exists()
    response = client.post("/activities/plan/", {**plan, "host": "王芳（JY0001）"})
    assert Activity.objects.get().host == world.people["wang"]


def test_an_action_error_shows_beside_its_field_and_nothing_is_stored(world):
    response = world.client("carol").post(
        "/activities/plan/",
        {
            "org": "BT-JY-B01",
            "kind": "branch_committee",
            "title": "四月支委会",
            "on": "2024-04-10",
            "start_time": "15:00",
            "end_time": "14:00",
        },
    )
    page = body(response)
    assert "结束时间应晚于开始时间" in page and 'class="form-row field-error"' in page
    assert not Activity.objects.exists()


def test_an_unknown_host_number_is_named(world):
    response = world.client("carol").post(
        "/activities/plan/",
        {"org": "BT-JY-B01", "kind": "branch_committee", "on": "2024-04-10", "host_no": "XX9"},
    )
    assert "未找到工号为“XX9”的人员" in body(response)
    assert not Activity.objects.exists()


def test_the_calendar_shows_planned_and_held_but_not_cancelled(world):
    held_meeting(world, wang="present")
    planned(world, on=dt.date(2024, 3, 5))
    gone = planned(world, code="BT-JY-B02", on=dt.date(2024, 3, 6))
    actions.do_cancel(world.users["admin"], gone, "改期")
    page = body(world.client("carol").get("/activities/calendar/", {"month": "2024-03"}))
    assert "2024年3月" in page and "BT-JY-B01会议" in page and "BT-JY-B01计划" in page
    assert "BT-JY-B02计划" not in page
    assert "?month=2024-02" in page and "?month=2024-04" in page
    assert 'class="cal-list"' in page  # the same month as a list for phones
    april = body(world.client("carol").get("/activities/calendar/", {"month": "2024-04"}))
    assert "BT-JY-B01会议" not in april


def test_the_calendar_of_the_outsider_shows_nothing_of_ours(world):
    held_meeting(world, wang="present")
    page = body(world.client("oscar").get("/activities/calendar/", {"month": "2024-03"}))
    assert "BT-JY-B01会议" not in page


def test_the_print_view_is_a_meeting_record_with_the_attendance_lists(world):
    activity = held_meeting(world, wang="present", zhao="leave")
    page = body(world.client("carol").get(f"/activities/{activity.pk}/print/"))
    assert "第一党支部支部委员会会议记录" in page
    assert "应到（2人）" in page and "实到（1人）" in page and "请假（1人）" in page
    assert "王芳" in page and "赵磊" in page and "研究三月工作" in page
    assert "@page { size: A4" in page


def test_the_history_tab_lists_the_activity_audit_events(world):
    activity = held_meeting(world, wang="present", zhao="absent")
    actions.do_set_attendance(world.users["carol"], activity, world.people["zhao"], "leave")
    page = body(world.client("carol").get(f"/activities/{activity.pk}/?tab=history"))
    assert "计划活动" in page and "记录召开情况" in page and "更正出勤" in page
    assert "出勤·赵磊：缺席 → 请假" in page


def test_out_of_scope_activities_are_404(world):
    ours = held_meeting(world, wang="present")
    mid_court = held_meeting(world, code="BT-B01", zhang="present")
    for url in [f"/activities/{ours.pk}/", f"/activities/{ours.pk}/print/"]:
        assert world.client("oscar").get(url).status_code == 404
    bob = world.client("bob")
    assert bob.get(f"/activities/{mid_court.pk}/").status_code == 404
    assert bob.get(f"/activities/{mid_court.pk}/record/").status_code == 404
    assert bob.post(f"/activities/{mid_court.pk}/cancel/", {"reason": "x"}).status_code == 404
    assert world.client("carol").get(f"/activities/{mid_court.pk}/").status_code == 404


def test_a_member_reads_an_activity_he_is_listed_in_but_not_the_others(world):
    mine = held_meeting(world, wang="present", zhao="absent")
    other = held_meeting(world, wang="present")
    dave = world.client("dave")
    page = body(dave.get(f"/activities/{mine.pk}/?tab=attendance"))
    assert "赵磊" in page and "王芳" not in page  # only his own row
    assert "记录召开情况" not in page and "更正" not in page
    assert dave.get(f"/activities/{other.pk}/").status_code == 404
    assert dave.get(f"/activities/{mine.pk}/record/").status_code == 403
    listing = body(dave.get("/activities/"))
    assert "本人出勤" in listing and listing.count("BT-JY-B01会议") == 1


def test_the_leader_reads_but_does_not_record(world):
    activity = held_meeting(world, wang="present")
    erin = world.client("erin")
    assert "BT-JY-B01会议" in body(erin.get(f"/activities/{activity.pk}/"))
    assert erin.get(f"/activities/{activity.pk}/record/").status_code == 403
    assert erin.get("/activities/plan/").status_code == 403


def test_evidence_is_optional_and_an_identical_file_is_stored_once_R4_2(world):
    activity = held_meeting(world, wang="present")
    other = held_meeting(world, zhao="present")
    client = world.client("carol")
    page = body(client.get(f"/activities/{activity.pk}/?tab=evidence"))
    assert "不作强制要求" in page and "暂无佐证材料" in page
    for target, name in [(activity, "会议照片.jpg"), (activity, "照片副本.jpg"), (other, "x.jpg")]:
        upload = SimpleUploadedFile(name, b"\xff\xd8 same picture", content_type="image/jpeg")
        response = client.post(f"/activities/{target.pk}/evidence/", {"file": upload})
        assert response.status_code == 302
    assert EvidenceBlob.objects.count() == 1
    assert Evidence.objects.filter(activity=activity).count() == 1
    follow = client.get(f"/activities/{activity.pk}/?tab=evidence")
    assert "会议照片.jpg" in body(follow)


def test_evidence_is_served_only_in_scope(world):
    activity = held_meeting(world, wang="present")
    item = actions.do_add_evidence(None, activity, "记录.pdf", b"%PDF-1.4 minutes")
    url = f"/activities/evidence/{item.pk}/"
    response = world.client("carol").get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert world.client("oscar").get(url).status_code == 404
    assert world.client("bob").get(url).status_code == 200


def test_evidence_that_could_run_script_is_downloaded_not_shown(world):
    activity = held_meeting(world, wang="present")
    item = actions.do_add_evidence(None, activity, "page.html", b"<script>alert(1)</script>")
    response = world.client("carol").get(f"/activities/evidence/{item.pk}/")
    assert response["Content-Disposition"].startswith("attachment")


def test_evidence_over_20_mb_is_refused_beside_the_field(world):
    activity = held_meeting(world, wang="present")
    big = SimpleUploadedFile("录像.mp4", b"0" * (20 * 1024 * 1024 + 1), content_type="video/mp4")
    response = world.client("carol").post(f"/activities/{activity.pk}/evidence/", {"file": big})
    assert response.status_code == 400
    assert "超过20MB" in response.content.decode()
    assert not EvidenceBlob.objects.exists()


def test_the_print_view_gives_each_leave_its_reason_and_lists_the_make_up_studies(world):
    activity = held_meeting(world, wang="leave", zhao="absent")
    carol = world.users["carol"]
    actions.do_set_attendance(carol, activity, world.people["wang"], "leave", reason="出差")
    actions.do_record_makeup(
        carol, activity, world.people["zhao"], on=dt.date(2024, 4, 2), method="补看录像"
    )
    page = body(world.client("carol").get(f"/activities/{activity.pk}/print/"))
    assert '请假（1人）</th><td colspan="3">王芳（出差）</td>' in page
    assert '缺席（1人）</th><td colspan="3">赵磊</td>' in page
    assert '补学（1人）</th><td colspan="3">赵磊：2024年4月2日，补看录像</td>' in page


def test_without_make_ups_the_print_view_has_no_make_up_line(world):
    activity = held_meeting(world, wang="present", zhao="absent")
    page = body(world.client("bob").get(f"/activities/{activity.pk}/print/"))
    assert "补学（" not in page


def test_a_member_may_not_print_a_record_that_would_show_only_his_own_row(world):
    activity = held_meeting(world, wang="present", zhao="leave")
    dave = world.client("dave")
    response = dave.get(f"/activities/{activity.pk}/print/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "不能打印会议记录" in page and "会议记录载有全体参会人员的出勤情况" in page
    assert "应到" not in page and "王芳" not in page
    detail = body(dave.get(f"/activities/{activity.pk}/"))
    assert f"/activities/{activity.pk}/print/" not in detail and "打印会议记录" not in detail
    # The secretary's print is the whole record.
    whole = body(world.client("carol").get(f"/activities/{activity.pk}/print/"))
    assert "应到（2人）" in whole and "王芳" in whole and "赵磊" in whole


def test_a_member_sees_his_own_reason_and_make_up_study(world):
    activity = held_meeting(world, wang="present", zhao="absent")
    carol = world.users["carol"]
    zhao = world.people["zhao"]
    actions.do_set_attendance(carol, activity, zhao, "leave", reason="病假")
    actions.do_record_makeup(carol, activity, zhao, on=dt.date(2024, 4, 1), method="自学会议精神")
    page = body(world.client("dave").get(f"/activities/{activity.pk}/?tab=attendance"))
    assert "请假（病假）" in page and "2024-04-01 自学会议精神" in page
    assert "王芳" not in page and "登记补学" not in page and "撤销补学" not in page
