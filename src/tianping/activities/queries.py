"""Reads of activities that more than one view needs, always through the scoping function."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet

from tianping.accounts.scoping import Scope, scoped
from tianping.activities import kinds
from tianping.activities.models import (
    Activity,
    ActivityStatus,
    Attendance,
    AttendanceRole,
    AttendanceStatus,
    makeup_text,
    status_text,
)
from tianping.orgs.models import COURT_KINDS, Org, OrgKind
from tianping.people.models import Person, Placement, PlacementKind, placed_on

STATUS_LABELS = dict(AttendanceStatus.choices)


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
    rows = (
        Activity.objects.filter(org__in=orgs, status=ActivityStatus.HELD)
        .values_list("org_id")
        .annotate(last=Max("on"))
        .order_by()
    )
    return dict(rows)


# ---------------------------------------------------------------------------------------
# The activity list, shared by the page, its export and the API


@dataclass
class ActivityFilter:
    q: str = ""  # in the title
    org: Org | None = None
    subtree: bool = True  # the organisation's subtree, or the organisation alone
    kind: str = ""  # also matches a record that counts for the kind (R1.5)
    category: str = ""
    status: str = ""
    start: dt.date | None = None
    end: dt.date | None = None


def activity_list(scope: Scope | None, f: ActivityFilter) -> QuerySet[Activity]:
    """The activities in the scope that match the filter, newest first."""
    qs = scoped(scope, Activity.objects.all())
    if f.org is not None:
        qs = qs.filter(org__path__startswith=f.org.path) if f.subtree else qs.filter(org=f.org)
    if f.kind:
        # A record counts for the kinds it also meets (R1.5): a 主题党日 with a 党课.
        qs = qs.filter(Q(kind=f.kind) | Q(also_counts_as__icontains=f'"{f.kind}"'))
    if f.category:
        qs = qs.filter(kind__in=[k.code for k in kinds.KINDS.values() if k.category == f.category])
    if f.status:
        qs = qs.filter(status=f.status)
    if f.start is not None:
        qs = qs.filter(on__gte=f.start)
    if f.end is not None:
        qs = qs.filter(on__lte=f.end)
    if q := f.q.strip():
        qs = qs.filter(title__icontains=q)
    return qs.select_related("org").order_by("-on", "-id")


def attendance_counts(scope: Scope | None, ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Attendance tallies of many activities by status, in one aggregate query, in the scope."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        scoped(scope, Attendance.objects.filter(activity_id__in=list(ids)))
        .values_list("activity_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for activity_id, status, n in rows:
        counts[activity_id][status] = n
    return counts


# ---------------------------------------------------------------------------------------
# The attendance grid: who is expected, who is recorded, as a page shows them


@dataclass
class GridRow:
    person: Person
    status: str  # what the page shows checked; "" when nobody has recorded this person yet
    was: str  # what the page was rendered from: a POST passes on only rows that differ
    role: str = AttendanceRole.PARTICIPANT
    role_was: str = AttendanceRole.PARTICIPANT
    expected: bool = True
    reason: str = ""  # why on leave or absent, as shown
    reason_was: str = ""  # as rendered, like `was`
    makeup_on: dt.date | None = None
    makeup_method: str = ""

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, "未记录")

    @property
    def status_text(self) -> str:
        """请假（出差）: the status with its reason."""
        return status_text(self.status, self.reason) if self.status else "未记录"

    @property
    def missed(self) -> bool:
        return self.status in (AttendanceStatus.LEAVE, AttendanceStatus.ABSENT)

    @property
    def makeup_text(self) -> str:
        return makeup_text(self.makeup_on, self.makeup_method)

    @property
    def role_label(self) -> str:
        return AttendanceRole(self.role).label


def attendance_grid(scope: Scope, activity: Activity) -> list[GridRow]:
    """The organisation's members as of the activity's date, plus anyone already recorded.

    A member sees only their own row: the rest of the list is outside their scope.
    """
    recorded = {
        a.person_id: a
        for a in scoped(scope, Attendance.objects.filter(activity=activity)).select_related(
            "person"
        )
    }
    people: list[tuple[Person, bool]] = []
    if not scope.self_only:
        people = [(p, True) for p in expected_attendees(activity.org, activity.on)]
    listed = {p.pk for p, _ in people}
    people += [(a.person, False) for pid, a in recorded.items() if pid not in listed]
    rows = []
    for person, expected in sorted(people, key=lambda pe: (not pe[1], pe[0].employee_no)):
        row = recorded.get(person.pk)
        if row is None:
            rows.append(GridRow(person, "", "", expected=expected))
            continue
        rows.append(
            GridRow(
                person,
                row.status,
                row.status,
                row.role,
                row.role,
                expected,
                row.reason,
                row.reason,
                row.makeup_on,
                row.makeup_method,
            )
        )
    return rows


def tally(rows: list[GridRow]) -> dict[str, int]:
    return {s: sum(1 for r in rows if r.status == s) for s in AttendanceStatus.values}


def tally_text(counts: dict[str, int]) -> str:
    """出席3人、请假1人、缺席1人: what a secretary counts after recording."""
    return "、".join(
        f"{label}{counts.get(value, 0)}人" for value, label in AttendanceStatus.choices
    )


def blank_grid(org: Org | None, on: dt.date | None) -> list[GridRow]:
    """The grid of an activity not yet recorded: the members of `org` as of `on`."""
    if org is None or on is None:
        return []
    return [GridRow(p, "", "") for p in expected_attendees(org, on)]
