"""Reads of talent pools (人才库): the pools in scope, a pool's members with the rules checked
again today (those who no longer meet one are flagged), an eligibility run, a member's
history, and the fairness view (by gender, age band, court and line)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from tianping.accounts.scoping import Scope, scoped
from tianping.lib.dates import add_years, age_on
from tianping.people.models import Category, Gender, Person
from tianping.talent.eligibility import Candidate, check_people, eligibility_run
from tianping.talent.models import (
    ACTIVE_STATUSES,
    MemberStatus,
    PoolEvent,
    PoolMember,
    TalentPool,
)

REVIEW_EVERY_YEARS = 1


def pool_list(scope: Scope | None) -> QuerySet[TalentPool]:
    return (
        scoped(scope, TalentPool.objects.all())
        .select_related("court")
        .annotate(
            admitted=Count("members", filter=Q(members__status=MemberStatus.ADMITTED)),
            nominated=Count("members", filter=Q(members__status=MemberStatus.NOMINATED)),
        )
        .order_by("court__path", "kind", "pk")
    )


@dataclass
class MemberRow:
    member: PoolMember
    check: Candidate | None

    @property
    def flagged(self) -> bool:
        return self.check is not None and not self.check.eligible

    @property
    def review_due(self) -> bool:
        m = self.member
        return (
            m.status == MemberStatus.ADMITTED
            and m.reviewed_on is not None
            and add_years(m.reviewed_on, REVIEW_EVERY_YEARS) <= dt.date.today()
        )


def pool_members(
    scope: Scope | None, pool: TalentPool, on: dt.date, *, include_closed: bool = False
) -> list[MemberRow]:
    """The pool's members the scope may see, each checked against the rules at `on`."""
    qs = scoped(scope, pool.members.all()).select_related("person", "person__court")
    if not include_closed:
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    members = list(qs.order_by("status", "person__court__path", "person__employee_no"))
    active = [m.person_id for m in members if m.is_active]
    checks = check_people(pool, on, active) if active else {}
    rows = [MemberRow(m, checks.get(m.person_id) if m.is_active else None) for m in members]
    # The flagged first: an officer's attention goes there.
    rows.sort(key=lambda r: (not r.flagged, r.member.status != MemberStatus.NOMINATED))
    return rows


def run(pool: TalentPool, on: dt.date) -> tuple[list[Candidate], set[int]]:
    """The eligible people at `on`, and which of them are already nominated or in the pool."""
    candidates = eligibility_run(pool, on)
    held = set(pool.members.filter(status__in=ACTIVE_STATUSES).values_list("person_id", flat=True))
    return candidates, held


def member_history(scope: Scope | None, member: PoolMember) -> QuerySet[PoolEvent]:
    return scoped(scope, member.events.all()).select_related("by").order_by("on", "pk")


def my_memberships(scope: Scope | None, person_id: int | None) -> QuerySet[PoolMember]:
    if person_id is None:
        return PoolMember.objects.none()
    return (
        scoped(scope, PoolMember.objects.filter(person_id=person_id))
        .select_related("pool", "pool__court")
        .order_by("-nominated_on")
    )


AGE_BANDS = [
    (0, 30, "30岁及以下"),
    (31, 35, "31-35岁"),
    (36, 40, "36-40岁"),
    (41, 45, "41-45岁"),
    (46, 50, "46-50岁"),
    (51, 200, "51岁及以上"),
]


def age_band(birth: dt.date | None, on: dt.date) -> str:
    if birth is None:
        return "未登记"
    age = age_on(birth, on)
    return next(label for low, high, label in AGE_BANDS if low <= age <= high)


@dataclass
class Split:
    """One dimension of the fairness view: members and the court's serving staff per group."""

    name: str
    groups: list[str]
    members: dict[str, int]
    staff: dict[str, int]
    member_total: int = 0
    staff_total: int = 0
    rows: list[tuple[str, int, str, int, str]] = field(default_factory=list)

    def finish(self) -> Split:
        self.member_total = sum(self.members.values())
        self.staff_total = sum(self.staff.values())

        def pct(n: int, total: int) -> str:
            return f"{n * 100 / total:.1f}%" if total else "—"

        self.rows = [
            (
                g,
                self.members.get(g, 0),
                pct(self.members.get(g, 0), self.member_total),
                self.staff.get(g, 0),
                pct(self.staff.get(g, 0), self.staff_total),
            )
            for g in self.groups
        ]
        return self


def fairness(pool: TalentPool, on: dt.date) -> list[Split]:
    """The pool's members beside the serving staff of its courts, by gender, age band, court
    and line: counts and shares, so an imbalance shows in numbers, not only in a chart."""
    member_ids = pool.members.filter(status=MemberStatus.ADMITTED).values("person_id")
    staff = Person.objects.filter(court__path__startswith=pool.court.path).serving()
    fields = ("id", "gender", "birth_date", "court__name", "category")
    member_rows = list(Person.objects.filter(pk__in=member_ids).values(*fields))
    genders = dict(Gender.choices)
    lines = dict(Category.choices)
    keys = {
        "性别": lambda r: genders.get(r["gender"], "未登记"),
        "年龄段": lambda r: age_band(r["birth_date"], on),
        "法院": lambda r: r["court__name"],
        "人员类别": lambda r: lines.get(r["category"], "未登记"),
    }
    splits = {name: Split(name, [], {}, {}) for name in keys}
    for r in staff.values(*fields).iterator(chunk_size=5000):
        for name, key in keys.items():
            g = key(r)
            splits[name].staff[g] = splits[name].staff.get(g, 0) + 1
    for r in member_rows:
        for name, key in keys.items():
            g = key(r)
            splits[name].members[g] = splits[name].members.get(g, 0) + 1
    order = {
        "性别": [*genders.values(), "未登记"],
        "年龄段": [label for _, _, label in AGE_BANDS] + ["未登记"],
        "人员类别": [*lines.values(), "未登记"],
    }
    for name, s in splits.items():
        seen = set(s.staff) | set(s.members)
        wanted = order.get(name) or sorted(seen)
        s.groups = [g for g in wanted if g in seen]
        s.finish()
    return list(splits.values())
