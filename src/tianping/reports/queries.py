"""Figures for dashboards: the workforce profile of a scope, counted by the database."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import ExtractYear

from tianping.accounts.scoping import Scope, scoped
from tianping.people.models import (
    CHIEF_POSTS,
    DEPUTY_POSTS,
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


def _breakdown(qs, field_name: str, choices, title: str) -> Breakdown:
    counts = dict(qs.values_list(field_name).annotate(n=Count("id")).order_by())
    rows = [(label, counts.get(value, 0)) for value, label in choices]
    if counts.get("", 0):
        rows.append(("未填写", counts[""]))
    return Breakdown(title, rows)


def workforce_profile(scope: Scope | None) -> WorkforceProfile:
    """Head-counts of serving people in the scope, and the generations of 正职 and 副职."""
    people = scoped(scope, Person.objects.serving())
    breakdowns = [
        _breakdown(people, "category", Category.choices, "人员类别"),
        _breakdown(people, "post_level", PostLevel.choices, "职务层级"),
        _breakdown(people, "political_status", PoliticalStatus.choices, "政治面貌"),
        _breakdown(people, "gender", Gender.choices, "性别"),
        _breakdown(people, "education", Education.choices, "学历"),
    ]
    by_year_post = (
        people.annotate(year=ExtractYear("birth_date"))
        .values_list("post_level", "year")
        .annotate(n=Count("id"))
        .order_by()
    )
    all_generations: Counter[str] = Counter()
    chiefs: Counter[str] = Counter()
    deputies: Counter[str] = Counter()
    for post_level, year, n in by_year_post:
        gen = generation_of(year)
        all_generations[gen] += n
        if post_level in CHIEF_POSTS:
            chiefs[gen] += n
        elif post_level in DEPUTY_POSTS:
            deputies[gen] += n
    labels = [g[0] for g in GENERATIONS] + (["未填写"] if all_generations.get("未填写") else [])
    total = sum(all_generations.values())
    return WorkforceProfile(
        total=total,
        party_members=people.party_members().count(),
        breakdowns=breakdowns,
        generations=Breakdown("年龄结构", [(g, all_generations.get(g, 0)) for g in labels]),
        chiefs=GenerationShare("正职", sum(chiefs.values()), dict(chiefs)),
        deputies=GenerationShare("副职", sum(deputies.values()), dict(deputies)),
    )


__all__ = ["WorkforceProfile", "generation_of", "workforce_profile"]
