"""Reads of honours (荣誉表彰): the ledger with its filters, a person's and an organisation's
honours, and the counts by level and year with the sentence a report quotes
("全院共有60余名干警荣获省级以上荣誉或二等功以上奖励"). Withdrawn honours stay in the ledger and
count nowhere."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractYear

from tianping.accounts.scoping import Scope, scoped
from tianping.orgs.models import Org, OrgKind
from tianping.people.models import PARTY_STATUSES
from tianping.talent.models import LEVEL_RANK, Honour, HonourKind, HonourLevel

MERIT_RANK = {HonourKind.MERIT_FIRST: 1, HonourKind.MERIT_SECOND: 2, HonourKind.MERIT_THIRD: 3}
MERIT_WORDS = {1: "一等功", 2: "二等功", 3: "三等功"}


@dataclass
class HonourFilter:
    level: str = ""
    kind: str = ""
    year: int | None = None
    holder: str = ""  # "person" | "org" | ""
    court: Org | None = None
    q: str = ""
    withdrawn: bool = False  # show withdrawn ones too


def honour_list(scope: Scope | None, f: HonourFilter) -> QuerySet[Honour]:
    qs = scoped(scope, Honour.objects.all())
    if f.level:
        qs = qs.filter(level=f.level)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.year:
        qs = qs.filter(awarded_on__year=f.year)
    if f.holder == "person":
        qs = qs.filter(person__isnull=False)
    elif f.holder == "org":
        qs = qs.filter(org__isnull=False)
    if f.court is not None:
        qs = qs.filter(court__path__startswith=f.court.path)
    if f.q.strip():
        text = f.q.strip()
        qs = qs.filter(
            Q(title__contains=text)
            | Q(person__name__contains=text)
            | Q(org__name__contains=text)
            | Q(document_no__contains=text)
        )
    if not f.withdrawn:
        qs = qs.filter(withdrawn_on__isnull=True)
    return qs.select_related("court", "person", "person__court", "org").order_by(
        "-awarded_on", "-pk"
    )


def person_honours(scope: Scope | None, person_id: int) -> QuerySet[Honour]:
    return (
        scoped(scope, Honour.objects.filter(person_id=person_id))
        .select_related("court")
        .order_by("-awarded_on", "-pk")
    )


def org_honours(scope: Scope | None, org: Org) -> QuerySet[Honour]:
    """An organisation's own collective honours (not those of the orgs under it)."""
    return (
        scoped(scope, Honour.objects.filter(org=org))
        .select_related("court")
        .order_by("-awarded_on", "-pk")
    )


def approx(n: int, rounding: str = "exact") -> str:
    """A count as a court writes it: exact, or to the ten below with "余" (62 → 60余)."""
    if rounding == "tens" and n >= 20 and n % 10:
        return f"{n // 10 * 10}余"
    return str(n)


@dataclass
class Counts:
    """Honours in force by year and level, distinct people and organisations, and the
    sentence derived from them."""

    court: Org | None
    years: list[int]
    table: dict[int, dict[str, int]]  # year -> level -> honours
    totals: dict[str, int]
    people: int  # distinct people at or above the bar
    party_people: int
    sentence: str
    collectives: list[tuple[str, int, str]] = field(default_factory=list)  # kind, n, sentence


def counts(
    scope: Scope | None,
    court: Org | None = None,
    year: int | None = None,
    *,
    level: str = HonourLevel.PROVINCE,
    merit: int = 2,
    rounding: str = "exact",
) -> Counts:
    """The counts by year and level, and "N名干警荣获<level>以上荣誉或<merit>以上奖励"."""
    qs = scoped(scope, Honour.objects.filter(withdrawn_on__isnull=True))
    if court is not None:
        qs = qs.filter(court__path__startswith=court.path)
    if year is not None:
        qs = qs.filter(awarded_on__year=year)
    table: dict[int, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for y, lv, n in (
        qs.annotate(y=ExtractYear("awarded_on"))
        .values_list("y", "level")
        .annotate(n=Count("id"))
        .order_by()
    ):
        table.setdefault(y, {})[lv] = n
        totals[lv] = totals.get(lv, 0) + n
    levels = [lv for lv in HonourLevel.values if LEVEL_RANK[lv] <= LEVEL_RANK[level]]
    merits = [k for k, rank in MERIT_RANK.items() if rank <= merit]
    bar = qs.filter(person__isnull=False).filter(Q(level__in=levels) | Q(kind__in=merits))
    people = bar.values("person_id").distinct().count()
    party = (
        bar.filter(person__political_status__in=PARTY_STATUSES)
        .values("person_id")
        .distinct()
        .count()
    )
    where = court.name if court is not None else "全部法院"
    when = f"{year}年" if year else ""
    sentence = (
        f"{where}{when}共有{approx(people, rounding)}名干警荣获{HonourLevel(level).label}以上荣誉"
        f"或{MERIT_WORDS[merit]}以上奖励"
    )
    if people:
        sentence += f"，其中党员{approx(party, rounding)}名"
    collectives = []
    for kind, n in (
        qs.filter(org__isnull=False)
        .values_list("kind")
        .annotate(n=Count("org_id", distinct=True))
        .order_by("-n", "kind")
    ):
        label = HonourKind(kind).label
        branches = (
            qs.filter(kind=kind, org__kind__in=[OrgKind.BRANCH]).values("org_id").distinct().count()
        )
        unit = "个支部" if branches == n else "个集体"
        collectives.append((kind, n, f"{approx(n, rounding)}{unit}获评{label}"))
    return Counts(
        court=court,
        years=sorted(table, reverse=True),
        table=table,
        totals=totals,
        people=people,
        party_people=party,
        sentence=sentence,
        collectives=collectives,
    )
