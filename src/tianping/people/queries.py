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
