"""Reads of training classes and credited hours, each through the scoping function."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from tianping.accounts.scoping import Scope, scoped
from tianping.activities.models import Attendance, AttendanceStatus
from tianping.audit import generation
from tianping.learning.hours import LEDGER_CATEGORY, Hours, class_hours, hours_by, person_year
from tianping.learning.models.training import (
    ClassSession,
    ClassStatus,
    CourseCategory,
    Enrolment,
    Feedback,
    TrainingClass,
    TrainingRequirement,
)
from tianping.orgs.models import COURT_KINDS, Org
from tianping.people.models import Category, Person, PersonStatus

ZERO = Decimal("0")


@dataclass
class ClassFilter:
    year: int | None = None
    kind: str = ""
    status: str = ""
    q: str = ""
    court: Org | None = None


def class_list(scope: Scope | None, f: ClassFilter) -> QuerySet[TrainingClass]:
    qs = scoped(scope, TrainingClass.objects.all())
    if f.year:
        qs = qs.filter(starts_on__year=f.year)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.q.strip():
        qs = qs.filter(Q(name__contains=f.q.strip()) | Q(code__iexact=f.q.strip()))
    if f.court is not None:
        qs = qs.filter(court__path__startswith=f.court.path)
    # The scope's joins (a member's own enrolments) stay inside a subquery; the counts are
    # subqueries of their own, not joins multiplying each other.
    enrolled = (
        Enrolment.objects.filter(training_class=OuterRef("pk"))
        .values("training_class")
        .annotate(n=Count("id"))
        .values("n")
    )
    sessions = (
        ClassSession.objects.filter(training_class=OuterRef("pk"))
        .values("training_class")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        TrainingClass.objects.filter(pk__in=qs.values("pk"))
        .select_related("court", "organiser")
        .annotate(
            enrolled=Coalesce(Subquery(enrolled), 0),
            session_count=Coalesce(Subquery(sessions), 0),
        )
        .order_by("-starts_on", "-id")
    )


def class_sessions(tc: TrainingClass) -> QuerySet[ClassSession]:
    return (
        tc.sessions.select_related("activity", "course")
        .annotate(
            present=Count(
                "activity__attendance",
                filter=Q(activity__attendance__status=AttendanceStatus.PRESENT),
            ),
            on_leave=Count(
                "activity__attendance",
                filter=Q(activity__attendance__status=AttendanceStatus.LEAVE),
            ),
        )
        .order_by("activity__on", "activity__start_time", "id")
    )


@dataclass
class EnrolmentRow:
    enrolment: Enrolment
    hours: Hours
    sessions_present: int


def class_enrolments(tc: TrainingClass) -> list[EnrolmentRow]:
    """Who is enrolled, with the hours the class credited each (R7.2) and sessions attended."""
    enrolments = list(
        tc.enrolments.select_related("person", "person__court", "feedback").order_by(
            "person__employee_no"
        )
    )
    ids = [e.person_id for e in enrolments]
    credited = class_hours(tc.pk)
    present = dict(
        Attendance.objects.filter(
            activity__class_session__training_class=tc,
            person_id__in=ids,
            status=AttendanceStatus.PRESENT,
            activity__status="held",
        )
        .values_list("person_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        EnrolmentRow(e, credited.get(e.person_id, Hours()), present.get(e.person_id, 0))
        for e in enrolments
    ]


def rule_people(court: Org, rule: str, year: int | None) -> tuple[QuerySet[Person], str]:
    """The people a rule of enrolment chooses in a court, and the rule in words."""
    base = Person.objects.filter(court=court, status=PersonStatus.SERVING)
    if rule in Category.values:
        return base.filter(category=rule), f"{court.name}全部{Category(rule).label}"
    if year is None:
        return base.none(), ""
    if rule == "joined":
        return base.filter(joined_court_on__year=year), f"{court.name}{year}年入院人员"
    if rule == "new_judges":
        return (
            base.filter(category=Category.JUDGE, joined_court_on__year=year),
            f"{court.name}{year}年新任员额法官",
        )
    return base.none(), ""


RULE_CHOICES = [
    *[(value, f"全部{label}") for value, label in Category.choices],
    ("joined", "某年入院人员"),
    ("new_judges", "某年新任员额法官"),
]


# ---------------------------------------------------------------------------------------
# 学时档案 and the court's requirements


@dataclass
class ClassLine:
    training_class: TrainingClass
    hours: Hours


@dataclass
class YearPage:
    person: Person
    year: int
    classes: list[ClassLine]
    categories: list[tuple[str, Decimal]]
    hours: Hours
    requirement: TrainingRequirement | None

    @property
    def short(self) -> Decimal:
        if self.requirement is None:
            return ZERO
        return max(ZERO, self.requirement.hours - self.hours.total)

    @property
    def short_political(self) -> Decimal:
        if self.requirement is None:
            return ZERO
        return max(ZERO, self.requirement.political_hours - self.hours.political)


CATEGORY_LABELS = {**dict(CourseCategory.choices), LEDGER_CATEGORY: "台账记载（未分类）"}


def year_page(person: Person, year: int) -> YearPage:
    record = person_year(person.pk, year)
    classes = {
        c.pk: c
        for c in TrainingClass.objects.filter(pk__in=list(record.by_class)).select_related("court")
    }
    lines = sorted(
        (ClassLine(classes[pk], h) for pk, h in record.by_class.items() if pk in classes),
        key=lambda line: (line.training_class.starts_on, line.training_class.pk),
    )
    order = [*CourseCategory.values, LEDGER_CATEGORY]
    categories = [
        (CATEGORY_LABELS[c], record.by_category[c]) for c in order if record.by_category.get(c)
    ]
    requirement = (
        TrainingRequirement.objects.filter(court_id=person.court_id, line=person.category).first()
        if person.category
        else None
    )
    return YearPage(person, year, lines, categories, record.hours, requirement)


@dataclass
class Shortfall:
    person: Person
    requirement: TrainingRequirement
    hours: Hours

    @property
    def short(self) -> Decimal:
        return max(ZERO, self.requirement.hours - self.hours.total)

    @property
    def short_political(self) -> Decimal:
        return max(ZERO, self.requirement.political_hours - self.hours.political)


@dataclass
class ShortfallReport:
    year: int
    rows: list[Shortfall] = field(default_factory=list)
    checked: int = 0  # people a requirement applies to


def _requirements(
    scope: Scope | None, court: Org | None
) -> tuple[QuerySet[Person], dict[tuple[int, str], TrainingRequirement]]:
    """The serving staff in the scope a court's requirement applies to, and the requirements
    by (court, line)."""
    people_qs = scoped(scope, Person.objects.serving()).exclude(category="")
    if court is not None:
        people_qs = people_qs.filter(court=court)
    courts = people_qs.values("court_id").distinct().order_by()
    by_key = {
        (r.court_id, r.line): r
        for r in TrainingRequirement.objects.filter(court_id__in=courts).select_related("court")
    }
    lines = {line for _, line in by_key}
    return people_qs.filter(category__in=lines), by_key


def _below(hours: Hours, requirement: TrainingRequirement) -> bool:
    return hours.total < requirement.hours or hours.political < requirement.political_hours


def shortfalls(scope: Scope | None, year: int, court: Org | None = None) -> ShortfallReport:
    """Who, of the serving staff in the scope a court's requirement applies to, falls short
    in `year` (a secretary sees the people of their branch)."""
    report = ShortfallReport(year)
    people_qs, by_key = _requirements(scope, court)
    if not by_key:
        return report
    people = [
        p
        for p in people_qs.select_related("court", "department").order_by(
            "court__path", "employee_no"
        )
        if (p.court_id, p.category) in by_key
    ]
    report.checked = len(people)
    found = hours_by("person_id", year, where=Q(person__in=people_qs.values("pk")))
    for p in people:
        requirement = by_key[(p.court_id, p.category)]
        h = found.get(p.pk, Hours())
        if _below(h, requirement):
            report.rows.append(Shortfall(p, requirement, h))
    return report


def shortfall_count(scope: Scope | None, year: int) -> tuple[int, int]:
    """(people short, people a requirement applies to): what `shortfalls` lists, counted
    without building a row per person."""
    people_qs, by_key = _requirements(scope, None)
    if not by_key:
        return 0, 0
    found = hours_by("person_id", year, where=Q(person__in=people_qs.values("pk")))
    short = checked = 0
    for pk, court_id, line in people_qs.values_list("pk", "court_id", "category").order_by():
        requirement = by_key.get((court_id, line))
        if requirement is None:
            continue
        checked += 1
        short += _below(found.get(pk, Hours()), requirement)
    return short, checked


def _scope_key(scope: Scope) -> str:
    if scope.is_global:
        return "all"
    return f"{scope.role}-{scope.root_id}-{scope.root_path}-{scope.person_id}"


def cached_shortfall_count(scope: Scope, year: int) -> tuple[int, int]:
    """(people short, people a requirement applies to) for the dashboard, counted once per
    data generation: any audited write makes it count again."""

    return generation.current().cached(
        lambda: shortfall_count(scope, year), "training-shortfall", _scope_key(scope), year
    )


def courts_in(scope: Scope | None) -> QuerySet[Org]:
    return scoped(scope, Org.objects.filter(kind__in=COURT_KINDS)).order_by("path")


def certificate(code: str) -> Enrolment | None:
    """The enrolment a verification code names, for the public page (no scope: the code is
    the key, and the page shows only name, class, dates and hours)."""
    code = code.strip().upper()
    if not code or len(code) > 20:
        return None
    return (
        Enrolment.objects.filter(certificate_code=code)
        .exclude(training_class__status=ClassStatus.CANCELLED)
        .select_related("person", "training_class")
        .first()
    )


def this_year() -> int:
    return dt.date.today().year


def feedback_summary(tc: TrainingClass) -> dict[str, Any]:
    """A class's feedback for its managers, without names: how many gave it of how many
    could (present at a held session at least), the average, the count of each rating and
    the comments in the order they came."""
    rows = list(
        Feedback.objects.filter(enrolment__training_class=tc)
        .order_by("created_at", "pk")
        .values_list("rating", "comment")
    )
    attended = (
        Attendance.objects.filter(
            status=AttendanceStatus.PRESENT,
            activity__status="held",
            activity__class_session__training_class=tc,
        )
        .values("person_id")
        .distinct()
        .count()
    )
    by_rating = {str(n): 0 for n in range(1, 6)}
    for rating, _ in rows:
        by_rating[str(rating)] += 1
    return {
        "count": len(rows),
        "attended": attended,
        "average": round(sum(r for r, _ in rows) / len(rows), 2) if rows else None,
        "by_rating": by_rating,
        "comments": [c for _, c in rows if c],
    }
