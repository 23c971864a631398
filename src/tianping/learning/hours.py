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
from typing import Any, cast

from django.db.models import Count, DecimalField, Exists, F, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from tianping.activities.models import ActivityStatus, Attendance, AttendanceStatus
from tianping.learning.models import ClassSession, ClassStatus, CourseCategory, Enrolment

ZERO = Decimal("0")
_DEC: DecimalField = DecimalField(max_digits=12, decimal_places=1)


TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Hours:
    total: Decimal = ZERO
    political: Decimal = ZERO

    @classmethod
    def of(cls, total: Decimal, political: Decimal) -> Hours:
        """Sums as the database returns them, to the tenth every hour field keeps (SQLite
        sums decimals as floats: 4.20000000000000)."""
        return cls(Decimal(total).quantize(TENTH), Decimal(political).quantize(TENTH))

    @property
    def share(self) -> float | None:
        return float(self.political / self.total) if self.total else None

    def __add__(self, other: Hours) -> Hours:
        return Hours(self.total + other.total, self.political + other.political)


def credited_attendance(year: int | None = None) -> QuerySet[Attendance]:
    """The attendance rows that credit hours: present, at a held session of a live class."""
    # The sessions as a subquery, not a join: the planner then starts from the attendance
    # (a person's rows, by its index), not from every held activity of the year (SQLite
    # without statistics did, 140 ms for one person in a province).
    sessions = ClassSession.objects.filter(activity__status=ActivityStatus.HELD).exclude(
        training_class__status=ClassStatus.CANCELLED
    )
    if year is not None:
        sessions = sessions.filter(activity__on__year=year)
    return Attendance.objects.filter(
        status=AttendanceStatus.PRESENT, activity_id__in=sessions.values("activity_id")
    )


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
    key: str,
    year: int | None = None,
    people: Iterable[int] | None = None,
    where: Q | None = None,
) -> dict[object, Hours]:
    """Credited hours grouped by `key`, a lookup from the person ("person_id",
    "person__category") on both the attendance and the ledger side; `where`, a condition
    on the person ("person__court__path__startswith"), narrows both sides alike."""
    sessions = credited_attendance(year)
    ledger = credited_ledger(year)
    if people is not None:
        ids = list(people)
        sessions = sessions.filter(person_id__in=ids)
        ledger = ledger.filter(person_id__in=ids)
    if where is not None:
        sessions = sessions.filter(where)
        ledger = ledger.filter(where)
    found: dict[object, Hours] = {}
    for row in sessions.values(key).annotate(
        total=_sum(SESSION_HOURS), political=_sum(SESSION_HOURS, POLITICAL_SESSION)
    ):
        found[row[key]] = Hours.of(row["total"], row["political"])
    for row in ledger.values(key).annotate(
        total=_sum("ledger_hours"),
        political=_sum(Coalesce("ledger_political_hours", Value(ZERO), output_field=_DEC)),
    ):
        found[row[key]] = found.get(row[key], Hours()) + Hours.of(row["total"], row["political"])
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


# ---------------------------------------------------------------------------------------
# By class: what the training statistics (R7.2) read. A class's hours are all it credits,
# whatever day each session fell on; the statistics place them in the year the class started.

CLASS_OF_SESSION = "activity__class_session__training_class_id"
CATEGORY_OF_SESSION = "activity__class_session__course__category"
LEDGER_UNSORTED = ""  # the category of ledger hours that are not political: the ledger does not say


@dataclass(frozen=True)
class Participation:
    """One person in one class (人次), with the hours the class credits them."""

    class_id: int
    person_id: int
    line: str  # the person's personnel line (人员类别)
    hours: Hours


def class_participations(classes: Q) -> dict[tuple[int, int], Participation]:
    """Every person credited by a class matching `classes` (a condition on TrainingClass),
    once per class however many sessions they attended or courts they moved between:
    present at a held session, or listed in a ledger with hours."""
    prefix = "activity__class_session__training_class__"
    sessions = credited_attendance().filter(_prefixed(classes, prefix))
    ledger = credited_ledger().filter(_prefixed(classes, "training_class__"))
    found: dict[tuple[int, int], Participation] = {}
    for class_id, person_id, line, total, political in (
        sessions.values_list(CLASS_OF_SESSION, "person_id", "person__category")
        .annotate(total=_sum(SESSION_HOURS), political=_sum(SESSION_HOURS, POLITICAL_SESSION))
        .order_by()
    ):
        found[(class_id, person_id)] = Participation(
            class_id, person_id, line, Hours.of(total, political)
        )
    for class_id, person_id, line, total, political in ledger.values_list(
        "training_class_id",
        "person_id",
        "person__category",
        "ledger_hours",
        Coalesce("ledger_political_hours", Value(ZERO), output_field=_DEC),
    ).order_by():
        hours = Hours.of(total, political)
        before = found.get((class_id, person_id))
        if before is not None:
            hours = before.hours + hours
        found[(class_id, person_id)] = Participation(class_id, person_id, line, hours)
    return found


@dataclass(frozen=True)
class ClassTally:
    """The people of one personnel line a class credited (人次) and their hours; `ledger`
    tells the rows a ledger states from those attendance credits."""

    class_id: int
    line: str
    participations: int
    hours: Hours
    ledger: bool = False


def class_tallies(classes: Q) -> list[ClassTally]:
    """What `class_participations` gives, summed in the database per class and line: the
    statistics of a whole province read a few thousand rows, not every participant.

    A person listed in a class's ledger is counted there; their attendance at the same
    class (if any) adds hours, not a second participation (R7.2)."""
    prefix = "activity__class_session__training_class__"
    in_ledger = credited_ledger().filter(
        training_class_id=OuterRef(CLASS_OF_SESSION), person_id=OuterRef("person_id")
    )
    found: list[ClassTally] = []
    sessions = (
        credited_attendance()
        .filter(_prefixed(classes, prefix))
        .annotate(listed=Exists(in_ledger))
        .values_list(CLASS_OF_SESSION, "person__category")
        .annotate(
            n=Count("person_id", distinct=True, filter=Q(listed=False)),
            total=_sum(SESSION_HOURS),
            political=_sum(SESSION_HOURS, POLITICAL_SESSION),
        )
        .order_by()
    )
    for class_id, line, n, total, political in sessions:
        found.append(ClassTally(class_id, line, n, Hours.of(total, political)))
    ledger = (
        credited_ledger()
        .filter(_prefixed(classes, "training_class__"))
        .values_list("training_class_id", "person__category")
        .annotate(
            n=Count("id"),
            total=Sum("ledger_hours"),
            political=Sum("ledger_political_hours"),
        )
        .order_by()
    )
    for class_id, line, n, total, political in ledger:
        found.append(ClassTally(class_id, line, n, Hours.of(total, political or ZERO), True))
    return found


def hours_by_category(classes: Q, tallies: Iterable[ClassTally] = ()) -> dict[str, Decimal]:
    """The hours classes matching `classes` credit by course category (CourseCategory),
    from attended sessions; the ledger rows among `tallies` add their political part as
    政治理论 and the rest as LEDGER_UNSORTED (a ledger does not say)."""
    prefix = "activity__class_session__training_class__"
    found: dict[str, Decimal] = {}
    for category, total in (
        credited_attendance()
        .filter(_prefixed(classes, prefix))
        .values_list(CATEGORY_OF_SESSION)
        .annotate(total=_sum(SESSION_HOURS))
        .order_by()
    ):
        key = category or CourseCategory.OTHER
        found[key] = found.get(key, ZERO) + Decimal(total).quantize(TENTH)
    ledger = sum((t.hours for t in tallies if t.ledger), Hours())
    if ledger.political:
        found[CourseCategory.POLITICAL] = (
            found.get(CourseCategory.POLITICAL, ZERO) + ledger.political
        )
    if ledger.total - ledger.political:
        found[LEDGER_UNSORTED] = ledger.total - ledger.political
    return found


def _prefixed(condition: Q, prefix: str) -> Q:
    """A condition on TrainingClass rewritten for a model that reaches it through `prefix`."""
    out = Q()
    out.connector, out.negated = condition.connector, condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            out.children.append(_prefixed(child, prefix))
        else:
            lookup, value = cast(tuple[str, Any], child)
            out.children.append((prefix + lookup, value))
    return out
