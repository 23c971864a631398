"""Reads of activities that more than one view needs, always through the scoping function."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from tianping.accounts.scoping import Scope, scoped
from tianping.activities.models import Activity, ActivityStatus
from tianping.orgs.models import COURT_KINDS, Org, OrgKind
from tianping.people.models import Person, Placement, PlacementKind, placed_on


def expected_attendees(org: Org, on: dt.date) -> QuerySet[Person]:
    """Who an activity of `org` on `on` expects: its members as of that date (placement history).

    A branch expects the people placed in it (or its groups) that day; a group its members;
    a party committee or general branch everyone in the branches under it; a court or a
    department the people placed in its departments.
    """
    placements = Placement.objects.filter(placed_on(on), org__path__startswith=org.path)
    if org.kind == OrgKind.GROUP:
        placements = placements.filter(kind=PlacementKind.PARTY_GROUP)
    elif org.kind in (
        OrgKind.BRANCH,
        OrgKind.GENERAL_BRANCH,
        OrgKind.PARTY_COMMITTEE,
        OrgKind.LEADING_GROUP,
    ):
        placements = placements.filter(kind=PlacementKind.PARTY_ORG)
    elif org.kind in COURT_KINDS or org.kind == OrgKind.DEPARTMENT:
        placements = placements.filter(kind=PlacementKind.DEPARTMENT)
    return Person.objects.filter(pk__in=placements.values("person_id")).order_by("employee_no")


def activities_in(scope: Scope | None, start: dt.date, end: dt.date) -> QuerySet[Activity]:
    """Activities in the scope dated within [start, end]."""
    return (
        scoped(scope, Activity.objects.filter(on__gte=start, on__lte=end))
        .select_related("org")
        .order_by("on", "start_time", "id")
    )


def last_held_on(orgs: QuerySet[Org]) -> dict[int, dt.date]:
    """The date each organisation last held any activity."""
    from django.db.models import Max

    rows = (
        Activity.objects.filter(org__in=orgs, status=ActivityStatus.HELD)
        .values_list("org_id")
        .annotate(last=Max("on"))
        .order_by()
    )
    return dict(rows)
