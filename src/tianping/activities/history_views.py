"""A person's attendance history: every held activity they were listed in, year by year."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse

from tianping.accounts.http import AuthenticatedHttpRequest
from tianping.accounts.permissions import requires
from tianping.accounts.scoping import Scope, get_scoped, scoped
from tianping.activities.models import ActivityStatus, Attendance, AttendanceStatus
from tianping.people.models import Person


@dataclass
class History:
    person: Person
    years: list[int]
    year: int | None
    rows: list[Attendance]
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def makeups(self) -> int:
        return sum(1 for a in self.rows if a.makeup_on)


def _attendance(scope: Scope | None, person: Person) -> QuerySet[Attendance]:
    """The person's attendance of held activities, as far as the scope sees them."""
    return scoped(
        scope,
        Attendance.objects.filter(person=person, activity__status=ActivityStatus.HELD),
    )


def person_history(scope: Scope | None, person: Person, asked: str) -> History:
    """One year of the person's attendance (the asked year, else the latest with records)."""
    rows = _attendance(scope, person)
    years = sorted(
        set(rows.order_by().values_list("activity__on__year", flat=True).distinct()),
        reverse=True,
    )
    year = int(asked) if asked.isdigit() and int(asked) in years else None
    if year is None and years:
        year = years[0]
    listed = (
        list(
            rows.filter(activity__on__year=year)
            .select_related("activity", "activity__org")
            .order_by("-activity__on", "-activity_id")
        )
        if year is not None
        else []
    )
    return History(person, years, year, listed, Counter(a.status for a in listed))


@requires("activities.view")
def history(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    scope = request.scope
    person = get_scoped(scope, Person.objects.select_related("court", "party_org"), pk=pk)
    data = person_history(scope, person, request.GET.get("year", ""))
    own = scope.person_id is not None and scope.person_id == person.pk
    if scope.self_only:
        crumbs = [("我的档案", reverse("people:me")), ("出勤记录", None)]
    else:
        crumbs = [
            ("人员花名册", reverse("people:list")),
            (person.name, reverse("people:detail", args=[person.pk])),
            ("出勤记录", None),
        ]
    return render(
        request,
        "activities/person_history.html",
        {
            "history": data,
            "person": person,
            "own": own,
            "present": data.counts[AttendanceStatus.PRESENT],
            "leave": data.counts[AttendanceStatus.LEAVE],
            "absent": data.counts[AttendanceStatus.ABSENT],
            "breadcrumbs": crumbs,
        },
    )


routes: list[URLPattern] = [
    path("people/<int:pk>/history/", history, name="person_history"),
]
