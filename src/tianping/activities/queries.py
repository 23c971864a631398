"""Reads of activities that more than one view needs, always through the scoping function."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse

from tianping.accounts.scoping import Scope, scoped
from tianping.activities import committee_hooks, kinds
from tianping.activities.compliance import (
    MET,
    MISSING,
    SOURCES,
    UPCOMING,
    Due,
    Report,
    Summary,
    TalkMatrix,
    cached_tally,
    compliance,
    default_as_of,
)
from tianping.activities.compliance import spans as compliance_spans
from tianping.activities.kinds import Obligation, Period
from tianping.activities.models import (
    Activity,
    ActivityStatus,
    Attendance,
    AttendanceRole,
    AttendanceStatus,
    StudyItem,
    StudyRecord,
    makeup_text,
    status_text,
)
from tianping.orgs.models import COURT_KINDS, Org, OrgKind
from tianping.people.models import PARTY_STATUSES, Person, Placement, PlacementKind, placed_on

STATUS_LABELS = dict(AttendanceStatus.choices)


def expected_attendees(org: Org, on: dt.date) -> QuerySet[Person]:
    """Who an activity of `org` on `on` expects: its members as of that date (placement history).

    A branch expects the people placed in it (or its groups) that day; a group its members;
    a party committee or general branch everyone in the branches under it; a court or a
    department the people placed in its departments.
    """
    placements = Placement.objects.filter(placed_on(on), org__path__startswith=org.path)
    if org.kind == OrgKind.GROUP:
        placements = placements.filter(kind=PlacementKind.PARTY_GROUP)
    elif org.kind in (
        OrgKind.BRANCH,
        OrgKind.GENERAL_BRANCH,
        OrgKind.PARTY_COMMITTEE,
        OrgKind.LEADING_GROUP,
    ):
        placements = placements.filter(kind=PlacementKind.PARTY_ORG)
    elif org.kind in COURT_KINDS or org.kind == OrgKind.DEPARTMENT:
        placements = placements.filter(kind=PlacementKind.DEPARTMENT)
    return Person.objects.filter(pk__in=placements.values("person_id")).order_by("employee_no")


def expected_of(activity: Activity) -> QuerySet[Person]:
    """Who an activity expects: a training class's session, the people enrolled in the class
    (learning keeps the enrolment; the lookup goes by relation name, not by import); any
    other activity, its organisation's members that day."""
    if activity.kind == "training_class" and activity.pk:
        enrolled = Person.objects.filter(
            enrolments__training_class__sessions__activity=activity
        ).order_by("employee_no")
        if enrolled.exists():
            return enrolled
    return expected_attendees(activity.org, activity.on)


def activities_in(scope: Scope | None, start: dt.date, end: dt.date) -> QuerySet[Activity]:
    """Activities in the scope dated within [start, end]."""
    return (
        scoped(scope, Activity.objects.filter(on__gte=start, on__lte=end))
        .select_related("org")
        .order_by("on", "start_time", "id")
    )


def last_held_on(orgs: QuerySet[Org]) -> dict[int, dt.date]:
    """The date each organisation last held any activity."""
    rows = (
        Activity.objects.filter(org__in=orgs, status=ActivityStatus.HELD)
        .values_list("org_id")
        .annotate(last=Max("on"))
        .order_by()
    )
    return dict(rows)


# ---------------------------------------------------------------------------------------
# The activity list, shared by the page, its export and the API


@dataclass
class ActivityFilter:
    q: str = ""  # in the title
    org: Org | None = None
    subtree: bool = True  # the organisation's subtree, or the organisation alone
    kind: str = ""  # also matches a record that counts for the kind (R1.5)
    category: str = ""
    status: str = ""
    start: dt.date | None = None
    end: dt.date | None = None


def activity_list(scope: Scope | None, f: ActivityFilter) -> QuerySet[Activity]:
    """The activities in the scope that match the filter, newest first."""
    qs = scoped(scope, Activity.objects.all())
    if f.org is not None:
        qs = qs.filter(org__path__startswith=f.org.path) if f.subtree else qs.filter(org=f.org)
    if f.kind:
        # A record counts for the kinds it also meets (R1.5): a 主题党日 with a 党课.
        qs = qs.filter(Q(kind=f.kind) | Q(also_counts_as__icontains=f'"{f.kind}"'))
    if f.category:
        qs = qs.filter(kind__in=[k.code for k in kinds.KINDS.values() if k.category == f.category])
    if f.status:
        qs = qs.filter(status=f.status)
    if f.start is not None:
        qs = qs.filter(on__gte=f.start)
    if f.end is not None:
        qs = qs.filter(on__lte=f.end)
    if q := f.q.strip():
        qs = qs.filter(title__icontains=q)
    return qs.select_related("org").order_by("-on", "-id")


def attendance_counts(scope: Scope | None, ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Attendance tallies of many activities by status, in one aggregate query, in the scope."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        scoped(scope, Attendance.objects.filter(activity_id__in=list(ids)))
        .values_list("activity_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for activity_id, status, n in rows:
        counts[activity_id][status] = n
    return counts


# ---------------------------------------------------------------------------------------
# The attendance grid: who is expected, who is recorded, as a page shows them


@dataclass
class GridRow:
    person: Person
    status: str  # what the page shows checked; "" when nobody has recorded this person yet
    was: str  # what the page was rendered from: a POST passes on only rows that differ
    role: str = AttendanceRole.PARTICIPANT
    role_was: str = AttendanceRole.PARTICIPANT
    expected: bool = True
    reason: str = ""  # why on leave or absent, as shown
    reason_was: str = ""  # as rendered, like `was`
    makeup_on: dt.date | None = None
    makeup_method: str = ""

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, "未记录")

    @property
    def status_text(self) -> str:
        """请假（出差）: the status with its reason."""
        return status_text(self.status, self.reason) if self.status else "未记录"

    @property
    def missed(self) -> bool:
        return self.status in (AttendanceStatus.LEAVE, AttendanceStatus.ABSENT)

    @property
    def makeup_text(self) -> str:
        return makeup_text(self.makeup_on, self.makeup_method)

    @property
    def role_label(self) -> str:
        return AttendanceRole(self.role).label


def attendance_grid(scope: Scope, activity: Activity) -> list[GridRow]:
    """The organisation's members as of the activity's date, plus anyone already recorded.

    A member sees only their own row: the rest of the list is outside their scope.
    """
    recorded = {
        a.person_id: a
        for a in scoped(scope, Attendance.objects.filter(activity=activity)).select_related(
            "person"
        )
    }
    people: list[tuple[Person, bool]] = []
    if not scope.self_only:
        people = [(p, True) for p in expected_of(activity)]
    listed = {p.pk for p, _ in people}
    people += [(a.person, False) for pid, a in recorded.items() if pid not in listed]
    rows = []
    for person, expected in sorted(people, key=lambda pe: (not pe[1], pe[0].employee_no)):
        row = recorded.get(person.pk)
        if row is None:
            rows.append(GridRow(person, "", "", expected=expected))
            continue
        rows.append(
            GridRow(
                person,
                row.status,
                row.status,
                row.role,
                row.role,
                expected,
                row.reason,
                row.reason,
                row.makeup_on,
                row.makeup_method,
            )
        )
    return rows


def tally(rows: list[GridRow]) -> dict[str, int]:
    return {s: sum(1 for r in rows if r.status == s) for s in AttendanceStatus.values}


def tally_text(counts: dict[str, int]) -> str:
    """出席3人、请假1人、缺席1人: what a secretary counts after recording."""
    return "、".join(
        f"{label}{counts.get(value, 0)}人" for value, label in AttendanceStatus.choices
    )


def blank_grid(org: Org | None, on: dt.date | None) -> list[GridRow]:
    """The grid of an activity not yet recorded: the members of `org` as of `on`."""
    if org is None or on is None:
        return []
    return [GridRow(p, "", "") for p in expected_attendees(org, on)]


# ---------------------------------------------------------------------------------------
# The compliance matrix of a subtree (R1.5)

MONTHS = [f"{m}月" for m in range(1, 13)]
QUARTERS = ["一季度", "二季度", "三季度", "四季度"]
RHYTHM = {Period.MONTH: "每月", Period.QUARTER: "每季度", Period.YEAR: "每年"}
# Kinds offered in the organisation picker: the nodes whose subtree is worth a matrix (a
# province has some 1,500 branches; a branch is reached from its row, or is a secretary's root).
PICKER_KINDS = COURT_KINDS | {OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH}
# Nodes shown as headings in the matrix so a branch is seen under its court.
SECTION_KINDS = COURT_KINDS | {OrgKind.GENERAL_BRANCH}


@dataclass(frozen=True)
class PeriodFilter:
    """The part of the year the matrix shows: the whole year, a quarter or a month."""

    code: str  # "", "Q1"–"Q4", "M1"–"M12"
    label: str
    months: tuple[int, ...]
    quarters: tuple[int, ...]
    year: bool

    def keeps(self, due: Due) -> bool:
        return self.keeps_span(due.span.period, due.span.index)

    def keeps_span(self, period: str, index: int) -> bool:
        """Whether the span of `period` numbered `index` (Span.index) falls in the filter."""
        if period == Period.MONTH:
            return index in self.months
        if period == Period.QUARTER:
            return index in self.quarters
        return self.year


WHOLE_YEAR = PeriodFilter("", "全年", tuple(range(1, 13)), (1, 2, 3, 4), True)
PERIOD_FILTERS = [
    WHOLE_YEAR,
    *(
        PeriodFilter(f"Q{q}", QUARTERS[q - 1], (3 * q - 2, 3 * q - 1, 3 * q), (q,), False)
        for q in range(1, 5)
    ),
    *(PeriodFilter(f"M{m}", MONTHS[m - 1], (m,), (), False) for m in range(1, 13)),
]
PERIODS_BY_CODE = {p.code: p for p in PERIOD_FILTERS}


def compliance_in_period(
    root: Org, year: int, period: PeriodFilter, *, court_only: bool = False
) -> Report:
    """The subtree's report for the year, with only the rows of the period (the summary follows).

    `court_only`: a court's own organisations, not those of the courts under it.
    """
    report = compliance(root, year, default_as_of(year), court_only=court_only)
    if period is WHOLE_YEAR:
        return report
    return replace(report, rows=[r for r in report.rows if period.keeps(r)])


def compliance_totals(
    scope: Scope | None,
    root: Org,
    year: int,
    period: PeriodFilter = WHOLE_YEAR,
    court_id: int | None = None,
) -> Summary:
    """The summary of `compliance_in_period(root, year, period)` (of one court of the
    subtree with `court_id`), read from the cached tally: the year is counted once per
    data generation, not on every page. PermissionDenied outside the scope."""
    if scope is None or not scope.can("compliance.view") or not scope.covers_path(root.path):
        raise PermissionDenied("compliance.view")
    return cached_tally(root, year).summary(period.keeps_span, court_id)


def health_url(org: Org, year: int) -> str:
    return reverse("activities:health", args=[org.code]) + f"?year={year}"


@dataclass(frozen=True)
class Chip:
    """One period of one obligation as a page shows it: a coloured link with its tally."""

    status: str  # met / missing / upcoming
    href: str
    title: str
    text: str


@dataclass(frozen=True)
class Column:
    """One column of the matrix: a month, a quarter or the year, with its dates as links say them."""

    period: Period
    index: int
    label: str
    code: str  # 2024-03, 2024-Q1, 2024
    start: str  # ISO dates, first and last day
    end: str
    first_of_group: bool = False

    @property
    def css(self) -> str:
        return "cell group-start" if self.first_of_group else "cell"


def matrix_columns(period: PeriodFilter, year: int) -> list[Column]:
    by_key = {(s.period, s.index): s for p in Period for s in compliance_spans(year, p)}

    def column(p: Period, index: int, label: str, first: bool) -> Column:
        span = by_key[(p, index)]
        code, start, end = span.code, span.start.isoformat(), span.end.isoformat()
        return Column(p, index, label, code, start, end, first_of_group=first)

    columns = [column(Period.MONTH, m, MONTHS[m - 1], i == 0) for i, m in enumerate(period.months)]
    columns += [
        column(Period.QUARTER, q, QUARTERS[q - 1], i == 0) for i, q in enumerate(period.quarters)
    ]
    if period.year:
        columns.append(column(Period.YEAR, 1, "全年", True))
    return columns


def _indent_em(indent: int) -> str:
    return f"{indent * 1.25:.2f}"


@dataclass
class MatrixRow:
    """One party organisation's row: its dues by column, as the engine gave them.

    The template builds each cell's link and words from the due and the organisation's
    code; nothing here is markup.
    """

    org: Org
    indent: int
    section: bool
    cells: list[tuple[Column, list[Due]]] = field(default_factory=list)
    owes: bool = False
    missing: int = 0

    @property
    def indent_em(self) -> str:
        return _indent_em(self.indent)


def matrix_rows(
    report: Report,
    sections: list[Org],
    *,
    problems_only: bool,
    columns: list[Column] | None = None,
    court: Org | None = None,
    root_depth: int | None = None,
) -> list[MatrixRow]:
    """One row per party organisation, with its dues by column; courts as headings.

    With `court`, only that court's own organisations (not those of the courts under it).
    Rows are indented from `root_depth`, by default the report's root.
    """
    columns = columns if columns is not None else matrix_columns(WHOLE_YEAR, report.year)
    position = {(c.period, c.index): i for i, c in enumerate(columns)}
    if root_depth is None:
        root_depth = report.root.depth if report.root is not None else 1
    by_org: dict[int, list[Due]] = {}
    for due in report.rows:
        by_org.setdefault(due.org.pk, []).append(due)
    orgs = report.orgs
    if court is not None:
        orgs = [o for o in orgs if o.pk in report.courts and report.courts[o.pk].pk == court.pk]
    rows: list[MatrixRow] = []
    for org in sorted([*orgs, *sections], key=lambda o: o.path):
        indent = max(org.depth - root_depth, 0)
        if org.kind in SECTION_KINDS:
            rows.append(MatrixRow(org, indent, section=True))
            continue
        cells: list[list[Due]] = [[] for _ in columns]
        missing = 0
        dues = by_org.get(org.pk, [])
        for due in dues:
            at = position.get((due.span.period, due.span.index))
            if at is None:
                continue
            cells[at].append(due)
            missing += due.status == MISSING
        rows.append(
            MatrixRow(
                org,
                indent,
                section=False,
                cells=list(zip(columns, cells, strict=True)),
                owes=bool(dues),
                missing=missing,
            )
        )
    if problems_only:
        rows = [r for r in rows if r.section or r.missing]
    return _drop_empty_sections(rows)


def _drop_empty_sections(rows: list[MatrixRow]) -> list[MatrixRow]:
    """A heading stays only if some organisation below it is listed."""
    listed = {
        r.org.path[:length]
        for r in rows
        if not r.section
        for length in range(Org.steplen, len(r.org.path) + 1, Org.steplen)
    }
    return [r for r in rows if not r.section or r.org.path in listed]


def matrix_sections(scope: Scope, root: Org, kinds: Iterable[str] = SECTION_KINDS) -> list[Org]:
    """The courts and general branches of the subtree, shown as headings."""
    return list(
        scoped(scope, Org.objects.filter(path__startswith=root.path, kind__in=list(kinds)))
        .only("id", "code", "name", "kind", "path", "depth")
        .order_by("path")
    )


def matrix_courts(scope: Scope, root: Org) -> list[Org]:
    """The courts at or under `root` that the user may see, by path."""
    return matrix_sections(scope, root, COURT_KINDS)


def spans_courts(root: Org, courts: list[Org]) -> bool:
    """Whether the subtree holds a court besides its root: a 中院 with its 基层院, a province."""
    return any(c.pk != root.pk for c in courts)


@dataclass
class CourtGroup:
    """One court of a 中院's or a province's matrix: its figures, and its rows once opened."""

    court: Org
    indent: int
    summary: Summary
    rows: list[MatrixRow] | None = None  # None: folded, only the court's line is shown

    @property
    def indent_em(self) -> str:
        return _indent_em(self.indent)


def court_groups(
    scope: Scope,
    root: Org,
    courts: list[Org],
    year: int,
    period: PeriodFilter,
    *,
    opened: CourtGroup | None,
    problems_only: bool,
) -> list[CourtGroup]:
    """The courts of the subtree with their own figures, read from the cached tally (each
    court's organisations, not those of the courts under it); the opened one as given."""
    groups = []
    for court in courts:
        if opened is not None and court.pk == opened.court.pk:
            groups.append(opened)
            continue
        summary = compliance_totals(scope, root, year, period, court_id=court.pk)
        if problems_only and not summary.missing:
            continue
        groups.append(CourtGroup(court, max(court.depth - root.depth, 0), summary))
    return groups


def court_group(
    report: Report,
    root: Org,
    *,
    problems_only: bool,
    columns: list[Column],
    sections: list[Org],
    folded: bool = False,
) -> CourtGroup:
    """One court, from its own report (`compliance_in_period(court_only=True)`): its line,
    and its rows unless folded."""
    court = report.root
    assert court is not None
    if folded:
        return CourtGroup(court, max(court.depth - root.depth, 0), report.summary)
    rows = matrix_rows(
        report, sections, problems_only=problems_only, columns=columns, root_depth=root.depth
    )
    return CourtGroup(court, max(court.depth - root.depth, 0), report.summary, rows)


# ---------------------------------------------------------------------------------------
# The health check of one party organisation (支部体检)


@dataclass
class ObligationLine:
    org: Org
    obligation: Obligation
    rhythm: str
    source: str
    chips: list[Chip]
    met: int
    due: int
    activities: list[Activity]


def _period_label(due: Due) -> str:
    if due.span.period == Period.MONTH:
        return MONTHS[due.span.index - 1]
    if due.span.period == Period.QUARTER:
        return QUARTERS[due.span.index - 1]
    return "全年"


def _records_url(base: str, due: Due) -> str:
    """The activity list filtered to what counts for this period: org, kind, period, held."""
    query = urlencode(
        {
            "org": due.org.code,
            "kind": due.kind,
            "status": ActivityStatus.HELD,
            "start": due.span.start.isoformat(),
            "end": due.span.end.isoformat(),
        }
    )
    return f"{base}?{query}"


def obligation_lines(scope: Scope, report: Report) -> list[ObligationLine]:
    """One line per organisation and obligation: its periods as chips, the records counted."""
    ids = {pk for r in report.rows for pk in r.activity_ids}
    records = scoped(scope, Activity.objects.filter(pk__in=ids))
    activities = {a.pk: a for a in records.only("id", "title", "on", "kind")}
    records_base = reverse("activities:list")
    by_line: dict[tuple[int, str], list[Due]] = {}
    for r in report.rows:
        by_line.setdefault((r.org.pk, r.obligation.code), []).append(r)
    lines: list[ObligationLine] = []
    for dues in by_line.values():
        first = dues[0]
        counted = sorted(
            {pk for r in dues for pk in r.activity_ids}, key=lambda pk: activities[pk].on
        )
        chips = [
            Chip(
                r.status,
                _records_url(records_base, r),
                f"{r.span.code}：{r.tally}（{r.status_name}）",
                f"{_period_label(r)} {r.held}/{r.required}",
            )
            for r in dues
        ]
        rhythm = f"{RHYTHM[Period(first.span.period)]}至少{first.required}次"
        if first.by_pairs:
            rhythm = "每名支部委员与本支部每名党员（含支部委员之间）每年至少谈心谈话1次"
        lines.append(
            ObligationLine(
                first.org,
                first.obligation,
                rhythm,
                SOURCES.get(first.obligation.code, ""),
                chips,
                sum(r.status == MET for r in dues),
                sum(r.status != UPCOMING for r in dues),
                [activities[pk] for pk in counted if pk in activities],
            )
        )
    return lines


@dataclass
class SixItem:
    """One item of the center group's "六有" (R1.7), and what proves it."""

    name: str
    present: bool
    proof: list[tuple[str, str]]  # (label, url)
    gaps: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""


def six_have(scope: Scope, org: Org, year: int) -> list[SixItem]:
    """R1.7: plan, a discussion record for each session, attendance, notes, articles, budget."""
    sessions = list(
        scoped(scope, Activity.objects.all())
        .filter(
            org=org,
            kind="center_group_study",
            status=ActivityStatus.HELD,
            on__gte=dt.date(year, 1, 1),
            on__lte=dt.date(year, 12, 31),
        )
        .annotate(attended=Count("attendance"))
        .only("id", "title", "on", "summary")
        .order_by("on", "id")
    )
    records = list(
        scoped(scope, StudyRecord.objects.filter(org=org, year=year))
        .select_related("person", "evidence")
        .order_by("item", "id")
    )

    def detail(a: Activity) -> str:
        return reverse("activities:detail", args=[a.pk])

    def label(a: Activity) -> str:
        return f"{a.on:%m-%d} {a.title}"

    def proof_of(item: str) -> list[tuple[str, str]]:
        out = []
        for r in records:
            if r.item != item:
                continue
            text = r.title
            if r.person is not None:
                text = f"{r.person.name}：{text}"
            if r.amount is not None:
                text = f"{text}（{r.amount}元）"
            url = (
                reverse("activities:study_record_file", args=[org.code]) + f"?id={r.pk}"
                if r.evidence_id
                else ""
            )
            out.append((text, url))
        return out

    no_sessions = "本年度尚无已召开的中心组学习记录"
    discussed = [a for a in sessions if a.summary.strip()]
    undiscussed = [a for a in sessions if not a.summary.strip()]
    attended = [a for a in sessions if a.attended]
    unattended = [a for a in sessions if not a.attended]
    budget = sum(
        (r.amount or Decimal(0) for r in records if r.item == StudyItem.BUDGET), Decimal(0)
    )
    return [
        SixItem(
            "有年度学习计划",
            any(r.item == StudyItem.PLAN for r in records),
            proof_of(StudyItem.PLAN),
        ),
        SixItem(
            "有每次学习的研讨记录",
            bool(sessions) and not undiscussed,
            [(label(a), detail(a)) for a in discussed],
            [(label(a) + "（未填写会议记录）", detail(a)) for a in undiscussed],
            "" if sessions else no_sessions,
        ),
        SixItem(
            "有考勤记录",
            bool(sessions) and not unattended,
            [(f"{label(a)}（{a.attended}人次）", detail(a)) for a in attended],
            [(label(a) + "（未登记出勤）", detail(a)) for a in unattended],
            "" if sessions else no_sessions,
        ),
        SixItem(
            "有个人学习笔记",
            any(r.item == StudyItem.NOTES for r in records),
            proof_of(StudyItem.NOTES),
        ),
        SixItem(
            "有心得体会文章",
            any(r.item == StudyItem.ARTICLE for r in records),
            proof_of(StudyItem.ARTICLE),
        ),
        SixItem(
            "有专项经费",
            any(r.item == StudyItem.BUDGET for r in records),
            proof_of(StudyItem.BUDGET),
            note=f"合计{budget}元" if budget else "",
        ),
    ]


# ---------------------------------------------------------------------------------------
# 谈心谈话 on the health page (D5)


def talk_people(org: Org, day: dt.date) -> tuple[list[Person], set[int]]:
    """The committee (书记 first), then the party members placed in the branch on `day`.

    Returns the people and the committee's ids. The branch is in the caller's scope (found
    through it); its people are read by placement history, not by today's scope, since a
    member who has moved on since still owed and was owed a talk that year.
    """
    seats = committee_hooks.seats_on([org], day).get(org.pk, [])
    placed = Placement.objects.filter(placed_on(day), kind=PlacementKind.PARTY_ORG, org=org).values(
        "person_id"
    )
    members = list(
        Person.objects.filter(pk__in=placed, political_status__in=PARTY_STATUSES).order_by(
            "employee_no"
        )
    )
    seen = {p.pk for p in seats}
    return [*seats, *(p for p in members if p.pk not in seen)], seen


@dataclass
class HeartTalks:
    """What a branch's 谈心谈话 stand at: its people, its committee, the pairs still missing."""

    by_pairs: bool  # the court checks pair by pair (D5), not by a count of talks
    due: Due | None
    people: list[Person]  # the committee (书记 first), then the members
    committee_ids: set[int]
    missing: list[tuple[Person, list[Person]]]  # talker, with whom they have not talked
    pairs: list[tuple[int, int]]  # the missing pairs of ids (committee member, member)


def heart_talks(org: Org, year: int, report: Report) -> HeartTalks:
    day = max(min(report.as_of, dt.date(year, 12, 31)), dt.date(year, 1, 1))
    people, seated = talk_people(org, day)
    matrix: TalkMatrix | None = report.talks.get(org.pk)
    due = next(
        (r for r in report.rows if r.org.pk == org.pk and r.obligation.code == "heart_talk"), None
    )
    known = {p.pk: p for p in people}
    missing: list[tuple[Person, list[Person]]] = []
    if matrix is not None:
        missing_ids = {pk for pair in matrix.missing for pk in pair}
        known.update((p.pk, p) for p in Person.objects.filter(pk__in=missing_ids - set(known)))
        for talker, others in matrix.missing_by_talker():
            missing.append((known[talker], [known[m] for m in others if m in known]))
    committee_ids = (set(matrix.committee) if matrix is not None else set()) | seated
    return HeartTalks(
        by_pairs=matrix is not None,
        due=due,
        people=people,
        committee_ids=committee_ids,
        missing=missing,
        pairs=list(matrix.missing) if matrix is not None else [],
    )
