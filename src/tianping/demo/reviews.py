"""Builder step (demo): last year's 民主评议党员 of every branch, graded and closed (R1.6, R4.1).

Each branch that held its review last year (the 民主评议党员 record, or the 组织生活会 held
with it) has the review opened on that meeting's day for the members placed in the branch
then, self-assessments and vote tallies recorded, 优秀 given to at most a third of the full
members graded (usually fewer), 基本合格 now and then, probationary members taking part
ungraded, and the review closed. It goes through `activities.review`'s actions, so closing
it posts the review's points exactly as the product does; the demo's courts give points for
a review's result (the default rule set gives none until a court sets them, R4.1).
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import TYPE_CHECKING

from tianping.activities.models import (
    Activity,
    Attendance,
    AttendanceStatus,
    DemocraticReview,
    ReviewEntry,
    ReviewGrade,
)
from tianping.activities.review import (
    do_close_review,
    do_open_review,
    do_update_review,
    eligible_meetings,
    excellent_cap,
)
from tianping.orgs.models import Org, OrgKind
from tianping.points.actions import do_update_rule
from tianping.points.models import PointRule, Trigger

if TYPE_CHECKING:
    from tianping.demo.builder import Build

# What the demo's courts give for a review's result (a court's choice, R4.1).
REVIEW_POINTS: dict[str, Decimal] = {
    Trigger.REVIEW_EXCELLENT: Decimal("5"),
    Trigger.REVIEW_UNQUALIFIED: Decimal("-10"),
}
# Of the full members graded, about this share is 优秀 (never above the cap of a third).
EXCELLENT_SHARE = (0.2, 0.33)
BASIC_CHANCE = 0.15  # a branch grades one member 基本合格

SELF_ASSESSMENTS = (
    "本人认真学习党的理论，严格遵守党章党规，较好完成审判执行任务；不足是理论学习深度不够，今后加强。",
    "一年来坚持政治学习，按时参加组织生活，严守廉洁纪律；存在的不足是调查研究不够，今后改进。",
    "能够履行党员义务，积极参加志愿服务，服务群众意识较强；不足是业务钻研不够深入。",
    "严格执行“三个规定”，按时足额交纳党费，带头完成办案任务；需进一步提高文字综合能力。",
    "积极参加支部活动，发挥党员先锋模范作用；不足是批评与自我批评开展得不够。",
)


def year_of_review(build: Build) -> int:
    """Last year: the reviews the demo shows are complete."""
    return build.plan.as_of.year - 1


def set_review_points(courts: list[Org]) -> None:
    """The courts' choice of points for a review's result, through the rules action."""
    for rule in (
        PointRule.objects.filter(court__in=courts, trigger__in=list(REVIEW_POINTS))
        .select_related("court")
        .order_by("court__path", "trigger")
    ):
        do_update_rule(
            None,
            rule,
            points=REVIEW_POINTS[rule.trigger],
            per_hours=rule.per_hours,
            cap=rule.cap,
            cap_period=rule.cap_period,
            active=rule.active,
        )


def voters(meeting: Activity) -> int:
    """Who took part in the vote: the party members recorded present at the meeting."""
    return Attendance.objects.filter(activity=meeting, status=AttendanceStatus.PRESENT).count()


def add_reviews(build: Build) -> None:
    """Last year's 民主评议党员 of every branch that held it, through the review actions."""
    rng = build.rng("reviews")
    year = year_of_review(build)
    courts = list(Org.objects.filter(code__in=[c.code for c in build.plan.courts]))
    set_review_points(courts)
    branches = Org.objects.filter(
        pk__in=build.org_ids.values(), kind=OrgKind.BRANCH, is_active=True
    ).order_by("path")
    reviews = 0
    for branch in branches:
        meeting = review_meeting(branch, year)
        if meeting is None:
            continue  # the branch did not hold its review last year: nothing to grade
        review = do_open_review(None, branch, year, on=meeting.on)
        entries = list(review.entries.select_related("person").order_by("person__employee_no"))
        do_update_review(
            None, review, entries=grades(rng, entries, voters(meeting)), meeting=meeting
        )
        do_close_review(None, review)
        reviews += 1
    build.counts.update(democratic_reviews=reviews)


def review_meeting(branch: Org, year: int) -> Activity | None:
    """The record that counts as the branch's review (R1.5, D3), the last one of the year."""
    probe = DemocraticReview(branch=branch, year=year)
    meetings = eligible_meetings(probe)
    return meetings[-1] if meetings else None


def grades(
    rng: random.Random, entries: list[ReviewEntry], present: int
) -> dict[int, dict[str, object]]:
    """Assessments, tallies and grades: 优秀 to the most voted, within the cap (R1.6)."""
    full = [e for e in entries if not e.probationary]
    cap = excellent_cap(len(full))
    share = rng.uniform(*EXCELLENT_SHARE)
    excellent = min(cap, max(1 if cap else 0, round(len(full) * share)))
    ballots = max(1, present - 1)
    scores = {e.pk: rng.random() for e in full}
    ranked = sorted(full, key=lambda e: (-scores[e.pk], e.person.employee_no))
    graded: dict[int, str] = {e.pk: ReviewGrade.QUALIFIED for e in ranked}
    for e in ranked[:excellent]:
        graded[e.pk] = ReviewGrade.EXCELLENT
    if len(ranked) > 6 and rng.random() < BASIC_CHANCE:
        graded[ranked[-1].pk] = ReviewGrade.BASIC
    out: dict[int, dict[str, object]] = {}
    for e in entries:
        fields: dict[str, object] = {"self_assessment": rng.choice(SELF_ASSESSMENTS)}
        if e.probationary:
            out[e.pk] = fields
            continue
        grade = graded[e.pk]
        if grade == ReviewGrade.EXCELLENT:
            good = rng.randint(ballots * 6 // 10, ballots)
            basic = 0
        elif grade == ReviewGrade.BASIC:
            good = 0
            basic = rng.randint(ballots // 2, ballots * 3 // 4)
        else:
            good = rng.randint(0, ballots * 3 // 10)
            basic = 1 if rng.random() < 0.1 else 0
        fields.update(
            votes_excellent=good,
            votes_qualified=max(0, ballots - good - basic),
            votes_basic=basic,
            votes_unqualified=0,
            grade=grade,
        )
        out[e.pk] = fields
    return out
