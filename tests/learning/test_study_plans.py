"""Study plans: topics by month with their texts, the activities that carried them out, progress."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tianping.activities import actions as activity_actions
from tianping.activities.queries import six_have
from tianping.learning.actions import study as actions
from tianping.learning.models import StudyPlan
from tianping.learning.queries.study import plan_progress
from tianping.orgs.actions import do_create_org
from tianping.orgs.models import OrgKind

D = dt.date


def held(world, code, kind, on, title="学习"):
    return activity_actions.do_record_past_activity(
        None, world.org(code), kind=kind, title=title, on=on, attendance={}
    )


@pytest.fixture
def plan(world):
    plan = actions.do_create_plan(None, world.org("BT-JY-B01"), year=2024, title="2024年学习计划")
    actions.do_add_topic(
        None, plan, month=3, title="学习全国两会精神", readings="政府工作报告\n最高法工作报告"
    )
    actions.do_add_topic(None, plan, month=6, title="党纪学习教育")
    actions.do_add_topic(None, plan, month=12, title="年终总结")
    return plan


def test_progress_counts_topics_done_and_overdue_by_month(world, plan):
    march, june, december = plan.topics.order_by("month")
    actions.do_link_topic_activities(
        None, march, [held(world, "BT-JY-B01", "theme_day", D(2024, 3, 28))]
    )
    progress = plan_progress(plan, today=D(2024, 7, 10))
    assert [(m.month, [t.state for t in m.topics]) for m in progress.months] == [
        (3, ["done"]),
        (6, ["overdue"]),
        (12, ["planned"]),
    ]
    assert (progress.done, progress.overdue, progress.total) == (1, 1, 3)
    assert march.reading_list == ["政府工作报告", "最高法工作报告"]


def test_a_planned_activity_not_yet_held_does_not_carry_a_topic_out(world, plan):
    june = plan.topics.get(month=6)
    planned = activity_actions.do_plan_activity(
        None, world.org("BT-JY-B01"), kind="party_lecture", title="党课", on=D(2024, 6, 20)
    )
    actions.do_link_topic_activities(None, june, [planned])
    states = [t.state for m in plan_progress(plan, today=D(2024, 6, 10)).months for t in m.topics]
    assert states[1] == "due"


def test_a_topic_links_only_activities_of_the_plans_organisation_and_year(world, plan):
    march = plan.topics.get(month=3)
    elsewhere = held(world, "BT-JY-B02", "theme_day", D(2024, 3, 28))
    last_year = held(world, "BT-JY-B01", "theme_day", D(2023, 3, 28))
    for activity in (elsewhere, last_year):
        with pytest.raises(ValidationError):
            actions.do_link_topic_activities(None, march, [activity])


def test_one_plan_per_organisation_and_year(world, plan):
    with pytest.raises(ValidationError) as e:
        actions.do_create_plan(None, world.org("BT-JY-B01"), year=2024, title="又一个")
    assert "year" in e.value.message_dict


def test_a_department_cannot_have_a_study_plan(world):
    with pytest.raises(ValidationError):
        actions.do_create_plan(None, world.org("BT-JY-MS"), year=2024, title="计划")


def test_r1_7_a_center_group_plan_is_the_six_have_plan_item(world):
    group = do_create_org(
        None, code="BT-JY-DZ", name="党组", kind=OrgKind.LEADING_GROUP, parent=world.org("BT-JY")
    )
    plan = actions.do_create_plan(None, group, year=2024, title="党组理论学习中心组2024年学习计划")
    assert plan.study_record is not None
    items = six_have(_admin_scope(world), group, 2024)
    assert items[0].name == "有年度学习计划" and items[0].present
    assert items[0].proof[0][0] == "党组理论学习中心组2024年学习计划"


def _admin_scope(world):
    from tianping.accounts.scoping import scope_for

    return scope_for(world.users["admin"])


def test_the_officer_makes_a_plan_and_adds_a_topic_on_the_pages(world):
    client = world.client("bob")
    r = client.post(
        reverse("learning:study_plans"),
        {"org": "BT-JY-B02", "year": 2024, "title": "第二支部学习计划", "note": ""},
    )
    assert r.status_code == 302, r.content.decode()
    plan = StudyPlan.objects.get(title="第二支部学习计划")
    r = client.post(
        reverse("learning:study_plan", args=[plan.pk]),
        {"month": 5, "title": "学习新修订的纪律处分条例", "readings": "中国共产党纪律处分条例"},
    )
    assert r.status_code == 302
    page = client.get(reverse("learning:study_plan", args=[plan.pk])).content.decode()
    assert "学习新修订的纪律处分条例" in page and "中国共产党纪律处分条例" in page


def test_a_member_sees_their_branchs_plan_but_cannot_change_it(world, plan):
    client = world.client("dave")
    assert "2024年学习计划" in client.get(reverse("learning:study_plans")).content.decode()
    url = reverse("learning:study_plan", args=[plan.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"month": 5, "title": "x"}).status_code == 403


def test_an_outsider_cannot_see_the_plan(world, plan):
    client = world.client("oscar")
    assert client.get(reverse("learning:study_plan", args=[plan.pk])).status_code == 404
