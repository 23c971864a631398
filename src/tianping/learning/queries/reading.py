"""Reads of the reading part: reading sessions (activities), recommendations and the
drifting ledger, always through `scoped`."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from tianping.accounts.scoping import Scope, scoped
from tianping.activities.models import Activity, ActivityStatus
from tianping.learning.actions.reading import READING_KIND
from tianping.learning.models import BookCopy, Handover, Recommendation
from tianping.orgs.models import Org


def reading_sessions(scope: Scope | None, court: Org | None = None) -> QuerySet[Activity]:
    """读书分享会: the court's activities of the reading kind, the latest first."""
    found = scoped(scope, Activity.objects.filter(kind=READING_KIND)).exclude(
        status=ActivityStatus.CANCELLED
    )
    if court is not None:
        found = found.filter(org__path__startswith=court.path)
    return found.select_related("org").order_by("-on", "-pk")


def recommendations(scope: Scope | None, court: Org | None = None) -> QuerySet[Recommendation]:
    found = scoped(
        scope,
        Recommendation.objects.select_related("book", "book__court", "recommended_by", "session"),
    )
    if court is not None:
        found = found.filter(book__court=court)
    return found.order_by("-created_at", "-pk")


def copies(scope: Scope | None, court: Org | None = None) -> list[BookCopy]:
    """The drifting ledger with each copy's overdue flag (`overdue`), overdue copies first."""
    found = scoped(scope, BookCopy.objects.select_related("book", "home", "holder"))
    if court is not None:
        found = found.filter(book__court=court)
    today = timezone.localdate()
    ledger = list(found.order_by("book__title", "number"))
    for copy in ledger:
        copy.overdue = copy.overdue_on(today)  # type: ignore[attr-defined]
    ledger.sort(key=lambda c: not c.overdue)  # type: ignore[attr-defined]
    return ledger


def held_by(scope: Scope | None, person_id: int | None) -> list[BookCopy]:
    if person_id is None:
        return []
    today = timezone.localdate()
    held = list(
        scoped(scope, BookCopy.objects.filter(holder_id=person_id))
        .select_related("book", "home")
        .order_by("due_on")
    )
    for copy in held:
        copy.overdue = copy.overdue_on(today)  # type: ignore[attr-defined]
    return held


def copy_path(copy: BookCopy) -> QuerySet[Handover]:
    """A copy's path from reader to reader, the first hand-over first."""
    return copy.handovers.select_related("from_person", "to_person").order_by("on", "pk")
