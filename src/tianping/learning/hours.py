"""Credited training hours (学时, DOMAIN.md R7.2): the one rule every page, export and report reads.

A person is credited a session's hours for being present at it; a leave, an absence, a
planned or cancelled session, or a cancelled class credits nothing. An attendance row may
carry its own hours (a person who left half-way), else the session's. A session's hours are
political when its course is (R7.1). A class taken over from a past ledger credits the
hours its ledger states for each participant, in the year the class started.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from tianping.activities.models import ActivityStatus, Attendance, AttendanceStatus
from tianping.learning.models import ClassStatus, CourseCategory, Enrolment

ZERO = Decimal("0")
_DEC: DecimalField = DecimalField(max_digits=12, decimal_places=1)


@dataclass(frozen=True)
class Hours:
    total: Decimal = ZERO
    political: Decimal = ZERO

    @property
    def share(self) -> float | None:
        return float(self.political / self.total) if self.total else None

    def __add__(self, other: Hours) -> Hours:
        return Hours(self.total + other.total, self.political + other.political)


def credited_attendance(year: int | None = None) -> QuerySet[Attendance]:
    """The attendance rows that credit hours: present, at a held session of a live class."""
    rows = Attendance.objects.filter(
        status=AttendanceStatus.PRESENT,
        activity__status=ActivityStatus.HELD,
        activity__class_session__isnull=False,
    ).exclude(activity__class_session__training_class__status=ClassStatus.CANCELLED)
    if year is not None:
        rows = rows.filter(activity__on__year=year)
    return rows


def credited_ledger(year: int | None = None) -> QuerySet[Enrolment]:
    """The enrolments whose hours a past ledger states."""
    rows = Enrolment.objects.filter(ledger_hours__isnull=False).exclude(
        training_class__status=ClassStatus.CANCELLED
    )
    if year is not None:
        rows = rows.filter(training_class__starts_on__year=year)
    return rows


# The hours one credited attendance row gives, and whether they are political.
SESSION_HOURS = Coalesce(F("hours"), F("activity__hours"), Value(ZERO), output_field=_DEC)
POLITICAL_SESSION = Q(activity__class_session__course__political=True) | Q(
    activity__class_session__course__category=CourseCategory.POLITICAL
)


def _sum(expression, condition: Q | None = None) -> Coalesce:
    return Coalesce(Sum(expression, filter=condition), Value(ZERO), output_field=_DEC)


def hours_by(
    key: str, year: int | None = None, people: Iterable[int] | None = None
) -> dict[object, Hours]:
    """Credited hours grouped by `key`, a lookup from the person ("person_id",
    "person__category") on both the attendance and the ledger side."""
    sessions = credited_attendance(year)
    ledger = credited_ledger(year)
    if people is not None:
        ids = list(people)
        sessions = sessions.filter(person_id__in=ids)
        ledger = ledger.filter(person_id__in=ids)
    found: dict[object, Hours] = {}
    for row in sessions.values(key).annotate(
        total=_sum(SESSION_HOURS), political=_sum(SESSION_HOURS, POLITICAL_SESSION)
    ):
        found[row[key]] = Hours(row["total"], row["political"])
    for row in ledger.values(key).annotate(
        total=_sum("ledger_hours"),
        political=_sum(Coalesce("ledger_political_hours", Value(ZERO), output_field=_DEC)),
    ):
        found[row[key]] = found.get(row[key], Hours()) + Hours(row["total"], row["political"])
    return found


def person_hours(person_id: int, year: int) -> Hours:
    return hours_by("person_id", year, [person_id]).get(person_id, Hours())


# The ledger of a past class states no category: its political hours are 政治理论, the rest
# are kept apart as the ledger's.
LEDGER_CATEGORY = "ledger"


@dataclass(frozen=True)
class YearRecord:
    """A person's 学时档案 for a year: credited hours by class and by course category."""

    by_class: dict[int, Hours]
    by_category: dict[str, Decimal]

    @property
    def hours(self) -> Hours:
        total = Hours()
        for h in self.by_class.values():
            total = total + h
        return total


def person_year(person_id: int, year: int) -> YearRecord:
    """The same credited rows as `hours_by`, grouped by class and by course category."""
    sessions = credited_attendance(year).filter(person_id=person_id)
    ledger = credited_ledger(year).filter(person_id=person_id)
    by_class: dict[int, Hours] = {}
    by_category: dict[str, Decimal] = {}
    key = "activity__class_session__training_class_id"
    for row in sessions.values(key).annotate(
        total=_sum(SESSION_HOURS), political=_sum(SESSION_HOURS, POLITICAL_SESSION)
    ):
        by_class[row[key]] = Hours(row["total"], row["political"])
    category = "activity__class_session__course__category"
    for row in sessions.values(category).annotate(total=_sum(SESSION_HOURS)):
        name = row[category] or CourseCategory.OTHER
        by_category[name] = by_category.get(name, ZERO) + row["total"]
    for enrolment in ledger.values("training_class_id", "ledger_hours", "ledger_political_hours"):
        total, political = enrolment["ledger_hours"], enrolment["ledger_political_hours"] or ZERO
        class_id = enrolment["training_class_id"]
        by_class[class_id] = by_class.get(class_id, Hours()) + Hours(total, political)
        by_category[CourseCategory.POLITICAL] = (
            by_category.get(CourseCategory.POLITICAL, ZERO) + political
        )
        if total - political:
            by_category[LEDGER_CATEGORY] = (
                by_category.get(LEDGER_CATEGORY, ZERO) + total - political
            )
    return YearRecord(by_class, by_category)


def class_hours(class_id: int) -> dict[int, Hours]:
    """Each participant's credited hours from one class, by person id (any year)."""
    sessions = credited_attendance().filter(activity__class_session__training_class_id=class_id)
    ledger = credited_ledger().filter(training_class_id=class_id)
    found: dict[int, Hours] = {}
    for row in sessions.values("person_id").annotate(
        total=_sum(SESSION_HOURS), political=_sum(SESSION_HOURS, POLITICAL_SESSION)
    ):
        found[row["person_id"]] = Hours(row["total"], row["political"])
    for person_id, total, political in ledger.values_list(
        "person_id", "ledger_hours", "ledger_political_hours"
    ):
        extra = Hours(total, political or ZERO)
        found[person_id] = found.get(person_id, Hours()) + extra
    return found
