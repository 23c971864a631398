"""Reads of volunteer service: hours per person and year, a team's and a court's yearly
figures, teams, certificates. Every read for a user goes through `scoped`.

Hours come from one place: a present attendance row of a held `volunteer_service`
activity, its own hours when it has them (a person who served part of it), else the
activity's — exactly what `points.posting` reads for R4.1.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractYear

from tianping.accounts.scoping import Scope, scoped
from tianping.activities.models import Activity, ActivityStatus, Attendance, AttendanceStatus
from tianping.orgs.models import COURT_KINDS, Org
from tianping.people.models import Person
from tianping.points.models import PointEntry, Trigger
from tianping.service.models.volunteer import (
    CertificateRule,
    TeamMember,
    VolunteerCertificate,
    VolunteerService,
    VolunteerTeam,
)

KIND = "volunteer_service"
ZERO = Decimal("0")
TENTH = Decimal("0.1")
_DEC: DecimalField = DecimalField(max_digits=12, decimal_places=1)
# The hours one served attendance row counts (the same source of truth as points.posting).
HOURS = Coalesce(F("hours"), F("activity__hours"), Value(ZERO), output_field=_DEC)


def tenth(value: Any) -> Decimal:
    """A sum as the database returns it, to the tenth (SQLite sums decimals as floats)."""
    if isinstance(value, Decimal):
        return value.quantize(TENTH)
    return Decimal(str(value or 0)).quantize(TENTH)


def served(year: int | None = None) -> QuerySet[Attendance]:
    """The attendance rows that count as volunteer hours: present, at a held service."""
    rows = Attendance.objects.filter(
        status=AttendanceStatus.PRESENT,
        activity__kind=KIND,
        activity__status=ActivityStatus.HELD,
    )
    if year is not None:
        rows = rows.filter(
            activity__on__gte=dt.date(year, 1, 1), activity__on__lte=dt.date(year, 12, 31)
        )
    return rows


def yearly_hours(person_ids: Iterable[int], years: Iterable[int]) -> dict[tuple[int, int], Decimal]:
    """Each person's hours in each of the years (unscoped: the certificate rules read it)."""
    people, wanted = sorted(set(person_ids)), sorted(set(years))
    if not people or not wanted:
        return {}
    out: dict[tuple[int, int], Decimal] = {}
    rows = served().filter(
        activity__on__gte=dt.date(wanted[0], 1, 1), activity__on__lte=dt.date(wanted[-1], 12, 31)
    )
    for start in range(0, len(people), 500):
        chunk = people[start : start + 500]
        for r in (
            rows.filter(person_id__in=chunk)
            .annotate(year=ExtractYear("activity__on"))
            .values("person_id", "year")
            .annotate(h=Sum(HOURS))
        ):
            if r["year"] in wanted:
                out[(r["person_id"], r["year"])] = tenth(r["h"])
    return out


def years_with_service(scope: Scope | None, org: Org | None = None) -> list[int]:
    activities = scoped(scope, Activity.objects.filter(kind=KIND, status=ActivityStatus.HELD))
    if org is not None:
        activities = activities.filter(org__path__startswith=org.path)
    found = {d.year for d in activities.dates("on", "year")}
    found.add(dt.date.today().year)
    return sorted(found, reverse=True)


# ---------------------------------------------------------------------------------------
# The hours ledger


@dataclass(frozen=True)
class PersonRef:
    """Who a ledger line is about: what the ledger shows of a person, without loading
    fifteen thousand roster rows for a province's year."""

    pk: int
    employee_no: str
    name: str

    @property
    def id(self) -> int:
        return self.pk


@dataclass
class LedgerLine:
    person: PersonRef
    services: int
    hours: Decimal
    points: Decimal = ZERO


@dataclass
class Ledger:
    lines: list[LedgerLine]
    people: int
    services: int
    hours: Decimal


def hours_ledger(
    scope: Scope | None,
    org: Org,
    year: int,
    *,
    q: str = "",
    limit: int | None = 100,
    offset: int = 0,
) -> Ledger:
    """Each person's hours of the year at services held in `org`'s subtree, most first, with
    the R4.1 points those services earned (read from the points ledger, never recomputed)."""
    rows = scoped(scope, served(year)).filter(activity__org__path__startswith=org.path)
    if q:
        rows = rows.filter(
            Q(person__name__contains=q)
            | Q(person__employee_no__iexact=q)
            | Q(person__name_initials__startswith=q.lower())
        )
    per_person = (
        rows.values("person_id")
        .annotate(n=Count("activity_id", distinct=True), h=Sum(HOURS))
        .order_by("-h", "person_id")
    )
    totals = rows.aggregate(
        people=Count("person_id", distinct=True),
        n=Count("activity_id", distinct=True),
        h=Sum(HOURS),
    )
    chosen = list(per_person if limit is None else per_person[offset : offset + limit])
    ids = [r["person_id"] for r in chosen]
    # A page names its hundred people; a whole ledger everyone who served, in one query.
    named = Person.objects.filter(
        pk__in=rows.values("person_id") if limit is None else ids
    ).values_list("id", "employee_no", "name")
    people = {pk: PersonRef(pk, employee_no, name) for pk, employee_no, name in named}
    # A whole ledger reads the subtree's points in one grouped pass, a page by its people.
    points = _points(ids if limit is not None else None, year, org)
    lines = [
        LedgerLine(
            people[r["person_id"]],
            r["n"],
            tenth(r["h"]),
            points.get(r["person_id"], ZERO),
        )
        for r in chosen
    ]
    return Ledger(lines, totals["people"] or 0, totals["n"] or 0, tenth(totals["h"]))


def _points(person_ids: list[int] | None, year: int, org: Org | None = None) -> dict[int, Decimal]:
    """The R4.1 volunteer points of the year (reversals included: a balance is a sum), of
    the people named, or of everyone when None."""
    if person_ids is not None and not person_ids:
        return {}
    entries = PointEntry.objects.filter(
        trigger=Trigger.VOLUNTEER_HOURS,
        on__gte=dt.date(year, 1, 1),
        on__lte=dt.date(year, 12, 31),
    )
    if person_ids is not None:
        entries = entries.filter(person_id__in=person_ids)
    if org is not None:
        # Through the subtree's services (the only activities R4.1 entries cite): the
        # database reads a few thousand services' entries, not a year of everyone's.
        # Entries carry their service's day, and a reversal its entry's: the year's services.
        services = Activity.objects.filter(
            kind=KIND,
            on__gte=dt.date(year, 1, 1),
            on__lte=dt.date(year, 12, 31),
            org__path__startswith=org.path,
        )
        entries = entries.filter(activity_id__in=services.values("id"))
    return {
        r["person_id"]: Decimal(str(r["p"] or 0)).quantize(Decimal("0.01"))
        for r in entries.values("person_id").annotate(p=Sum("points"))
    }


@dataclass
class ServiceLine:
    activity: Activity
    hours: Decimal
    partial: bool
    points: Decimal
    team: VolunteerTeam | None
    community: str


@dataclass
class PersonYear:
    person: Person
    year: int
    lines: list[ServiceLine]
    hours: Decimal
    points: Decimal
    cap: Decimal | None
    certificates: list[VolunteerCertificate] = field(default_factory=list)
    next_rule: CertificateRule | None = None

    @property
    def to_next(self) -> Decimal | None:
        return self.next_rule.min_hours - self.hours if self.next_rule else None


def person_year(scope: Scope | None, person: Person, year: int) -> PersonYear:
    """A person's services of the year, each with its hours and the points it earned, the
    year's cap on those points (R4.1) and the certificates of the year."""
    from tianping.points.rules import rules_for

    rows = list(
        scoped(scope, served(year))
        .filter(person=person)
        .select_related("activity__org", "activity__volunteer_service__team")
        .annotate(counted=HOURS)
        .order_by("activity__on", "activity_id")
    )
    by_activity: dict[int, Decimal] = defaultdict(Decimal)
    for e in PointEntry.objects.filter(
        person=person,
        trigger=Trigger.VOLUNTEER_HOURS,
        activity_id__in=[r.activity_id for r in rows],
    ).values("activity_id", "points"):
        by_activity[e["activity_id"]] += Decimal(e["points"])
    lines = []
    for r in rows:
        extra = getattr(r.activity, "volunteer_service", None)
        lines.append(
            ServiceLine(
                r.activity,
                tenth(r.counted),
                r.hours is not None and r.activity.hours is not None and r.hours < r.activity.hours,
                by_activity.get(r.activity_id, ZERO),
                extra.team if extra else None,
                extra.community if extra else r.activity.location,
            )
        )
    rule = rules_for(person.court).get(Trigger.VOLUNTEER_HOURS) if person.court_id else None
    points = _points([person.pk], year).get(person.pk, ZERO)
    hours = sum((line.hours for line in lines), ZERO)
    certificates = list(
        scoped(scope, VolunteerCertificate.objects.filter(person=person, year=year))
        .select_related("rule")
        .order_by("rule__min_hours", "issued_on", "pk")
    )
    held = {c.rule_id for c in certificates if c.valid}
    rules = rules_of(person.court) if person.court_id else []
    upcoming = [r for r in rules if r.pk not in held and r.min_hours > hours]
    return PersonYear(
        person,
        year,
        lines,
        hours,
        points,
        rule.cap if rule else None,
        certificates,
        upcoming[0] if upcoming else None,
    )


# ---------------------------------------------------------------------------------------
# Teams and their yearly figures


def teams(scope: Scope | None, org: Org | None = None) -> QuerySet[VolunteerTeam]:
    found = scoped(scope, VolunteerTeam.objects.select_related("owner", "court"))
    if org is not None:
        found = found.filter(owner__path__startswith=org.path)
    return found.order_by("court__path", "owner__path", "name")


def teams_for(activity: Activity) -> list[VolunteerTeam]:
    """The teams a service may go under: its court's (a branch's service under the court's
    team is the court's work too), whoever records it."""
    court = activity.org.court()
    return list(
        VolunteerTeam.objects.filter(court=court)
        .select_related("owner")
        .order_by("owner__path", "name")
    )


def members(team: VolunteerTeam, *, current: bool | None = None) -> QuerySet[TeamMember]:
    rows = team.members.select_related("person")
    if current is True:
        rows = rows.filter(left_on__isnull=True)
    elif current is False:
        rows = rows.filter(left_on__isnull=False)
    return rows.order_by("-left_on", "joined_on", "person__employee_no")


@dataclass
class Figures:
    """活动次数, 参与人次, 服务时长, 受益群众 of a year."""

    activities: int = 0
    participations: int = 0
    hours: Decimal = ZERO
    beneficiaries: int = 0

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            self.activities + other.activities,
            self.participations + other.participations,
            self.hours + other.hours,
            self.beneficiaries + other.beneficiaries,
        )


def _figures(
    activities: QuerySet[Activity], rows: QuerySet[Attendance], key: str
) -> dict[Any, Figures]:
    """Figures grouped by `key` (a lookup from an activity), read in two grouped queries."""
    out: dict[Any, Figures] = defaultdict(Figures)
    for r in activities.values(key).annotate(
        n=Count("id"), b=Coalesce(Sum("volunteer_service__beneficiaries"), 0)
    ):
        f = out[r[key]]
        f.activities, f.beneficiaries = r["n"], r["b"]
    for r in rows.values(f"activity__{key}").annotate(n=Count("id"), h=Sum(HOURS)):
        f = out[r[f"activity__{key}"]]
        f.participations, f.hours = r["n"], tenth(r["h"])
    return out


def _held(scope: Scope | None, year: int) -> QuerySet[Activity]:
    return scoped(
        scope,
        Activity.objects.filter(
            kind=KIND,
            status=ActivityStatus.HELD,
            on__gte=dt.date(year, 1, 1),
            on__lte=dt.date(year, 12, 31),
        ),
    )


def team_figures(scope: Scope | None, team_ids: list[int], year: int) -> dict[int, Figures]:
    activities = _held(scope, year).filter(volunteer_service__team_id__in=team_ids)
    rows = scoped(scope, served(year)).filter(activity__volunteer_service__team_id__in=team_ids)
    found = _figures(activities, rows, "volunteer_service__team_id")
    return {pk: found.get(pk, Figures()) for pk in team_ids}


@dataclass
class CourtFigures:
    court: Org
    total: Figures
    teams: list[tuple[VolunteerTeam, Figures]]
    unassigned: Figures


def court_figures(scope: Scope | None, org: Org, year: int) -> list[CourtFigures]:
    """Each court of `org`'s subtree: its year across all its services, each team's share,
    and what no team claimed."""
    courts = list(
        scoped(scope, Org.objects.filter(kind__in=COURT_KINDS, path__startswith=org.path)).order_by(
            "path"
        )
    )
    if not courts:
        courts = [org.court()]
    activities = _held(scope, year).filter(org__path__startswith=org.path)
    rows = scoped(scope, served(year)).filter(activity__org__path__startswith=org.path)
    # Each activity's court: the deepest court whose path starts its organisation's path.
    paths = sorted(((c.path, c) for c in courts), key=lambda pc: -len(pc[0]))
    court_of_org: dict[int, Org] = {}
    org_paths = dict(
        Org.objects.filter(pk__in=activities.values("org_id").distinct()).values_list("pk", "path")
    )
    for pk, path in org_paths.items():
        for cpath, court in paths:
            if path.startswith(cpath):
                court_of_org[pk] = court
                break
    by_org = _figures(activities, rows, "org_id")
    totals: dict[int, Figures] = defaultdict(Figures)
    for org_id, f in by_org.items():
        court = court_of_org.get(org_id)
        if court is not None:
            totals[court.pk] = totals[court.pk] + f
    all_teams = list(teams(scope, org))
    per_team = team_figures(scope, [t.pk for t in all_teams], year)
    out = []
    for court in courts:
        mine = [(t, per_team[t.pk]) for t in all_teams if t.court_id == court.pk]
        total = totals.get(court.pk, Figures())
        claimed = sum((f for _, f in mine), Figures())
        unassigned = Figures(
            max(0, total.activities - claimed.activities),
            max(0, total.participations - claimed.participations),
            max(ZERO, total.hours - claimed.hours),
            max(0, total.beneficiaries - claimed.beneficiaries),
        )
        if total.activities or mine:
            out.append(CourtFigures(court, total, mine, unassigned))
    return out


def team_services(scope: Scope | None, team: VolunteerTeam, year: int) -> QuerySet[Activity]:
    return (
        _held(scope, year)
        .filter(volunteer_service__team=team)
        .select_related("org", "volunteer_service")
        .annotate(
            served=Count("attendance", filter=Q(attendance__status=AttendanceStatus.PRESENT)),
        )
        .order_by("-on", "-pk")
    )


def service_of(activity: Activity) -> VolunteerService | None:
    return VolunteerService.objects.filter(activity=activity).select_related("team").first()


def service_rows(activity: Activity) -> list[Attendance]:
    """The activity's present volunteers with the hours each counts."""
    return list(
        activity.attendance.filter(status=AttendanceStatus.PRESENT)
        .select_related("person")
        .annotate(counted=HOURS)
        .order_by("person__employee_no")
    )


# ---------------------------------------------------------------------------------------
# Certificate rules and certificates


def rules_of(court: Org) -> list[CertificateRule]:
    """The active rules a court's people are held to: its own, else the nearest court's
    above it that has any (a 高院's rules for the whole province)."""
    paths = [*court.ancestor_paths(), court.path]
    rules = list(
        CertificateRule.objects.filter(active=True, court__path__in=paths).select_related("court")
    )
    if not rules:
        return []
    deepest = max((r.court.path for r in rules), key=len)
    return sorted((r for r in rules if r.court.path == deepest), key=lambda r: r.min_hours)


def rules_in(scope: Scope | None) -> QuerySet[CertificateRule]:
    return scoped(scope, CertificateRule.objects.select_related("court")).order_by(
        "court__path", "-active", "min_hours"
    )


def certificates(
    scope: Scope | None, org: Org | None = None, year: int | None = None
) -> QuerySet[VolunteerCertificate]:
    found = scoped(scope, VolunteerCertificate.objects.select_related("rule", "person__court"))
    if org is not None:
        found = found.filter(person__court__path__startswith=org.court().path)
    if year is not None:
        found = found.filter(year=year)
    return found.order_by("-year", "revoked_on", "person__employee_no", "rule__min_hours")


def certificate_by_code(code: str) -> VolunteerCertificate | None:
    """The certificate a verification code names, for the public page (no scope: the code is
    the key, and the page shows only name, court, year, title and whether it stands)."""
    code = code.strip().upper()
    if not code or len(code) > 20:
        return None
    return (
        VolunteerCertificate.objects.filter(code=code)
        .select_related("person", "rule__court")
        .first()
    )
