"""Reads of the recruitment files that more than one view needs, always through the scoping function."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from tianping.accounts.scoping import Scope, scoped
from tianping.orgs.models import COURT_KINDS, Org, OrgKind
from tianping.people.models import Person
from tianping.recruitment import rules
from tianping.recruitment.models import (
    OPEN_STAGES,
    PIPELINE,
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
        eligible = rules.anniversary(recruit.activist_on, rules.ACTIVIST_YEARS)
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
