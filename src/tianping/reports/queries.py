"""Figures for dashboards: the workforce profile of a scope, counted by the database."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, Value, When

from tianping.accounts.scoping import Scope, scoped
from tianping.activities.compliance import DashboardSummary, cached_dashboard_summary
from tianping.audit import generation
from tianping.learning.queries.training import cached_shortfall_count
from tianping.people.models import (
    CHIEF_POSTS,
    DEPUTY_POSTS,
    PARTY_STATUSES,
    Category,
    Education,
    Gender,
    Person,
    PoliticalStatus,
    PostLevel,
)

# Generations as the seeds speak of them ("80后", "90后").
GENERATIONS = [
    ("60后及以前", None, 1969),
    ("70后", 1970, 1979),
    ("80后", 1980, 1989),
    ("90后", 1990, 1999),
    ("00后", 2000, None),
]


def generation_of(year: int | None) -> str:
    if year is None:
        return "未填写"
    for label, start, end in GENERATIONS:
        if (start is None or year >= start) and (end is None or year <= end):
            return label
    return "未填写"


@dataclass
class Breakdown:
    title: str
    rows: list[tuple[str, int]]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.rows)

    def share(self, n: int) -> float:
        return n / self.total if self.total else 0.0

    @property
    def table(self) -> list[tuple[str, int, float]]:
        return [(label, n, self.share(n)) for label, n in self.rows]


@dataclass
class GenerationShare:
    title: str
    total: int
    counts: dict[str, int] = field(default_factory=dict)

    def share(self, label: str) -> float:
        return self.counts.get(label, 0) / self.total if self.total else 0.0

    @property
    def post_80s(self) -> float:
        return self.share("80后")

    @property
    def post_90s(self) -> float:
        return self.share("90后")


@dataclass
class WorkforceProfile:
    total: int
    party_members: int
    breakdowns: list[Breakdown]
    generations: Breakdown
    chiefs: GenerationShare
    deputies: GenerationShare

    @property
    def leaders(self) -> list[GenerationShare]:
        return [self.chiefs, self.deputies]


# The columns every head-count breaks down by, with their choices and titles, in page order.
BREAKDOWNS = [
    ("category", Category.choices, "人员类别"),
    ("post_level", PostLevel.choices, "职务层级"),
    ("political_status", PoliticalStatus.choices, "政治面貌"),
    ("gender", Gender.choices, "性别"),
    ("education", Education.choices, "学历"),
]
_COLUMNS = [name for name, _, _ in BREAKDOWNS]


def _breakdown(counts: Counter[str], choices, title: str) -> Breakdown:
    rows = [(label, counts.get(value, 0)) for value, label in choices]
    # A court's own term (people.terms) is its own row, after the standard values.
    standard = {value for value, _ in choices}
    rows += sorted((value, n) for value, n in counts.items() if value and value not in standard)
    if counts.get("", 0):
        rows.append(("未填写", counts[""]))
    return Breakdown(title, rows)


def _generation() -> Case:
    """`generation_of` the birth year, worked out by the database."""
    whens = [When(birth_date__isnull=True, then=Value("未填写"))]
    whens += [
        When(birth_date__lte=dt.date(end, 12, 31), then=Value(label))
        for label, _, end in GENERATIONS
        if end is not None
    ]
    return Case(*whens, default=Value(GENERATIONS[-1][0]), output_field=CharField())


def workforce_profile(scope: Scope | None) -> WorkforceProfile:
    """Head-counts of serving people in the scope, and the generations of 正职 and 副职.

    One pass over the people: one count per combination of the columns broken down by
    and the generation, added up here.
    """
    people = scoped(scope, Person.objects.serving())
    groups = (
        people.annotate(generation=_generation())
        .values_list(*_COLUMNS, "generation")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_column: dict[str, Counter[str]] = {name: Counter() for name in _COLUMNS}
    all_generations: Counter[str] = Counter()
    chiefs: Counter[str] = Counter()
    deputies: Counter[str] = Counter()
    for *values, gen, n in groups:
        for name, value in zip(_COLUMNS, values, strict=True):
            by_column[name][value] += n
        all_generations[gen] += n
        post_level = values[_COLUMNS.index("post_level")]
        if post_level in CHIEF_POSTS:
            chiefs[gen] += n
        elif post_level in DEPUTY_POSTS:
            deputies[gen] += n
    labels = [g[0] for g in GENERATIONS] + (["未填写"] if all_generations.get("未填写") else [])
    return WorkforceProfile(
        total=sum(all_generations.values()),
        party_members=sum(by_column["political_status"][s] for s in PARTY_STATUSES),
        breakdowns=[
            _breakdown(by_column[name], choices, title) for name, choices, title in BREAKDOWNS
        ],
        generations=Breakdown("年龄结构", [(g, all_generations.get(g, 0)) for g in labels]),
        chiefs=GenerationShare("正职", sum(chiefs.values()), dict(chiefs)),
        deputies=GenerationShare("副职", sum(deputies.values()), dict(deputies)),
    )


def _scope_key(scope: Scope) -> str:
    """What a dashboard's figures depend on in the scope: the people it sees (Person.scope_q)
    and the organisation its compliance is counted under."""
    if scope.is_global:
        return "all"
    return f"{scope.root_kind}-{scope.root_id}-{scope.root_path}"


@dataclass
class DashboardFigures:
    profile: WorkforceProfile
    compliance: DashboardSummary | None  # None: the scope does not see compliance
    # (people short of their yearly training hours, people a requirement applies to), this year
    training_shortfall: tuple[int, int] | None = None


def dashboard_figures(scope: Scope, today: dt.date) -> DashboardFigures:
    """The dashboard of the scope as of `today`, from the cache while no write has happened
    since it was counted (audit.generation); one cached entry per scope and day."""
    current = generation.current()
    profile = current.cached(lambda: workforce_profile(scope), "workforce", _scope_key(scope))
    summary = (
        cached_dashboard_summary(scope, today, current) if scope.can("compliance.view") else None
    )
    shortfall = cached_shortfall_count(scope, today.year) if scope.can("learning.view") else None
    return DashboardFigures(profile, summary, shortfall)


__all__ = [
    "DashboardFigures",
    "WorkforceProfile",
    "dashboard_figures",
    "generation_of",
    "workforce_profile",
]
