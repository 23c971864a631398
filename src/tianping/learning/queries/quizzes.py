"""Reads of the quizzes part, for the pages and the API alike, always through `scoped`.

Nothing here hands out a question's answer for an attempt still open: `served_questions`
gives the text and the options in the order served, and no more.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from tianping.accounts.scoping import Scope, scoped
from tianping.learning.models import Attempt, AttemptStatus, Question, QuestionKind, Quiz
from tianping.learning.models.quizzes import letter
from tianping.orgs.models import Org
from tianping.people.models import Person

# The score bands of a quiz's distribution (percent, from–to inclusive).
BANDS = [(0, 59), (60, 69), (70, 79), (80, 89), (90, 100)]


def quizzes(scope: Scope | None, court: Org | None = None) -> QuerySet[Quiz]:
    found = scoped(scope, Quiz.objects.select_related("court", "audience"))
    if court is not None:
        found = found.filter(court=court)
    return found.annotate(question_count=Count("items", distinct=True)).order_by("-opens_at", "-pk")


def quiz_state(quiz: Quiz, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    if now < quiz.opens_at:
        return "未开始"
    if now >= quiz.closes_at:
        return "已截止"
    return "进行中"


@dataclass
class MyQuiz:
    """A quiz as one person meets it: what they have done and what is left."""

    quiz: Quiz
    state: str
    started: int
    best: int | None
    passed: bool
    open_attempt: Attempt | None
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def left(self) -> int:
        return max(self.quiz.attempt_limit - self.started, 0)

    @property
    def can_start(self) -> bool:
        return self.state == "进行中" and (self.open_attempt is not None or self.left > 0)


def my_quiz(quiz: Quiz, person_id: int | None, now: dt.datetime | None = None) -> MyQuiz:
    attempts = (
        list(Attempt.objects.filter(quiz=quiz, person_id=person_id).order_by("number"))
        if person_id
        else []
    )
    scored = [a.percent for a in attempts if a.percent is not None]
    return MyQuiz(
        quiz=quiz,
        state=quiz_state(quiz, now),
        started=len(attempts),
        best=max(scored) if scored else None,
        passed=any(a.passed for a in attempts),
        open_attempt=next((a for a in attempts if a.is_open), None),
        attempts=attempts,
    )


def served_questions(attempt: Attempt) -> list[dict[str, Any]]:
    """The questions of an attempt as shown: number, kind, text, options in served order,
    what was answered (in positions shown). No answer, no explanation."""
    bank = Question.objects.in_bulk([s["question"] for s in attempt.served])
    shown = []
    for n, served in enumerate(attempt.served, start=1):
        q = bank.get(served["question"])
        if q is None:
            continue
        given = attempt.answers.get(str(q.pk))
        positions = {bank_index: pos for pos, bank_index in enumerate(served["options"])}
        chosen = [positions[i] for i in given or [] if isinstance(i, int) and i in positions]
        shown.append(
            {
                "number": n,
                "id": q.pk,
                "kind": q.kind,
                "kind_name": q.get_kind_display(),
                "text": q.text,
                "points": served["points"],
                "options": [
                    {"position": pos, "letter": letter(pos), "text": q.options[i]}
                    for pos, i in enumerate(served["options"])
                    if i < len(q.options)
                ],
                "chosen": chosen,
                "written": given if q.kind == QuestionKind.FILL_IN else "",
                "truth": given[0] if q.kind == QuestionKind.TRUE_FALSE and given else None,
            }
        )
    return shown


def reviewed_questions(attempt: Attempt) -> list[dict[str, Any]]:
    """A closed attempt with each question's right answer, the person's and the explanation."""
    from tianping.learning.actions.quizzes import is_right

    if attempt.is_open:
        raise ValueError("an open attempt is never shown with its answers")
    bank = Question.objects.in_bulk([s["question"] for s in attempt.served])
    rows = served_questions(attempt)
    for row in rows:
        q = bank[row["id"]]
        given = attempt.answers.get(str(q.pk))
        served = next(s for s in attempt.served if s["question"] == q.pk)
        positions = {bank_index: pos for pos, bank_index in enumerate(served["options"])}
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            right = "".join(sorted(letter(positions[i]) for i in q.answer if i in positions))
            mine = "".join(letter(p) for p in sorted(row["chosen"]))
        elif q.kind == QuestionKind.TRUE_FALSE:
            right = q.answer_text()
            mine = ("正确" if given[0] else "错误") if given else ""
        else:
            right = q.answer_text()
            mine = str(given or "")
        row.update(
            right=right, mine=mine or "未作答", ok=is_right(q, given), explanation=q.explanation
        )
    return rows


def attempt_for(scope: Scope | None, pk: int) -> Attempt | None:
    return (
        scoped(scope, Attempt.objects.select_related("quiz", "quiz__court", "person"))
        .filter(pk=pk)
        .first()
    )


def audience_of(quiz: Quiz) -> QuerySet[Person]:
    """The serving staff the quiz is for: its audience's court, departments or branches."""
    path = quiz.audience.path
    return (
        Person.objects.serving()
        .filter(
            Q(court__path__startswith=path)
            | Q(department__path__startswith=path)
            | Q(party_org__path__startswith=path)
        )
        .order_by("employee_no")
    )


@dataclass
class QuizResults:
    quiz: Quiz
    rows: list[dict[str, Any]]
    passed: int
    failed: int
    not_taken: int
    bands: list[dict[str, Any]]


def quiz_results(scope: Scope | None, quiz: Quiz) -> QuizResults:
    """Per quiz: each person of the audience in scope with their attempts, best and pass;
    who has not taken it; the distribution of best scores."""
    people = scoped(scope, audience_of(quiz)).select_related("department")
    stats = {
        row["person_id"]: row
        for row in scoped(scope, Attempt.objects.filter(quiz=quiz))
        .values("person_id")
        .annotate(
            started=Count("pk"),
            best=Max("percent"),
            passed_any=Count("pk", filter=Q(passed=True)),
            open=Count("pk", filter=Q(status=AttemptStatus.OPEN)),
        )
    }
    rows: list[dict[str, Any]] = []
    for person in people:
        s = stats.get(person.pk)
        rows.append(
            {
                "person": person,
                "started": s["started"] if s else 0,
                "best": s["best"] if s else None,
                "passed": bool(s and s["passed_any"]),
                "open": bool(s and s["open"]),
            }
        )
    bests: list[int] = [int(r["best"]) for r in rows if r["best"] is not None]
    counts = Counter(next(i for i, (lo, hi) in enumerate(BANDS) if lo <= b <= hi) for b in bests)
    bands = [
        {
            "label": f"{lo}–{hi}",
            "count": counts[i],
            "width": round(100 * counts[i] / len(bests)) if bests else 0,
        }
        for i, (lo, hi) in enumerate(BANDS)
    ]
    taken = [r for r in rows if r["started"]]
    passed = sum(1 for r in taken if r["passed"])
    return QuizResults(
        quiz=quiz,
        rows=rows,
        passed=passed,
        failed=len(taken) - passed,
        not_taken=len(rows) - len(taken),
        bands=bands,
    )


@dataclass
class PersonResult:
    quiz: Quiz
    attempts: list[Attempt]
    best: int | None
    passed: bool


def person_results(scope: Scope | None, person_id: int) -> list[PersonResult]:
    """Per person: every quiz they attempted, with their attempts, best score and pass."""
    attempts = scoped(
        scope, Attempt.objects.filter(person_id=person_id).select_related("quiz")
    ).order_by("-quiz__opens_at", "quiz_id", "number")
    by_quiz: dict[int, PersonResult] = {}
    for a in attempts:
        result = by_quiz.setdefault(a.quiz_id, PersonResult(a.quiz, [], None, False))
        result.attempts.append(a)
        if a.percent is not None and (result.best is None or a.percent > result.best):
            result.best = a.percent
        result.passed = result.passed or bool(a.passed)
    return list(by_quiz.values())


def bank(
    scope: Scope | None, court: Org | None = None, tag: str = "", kind: str = ""
) -> list[Question]:
    found = scoped(scope, Question.objects.select_related("court")).order_by("court__path", "pk")
    if court is not None:
        found = found.filter(court=court)
    if kind:
        found = found.filter(kind=kind)
    questions = list(found)
    if tag:
        questions = [q for q in questions if tag in q.tags]
    return questions


def bank_tags(scope: Scope | None, court: Org | None = None) -> list[tuple[str, int]]:
    found = scoped(scope, Question.objects.filter(is_active=True))
    if court is not None:
        found = found.filter(court=court)
    counts: Counter[str] = Counter()
    for tags in found.values_list("tags", flat=True):
        counts.update(tags or [])
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
