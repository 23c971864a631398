"""Reads of the stenography test (速录测试), for the pages and the API alike, through `scoped`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils import timezone

from tianping.accounts.scoping import Scope, scoped
from tianping.orgs.models import Org
from tianping.people.models import Person
from tianping.talent.actions.typing import exam_state
from tianping.talent.models import (
    AttemptState,
    TypingAttempt,
    TypingCandidate,
    TypingExam,
    TypingText,
)


def texts(scope: Scope | None, court: Org | None = None) -> QuerySet[TypingText]:
    found = scoped(scope, TypingText.objects.select_related("court"))
    if court is not None:
        found = found.filter(court=court)
    return found.order_by("court__path", "-pk")


def practice_texts(scope: Scope | None, person: Person | None) -> QuerySet[TypingText]:
    if person is None:
        return TypingText.objects.none()
    return texts(scope).filter(for_practice=True, court_id=person.court_id)


def exams(scope: Scope | None, court: Org | None = None) -> QuerySet[TypingExam]:
    found = scoped(scope, TypingExam.objects.select_related("court", "text"))
    if court is not None:
        found = found.filter(court=court)
    return found.annotate(candidate_count=Count("candidates", distinct=True)).order_by(
        "-opens_at", "-pk"
    )


@dataclass
class MyExam:
    exam: TypingExam
    state: str
    attempt: TypingAttempt | None

    @property
    def can_start(self) -> bool:
        if self.attempt is not None:
            return self.attempt.is_open
        return self.state == "进行中"

    @property
    def pending(self) -> bool:
        return self.can_start


def my_exams(person_id: int | None, now: dt.datetime | None = None) -> list[MyExam]:
    """The exams a person is called to, newest first, with their sitting if begun."""
    if not person_id:
        return []
    now = now or timezone.now()
    called = (
        TypingExam.objects.filter(candidates__person_id=person_id)
        .select_related("court", "text")
        .order_by("-opens_at", "-pk")
    )
    attempts = {
        a.exam_id: a for a in TypingAttempt.objects.filter(person_id=person_id, exam__isnull=False)
    }
    return [MyExam(e, exam_state(e, now), attempts.get(e.pk)) for e in called]


def my_attempts(person_id: int | None, limit: int = 50) -> list[TypingAttempt]:
    if not person_id:
        return []
    return list(
        TypingAttempt.objects.filter(person_id=person_id)
        .select_related("exam", "text", "person")
        .order_by("-started_at", "-pk")[:limit]
    )


def attempt_for(scope: Scope | None, attempt_id: int) -> TypingAttempt | None:
    return (
        scoped(
            scope,
            TypingAttempt.objects.select_related("person__court", "exam", "text"),
        )
        .filter(pk=attempt_id)
        .first()
    )


@dataclass
class ResultRow:
    person: Person
    attempt: TypingAttempt | None

    @property
    def status(self) -> str:
        if self.attempt is None:
            return "未参加"
        return self.attempt.get_state_display()


@dataclass
class ExamResults:
    exam: TypingExam
    rows: list[ResultRow] = field(default_factory=list)

    @property
    def taken(self) -> int:
        return sum(1 for r in self.rows if r.attempt is not None and not r.attempt.is_open)

    @property
    def passed(self) -> int:
        return sum(1 for r in self.rows if r.attempt is not None and r.attempt.passed)

    @property
    def absent(self) -> int:
        return sum(1 for r in self.rows if r.attempt is None)

    @property
    def pass_rate(self) -> str:
        return f"{self.passed / self.taken:.1%}" if self.taken else "—"


def exam_results(scope: Scope | None, exam: TypingExam) -> ExamResults:
    """The candidates the scope sees, each with their sitting; best speed first, then those
    in the test, then those absent."""
    candidates = scoped(scope, TypingCandidate.objects.filter(exam=exam)).select_related(
        "person__department"
    )
    attempts = {
        a.person_id: a
        for a in TypingAttempt.objects.filter(exam=exam).select_related("person", "text")
    }
    rows = [ResultRow(c.person, attempts.get(c.person_id)) for c in candidates]

    def order(row: ResultRow) -> tuple[int, float, str]:
        a = row.attempt
        if a is None:
            return (2, 0.0, row.person.employee_no)
        if a.state == AttemptState.OPEN:
            return (1, 0.0, row.person.employee_no)
        return (0, -float(a.cpm), row.person.employee_no)

    rows.sort(key=order)
    return ExamResults(exam, rows)
