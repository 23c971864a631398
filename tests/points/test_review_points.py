"""Democratic review results feed points where the court's rules give them any (R1.6, R4.1)."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from tianping.activities import actions as activity_actions
from tianping.activities.actions import review_closed
from tianping.activities.models import DemocraticReview, ReviewEntry, ReviewGrade, ReviewStatus
from tianping.points import actions
from tianping.points.models import PointEntry, Trigger
from tianping.points.queries import year_score
from tianping.points.rules import rules_for

from .conftest import held


def _closed_review(world, meeting=None, **grades):
    # The review's own actions belong to the activities app; its closed state is what matters here.
    review = DemocraticReview.objects.create(
        branch=world.org("BT-JY-B01"),
        year=2024,
        meeting=meeting,
        status=ReviewStatus.CLOSED,
        closed_at=timezone.make_aware(dt.datetime(2024, 12, 20, 10)),
    )
    for key, grade in grades.items():
        ReviewEntry.objects.create(review=review, person=world.people[key], grade=grade)
    return review


def _set(world, trigger, points):
    rule = rules_for(world.org("BT-JY"))[trigger]
    actions.do_update_rule(None, rule, points=points, active=True)


def test_review_grades_post_nothing_while_the_rules_give_them_no_points_R4_1(world):
    review = _closed_review(world, wang=ReviewGrade.EXCELLENT)
    review_closed.send(DemocraticReview, review=review, user=world.users["carol"])
    assert not PointEntry.objects.exists()


def test_an_excellent_and_an_unqualified_grade_post_the_courts_points_R1_6(world):
    _set(world, Trigger.REVIEW_EXCELLENT, "3")
    _set(world, Trigger.REVIEW_UNQUALIFIED, "-5")
    meeting = held(
        world, "democratic_review", dt.date(2024, 12, 18), wang="present", zhao="present"
    )
    review = _closed_review(world, meeting, wang=ReviewGrade.EXCELLENT)
    ReviewEntry.objects.create(
        review=review, person=world.people["sun"], grade=ReviewGrade.UNQUALIFIED
    )
    review_closed.send(DemocraticReview, review=review, user=world.users["carol"])
    excellent = PointEntry.objects.get(trigger=Trigger.REVIEW_EXCELLENT)
    assert excellent.person == world.people["wang"] and excellent.points == Decimal("3")
    assert excellent.activity == meeting and excellent.on == meeting.on
    assert "2024年度第一党支部民主评议党员" in excellent.reason and "优秀" in excellent.reason
    assert PointEntry.objects.get(trigger=Trigger.REVIEW_UNQUALIFIED).points == Decimal("-5")
    assert year_score(world.people["wang"], 2024) == Decimal("64")


def test_closing_a_review_again_posts_only_the_difference(world):
    _set(world, Trigger.REVIEW_EXCELLENT, "3")
    review = _closed_review(world, wang=ReviewGrade.EXCELLENT)
    review_closed.send(DemocraticReview, review=review, user=None)
    review_closed.send(DemocraticReview, review=review, user=None)
    assert PointEntry.objects.count() == 1
    assert PointEntry.objects.get().on == dt.date(2024, 12, 20)
    # A correction of the grade reverses the points it no longer earns.
    ReviewEntry.objects.filter(person=world.people["wang"]).update(grade=ReviewGrade.QUALIFIED)
    review_closed.send(DemocraticReview, review=review, user=None)
    entries = list(PointEntry.objects.order_by("id"))
    assert [e.points for e in entries] == [Decimal("3"), Decimal("-3")]
    assert entries[1].reverses == entries[0]
    assert year_score(world.people["wang"], 2024) == Decimal("60")


def test_a_later_change_to_the_review_meeting_keeps_the_review_points(world):
    _set(world, Trigger.REVIEW_EXCELLENT, "3")
    meeting = held(
        world, "democratic_review", dt.date(2024, 12, 18), wang="present", zhao="present"
    )
    review = _closed_review(world, meeting, wang=ReviewGrade.EXCELLENT)
    review_closed.send(DemocraticReview, review=review, user=None)
    activity_actions.do_set_attendance(None, meeting, world.people["zhao"], "leave")
    assert year_score(world.people["wang"], 2024) == Decimal("64")
