"""Reads of community work, always through `scoped`: the 双报到 overview (who has registered,
who has not, services per member in a year), partners and agreements with their status, and
the 办实事 list with its overdue flags and counts per court."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from tianping.accounts.scoping import Scope, scoped
from tianping.activities.models import Activity, ActivityStatus
from tianping.orgs.models import COURT_KINDS, Org, OrgKind
from tianping.people.models import PARTY_STATUSES, Person
from tianping.people.queries import search_q
from tianping.service.models.community import (
    OPEN_STATUSES,
    SERVICE_KINDS,
    Agreement,
    AgreementStatus,
    CommunityRegistration,
    CommunityService,
    Deed,
    DeedActivity,
    DeedStatus,
    DeedStep,
    JointActivity,
    Partner,
)


def year_day(year: int, today: dt.date | None = None) -> dt.date:
    """The day a year is read on: today in the current year, else the year's last day."""
    today = today or timezone.localdate()
    return today if year == today.year else dt.date(year, 12, 31)


# ---------------------------------------------------------------------------------------
# 双报到


@dataclass
class MemberFilter:
    year: int
    org: Org | None = None
    registered: str = ""  # "yes", "no" or "" for both
    q: str = ""


def _in_force(day: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}registered_on__lte": day}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": day})
    )


def member_overview(scope: Scope | None, f: MemberFilter) -> QuerySet[Person]:
    """The party members in scope, each with the community they are registered with on the
    year's day (`community`, `district`, empty if none) and their services that year
    (`services`, `service_hours`), not withdrawn. Unregistered members first."""
    day = year_day(f.year)
    people = scoped(scope, Person.objects.serving().filter(political_status__in=PARTY_STATUSES))
    if f.org is not None:
        people = people.filter(
            Q(party_org__path__startswith=f.org.path)
            | Q(department__path__startswith=f.org.path)
            | Q(court__path=f.org.path)
        )
    if f.q:
        people = people.filter(search_q(f.q))
    current = CommunityRegistration.objects.filter(_in_force(day), person=OuterRef("pk")).order_by(
        "-registered_on"
    )
    done = (
        CommunityService.objects.filter(
            person=OuterRef("pk"), on__year=f.year, withdrawn_at__isnull=True
        )
        .order_by()
        .values("person")
    )
    people = people.annotate(
        community=Coalesce(
            Subquery(current.values("community")[:1]), Value(""), output_field=CharField()
        ),
        district=Coalesce(
            Subquery(current.values("district")[:1]), Value(""), output_field=CharField()
        ),
        services=Coalesce(
            Subquery(done.annotate(n=Count("pk")).values("n")[:1]),
            Value(0),
            output_field=IntegerField(),
        ),
        service_hours=Coalesce(
            Subquery(done.annotate(h=Sum("hours")).values("h")[:1]),
            Value(Decimal(0)),
            output_field=DecimalField(max_digits=8, decimal_places=1),
        ),
    )
    if f.registered == "yes":
        people = people.exclude(community="")  # type: ignore[misc]
    elif f.registered == "no":
        people = people.filter(community="")  # type: ignore[misc]
    return people.select_related("party_org", "court").order_by(
        Case(When(community="", then=0), default=1), "court__path", "party_org__path", "employee_no"
    )


@dataclass
class Totals:
    members: int
    registered: int
    services: int
    hours: Decimal

    @property
    def unregistered(self) -> int:
        return self.members - self.registered


def overview_totals(people: QuerySet[Person], year: int) -> Totals:
    """Totals over the overview's people, in plain aggregates (no aggregate over the
    annotations' subqueries, which PostgreSQL cannot group)."""
    ids = people.order_by().values("pk")
    members = Person.objects.filter(pk__in=ids).count()
    registered = people.order_by().exclude(community="").count()  # type: ignore[misc]
    done = CommunityService.objects.filter(
        person__in=ids, on__year=year, withdrawn_at__isnull=True
    ).aggregate(n=Count("pk"), h=Sum("hours"))
    return Totals(members, registered, done["n"] or 0, Decimal(done["h"] or 0))


def registrations(scope: Scope | None, person: Person) -> QuerySet[CommunityRegistration]:
    """One member's registrations, the latest first."""
    return scoped(scope, CommunityRegistration.objects.filter(person=person)).order_by(
        "-registered_on", "-pk"
    )


def current_registration(scope: Scope | None, person: Person) -> CommunityRegistration | None:
    return registrations(scope, person).filter(ended_on__isnull=True).first()


def services(
    scope: Scope | None, *, person: Person | None = None, year: int | None = None
) -> QuerySet[CommunityService]:
    found = scoped(scope, CommunityService.objects.all())
    if person is not None:
        found = found.filter(person=person)
    if year is not None:
        found = found.filter(on__year=year)
    return found.select_related("person", "registration", "activity").order_by("-on", "-pk")


def service_activities(scope: Scope | None, court: Org, limit: int = 100) -> list[Activity]:
    """The court's serving-the-public activities a record may link to, the latest first."""
    return list(
        scoped(scope, Activity.objects.filter(kind__in=SERVICE_KINDS))
        .filter(org__path__startswith=court.path)
        .exclude(status=ActivityStatus.CANCELLED)
        .select_related("org")
        .order_by("-on", "-pk")[:limit]
    )


def own_service_activities(person: Person, limit: int = 50) -> list[Activity]:
    """The serving-the-public activities a member attended: what their services may link to."""
    return list(
        Activity.objects.filter(
            kind__in=SERVICE_KINDS,
            attendance__person=person,
            org__path__startswith=person.court.path,
        )
        .exclude(status=ActivityStatus.CANCELLED)
        .order_by("-on", "-pk")[:limit]
    )


# ---------------------------------------------------------------------------------------
# 结对共建


@dataclass
class PartnerFilter:
    kind: str = ""
    q: str = ""


def partners(scope: Scope | None, f: PartnerFilter | None = None) -> QuerySet[Partner]:
    f = f or PartnerFilter()
    found = scoped(scope, Partner.objects.all())
    if f.kind:
        found = found.filter(kind=f.kind)
    if f.q:
        found = found.filter(Q(name__contains=f.q) | Q(contact__contains=f.q))
    today = timezone.localdate()
    return (
        found.select_related("court")
        .annotate(
            agreements_in_force=Count(
                "agreements",
                filter=Q(agreements__starts_on__lte=today, agreements__ends_on__gte=today),
            ),
            agreement_count=Count("agreements"),
        )
        .order_by("court__path", "kind", "name")
    )


def status_case(today: dt.date) -> Case:
    return Case(
        When(starts_on__gt=today, then=Value(AgreementStatus.PENDING.value)),
        When(ends_on__lt=today, then=Value(AgreementStatus.EXPIRED.value)),
        default=Value(AgreementStatus.IN_FORCE.value),
        output_field=CharField(),
    )


@dataclass
class AgreementFilter:
    status: str = ""
    kind: str = ""
    q: str = ""
    partner: Partner | None = None


def agreements(scope: Scope | None, f: AgreementFilter | None = None) -> QuerySet[Agreement]:
    """Agreements with their status today (`state`) and joint activities (`joint_count`);
    those in force first, then the pending, then the expired."""
    f = f or AgreementFilter()
    today = timezone.localdate()
    found = scoped(scope, Agreement.objects.all()).annotate(
        state=status_case(today), joint_count=Count("joint")
    )
    if f.status:
        found = found.filter(state=f.status)
    if f.kind:
        found = found.filter(partner__kind=f.kind)
    if f.partner is not None:
        found = found.filter(partner=f.partner)
    if f.q:
        found = found.filter(Q(title__contains=f.q) | Q(partner__name__contains=f.q))
    order = Case(
        When(state=AgreementStatus.IN_FORCE.value, then=0),
        When(state=AgreementStatus.PENDING.value, then=1),
        default=2,
    )
    return found.select_related("partner", "org", "court").order_by(order, "-starts_on", "-pk")


def joint_activities(agreement: Agreement) -> QuerySet[JointActivity]:
    return agreement.joint.select_related("activity", "activity__org").order_by("-activity__on")


# ---------------------------------------------------------------------------------------
# 我为群众办实事


@dataclass
class DeedFilter:
    year: int | None = None
    status: str = ""
    overdue: bool = False
    org: Org | None = None
    q: str = ""


def overdue_q(today: dt.date) -> Q:
    """Overdue: the deadline has passed and the deed is neither done nor cancelled."""
    return Q(status__in=OPEN_STATUSES, deadline__lt=today)


def deeds(scope: Scope | None, f: DeedFilter | None = None) -> QuerySet[Deed]:
    """The list of deeds, each with `is_overdue` and `delivered` (activities linked); the
    overdue first, then by deadline."""
    f = f or DeedFilter()
    today = timezone.localdate()
    found = scoped(scope, Deed.objects.all())
    if f.year is not None:
        found = found.filter(year=f.year)
    if f.status:
        found = found.filter(status=f.status)
    if f.overdue:
        found = found.filter(overdue_q(today))
    if f.org is not None:
        found = found.filter(org__path__startswith=f.org.path)
    if f.q:
        found = found.filter(Q(title__contains=f.q) | Q(owner__name__contains=f.q))
    return (
        found.annotate(
            is_overdue=Case(When(overdue_q(today), then=1), default=0, output_field=IntegerField()),
            delivered=Count("deliveries"),
        )
        .select_related("org", "court", "owner")
        .order_by("-is_overdue", "deadline", "pk")
    )


@dataclass
class CourtCount:
    court: Org
    promised: int
    done: int
    in_progress: int
    overdue: int
    cancelled: int


def deed_counts(scope: Scope | None, year: int) -> list[CourtCount]:
    """Per court: 承诺N件 (every deed not cancelled), 已办结M件, 逾期K件."""
    today = timezone.localdate()
    rows = (
        scoped(scope, Deed.objects.filter(year=year))
        .order_by()
        .values("court")
        .annotate(
            promised=Count("pk", filter=~Q(status=DeedStatus.CANCELLED)),
            done=Count("pk", filter=Q(status=DeedStatus.DONE)),
            in_progress=Count("pk", filter=Q(status=DeedStatus.IN_PROGRESS)),
            overdue=Count("pk", filter=overdue_q(today)),
            cancelled=Count("pk", filter=Q(status=DeedStatus.CANCELLED)),
        )
    )
    by_court = {r["court"]: r for r in rows}
    courts = Org.objects.filter(pk__in=by_court).order_by("path")
    return [
        CourtCount(
            court=c,
            promised=by_court[c.pk]["promised"],
            done=by_court[c.pk]["done"],
            in_progress=by_court[c.pk]["in_progress"],
            overdue=by_court[c.pk]["overdue"],
            cancelled=by_court[c.pk]["cancelled"],
        )
        for c in courts
    ]


def deed_history(deed: Deed) -> QuerySet[DeedStep]:
    return deed.steps.select_related("recorded_by").order_by("on", "pk")


def deed_deliveries(deed: Deed) -> QuerySet[DeedActivity]:
    return deed.deliveries.select_related("activity", "activity__org").order_by("-activity__on")


def deed_orgs(scope: Scope | None) -> QuerySet[Org]:
    """Where a deed may be listed: the courts and party organisations in scope."""
    return scoped(scope, Org.objects.filter(is_active=True)).filter(
        kind__in=[*COURT_KINDS, OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH]
    )


def summary(items: Any) -> dict[str, int]:
    """Totals over court counts, for the line 承诺N件、已办结M件、逾期K件."""
    return {
        "promised": sum(c.promised for c in items),
        "done": sum(c.done for c in items),
        "overdue": sum(c.overdue for c in items),
    }
