"""Reads of the organisation tree that pages share, always through the scoping function."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Case, Q, When

from tianping.accounts.scoping import Scope, scoped
from tianping.lib.pickers import PICK_LIMIT, Match
from tianping.lib.script import to_simplified
from tianping.orgs.models import COURT_KINDS, Org, OrgKind


def pick_orgs(
    scope: Scope | None, text: str, *, kinds: Iterable[str] = (), active: bool = False
) -> tuple[list[Match], bool]:
    """At most PICK_LIMIT organisations in scope whose name or code holds `text`, and whether more do.

    Closest first: an exact code, then codes and names that start with the text, then the
    rest in tree order.
    """
    qs = scoped(scope, Org.objects.all())
    wanted = [k for k in kinds if k in OrgKind.values]
    if wanted:
        qs = qs.filter(kind__in=wanted)
    if active:
        qs = qs.filter(is_active=True)
    text = text.strip()
    if text:
        simplified = to_simplified(text)
        qs = qs.filter(
            Q(code__icontains=text) | Q(name__contains=text) | Q(name__contains=simplified)
        )
    if text:
        qs = qs.alias(
            closeness=Case(
                When(code__iexact=text, then=0),
                When(Q(code__istartswith=text) | Q(name__startswith=simplified), then=1),
                default=2,
            )
        ).order_by("closeness", "depth", "path")
    else:
        qs = qs.order_by("depth", "path")
    found = list(qs[: PICK_LIMIT + 1])
    more = len(found) > PICK_LIMIT
    found = found[:PICK_LIMIT]
    courts = _courts_of(found)
    return [Match(o.name, o.code, "" if o.is_court else courts.get(o.pk, "")) for o in found], more


def _courts_of(orgs: list[Org]) -> dict[int, str]:
    """The name of each organisation's nearest court, in one query."""
    paths = {p for o in orgs for p in o.ancestor_paths()}
    courts = {
        c.path: c.name
        for c in Org.objects.filter(kind__in=COURT_KINDS, path__in=paths).only("path", "name")
    }
    out = {}
    for o in orgs:
        names = [courts[p] for p in o.ancestor_paths() if p in courts]
        if names:
            out[o.pk] = names[-1]
    return out
