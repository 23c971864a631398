"""China's holiday table (D6): seeded from chinesecalendar, kept by the platform admin, audited."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from django.core.exceptions import ValidationError

from tianping.audit.models import AuditEvent
from tianping.recruitment.actions import do_remove_calendar_day, do_set_calendar_day
from tianping.recruitment.models import CalendarDay
from tianping.recruitment.workdays import package_days, seed, work_calendar

D = dt.date
URL = "/recruitment/workdays/"


def test_d6_the_table_holds_every_holiday_and_day_worked_the_package_knows(world):
    days = {d.day: (d.working, d.name) for d in CalendarDay.objects.all()}
    assert len(days) == len(chinese_calendar.holidays) + len(chinese_calendar.workdays)
    assert min(days).year == 2004 and max(days).year == 2026
    assert days[D(2024, 10, 1)] == (False, "国庆节")
    assert days[D(2024, 9, 29)] == (True, "国庆节")
    assert days[D(2024, 2, 10)] == (False, "春节")
    assert days[D(2024, 9, 16)] == (False, "中秋节")
    assert D(2024, 10, 8) not in days  # an ordinary Tuesday


def test_d6_seeding_again_keeps_what_the_platform_admin_changed(world):
    do_set_calendar_day(world.users["admin"], D(2024, 10, 7), working=False, name="国庆节（补）")
    CalendarDay.objects.filter(day=D(2024, 10, 6)).delete()
    assert seed() == 1
    assert CalendarDay.objects.get(day=D(2024, 10, 7)).name == "国庆节（补）"
    assert CalendarDay.objects.get(day=D(2024, 10, 6)).name == "国庆节"
    assert len(package_days()) == CalendarDay.objects.count()


def test_d6_the_calendar_reads_the_table(world):
    calendar = work_calendar(D(2024, 9, 1))
    assert calendar.is_working_day(D(2024, 9, 29))
    assert not calendar.is_working_day(D(2024, 10, 7))
    assert calendar.is_working_day(D(2024, 10, 8))


def test_d6_only_the_platform_admin_reaches_the_holiday_table(world):
    for persona in ("alice", "bob", "carol", "dave", "erin", "oscar"):
        assert world.client(persona).get(URL).status_code == 403, persona
    html = world.client("admin").get(URL + "?year=2024").content.decode()
    assert "节假日安排：2024年" in html
    assert "2024年：放假" in html
    assert '<tr data-day="2024-09-29">' in html
    assert "国庆节" in html and "调休上班" in html
    # The navigation offers it to the platform admin only.
    assert 'href="/recruitment/workdays/"' in html
    assert (
        'href="/recruitment/workdays/"'
        not in world.client("bob").get("/recruitment/").content.decode()
    )


def test_d6_a_year_not_yet_in_the_table_says_notices_count_monday_to_friday(world):
    html = world.client("admin").get(URL + "?year=2030").content.decode()
    assert "2030年尚无节假日安排记录：公示期暂按周一至周五计算工作日。" in html


def test_d6_the_platform_admin_adds_a_day_and_it_is_audited(world):
    client = world.client("admin")
    response = client.post(
        URL + "?year=2027",
        {"day": "2027-10-01", "arrangement": "holiday", "name": "国庆节"},
        follow=True,
    )
    html = response.content.decode()
    assert "已保存：2027-10-01（星期五）国庆节放假。" in html
    assert '<tr data-day="2027-10-01">' in html
    row = CalendarDay.objects.get(day=D(2027, 10, 1))
    assert (row.working, row.name) == (False, "国庆节")
    event = AuditEvent.objects.get(action="recruitment.calendar_set")
    assert event.before is None
    assert event.after == {"day": "2027-10-01", "working": False, "name": "国庆节"}
    assert event.user == world.users["admin"]
    assert event.action_label == "设置节假日安排"
    # The audit page names the fields as a person reads them.
    detail = client.get(f"/audit/{event.pk}/").content.decode()
    assert "调休上班" in detail and "节日" in detail


def test_d6_the_platform_admin_changes_a_day_to_a_day_worked(world):
    client = world.client("admin")
    html = client.get(URL + "?day=2024-09-29").content.decode()
    assert "修改2024-09-29的安排" in html
    client.post(URL, {"day": "2024-10-12", "arrangement": "working", "name": "国庆节"})
    client.post(URL, {"day": "2024-09-29", "arrangement": "holiday", "name": "国庆节"})
    assert not CalendarDay.objects.get(day=D(2024, 9, 29)).working
    event = AuditEvent.objects.filter(action="recruitment.calendar_set").order_by("-pk").first()
    assert event.before == {"day": "2024-09-29", "working": True, "name": "国庆节"}
    assert event.after == {"day": "2024-09-29", "working": False, "name": "国庆节"}
    # Saving what is already there writes nothing.
    client.post(URL, {"day": "2024-09-29", "arrangement": "holiday", "name": "国庆节"})
    assert AuditEvent.objects.filter(action="recruitment.calendar_set").count() == 1


def test_d6_the_platform_admin_removes_a_day_and_it_is_audited(world):
    response = world.client("admin").post(URL, {"remove": "2024-10-07"}, follow=True)
    html = response.content.decode()
    assert "已删除2024-10-07的节假日安排，该日按周一至周五计算是否为工作日。" in html
    assert not CalendarDay.objects.filter(day=D(2024, 10, 7)).exists()
    event = AuditEvent.objects.get(action="recruitment.calendar_remove")
    assert event.before == {"day": "2024-10-07", "working": False, "name": "国庆节"}
    assert event.org is None


def test_d6_a_weekday_is_not_recorded_as_a_day_worked_in_lieu(world):
    html = (
        world.client("admin")
        .post(URL, {"day": "2024-10-08", "arrangement": "working", "name": "国庆节"})
        .content.decode()
    )
    assert "2024-10-08是周一至周五，本来就是工作日，无需登记调休上班" in html
    assert not CalendarDay.objects.filter(day=D(2024, 10, 8)).exists()
    with pytest.raises(ValidationError) as excinfo:
        do_set_calendar_day(None, D(2024, 10, 8), working=False, name=" ")
    assert excinfo.value.message_dict["name"] == ["请填写节日名称，如“国庆节”"]
    assert not AuditEvent.objects.filter(action__startswith="recruitment.calendar").exists()


def test_d6_removing_a_day_the_table_does_not_hold_is_refused(world):
    with pytest.raises(ValidationError):
        do_remove_calendar_day(None, D(2024, 10, 8))
