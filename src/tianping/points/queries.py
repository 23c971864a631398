"""Reads of the points ledger: year scores, a subtree's scores, rankings and who may see them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from tianping.accounts.scoping import Scope
from tianping.orgs.models import Org, OrgKind
from tianping.people.models import PARTY_STATUSES, Person, Placement, PlacementKind
from tianping.points.models import PointEntry, PointScheme, Trigger
from tianping.points.rules import BASE

ZERO = Decimal("0")
CENT = Decimal("0.01")


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def in_year(year: int, prefix: str = "") -> Q:
    start, end = year_bounds(year)
    return Q(**{f"{prefix}on__gte": start, f"{prefix}on__lte": end})


def open_veto(prefix: str = "") -> Q:
    """A veto that stands: neither a reversal itself nor reversed since (R4.1 一票否决)."""
    return Q(
        **{
            f"{prefix}trigger": Trigger.VETO,
            f"{prefix}reverses__isnull": True,
            f"{prefix}reversed_by__isnull": True,
        }
    )


def bases_for(court_ids: Iterable[int]) -> dict[int, Decimal]:
    """Each court's base score; a court that never opened its rules has the R4.1 default.

    Reading never seeds a scheme: a question asked of the ledger writes nothing.
    """
    ids = set(court_ids)
    found = dict(PointScheme.objects.filter(court_id__in=ids).values_list("court_id", "base"))
    return {court_id: found.get(court_id, BASE).quantize(CENT) for court_id in ids}


def base_for(court: Org) -> Decimal:
    return bases_for([court.pk])[court.pk]


def score(base: Decimal, total: Decimal, vetoed: bool) -> Decimal:
    """R4.1: the year's score is the base plus the year's entries, or 0 under a veto."""
    return (ZERO if vetoed else base + total).quantize(CENT)


def year_score(person: Person, year: int) -> Decimal:
    """One member's score for a year (R4.1), in one aggregate query beside the base."""
    row = PointEntry.objects.filter(in_year(year), person=person).aggregate(
        total=Sum("points"), vetoes=Count("pk", filter=open_veto())
    )
    return score(base_for(person.court), row["total"] or ZERO, bool(row["vetoes"]))


@dataclass
class Ledger:
    """A member's ledger for one year: every entry with its source, and the sum to check."""

    person: Person
    year: int
    base: Decimal
    entries: list[PointEntry]
    years: list[int]
    total: Decimal = ZERO
    veto: PointEntry | None = None

    @property
    def score(self) -> Decimal:
        return score(self.base, self.total, self.veto is not None)


def ledger(person: Person, year: int) -> Ledger:
    """The year's entries in one query, each with its activity, attendance and reversal pair."""
    entries = list(
        PointEntry.objects.filter(in_year(year), person=person)
        .select_related(
            "activity",
            "attendance",
            "created_by",
            "reverses",
        )
        .order_by("on", "id")
    )
    # Reversals by id in a second query: a join on the mostly-NULL unique `reverses` column
    # lets SQLite's planner scan the whole ledger once it has statistics.
    reversals = {
        e.reverses_id: e
        for e in PointEntry.objects.filter(reverses_id__in=[e.pk for e in entries]).order_by()
    }
    accessor = PointEntry.reversed_by.related
    for entry in entries:
        accessor.set_cached_value(entry, reversals.get(entry.pk))
    years = {d.year for d in PointEntry.objects.filter(person=person).dates("on", "year")}
    veto = next(
        (
            e
            for e in entries
            if e.trigger == Trigger.VETO and e.reverses_id is None and not _is_reversed(e)
        ),
        None,
    )
    return Ledger(
        person=person,
        year=year,
        base=base_for(person.court),
        entries=entries,
        years=sorted(years | {year}, reverse=True),
        total=sum((e.points for e in entries), ZERO),
        veto=veto,
    )


def _is_reversed(entry: PointEntry) -> bool:
    try:
        return entry.reversed_by is not None
    except PointEntry.DoesNotExist:
        return False


def members_in_year(org: Org, year: int) -> QuerySet[Person]:
    """Party members (full and probationary) placed in the subtree at any time in the year."""
    start, end = year_bounds(year)
    placements = Placement.objects.filter(
        Q(since__isnull=True) | Q(since__lte=end),
        Q(until__isnull=True) | Q(until__gt=start),
        kind=PlacementKind.PARTY_ORG,
        org__path__startswith=org.path,
    )
    return Person.objects.filter(
        pk__in=placements.values("person_id"), political_status__in=PARTY_STATUSES
    )


@dataclass
class ScoreRow:
    person_id: int
    employee_no: str
    name: str
    points: Decimal
    entries: int
    vetoed: bool
    rank: int = 0
    extra: dict[str, object] = field(default_factory=dict)


def scores(people: QuerySet[Person], year: int) -> list[ScoreRow]:
    """Each person's year score: one aggregate query over the year's entries, one for the people
    and one for their courts' bases, whatever the number of people."""
    rows = list(people.order_by("employee_no").values_list("pk", "employee_no", "name", "court_id"))
    # A branch's few people are looked up by the (person, on) index; a province's by a subquery.
    who = (
        Q(person_id__in=[r[0] for r in rows])
        if len(rows) <= 2000
        else Q(person__in=people.values("pk"))
    )
    totals = {
        pk: (total, n, vetoes)
        for pk, total, n, vetoes in PointEntry.objects.filter(in_year(year), who)
        .values("person_id")
        .annotate(total=Sum("points"), n=Count("pk"), vetoes=Count("pk", filter=open_veto()))
        .values_list("person_id", "total", "n", "vetoes")
        .order_by()
    }
    bases = bases_for(r[3] for r in rows)
    out = []
    for pk, no, name, court_id in rows:
        total, n, vetoes = totals.get(pk, (ZERO, 0, 0))
        out.append(
            ScoreRow(
                person_id=pk,
                employee_no=no,
                name=name,
                points=score(bases[court_id], total, bool(vetoes)),
                entries=n,
                vetoed=bool(vetoes),
            )
        )
    return out


def subtree_scores(org: Org, year: int) -> list[ScoreRow]:
    return scores(members_in_year(org, year), year)


def ranked(rows: Sequence[ScoreRow]) -> list[ScoreRow]:
    """Highest first; equal points share a rank and the next rank skips (1, 1, 3); ties by 工号."""
    ordered = sorted(rows, key=lambda r: (-r.points, r.employee_no))
    for i, row in enumerate(ordered):
        if i and row.points == ordered[i - 1].points:
            row.rank = ordered[i - 1].rank
        else:
            row.rank = i + 1
    return ordered


def may_see_ranking(scope: Scope | None, org: Org) -> bool:
    """R4.2: no compulsory public ranking. The party committee office that keeps the rules sees
    it; a branch secretary only once the court turns it on; nobody else, never a member.
    """
    if scope is None or scope.self_only or not scope.covers_path(org.path):
        return False
    if scope.can("points.manage"):
        return True
    if scope.role != "branch_secretary":
        return False
    if org.kind not in (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.PARTY_COMMITTEE):
        return False
    court = org.court()
    return PointScheme.objects.filter(court=court, rankings_for_secretaries=True).exists()
