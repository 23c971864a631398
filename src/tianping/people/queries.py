"""Reads of the roster that more than one view needs, always through the scoping function."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Q, QuerySet, When

from tianping.accounts.scoping import Scope, scoped
from tianping.lib.pickers import PICK_LIMIT, Match
from tianping.lib.script import to_simplified
from tianping.orgs.models import Org
from tianping.people.models import Person, PersonStatus, Placement, placed_on
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


# A roster lists serving staff first, then the retired, transferred and others.
SERVING_FIRST = (Case(When(status=PersonStatus.SERVING, then=0), default=1).asc(),)


def can_see_phone(scope: Scope | None, person: Person) -> bool:
    """A telephone number is the person's own and the roster officers' (政治部, 机关党委, admin)."""
    if scope is None:
        return False
    return scope.can("people.contact") or (
        scope.person_id is not None and scope.person_id == person.pk
    )


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
    """Name, 工号 or pinyin: "zhq" and "zhanghuaqing" both find 张华庆, and so does 張華慶."""
    text = text.strip()
    if not text:
        return Q()
    q = Q(name__contains=text) | Q(employee_no__iexact=text)
    # Names are kept as the roster writes them, in Simplified; a query in Traditional is
    # compared in Simplified too.
    simplified = to_simplified(text)
    if simplified != text:
        q |= Q(name__contains=simplified)
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
        *SERVING_FIRST, "court__path", "employee_no"
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
        if joined is None:  # the filter above leaves none; this tells the type checker
            continue
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


def pick_people(
    scope: Scope | None, text: str, *, court: str = "", party: bool = False
) -> tuple[list[Match], bool]:
    """At most PICK_LIMIT people in scope found by name, 工号 or pinyin, and whether more are.

    Serving staff first; an empty text finds nobody, since a scope's whole roster is no help.
    """
    text = text.strip()
    if not text:
        return [], False
    qs = scoped(scope, Person.objects.all()).filter(
        search_q(text) | Q(employee_no__istartswith=text)
    )
    if court:  # a court's code: its people among those the scope sees
        qs = qs.filter(court__code=court)
    if party:
        qs = qs.party_members()
    found = list(
        qs.select_related("court", "department", "party_org").order_by(
            *SERVING_FIRST, "name_pinyin", "employee_no"
        )[: PICK_LIMIT + 1]
    )
    more = len(found) > PICK_LIMIT
    return [
        Match(
            p.name,
            p.employee_no,
            " · ".join(o.name for o in (p.court, p.department or p.party_org) if o is not None),
        )
        for p in found[:PICK_LIMIT]
    ], more
