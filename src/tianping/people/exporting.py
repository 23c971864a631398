"""The roster export: a subtree's people as .xlsx, in exactly the columns the roster import reads."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.db.models import Q, QuerySet

from tianping.accounts.scoping import Scope, scoped
from tianping.lib.sheets import table_bytes, write_table
from tianping.orgs.models import Org
from tianping.people.importing import (
    COURT_COLUMN,
    PHONE_COLUMN,
    ROSTER_COLUMNS,
    CourtTree,
    court_trees,
)
from tianping.people.models import Person, PlacementKind


def subtree_people(scope: Scope | None, org: Org) -> QuerySet[Person]:
    """The people of a subtree the scope may see: a court's staff, or those placed in a
    department, party organisation or group below `org`."""
    people = scoped(scope, Person.objects.all())
    if org.is_court:
        people = people.filter(court__path__startswith=org.path)
    else:
        people = people.filter(
            Q(department__path__startswith=org.path)
            | Q(party_org__path__startswith=org.path)
            | Q(party_group__path__startswith=org.path)
        )
    return people.order_by("court__path", "employee_no")


def _date(value: Any) -> str:
    return value.isoformat() if value else ""


def roster_rows(
    people: QuerySet[Person], *, phones: bool = True
) -> tuple[list[str], Iterator[list[str]]]:
    """The header and the rows of a roster sheet for these people.

    Organisations are written by name, or by code where a court has two of that name, so
    the sheet imports back to the same placements. A sheet spanning several courts adds
    a 所在法院 column, which the import reads. Without `phones` (a viewer who may not see
    them) there is no 联系电话 column, and a re-import leaves the numbers alone.
    """
    court_ids = list(people.order_by().values_list("court_id", flat=True).distinct())
    courts = {c.pk: c for c in Org.objects.filter(pk__in=court_ids)}
    trees: dict[int, CourtTree] = {pk: court_trees(c)[pk] for pk, c in courts.items()}
    headers = [c for c in ROSTER_COLUMNS if phones or c != PHONE_COLUMN]
    court_label: dict[int, str] = {}
    if len(courts) > 1:
        headers.append(COURT_COLUMN)
        names = [c.name for c in courts.values()]
        court_label = {
            pk: c.name if names.count(c.name) == 1 else c.code for pk, c in courts.items()
        }

    def rows() -> Iterator[list[str]]:
        query = people.select_related("department", "party_org", "party_group")
        for p in query.iterator(chunk_size=2000):
            tree = trees[p.court_id]
            row = [
                p.employee_no,
                p.name,
                p.get_gender_display(),
                _date(p.birth_date),
                p.ethnicity,
                p.get_education_display(),
                p.get_category_display(),
                p.get_post_level_display(),
                tree.label(p.department, PlacementKind.DEPARTMENT),
                p.get_political_status_display(),
                _date(p.party_joined_on),
                _date(p.full_member_on),
                tree.label(p.party_org, PlacementKind.PARTY_ORG),
                tree.label(p.party_group, PlacementKind.PARTY_GROUP),
                p.get_status_display(),
                p.title,
                p.get_judge_grade_display(),
                p.get_police_rank_display(),
                p.get_civil_rank_display(),
                _date(p.work_started_on),
                _date(p.joined_court_on),
                p.native_place,
                p.get_degree_display(),
            ]
            if phones:
                row.append(p.phone)
            if court_label:
                row.append(court_label[p.court_id])
            yield row

    return headers, rows()


def write_roster(people: QuerySet[Person], target: str | Path | IO[bytes]) -> None:
    headers, rows = roster_rows(people)
    write_table(target, headers, rows, title="花名册")


def roster_workbook(people: QuerySet[Person], *, phones: bool = True) -> io.BytesIO:
    """The roster as an in-memory .xlsx, ready to send."""
    headers, rows = roster_rows(people, phones=phones)
    return table_bytes(headers, rows, title="花名册")
