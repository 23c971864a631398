"""A court's kept value mappings, read as the ValueMap an import applies."""

from __future__ import annotations

from tianping.lib.sheets import ValueMap
from tianping.orgs.models import Org, ValueMapping


def court_value_map(court: Org | None, extra: ValueMap | None = None) -> ValueMap:
    """The court's kept mappings, then `extra` (a command line's --map) over them."""
    found = ValueMap()
    if court is not None:
        for column, written, standard in ValueMapping.objects.filter(court=court).values_list(
            "column", "written", "standard"
        ):
            found.add(column, written, standard)
    if extra:
        found.update(extra)
    return found
