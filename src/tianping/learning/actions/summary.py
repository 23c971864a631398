"""Keeping each class's credits current (`learning.models.training_summary`).

`refresh_classes` rewrites the rows of the given classes from `learning.hours`, the one
rule of credited hours; it is called inside the transaction of every write that changes
what a class credits, so the statistics read from these rows are never older than the
records. It writes derived rows only (the writes that cause it are audited themselves).
`rebuild_all` rewrites every class's rows: after a bulk load that bypasses the actions
(`tianping generate`, the demo), or as a repair (`tianping training-summary`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from tianping.learning.hours import (
    CATEGORY_OF_SESSION,
    CLASS_OF_SESSION,
    LEDGER_UNSORTED,
    SESSION_HOURS,
    TENTH,
    ZERO,
    _sum,
    class_participations,
    credited_attendance,
    credited_ledger,
)
from tianping.learning.models import (
    ClassCategoryHours,
    ClassCredit,
    ClassLineTally,
    CourseCategory,
    CreditLineStamp,
    TrainingClass,
)
from tianping.learning.models.training_summary import lines_checked_at
from tianping.lib.bulk import insert_values
from tianping.people.models import Person

CHUNK = 500


def _quantized(value: object) -> Decimal:
    return Decimal(str(value)).quantize(TENTH)


@transaction.atomic
def refresh_classes(class_ids: Iterable[int]) -> None:
    """Rewrite the credits and category hours of these classes from their records."""
    ids = sorted({int(i) for i in class_ids if i is not None})
    for start in range(0, len(ids), CHUNK):
        _refresh(ids[start : start + CHUNK])


def _refresh(ids: list[int]) -> None:
    ClassCredit.objects.filter(training_class_id__in=ids).delete()
    ClassLineTally.objects.filter(training_class_id__in=ids).delete()
    ClassCategoryHours.objects.filter(training_class_id__in=ids).delete()
    taken = class_participations(Q(pk__in=ids))
    lines: dict[tuple[int, str], list[Any]] = {}
    for p in taken.values():
        acc = lines.setdefault((p.class_id, p.line or ""), [0, ZERO, ZERO])
        acc[0] += 1
        acc[1] += p.hours.total
        acc[2] += p.hours.political
    insert_values(
        ClassLineTally,
        [
            {
                "training_class_id": class_id,
                "line": line,
                "participations": n,
                "hours": hours,
                "political_hours": political,
            }
            for (class_id, line), (n, hours, political) in lines.items()
        ],
    )
    insert_values(
        ClassCredit,
        [
            {
                "training_class_id": p.class_id,
                "person_id": p.person_id,
                "line": p.line or "",
                "hours": p.hours.total,
                "political_hours": p.hours.political,
            }
            for p in taken.values()
        ],
    )
    by_category: dict[tuple[int, str], Decimal] = {}
    for class_id, category, total in (
        credited_attendance()
        .filter(**{f"{CLASS_OF_SESSION}__in": ids})
        .values_list(CLASS_OF_SESSION, CATEGORY_OF_SESSION)
        .annotate(total=_sum(SESSION_HOURS))
        .order_by()
    ):
        key = (class_id, category or CourseCategory.OTHER)
        by_category[key] = by_category.get(key, ZERO) + _quantized(total)
    for class_id, total, political in (
        credited_ledger()
        .filter(training_class_id__in=ids)
        .values_list("training_class_id")
        .annotate(total=_sum("ledger_hours"), political=_sum("ledger_political_hours"))
        .order_by()
    ):
        total, political = _quantized(total), _quantized(political)
        if political:
            key = (class_id, CourseCategory.POLITICAL)
            by_category[key] = by_category.get(key, ZERO) + political
        if total - political:
            key = (class_id, LEDGER_UNSORTED)
            by_category[key] = by_category.get(key, ZERO) + total - political
    insert_values(
        ClassCategoryHours,
        [
            {"training_class_id": class_id, "category": category, "hours": hours}
            for (class_id, category), hours in by_category.items()
            if hours
        ],
    )


def rebuild_all() -> int:
    """Rewrite every class's rows; returns how many classes were read."""
    with transaction.atomic():
        stamp = timezone.now()
        ids = list(TrainingClass.objects.order_by("pk").values_list("pk", flat=True))
        ClassCredit.objects.all().delete()
        ClassLineTally.objects.all().delete()
        ClassCategoryHours.objects.all().delete()
        refresh_classes(ids)
        _stamp(stamp)
    return len(ids)


@transaction.atomic
def relines() -> int:
    """Rewrite the classes of the people whose line changed since the last check (the
    people of a roster import, a promotion) and move the stamp on; returns how many of
    their rows had an old line."""
    stamp = timezone.now()
    since = lines_checked_at()
    people = Person.objects.all() if since is None else Person.objects.filter(updated_at__gt=since)
    changed = list(people.values_list("id", flat=True))
    stale: list[tuple[int, int]] = []
    for start in range(0, len(changed), 5000):
        stale += (
            ClassCredit.objects.filter(person_id__in=changed[start : start + 5000])
            .exclude(line=F("person__category"))
            .values_list("id", "training_class_id")
        )
    refresh_classes({class_id for _, class_id in stale})
    _stamp(stamp)
    return len(stale)


def _stamp(at: dt.datetime) -> None:
    updated = CreditLineStamp.objects.update(lines_checked_at=at)
    if not updated:
        CreditLineStamp.objects.create(lines_checked_at=at)
