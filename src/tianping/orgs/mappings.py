"""A court's kept value mappings and own terms, read as the ValueMap an import applies."""

from __future__ import annotations

from django.db.models import QuerySet

from tianping.lib.sheets import ValueMap
from tianping.orgs.models import CourtTerm, Org, ValueMapping


def court_value_map(court: Org | None, extra: ValueMap | None = None) -> ValueMap:
    """The court's kept mappings and the own terms of the court and the courts above it,
    then `extra` (a command line's --map and --declare) over them."""
    found = ValueMap()
    if court is not None:
        for column, written, standard in ValueMapping.objects.filter(court=court).values_list(
            "column", "written", "standard"
        ):
            found.add(column, written, standard)
        for column, term in terms_of(court).values_list("column", "term"):
            found.declare(column, term)
    if extra:
        found.update(extra)
    return found


def terms_of(court: Org) -> QuerySet[CourtTerm]:
    """The own terms a court's people may hold: the court's and those of the courts above it."""
    return CourtTerm.objects.filter(court__path__in=[*court.ancestor_paths(), court.path]).order_by(
        "column", "court__path", "term"
    )
