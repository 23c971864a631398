"""Reads of the brands part, always through `scoped`: a court's brand matrix (every branch,
its brand or none, this year's activities under it, its grade), a brand's year, the
demonstration posts with their roster and figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth

from tianping.accounts.scoping import Scope, scoped
from tianping.activities.models import ActivityStatus
from tianping.orgs.models import Org, OrgKind
from tianping.service.models.brands import (
    Brand,
    BrandActivity,
    BrandEvaluation,
    BrandPlanItem,
    DemoPost,
    DutyEntry,
    DutyShift,
)


@dataclass
class MatrixRow:
    branch: Org
    brand: Brand | None
    activities: int = 0
    plan_items: int = 0
    grade: str = ""
    grade_label: str = ""
    last_grade_label: str = ""


@dataclass
class Matrix:
    year: int
    rows: list[MatrixRow]

    @property
    def branded(self) -> int:
        return sum(1 for r in self.rows if r.brand is not None)

    @property
    def grades(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.rows:
            if r.grade_label:
                counts[r.grade_label] = counts.get(r.grade_label, 0) + 1
        return counts


def _current_brands(scope: Scope | None, court: Org | None) -> QuerySet[Brand]:
    found = scoped(scope, Brand.objects.filter(retired_on__isnull=True).select_related("branch"))
    if court is not None:
        found = found.filter(branch__path__startswith=court.path)
    return found


def matrix(scope: Scope | None, court: Org | None, year: int) -> Matrix:
    """Every branch in scope (under `court`): its brand or none, the held activities counted
    under the brand in `year`, its plan items of the year and the year's latest grade."""
    branches = scoped(scope, Org.objects.filter(kind=OrgKind.BRANCH, is_active=True))
    if scope is not None and scope.self_only:
        # A member sees no tree, only their own branch's brand (and its row).
        branches = Org.objects.filter(pk__in=_current_brands(scope, None).values("branch"))
    if court is not None:
        branches = branches.filter(path__startswith=court.path)
    brands = {
        b.branch_id: b
        for b in _current_brands(scope, court).annotate(
            year_activities=Count(
                "links",
                filter=Q(
                    links__activity__on__year=year,
                    links__activity__status=ActivityStatus.HELD,
                ),
                distinct=True,
            ),
            year_items=Count("plan_items", filter=Q(plan_items__year=year), distinct=True),
        )
    }
    grades: dict[tuple[int, int], BrandEvaluation] = {}
    for ev in BrandEvaluation.objects.filter(
        brand__in=[b.pk for b in brands.values()], year__in=(year - 1, year)
    ).order_by("brand_id", "pk"):
        grades[(ev.brand_id, ev.year)] = ev  # the latest of the year wins
    rows = []
    for branch in branches.order_by("path"):
        brand = brands.get(branch.pk)
        row = MatrixRow(branch, brand)
        if brand is not None:
            row.activities = brand.year_activities
            row.plan_items = brand.year_items
            current = grades.get((brand.pk, year))
            if current is not None:
                row.grade, row.grade_label = current.grade, current.get_grade_display()
            last = grades.get((brand.pk, year - 1))
            row.last_grade_label = last.get_grade_display() if last else ""
        rows.append(row)
    return Matrix(year, rows)


@dataclass
class BrandYear:
    brand: Brand
    year: int
    items: list[BrandPlanItem]
    links: list[Any]
    evaluations: list[BrandEvaluation]
    evaluation: BrandEvaluation | None = None
    done_items: set[int] = field(default_factory=set)


def brand_year(scope: Scope | None, brand: Brand, year: int) -> BrandYear:
    items = list(scoped(scope, BrandPlanItem.objects.filter(brand=brand, year=year)))
    links = list(
        scoped(scope, BrandActivity.objects.filter(brand=brand, activity__on__year=year))
        .select_related("activity", "activity__org", "plan_item")
        .annotate(
            present=Count("activity__attendance", filter=Q(activity__attendance__status="present"))
        )
        .order_by("activity__on", "pk")
    )
    evaluations = list(
        scoped(scope, BrandEvaluation.objects.filter(brand=brand)).select_related("evaluated_by")
    )
    current = next((e for e in evaluations if e.year == year), None)
    return BrandYear(
        brand,
        year,
        items,
        links,
        evaluations,
        current,
        {link.plan_item_id for link in links if link.plan_item_id},
    )


def branch_activities(brand: Brand, year: int) -> QuerySet:
    """The held activities of the brand's branch in `year` not yet under the brand (to link)."""
    from tianping.activities.models import Activity

    return (
        Activity.objects.filter(
            org__path__startswith=brand.branch.path, on__year=year, status=ActivityStatus.HELD
        )
        .exclude(pk__in=BrandActivity.objects.filter(brand=brand).values("activity"))
        .order_by("-on")
    )


def posts(scope: Scope | None, court: Org | None = None) -> QuerySet[DemoPost]:
    found = scoped(scope, DemoPost.objects.filter(retired_on__isnull=True)).select_related("org")
    if court is not None:
        found = found.filter(org__path__startswith=court.path)
    return found.annotate(
        shift_count=Count("shifts", distinct=True),
        entry_total=Sum("entries__count"),
    ).order_by("org__path", "name")


@dataclass
class PostFigures:
    year: int
    entries: int
    handled: int
    people: int
    by_month: list[int]
    by_person: list[tuple[str, int]]


def post_figures(post: DemoPost, year: int) -> PostFigures:
    """A post's year: entries, what was handled (件次), who served, month by month."""
    entries = DutyEntry.objects.filter(post=post, on__year=year)
    total = entries.aggregate(
        n=Count("pk"), handled=Sum("count"), people=Count("person", distinct=True)
    )
    by_month = [0] * 12
    for row in entries.annotate(m=ExtractMonth("on")).values("m").annotate(s=Sum("count")):
        by_month[row["m"] - 1] = row["s"] or 0
    by_person = [
        (row["person__name"], row["s"] or 0)
        for row in entries.values("person__name").annotate(s=Sum("count")).order_by("-s")
    ]
    return PostFigures(
        year, total["n"], total["handled"] or 0, total["people"], by_month, by_person
    )


def roster(scope: Scope | None, post: DemoPost, day: dt.date) -> list[DutyShift]:
    """The post's duty roster, each shift with `current` (in its period on `day`)."""
    shifts = list(
        scoped(scope, DutyShift.objects.filter(post=post))
        .select_related("person")
        .order_by("-starts_on", "pk")
    )
    for s in shifts:
        s.current = s.starts_on <= day and (s.ends_on is None or day <= s.ends_on)  # type: ignore[attr-defined]
        s.today = s.on_duty(day)  # type: ignore[attr-defined]
    return shifts


def entries(scope: Scope | None, post: DemoPost) -> QuerySet[DutyEntry]:
    return scoped(scope, DutyEntry.objects.filter(post=post)).select_related("person")
