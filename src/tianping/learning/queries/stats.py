"""Training statistics (DOMAIN.md R7.2): 班次, 人次 and hours of a court's subtree in a year.

What counts, and where:
- A class counts (one 班次) in the year it starts and for the court it belongs to
  (`TrainingClass.court`), and so for every court above that one; a cancelled class does
  not count.
- A participation (one 人次) is one person in one class who was credited by it: present at
  one of its held sessions, or listed in its ledger with hours. However many sessions they
  attended, and whichever court they belonged to at each, they count once, in the class's
  year and for the class's court (`learning.hours.class_participations`).
- Hours are the credited hours of `learning.hours`, the one rule; a class's hours count in
  its year whatever day each session fell on. Political hours are those of political
  courses (R7.1), or a ledger's 其中政治学时.
- Shortfalls (the CLI's `short`) compare a person's credited hours of the calendar year
  (`learning.hours.hours_by`) with their own court's `TrainingRequirement` for their line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, Sum

from tianping.audit import generation
from tianping.learning.hours import (
    LEDGER_UNSORTED,
    TENTH,
    ZERO,
    ClassTally,
    Hours,
    Participation,
    class_participations,
    class_tallies,
    hours_by,
    hours_by_category,
)
from tianping.learning.models import (
    ClassCategoryHours,
    ClassCredit,
    ClassLineTally,
    ClassStatus,
    CourseCategory,
    TrainingClass,
    TrainingKind,
    TrainingRequirement,
)
from tianping.learning.models.training_summary import lines_checked_at
from tianping.orgs.models import COURT_KINDS, Org
from tianping.people.models import Category, Person, PersonStatus

CATEGORY_LABELS = {**dict(CourseCategory.choices), LEDGER_UNSORTED: "台账未分类"}
OWN = "本级"


@dataclass
class Tally:
    """班次, 人次 and credited hours of one group of classes."""

    key: str = ""
    label: str = ""
    classes: int = 0
    participations: int = 0
    hours: Hours = field(default_factory=Hours)
    # For drill-down: the org code whose statistics this row is (courts), else "".
    org_code: str = ""

    @property
    def share(self) -> float | None:
        return self.hours.share

    def as_json(self) -> dict[str, Any]:
        return {
            "classes": self.classes,
            "participations": self.participations,
            "hours": hours_text(self.hours.total),
            "political_hours": hours_text(self.hours.political),
            "political_share": _share(self.hours),
        }


@dataclass
class ClassRow:
    pk: int
    code: str
    name: str
    kind: str
    court_name: str
    starts_on: Any
    ends_on: Any
    participations: int
    hours: Hours


@dataclass
class Shortfall:
    person_id: int
    employee_no: str
    name: str
    court_name: str
    line: str
    hours: Hours
    required: Decimal
    required_political: Decimal

    def as_json(self) -> dict[str, Any]:
        return {
            "employee_no": self.employee_no,
            "name": self.name,
            "hours": hours_text(self.hours.total),
            "required": hours_text(self.required),
            "political_hours": hours_text(self.hours.political),
            "required_political": hours_text(self.required_political),
        }


@dataclass
class Stats:
    org: Org
    year: int
    total: Tally
    by_kind: list[Tally]
    by_court: list[Tally]
    by_line: list[Tally]
    by_category: list[tuple[str, str, Decimal]]  # key, label, hours

    @property
    def sentence(self) -> str:
        """The seeds' sentence, from the records: 2023年共组织各类培训131班次,参训10289人次."""
        return (
            f"{self.year}年共组织各类培训{self.total.classes}班次,"
            f"参训{self.total.participations}人次"
        )

    def as_json(self, short: list[Shortfall] | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "org": self.org.code,
            "year": self.year,
            **self.total.as_json(),
            "by_kind": [
                {"kind": t.label, **t.as_json()} for t in self.by_kind if t.classes or t.hours.total
            ],
            "by_category": [
                {"category": label, "hours": hours_text(hours)}
                for _, label, hours in self.by_category
            ],
            "sentence": self.sentence,
        }
        if short is not None:
            data["short"] = [s.as_json() for s in short]
        return data


def hours_text(value: Decimal) -> str:
    """Hours as the contract writes them: a decimal string to one place ("12.5")."""
    return str(value.quantize(Decimal("0.1")))


def _share(hours: Hours) -> float:
    return round(float(hours.political / hours.total), 4) if hours.total else 0.0


def year_classes(org: Org, year: int) -> Q:
    """The classes a court's statistics of a year count: its subtree's, started that year."""
    # The subtree's courts as a subquery: the planner reads the classes by court and year
    # rather than every enrolment joined to its court's path.
    courts = Org.objects.filter(path__startswith=org.path, kind__in=COURT_KINDS).values("id")
    return Q(court_id__in=courts, starts_on__year=year) & ~Q(status=ClassStatus.CANCELLED)


def child_courts(org: Org) -> list[Org]:
    """The courts directly below `org` in the court hierarchy (a 中院's 基层院), in tree order."""
    below = list(
        Org.objects.filter(path__startswith=org.path, depth__gt=org.depth, kind__in=COURT_KINDS)
        .only("id", "code", "name", "path", "depth", "kind")
        .order_by("path")
    )
    found: list[Org] = []
    for court in below:
        if not any(court.path.startswith(c.path) for c in found):
            found.append(court)
    return found


def summary_tallies(condition: Q) -> list[ClassTally]:
    """`learning.hours.class_tallies` read from the tallies each class keeps per line
    (`ClassLineTally`); the credits (`ClassCredit`) of people changed since the lines were
    last checked are read again and counted under each person's line of now."""
    classes = TrainingClass.objects.filter(condition).values("id")
    sums: dict[tuple[int, str], list[Any]] = {}
    for class_id, line, n, total, political in (
        ClassLineTally.objects.filter(training_class_id__in=classes)
        .values_list("training_class_id", "line", "participations", "hours", "political_hours")
        .order_by()
    ):
        sums[(class_id, line)] = [n, Hours.of(total, political)]
    since = lines_checked_at()
    people = Person.objects.all() if since is None else Person.objects.filter(updated_at__gt=since)
    # The people changed since the check, by id (few, or none): their rows are then read
    # by person, never the year's rows joined to every person.
    changed = list(people.values_list("id", flat=True))
    stale = [
        row
        for start in range(0, len(changed), 5000)
        for row in ClassCredit.objects.filter(
            person_id__in=changed[start : start + 5000], training_class_id__in=classes
        )
        .exclude(line=F("person__category"))
        .values_list("training_class_id", "line", "person__category", "hours", "political_hours")
        .order_by()
    ]
    for class_id, kept, now, total, political in stale:
        hours = Hours.of(total, political)
        old = sums[(class_id, kept)]
        old[0] -= 1
        old[1] = Hours(old[1].total - hours.total, old[1].political - hours.political)
        new = sums.setdefault((class_id, now), [0, Hours()])
        new[0] += 1
        new[1] = new[1] + hours
    return [
        ClassTally(class_id, line, n, hours) for (class_id, line), (n, hours) in sums.items() if n
    ]


def summary_categories(condition: Q) -> dict[str, Decimal]:
    """`learning.hours.hours_by_category` read from the hours each class keeps by category."""
    found: dict[str, Decimal] = {}
    for category, total in (
        ClassCategoryHours.objects.filter(
            training_class_id__in=TrainingClass.objects.filter(condition).values("id")
        )
        .values_list("category")
        .annotate(total=Sum("hours"))
        .order_by()
    ):
        found[category] = found.get(category, ZERO) + Decimal(str(total)).quantize(TENTH)
    return found


def training_stats(org: Org, year: int) -> Stats:
    """Every figure of the statistics page and the CLI, from the credits each class keeps
    (`learning.models.training_summary`, kept current by every write that changes them)."""
    condition = year_classes(org, year)
    return _stats(org, year, summary_tallies(condition), lambda: summary_categories(condition))


def training_stats_from_records(org: Org, year: int) -> Stats:
    """The same figures computed afresh from attendance and ledgers (`learning.hours`):
    what the kept credits must always equal (tests compare them)."""
    condition = year_classes(org, year)
    tallies = class_tallies(condition)
    return _stats(org, year, tallies, lambda: hours_by_category(condition, tallies))


def _stats(
    org: Org,
    year: int,
    tallies: list[ClassTally],
    categories: Callable[[], dict[str, Decimal]],
) -> Stats:
    """Group per-class, per-line tallies into the page's figures."""
    condition = year_classes(org, year)
    classes = list(
        TrainingClass.objects.filter(condition).values_list("id", "kind", "court__path").order_by()
    )
    children = child_courts(org)

    def court_key(path: str) -> str:
        return next((c.code for c in children if path.startswith(c.path)), OWN)

    kind_of = {pk: kind for pk, kind, _ in classes}
    court_of = {pk: court_key(path) for pk, _, path in classes}
    total = Tally("", org.name, classes=len(classes))
    kinds = {k: Tally(k, str(label)) for k, label in TrainingKind.choices}
    courts = {c.code: Tally(c.code, c.name, org_code=c.code) for c in children}
    own = Tally(OWN, f"{org.name}（本级）", org_code="")
    courts[OWN] = own
    lines = {k: Tally(k, str(label)) for k, label in Category.choices}
    lines_classes: dict[str, set[int]] = defaultdict(set)
    for pk in kind_of:
        kinds[kind_of[pk]].classes += 1
        courts[court_of[pk]].classes += 1
    # Sums as plain numbers per class and per line (a province has some ten thousand rows),
    # then per figure.
    per_class: dict[int, list[Any]] = {}
    per_line: dict[str, list[Any]] = {}
    for t in tallies:
        if t.class_id not in kind_of:
            continue
        for acc in (
            per_class.setdefault(t.class_id, [0, ZERO, ZERO]),
            per_line.setdefault(t.line, [0, ZERO, ZERO]),
        ):
            acc[0] += t.participations
            acc[1] += t.hours.total
            acc[2] += t.hours.political
        if t.participations:
            lines_classes[t.line].add(t.class_id)
    sums: dict[int, list[Any]] = {}
    for class_id, (n, hours, political) in per_class.items():
        for tally in (total, kinds[kind_of[class_id]], courts[court_of[class_id]]):
            acc = sums.setdefault(id(tally), [tally, 0, ZERO, ZERO])
            acc[1] += n
            acc[2] += hours
            acc[3] += political
    for key, (n, hours, political) in per_line.items():
        line = lines.setdefault(key, Tally(key, key or "未填写"))
        sums[id(line)] = [line, n, hours, political]
    for tally, n, hours, political in sums.values():
        tally.participations += n
        tally.hours += Hours(hours, political)
    for key, seen in lines_classes.items():
        lines[key].classes = len(seen)
    by_category = sorted(categories().items(), key=lambda kv: _category_order(kv[0]))
    return Stats(
        org=org,
        year=year,
        total=total,
        by_kind=list(kinds.values()),
        by_court=[*(courts[c.code] for c in children), own],
        by_line=[t for t in lines.values() if t.participations],
        by_category=[(k, CATEGORY_LABELS.get(k, k), v) for k, v in by_category if v],
    )


def cached_training_stats(org: Org, year: int) -> Stats:
    """`training_stats`, computed once per court, year and data generation (any write
    makes a new generation, so the figures are never older than the records)."""
    return generation.current().cached(
        lambda: training_stats(org, year), "training-stats", org.pk, year
    )


def _category_order(key: str) -> int:
    order = [c for c, _ in CourseCategory.choices] + [LEDGER_UNSORTED]
    return order.index(key) if key in order else len(order)


# ---------------------------------------------------------------------------------------
# Drill-down: the classes behind a figure, and the people behind a class or a figure


@dataclass(frozen=True)
class Filters:
    """Which part of a year's statistics a drill-down shows; blank means all."""

    kind: str = ""
    court: str = ""  # a court code below the org, or OWN for the org's own classes
    line: str = ""

    def condition(self, org: Org) -> Q:
        q = Q()
        if self.kind:
            q &= Q(kind=self.kind)
        if self.court == OWN:
            q &= Q(court_id=org.pk)
            for child in child_courts(org):
                q &= ~Q(court__path__startswith=child.path)
        elif self.court:
            q &= Q(court__code=self.court, court__path__startswith=org.path)
        return q


def class_rows(org: Org, year: int, filters: Filters) -> list[ClassRow]:
    """The classes behind a figure, each with its participations and hours."""
    condition = year_classes(org, year) & filters.condition(org)
    taken = class_participations(condition)
    per_class: dict[int, list[Participation]] = defaultdict(list)
    for (class_id, _), p in taken.items():
        if not filters.line or p.line == filters.line:
            per_class[class_id].append(p)
    rows = []
    for c in (
        TrainingClass.objects.filter(condition)
        .select_related("court")
        .only("id", "code", "name", "kind", "starts_on", "ends_on", "court__name")
        .order_by("starts_on", "code")
    ):
        taken_here = per_class.get(c.pk, [])
        if filters.line and not taken_here:
            continue
        hours = sum((p.hours for p in taken_here), Hours())
        rows.append(
            ClassRow(
                c.pk,
                c.code,
                c.name,
                c.get_kind_display(),
                c.court.name,
                c.starts_on,
                c.ends_on,
                len(taken_here),
                hours,
            )
        )
    return rows


@dataclass
class PersonRow:
    person_id: int
    employee_no: str
    name: str
    court_name: str
    line: str
    classes: int
    hours: Hours


def people_rows(
    org: Org, year: int, filters: Filters, class_id: int | None = None
) -> list[PersonRow]:
    """The people behind a figure (or one class): each once, with their classes and hours."""
    condition = year_classes(org, year) & filters.condition(org)
    if class_id is not None:
        condition &= Q(pk=class_id)
    taken = class_participations(condition)
    per_person: dict[int, list[Participation]] = defaultdict(list)
    for (_, person_id), p in taken.items():
        if not filters.line or p.line == filters.line:
            per_person[person_id].append(p)
    ids = list(per_person)
    people = [
        person
        for start in range(0, len(ids), 5000)
        for person in Person.objects.filter(pk__in=ids[start : start + 5000]).select_related(
            "court"
        )
    ]
    labels = dict(Category.choices)
    rows = [
        PersonRow(
            person.pk,
            person.employee_no,
            person.name,
            person.court.name,
            str(labels.get(person.category, person.category)),
            len(per_person[person.pk]),
            sum((p.hours for p in per_person[person.pk]), Hours()),
        )
        for person in people
    ]
    rows.sort(key=lambda r: (-r.hours.total, r.employee_no))
    return rows


# ---------------------------------------------------------------------------------------
# Shortfalls


def shortfalls(org: Org, year: int) -> list[Shortfall]:
    """Serving people of the subtree below their own court's yearly requirement for their
    line: short of the hours, or of the political hours (每人每年不少于N学时, 其中政治理论M)."""
    required = {
        (r.court_id, r.line): r
        for r in TrainingRequirement.objects.filter(court__path__startswith=org.path)
    }
    if not required:
        return []
    courts = {court_id for court_id, _ in required}
    people = list(
        Person.objects.filter(
            court__path__startswith=org.path,
            court_id__in=courts,
            status=PersonStatus.SERVING,
        )
        .values_list("id", "court_id", "category", "employee_no", "name", "court__name")
        .order_by("court__path", "employee_no")
    )
    credited = hours_by(
        "person_id",
        year,
        where=Q(person__court_id__in=sorted(courts)),
    )
    short: list[Shortfall] = []
    for pk, court_id, line, employee_no, name, court_name in people:
        rule = required.get((court_id, line))
        if rule is None:
            continue
        hours = credited.get(pk, Hours())
        if hours.total < rule.hours or hours.political < rule.political_hours:
            short.append(
                Shortfall(
                    pk,
                    employee_no,
                    name,
                    court_name,
                    line,
                    hours,
                    rule.hours,
                    rule.political_hours,
                )
            )
    return short


def years_with_classes(org: Org) -> list[int]:
    """The years the subtree has classes in, newest first (the page's year choice),
    once per data generation."""

    def years() -> list[int]:
        dates = TrainingClass.objects.filter(court__path__startswith=org.path).dates(
            "starts_on", "year", order="DESC"
        )
        return [d.year for d in dates]

    return generation.current().cached(years, "training-years", org.pk)


def export_rows(stats: Stats) -> Iterable[list[Any]]:
    """The statistics as sheet rows: 维度, 项目, 班次, 人次, 学时, 政治学时, 政治占比."""

    def row(dimension: str, t: Tally) -> list[Any]:
        share = t.hours.share
        return [
            dimension,
            t.label,
            t.classes,
            t.participations,
            float(t.hours.total),
            float(t.hours.political),
            round(share, 4) if share is not None else "",
        ]

    yield row("合计", stats.total)
    for t in stats.by_court:
        yield row("法院", t)
    for t in stats.by_kind:
        yield row("培训类型", t)
    for t in stats.by_line:
        yield row("人员类别", t)
    for _, label, hours in stats.by_category:
        yield ["课程类别", label, "", "", float(hours), "", ""]


EXPORT_HEADERS = ["维度", "项目", "班次", "人次", "学时", "政治学时", "政治占比"]
ZERO_HOURS = ZERO
