"""Reads of the liaison part (法官联系人), always through `scoped`: the ledger of assignments
with their visits and matters, the matters with the overdue flag, a court's figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tianping.accounts.scoping import Scope, scoped
from tianping.orgs.models import Org
from tianping.service.models.liaison import (
    OVERDUE_DAYS,
    LiaisonAssignment,
    LiaisonVisit,
    Matter,
    MatterStep,
)


def overdue_before(day: dt.date) -> dt.date:
    """Raised before this day and still open: overdue on `day`."""
    return day - dt.timedelta(days=OVERDUE_DAYS)


def assignments(
    scope: Scope | None,
    court: Org | None = None,
    kind: str = "",
    judge_id: int | None = None,
    today: dt.date | None = None,
) -> QuerySet[LiaisonAssignment]:
    """The ledger: each assignment with its visits, its matters, the open and the overdue."""
    today = today or timezone.localdate()
    found = scoped(scope, LiaisonAssignment.objects.select_related("judge", "court"))
    if court is not None:
        found = found.filter(court__path__startswith=court.path)
    if kind:
        found = found.filter(contact_kind=kind)
    if judge_id is not None:
        found = found.filter(judge_id=judge_id)
    return found.annotate(
        visit_count=Count("visits", distinct=True),
        matter_count=Count("matters", distinct=True),
        open_count=Count("matters", filter=Q(matters__closed_on__isnull=True), distinct=True),
        overdue_count=Count(
            "matters",
            filter=Q(matters__closed_on__isnull=True, matters__raised_on__lt=overdue_before(today)),
            distinct=True,
        ),
    ).order_by("court__path", "judge__name", "starts_on", "pk")


MATTER_STATES = {
    "open": "未办结",
    "overdue": "超期未办结",
    "closed": "已办结",
}


def matters(
    scope: Scope | None,
    court: Org | None = None,
    state: str = "",
    assignment: LiaisonAssignment | None = None,
    today: dt.date | None = None,
) -> QuerySet[Matter]:
    """Matters raised, the latest first (`flagged` puts the overdue first for a page)."""
    today = today or timezone.localdate()
    found = scoped(
        scope,
        Matter.objects.select_related(
            "assignment", "assignment__judge", "assignment__court", "visit__activity"
        ),
    )
    if court is not None:
        found = found.filter(assignment__court__path__startswith=court.path)
    if assignment is not None:
        found = found.filter(assignment=assignment)
    if state == "open":
        found = found.filter(closed_on__isnull=True)
    elif state == "overdue":
        found = found.filter(closed_on__isnull=True, raised_on__lt=overdue_before(today))
    elif state == "closed":
        found = found.filter(closed_on__isnull=False)
    return found.annotate(step_count=Count("steps")).order_by("-raised_on", "-pk")


def flagged(rows: list[Matter], today: dt.date | None = None) -> list[Matter]:
    """Each matter with `overdue` and `age` set, the overdue first, then open, then closed."""
    today = today or timezone.localdate()
    for m in rows:
        m.overdue = m.overdue_on(today)  # type: ignore[attr-defined]
        m.age = m.age_on(today)  # type: ignore[attr-defined]
    rows.sort(
        key=lambda m: (
            not m.overdue,  # type: ignore[attr-defined]
            m.closed_on is not None,
            -(m.closed_on or m.raised_on).toordinal() if m.closed_on else m.raised_on.toordinal(),
        )
    )
    return rows


def visits(scope: Scope | None, assignment: LiaisonAssignment) -> QuerySet[LiaisonVisit]:
    return (
        scoped(scope, LiaisonVisit.objects.filter(assignment=assignment))
        .select_related("activity", "activity__org")
        .annotate(
            present=Count("activity__attendance", filter=Q(activity__attendance__status="present"))
        )
        .order_by("-activity__on", "-pk")
    )


def steps(scope: Scope | None, matter: Matter) -> QuerySet[MatterStep]:
    return scoped(scope, MatterStep.objects.filter(matter=matter)).order_by("on", "pk")


@dataclass
class Figures:
    assignments: int
    judges: int
    visits: int
    matters: int
    closed: int
    open: int
    overdue: int

    @property
    def closed_share(self) -> str:
        return f"{self.closed * 100 / self.matters:.1f}%" if self.matters else "—"


def figures(scope: Scope | None, court: Org | None = None, year: int | None = None) -> Figures:
    """A court's liaison figures (of a year, when given: visits and matters raised in it)."""
    today = timezone.localdate()
    found = scoped(scope, LiaisonAssignment.objects.all())
    if court is not None:
        found = found.filter(court__path__startswith=court.path)
    if year is not None:
        found = found.filter(starts_on__year__lte=year).exclude(ends_on__year__lt=year)
    counts = found.aggregate(n=Count("pk"), judges=Count("judge", distinct=True))
    visit_q = scoped(scope, LiaisonVisit.objects.all())
    matter_q = scoped(scope, Matter.objects.all())
    if court is not None:
        visit_q = visit_q.filter(assignment__court__path__startswith=court.path)
        matter_q = matter_q.filter(assignment__court__path__startswith=court.path)
    if year is not None:
        visit_q = visit_q.filter(activity__on__year=year)
        matter_q = matter_q.filter(raised_on__year=year)
    m = matter_q.aggregate(
        n=Count("pk"),
        closed=Count("pk", filter=Q(closed_on__isnull=False)),
        overdue=Count("pk", filter=Q(closed_on__isnull=True, raised_on__lt=overdue_before(today))),
    )
    return Figures(
        assignments=counts["n"],
        judges=counts["judges"],
        visits=visit_q.count(),
        matters=m["n"],
        closed=m["closed"],
        open=m["n"] - m["closed"],
        overdue=m["overdue"],
    )
