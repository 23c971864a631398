"""Reads of the recruitment files that more than one view needs, always through the scoping function."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from tianping.accounts.scoping import Scope, scoped
from tianping.activities.models import Activity, Attendance, AttendanceStatus
from tianping.lib.dates import add_years
from tianping.orgs.models import COURT_KINDS, Org, OrgKind
from tianping.people.models import (
    PARTY_STATUSES,
    Person,
    Placement,
    PlacementKind,
    PoliticalStatus,
)
from tianping.recruitment import rules
from tianping.recruitment.models import (
    OPEN_STAGES,
    PIPELINE,
    CalendarDay,
    Recruit,
    Stage,
    Step,
    StepPerson,
)

HORIZON_DAYS = 30
# Full members stay on the board's last column for a year after their probation ended.
RECENT_MEMBER_DAYS = 365
# The organisations a board may be drawn for: a court, a party committee, a branch.
BOARD_KINDS = COURT_KINDS | {OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH}


def applicant_lookup(scope: Scope | None, court: Org) -> QuerySet[Person]:
    """Whom a recruiter may name as an applicant by 工号: the people of their scope, and the
    court's serving staff outside the party who belong to no party organisation.

    Those colleagues are in no branch, so in no secretary's scope, yet they are the people
    who hand a branch their application; party members elsewhere in the court stay unseen.
    """
    unplaced = (
        Person.objects.serving()
        .filter(court=court, party_org__isnull=True, party_group__isnull=True)
        .exclude(political_status__in=PARTY_STATUSES)
    )
    return Person.objects.filter(
        Q(pk__in=scoped(scope, Person.objects.filter(court=court)).values("pk"))
        | Q(pk__in=unplaced.values("pk"))
    )


def people_prefetch() -> Prefetch:
    return Prefetch("step_people", queryset=StepPerson.objects.select_related("person"))


def steps_prefetch() -> Prefetch:
    return Prefetch(
        "steps", queryset=Step.objects.order_by("on", "id").prefetch_related(people_prefetch())
    )


def files_in(scope: Scope | None, org: Org | None = None) -> QuerySet[Recruit]:
    """The files the scope sees, under `org` if given, with what a list renders."""
    qs = scoped(scope, Recruit.objects.all())
    if org is not None:
        qs = qs.filter(branch__path__startswith=org.path)
    return qs.select_related("person", "person__court", "branch").order_by(
        "branch__path", "applied_on", "id"
    )


def on_board(qs: QuerySet[Recruit], today: dt.date) -> QuerySet[Recruit]:
    """Files in progress, and full members whose probation ended within the last year."""
    since = today - dt.timedelta(days=RECENT_MEMBER_DAYS)
    return qs.filter(Q(stage__in=OPEN_STAGES) | Q(stage=Stage.MEMBER, full_on__gte=since))


@dataclass
class Card:
    recruit: Recruit
    lines: list[str]
    dues: list[rules.Due]
    flags: list[rules.Flag]

    @property
    def person(self) -> Person:
        return self.recruit.person


@dataclass
class Column:
    stage: str
    label: str
    cards: list[Card] = field(default_factory=list)


@dataclass
class BranchRow:
    branch: Org
    court: Org | None
    counts: list[int]


@dataclass
class Board:
    org: Org
    columns: list[Column]
    dues: list[rules.Due]
    branches: list[BranchRow]
    closed: int


def _d(day: dt.date | None) -> str:
    return f"{day:%Y-%m-%d}" if day else "—"


def card_lines(recruit: Recruit) -> list[str]:
    stage = recruit.stage
    if stage == Stage.APPLICANT:
        lines = [f"申请 {_d(recruit.applied_on)}"]
        if recruit.talked_on:
            lines.append(f"已谈话 {_d(recruit.talked_on)}")
        return lines
    if stage == Stage.ACTIVIST:
        assert recruit.activist_on is not None
        eligible = add_years(recruit.activist_on, rules.ACTIVIST_YEARS)
        return [f"积极分子 {_d(recruit.activist_on)}", f"满1年 {_d(eligible)}"]
    if stage == Stage.CANDIDATE:
        lines = [f"发展对象 {_d(recruit.candidate_on)}"]
        if recruit.resolution_on:
            lines.append(f"支部大会通过 {_d(recruit.resolution_on)}，待审批")
        return lines
    if stage == Stage.PROBATIONARY:
        ends = f"预备期至 {_d(recruit.probation_ends_on)}"
        if recruit.extension_months:
            ends += f"（延长{recruit.extension_months}个月）"
        return [f"入党 {_d(recruit.resolution_on)}", ends]
    if stage == Stage.MEMBER:
        return [f"转正 {_d(recruit.full_on)}"]
    return [f"终止 {_d(recruit.closed_on)}"]


def upcoming(dues: list[rules.Due], today: dt.date, days: int = HORIZON_DAYS) -> list[rules.Due]:
    """What falls due from today to `days` ahead, and deadlines already missed."""
    until = today + dt.timedelta(days=days)
    return sorted(
        (d for d in dues if d.on <= until and (d.on >= today or d.deadline)),
        key=lambda d: (d.on, d.recruit.person.name),
    )


def board(scope: Scope | None, org: Org, today: dt.date) -> Board:
    """The pipeline of an organisation: a column per stage, and what falls due within 30 days."""
    files = list(on_board(files_in(scope, org), today).prefetch_related(steps_prefetch()))
    columns = {stage: Column(stage, Stage(stage).label) for stage in PIPELINE}
    all_dues: list[rules.Due] = []
    per_branch: dict[int, Counter[str]] = {}
    branches: dict[int, Org] = {}
    for recruit in files:
        steps = list(recruit.steps.all())
        file_dues = rules.dues(recruit, steps, today) if recruit.is_open else []
        near = upcoming(file_dues, today)
        all_dues += near
        columns[Stage(recruit.stage)].cards.append(
            Card(recruit, card_lines(recruit), near, rules.step_flags(steps))
        )
        branches[recruit.branch_id] = recruit.branch
        per_branch.setdefault(recruit.branch_id, Counter())[recruit.stage] += 1
    closed = files_in(scope, org).filter(stage__in=[Stage.CANCELLED, Stage.STOPPED]).count()
    courts = courts_by_path(org)
    rows = [
        BranchRow(
            branches[pk], court_of(branches[pk], courts), [per_branch[pk][s] for s in PIPELINE]
        )
        for pk in sorted(branches, key=lambda pk: branches[pk].path)
    ]
    return Board(
        org=org,
        columns=list(columns.values()),
        dues=sorted(all_dues, key=lambda d: (d.on, d.recruit.person.name)),
        branches=rows,
        closed=closed,
    )


def courts_by_path(org: Org) -> dict[str, Org]:
    """The courts at and below the court of `org`, to name a branch's court without a query each."""
    top = org.court()
    return {c.path: c for c in Org.objects.filter(kind__in=COURT_KINDS, path__startswith=top.path)}


def court_of(branch: Org, courts: dict[str, Org]) -> Org | None:
    for depth in range(branch.depth - 1, 0, -1):
        found = courts.get(branch.path[: depth * branch.steplen])
        if found is not None:
            return found
    return None


def board_orgs(scope: Scope | None) -> QuerySet[Org]:
    """The organisations a user may draw a board for: courts, party committees, branches."""
    return scoped(scope, Org.objects.filter(kind__in=BOARD_KINDS, is_active=True)).order_by("path")


# ---------------------------------------------------------------------------------------
# A branch congress's attendance (R2.6, D4)


def congress_counts(branch: Org, congresses: list[Activity]) -> dict[int, rules.CongressCount]:
    """For each congress: the attendance rows recorded, and the full members recorded present.

    A full member here is who counts on the roster that day (R2.6): placed in the branch
    (or one of its groups) on the meeting's day, a 正式党员 by then. Guests and
    probationary members may attend; they have no vote and are not counted.
    """
    if not congresses:
        return {}
    rows = list(
        Attendance.objects.filter(activity__in=congresses).values_list(
            "activity_id",
            "activity__on",
            "person_id",
            "status",
            "person__political_status",
            "person__full_member_on",
        )
    )
    people = {person_id for _, _, person_id, *_ in rows}
    placements: dict[int, list[tuple[dt.date | None, dt.date | None]]] = {}
    for person_id, since, until in Placement.objects.filter(
        person_id__in=people, kind=PlacementKind.PARTY_ORG, org__path__startswith=branch.path
    ).values_list("person_id", "since", "until"):
        placements.setdefault(person_id, []).append((since, until))

    def voter(person_id: int, on: dt.date, status: str, full_on: dt.date | None) -> bool:
        if status != PoliticalStatus.MEMBER or (full_on is not None and full_on > on):
            return False
        return any(
            (since is None or since <= on) and (until is None or until > on)
            for since, until in placements.get(person_id, ())
        )

    recorded: Counter[int] = Counter()
    present: Counter[int] = Counter()
    for activity_id, on, person_id, attendance, status, full_on in rows:
        recorded[activity_id] += 1
        if attendance == AttendanceStatus.PRESENT and voter(person_id, on, status, full_on):
            present[activity_id] += 1
    return {a.pk: rules.CongressCount(recorded[a.pk], present[a.pk]) for a in congresses}


# ---------------------------------------------------------------------------------------
# China's calendar (R2.8, D6)


@dataclass
class CalendarYear:
    year: int
    days: list[CalendarDay]
    years: list[int]  # the years the table holds, and the ones around this one

    @property
    def holidays(self) -> int:
        return sum(not d.working for d in self.days)

    @property
    def worked(self) -> int:
        return sum(d.working for d in self.days)


def calendar_year(scope: Scope | None, year: int) -> CalendarYear:
    """A year's holidays and 调休 days, and the years a page may move to."""
    table = scoped(scope, CalendarDay.objects.all())
    days = list(table.filter(day__year=year).order_by("day"))
    known = {d.year for d in table.dates("day", "year")}
    return CalendarYear(year, days, sorted(known | {year - 1, year, year + 1}))
