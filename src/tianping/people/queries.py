"""Reads of the roster that more than one view needs, always through the scoping function."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from tianping.accounts.scoping import Scope, scoped
from tianping.orgs.models import Org
from tianping.people.models import Person, Placement, placed_on
from tianping.people.pinyin import is_pinyin_query


def members_on(
    scope: Scope | None, org: Org, day: dt.date, *, subtree: bool = False
) -> QuerySet[Person]:
    """People placed in `org` (or its subtree) on `day`: "who was in this branch on 2023-06-30"."""
    placements = Placement.objects.filter(placed_on(day))
    if subtree:
        placements = placements.filter(org__path__startswith=org.path)
    else:
        placements = placements.filter(org=org)
    return scoped(scope, Person.objects.filter(pk__in=placements.values("person_id")))


@dataclass
class PeopleFilter:
    q: str = ""
    org: Org | None = None  # a subtree: court, department or party organisation
    department: Org | None = None
    category: str = ""
    political_status: str = ""
    status: str = ""
    post_level: str = ""


def search_q(text: str) -> Q:
    """Name, 工号 or pinyin: "zhq" and "zhanghuaqing" both find 张华庆."""
    text = text.strip()
    if not text:
        return Q()
    q = Q(name__contains=text) | Q(employee_no__iexact=text)
    if is_pinyin_query(text):
        lowered = text.lower()
        q |= Q(name_initials__startswith=lowered) | Q(name_pinyin__startswith=lowered)
    return q


def people_list(scope: Scope | None, f: PeopleFilter) -> QuerySet[Person]:
    qs = scoped(scope, Person.objects.all())
    if f.org is not None:
        qs = qs.filter(
            Q(court__path__startswith=f.org.path)
            if f.org.is_court
            else Q(department__path__startswith=f.org.path)
            | Q(party_org__path__startswith=f.org.path)
        )
    if f.department is not None:
        qs = qs.filter(department__path__startswith=f.department.path)
    for name in ("category", "political_status", "status", "post_level"):
        if value := getattr(f, name):
            qs = qs.filter(**{name: value})
    if f.q:
        qs = qs.filter(search_q(f.q))
    return qs.select_related("court", "department", "party_org").order_by(
        "court__path", "employee_no"
    )


@dataclass
class Birthday:
    person: Person
    on: dt.date  # this year's anniversary
    years: int


def political_birthdays(scope: Scope | None, year: int, month: int) -> list[Birthday]:
    """Party members whose 政治生日 (the anniversary of joining the party) falls in the month."""
    people = (
        scoped(scope, Person.objects.serving().party_members())
        .filter(party_joined_on__month=month, party_joined_on__year__lt=year)
        .select_related("party_org", "court")
        .order_by("party_joined_on__day", "employee_no")
    )
    out = []
    for person in people:
        joined = person.party_joined_on
        day = min(joined.day, 28) if (joined.month, joined.day) == (2, 29) else joined.day
        out.append(Birthday(person, dt.date(year, month, day), year - joined.year))
    return out


def next_political_birthday(person: Person, today: dt.date) -> Birthday | None:
    joined = person.party_joined_on
    if joined is None or not person.is_party_member:
        return None
    for year in (today.year, today.year + 1):
        day = 28 if (joined.month, joined.day) == (2, 29) else joined.day
        on = dt.date(year, joined.month, day)
        if on >= today and year > joined.year:
            return Birthday(person, on, year - joined.year)
    return None
