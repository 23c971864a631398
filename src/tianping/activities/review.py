"""Democratic review of party members (民主评议党员, R1.6): opening a branch's yearly review,
recording self-assessments, vote tallies and grades under the 优秀 cap, and closing it.

Every write is an action here: atomic, audited, and closing announces `review_closed` so the
grades reach points and the member's record in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Field, Q, QuerySet
from django.utils import timezone

from tianping.accounts.scoping import Scope, scoped
from tianping.activities import kinds
from tianping.activities.actions import review_closed
from tianping.activities.models import (
    Activity,
    ActivityStatus,
    DemocraticReview,
    ReviewEntry,
    ReviewGrade,
    ReviewStatus,
)
from tianping.activities.queries import expected_attendees
from tianping.audit.recording import record
from tianping.orgs.models import Org, OrgKind
from tianping.people.models import PARTY_STATUSES, Person, PoliticalStatus

REVIEW_KIND = "democratic_review"
EARLIEST_YEAR = 2000
VOTE_FIELDS = ("votes_excellent", "votes_qualified", "votes_basic", "votes_unqualified")
ENTRY_FIELDS = ("self_assessment", *VOTE_FIELDS, "grade")
FIELD_LABELS = {
    name: str(cast(Field, ReviewEntry._meta.get_field(name)).verbose_name) for name in ENTRY_FIELDS
}
GRADE_LABELS = dict(ReviewGrade.choices)


# ---------------------------------------------------------------------------------------
# The rules


def excellent_cap(full_members: int) -> int:
    """R1.6: 优秀 goes to at most a third of the full members graded, rounded down."""
    return full_members // 3


def is_probationary(person: Person, on: dt.date) -> bool:
    """A 预备党员 on the review's opening day: by status, or not yet a full member that day."""
    if person.political_status == PoliticalStatus.PROBATIONARY:
        return True
    return person.full_member_on is not None and person.full_member_on > on


def opening_day(year: int, today: dt.date) -> dt.date:
    """Whose review it is: this year's members today; a past year's on its last day."""
    return today if year == today.year else dt.date(year, 12, 31)


def participants(branch: Org, on: dt.date) -> list[tuple[Person, bool]]:
    """Every party member placed in the branch on `on`, with whether they are probationary."""
    people = expected_attendees(branch, on).filter(political_status__in=PARTY_STATUSES)
    return [(p, is_probationary(p, on)) for p in people]


def _cap_problem(entries: list[ReviewEntry]) -> str | None:
    full = [e for e in entries if not e.probationary]
    excellent = sum(1 for e in full if e.grade == ReviewGrade.EXCELLENT)
    cap = excellent_cap(len(full))
    if excellent <= cap:
        return None
    return (
        f"“优秀”不得超过参评正式党员的三分之一（《中国共产党支部工作条例（试行）》关于民主评议党员的规定）：本次参评正式党员{len(full)}人，"
        f"“优秀”最多{cap}人，现评定{excellent}人"
    )


def meeting_kinds() -> tuple[str, ...]:
    """Kinds whose record may be the review's meeting (a 民主评议 held with the 组织生活会)."""
    return (
        REVIEW_KIND,
        *(k.code for k in kinds.KINDS.values() if REVIEW_KIND in k.may_also_count_as),
    )


def eligible_meetings(review: DemocraticReview) -> list[Activity]:
    """The branch's records of the review year that count as its 民主评议党员 (R1.5)."""
    candidates = (
        Activity.objects.filter(
            org_id=review.branch_id, on__year=review.year, kind__in=meeting_kinds()
        )
        .exclude(status=ActivityStatus.CANCELLED)
        .order_by("on", "pk")
    )
    return [a for a in candidates if REVIEW_KIND in a.counts_for]


# ---------------------------------------------------------------------------------------
# Reads


def reviews_for(scope: Scope | None) -> QuerySet[DemocraticReview]:
    """The reviews a scope sees, with their tallies (counted over all entries, not the scope's)."""
    visible = scoped(scope, DemocraticReview.objects.all()).values("pk")
    return (
        DemocraticReview.objects.filter(pk__in=visible)
        .select_related("branch", "meeting")
        .annotate(
            members=Count("entries"),
            probationary_count=Count("entries", filter=Q(entries__probationary=True)),
            graded=Count("entries", filter=~Q(entries__grade="")),
            excellent=Count("entries", filter=Q(entries__grade=ReviewGrade.EXCELLENT)),
        )
        .order_by("-year", "branch__path")
    )


def entries_for(scope: Scope | None, review: DemocraticReview) -> QuerySet[ReviewEntry]:
    """The review's entries the scope sees: a member sees only their own."""
    return (
        scoped(scope, ReviewEntry.objects.filter(review=review))
        .select_related("person")
        .order_by("probationary", "person__employee_no")
    )


def results_for(scope: Scope | None, person: Person) -> QuerySet[ReviewEntry]:
    """A person's review results, newest year first, as far as the scope sees them."""
    return (
        scoped(scope, ReviewEntry.objects.filter(person=person))
        .select_related("review__branch", "review__meeting")
        .order_by("-review__year", "-review_id")
    )


# ---------------------------------------------------------------------------------------
# Actions


def _entry_snapshot(entry: ReviewEntry, names: tuple[str, ...] = ENTRY_FIELDS) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in names:
        value = getattr(entry, name)
        data[FIELD_LABELS[name]] = (GRADE_LABELS.get(value) or None) if name == "grade" else value
    return data


@transaction.atomic
def do_open_review(
    user: Any, branch: Org, year: int, *, on: dt.date | None = None
) -> DemocraticReview:
    """Open a branch's review for a year: one entry for every party member placed in it on `on`."""
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if branch.kind != OrgKind.BRANCH:
        errors["branch"] = f"“{branch.name}”不是党支部：民主评议党员由党支部开展"
    elif not branch.is_active:
        errors["branch"] = f"“{branch.name}”已撤销"
    if not EARLIEST_YEAR <= year <= today.year:
        errors["year"] = f"年度应在{EARLIEST_YEAR}年到{today.year}年之间"
    if errors:
        raise ValidationError(errors)
    on = on or opening_day(year, today)
    if on.year != year:
        raise ValidationError({"on": f"名单日期应在{year}年内"})
    if on > today:
        raise ValidationError({"on": "名单日期不能晚于今天"})
    if DemocraticReview.objects.filter(branch=branch, year=year).exists():
        raise ValidationError({"year": f"{branch.name}{year}年度的民主评议已经开启"})
    members = participants(branch, on)
    if not members:
        raise ValidationError({"branch": f"{branch.name}在{on:%Y-%m-%d}没有党员，无法开展民主评议"})
    review = DemocraticReview.objects.create(branch=branch, year=year)
    ReviewEntry.objects.bulk_create(
        ReviewEntry(review=review, person=person, probationary=probationary)
        for person, probationary in members
    )
    record(
        user,
        "activities.review_open",
        review,
        after={
            "支部": branch.name,
            "年度": year,
            "名单日期": on.isoformat(),
            "参评党员": [p.name for p, _ in members],
            "预备党员": [p.name for p, probationary in members if probationary] or None,
        },
        org=branch,
    )
    return review


_UNCHANGED: Any = object()


@transaction.atomic
def do_update_review(
    user: Any,
    review: DemocraticReview,
    *,
    entries: dict[int, dict[str, Any]] | None = None,
    meeting: Activity | None = _UNCHANGED,
) -> DemocraticReview:
    """Record assessments, tallies and grades (only the fields that changed), and the meeting.

    R1.6: a probationary member takes part but gets no grade, and 优秀 stays within a third
    of the full members.
    """
    review = (
        DemocraticReview.objects.select_for_update(of=("self",))
        .select_related("branch", "meeting")
        .get(pk=review.pk)
    )
    if review.status != ReviewStatus.OPEN:
        raise ValidationError("本次民主评议已完成，不能再修改")
    entries = entries or {}
    rows = {e.pk: e for e in review.entries.select_related("person")}
    unknown = set(entries) - set(rows)
    if unknown:
        raise ValidationError(f"不属于本次评议的记录：{sorted(unknown)}")
    problems: list[str] = []
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    changed: list[ReviewEntry] = []
    touched: set[str] = set()
    for pk, fields in entries.items():
        entry = rows[pk]
        bad = set(fields) - set(ENTRY_FIELDS)
        if bad:
            raise ValueError(f"not a review entry field: {sorted(bad)}")
        differs = tuple(
            name for name in ENTRY_FIELDS if name in fields and fields[name] != getattr(entry, name)
        )
        if not differs:
            continue
        was = _entry_snapshot(entry, differs)
        for name in differs:
            value = fields[name]
            if name in VOTE_FIELDS and (not isinstance(value, int) or value < 0):
                problems.append(f"{entry.person.name}的{FIELD_LABELS[name]}应为不小于0的整数")
                continue
            if name == "grade":
                value = value or ""
                if value and value not in ReviewGrade.values:
                    problems.append(f"{entry.person.name}的评定等次无效")
                    continue
                if value and entry.probationary:
                    problems.append(
                        f"{entry.person.name}是预备党员：参加评议，但不评定等次（《中国共产党支部工作条例（试行）》关于民主评议党员的规定）"
                    )
                    continue
            if name == "self_assessment":
                value = (value or "").strip()
            setattr(entry, name, value)
            touched.add(name)
        before[str(entry.person)] = was
        after[str(entry.person)] = _entry_snapshot(entry, differs)
        changed.append(entry)
    if problems:
        raise ValidationError(problems)
    if problem := _cap_problem(list(rows.values())):
        raise ValidationError(problem)
    meeting_changed = (
        meeting is not _UNCHANGED and (meeting.pk if meeting else None) != review.meeting_id
    )
    if meeting_changed:
        if meeting is not None and meeting.pk not in {a.pk for a in eligible_meetings(review)}:
            raise ValidationError(
                f"“{meeting}”不是{review.branch.name}{review.year}年度可计为民主评议党员的活动"
            )
        before["评议会议"] = str(review.meeting) if review.meeting_id else None
        after["评议会议"] = str(meeting) if meeting else None
        review.meeting = meeting
        review.save(update_fields=["meeting"])
    if not changed and not meeting_changed:
        return review
    if changed:
        ReviewEntry.objects.bulk_update(changed, sorted(touched))
    record(user, "activities.review_update", review, before=before, after=after, org=review.branch)
    return review


@transaction.atomic
def do_close_review(user: Any, review: DemocraticReview) -> DemocraticReview:
    """Close a review once every full member is graded; announce it so the grades feed points."""
    review = (
        DemocraticReview.objects.select_for_update(of=("self",))
        .select_related("branch", "meeting")
        .get(pk=review.pk)
    )
    if review.status != ReviewStatus.OPEN:
        raise ValidationError("本次民主评议已完成")
    entries = list(review.entries.select_related("person").order_by("person__employee_no"))
    ungraded = [e.person.name for e in entries if not e.probationary and not e.grade]
    if ungraded:
        raise ValidationError(
            f"还有{len(ungraded)}名正式党员未评定等次：{'、'.join(ungraded)}；全部评定后才能完成评议"
        )
    if problem := _cap_problem(entries):
        raise ValidationError(problem)
    review.status = ReviewStatus.CLOSED
    review.closed_at = timezone.now()
    review.save(update_fields=["status", "closed_at"])
    tally = Counter(e.grade for e in entries if not e.probationary)
    record(
        user,
        "activities.review_close",
        review,
        before={"状态": ReviewStatus.OPEN.label},
        after={
            "状态": ReviewStatus.CLOSED.label,
            **{label: tally.get(code, 0) for code, label in ReviewGrade.choices},
            "预备党员（不评定等次）": sum(1 for e in entries if e.probationary),
        },
        org=review.branch,
    )
    review_closed.send(sender=DemocraticReview, review=review, user=user)
    return review


__all__ = [
    "do_close_review",
    "do_open_review",
    "do_update_review",
    "eligible_meetings",
    "entries_for",
    "excellent_cap",
    "participants",
    "results_for",
    "reviews_for",
]
