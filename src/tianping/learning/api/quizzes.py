"""The quizzes part in the JSON API: quizzes (never with answers), starting an attempt,
submitting it (scored here, on the server), one's own results, and the bank for managers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import StringConstraints

from tianping.accounts.api import OrgRef, Paging, PersonRef, requires, scope_of
from tianping.accounts.models import User
from tianping.accounts.scoping import get_scoped
from tianping.learning.actions import quizzes as actions
from tianping.learning.models import Attempt, QuestionKind, Quiz
from tianping.learning.queries import quizzes as queries
from tianping.lib.inputs import NUL_FREE, Id, OrgCode
from tianping.orgs.models import Org

router = Router(tags=["应知应会测试"])

Tag = Annotated[str, StringConstraints(max_length=50, pattern=NUL_FREE)]
Written = Annotated[str, StringConstraints(max_length=200, pattern=NUL_FREE)]
Position = Annotated[int, Field(ge=0, le=25)]


class QuizOut(Schema):
    id: int
    title: str
    court: OrgRef
    audience: OrgRef
    opens_at: dt.datetime
    closes_at: dt.datetime
    state: str = Field(description="未开始、进行中、已截止")
    question_count: int
    pass_mark: int = Field(description="及格分（百分制）")
    time_limit: int = Field(description="答题时限（分钟）")
    attempt_limit: int = Field(description="可答次数（开始答题即计一次）")
    attempts_started: int = Field(description="本人已开始的答题次数")
    attempts_left: int
    best: int | None = Field(description="本人最高成绩（百分制）")
    passed: bool


class QuizPage(Schema):
    count: int
    items: list[QuizOut]


class OptionOut(Schema):
    position: int = Field(description="作答时提交的选项位置（0 起）")
    letter: str
    text: str


class ServedOut(Schema):
    number: int
    id: int = Field(description="试题编号，作答时提交")
    kind: QuestionKind
    kind_name: str
    text: str
    points: int
    options: list[OptionOut]


class ReviewedOut(ServedOut):
    mine: str
    right: str
    ok: bool
    explanation: str


class QuizAttemptOut(Schema):
    id: int
    quiz_id: int
    person: PersonRef
    number: int
    started_at: dt.datetime
    deadline: dt.datetime
    status: str
    overdue: bool = Field(description="答题中但已过时限（交卷将被拒绝，按截止时的作答计分）")
    submitted_at: dt.datetime | None
    score: int | None
    max_score: int
    percent: int | None
    passed: bool | None
    questions: list[ServedOut] = Field(description="答题中：题目与选项（不含答案）")
    review: list[ReviewedOut] = Field(description="交卷后：每题的正确答案与解析")


class AnswerIn(Schema):
    question: Id
    choices: list[Position] = Field(
        default_factory=list, max_length=26, description="选择题：所选位置"
    )
    truth: bool | None = Field(None, description="判断题")
    text: Written = Field("", description="填空题")


class SubmitIn(Schema):
    answers: list[AnswerIn] = Field(default_factory=list, max_length=200)


class QuizFilters(Paging):
    court: OrgCode = ""


class QuizResultOut(Schema):
    quiz_id: int
    title: str
    best: int | None
    passed: bool
    attempts: list[dict[str, Any]]


class QuestionOut(Schema):
    id: int
    court: OrgRef
    kind: QuestionKind
    text: str
    options: list[str]
    answer: str
    tags: list[str]
    explanation: str


class QuestionPage(Schema):
    count: int
    items: list[QuestionOut]


class QuestionFilters(Paging):
    court: OrgCode = ""
    tag: Tag = ""
    kind: QuestionKind | None = None


def _court(request: HttpRequest, code: str) -> Org | None:
    if not code:
        return None
    return get_scoped(scope_of(request), Org.objects.courts(), code=code)


def _quiz_data(quiz: Quiz, person_id: int | None) -> dict[str, Any]:
    mine = queries.my_quiz(quiz, person_id)
    return {
        "id": quiz.pk,
        "title": quiz.title,
        "court": quiz.court,
        "audience": quiz.audience,
        "opens_at": quiz.opens_at,
        "closes_at": quiz.closes_at,
        "state": mine.state,
        "question_count": getattr(quiz, "question_count", None) or quiz.items.count(),
        "pass_mark": quiz.pass_mark,
        "time_limit": quiz.time_limit,
        "attempt_limit": quiz.attempt_limit,
        "attempts_started": mine.started,
        "attempts_left": mine.left,
        "best": mine.best,
        "passed": mine.passed,
    }


def _attempt_data(attempt: Attempt) -> dict[str, Any]:
    return {
        "id": attempt.pk,
        "quiz_id": attempt.quiz_id,
        "person": attempt.person,
        "number": attempt.number,
        "started_at": attempt.started_at,
        "deadline": attempt.deadline,
        "status": attempt.status,
        "overdue": actions.is_overdue(attempt),
        "submitted_at": attempt.submitted_at,
        "score": attempt.score,
        "max_score": attempt.max_score,
        "percent": attempt.percent,
        "passed": attempt.passed,
        "questions": queries.served_questions(attempt) if attempt.is_open else [],
        "review": [] if attempt.is_open else queries.reviewed_questions(attempt),
    }


def _person_id(request: HttpRequest) -> int | None:
    user = request.user
    return user.person_id if isinstance(user, User) else None


@router.get("/quizzes", response=QuizPage, summary="测试列表（本人可参加或管理的）")
@requires("learning.view")
def list_quizzes(request: HttpRequest, filters: Query[QuizFilters]) -> dict[str, Any]:
    found = queries.quizzes(scope_of(request), _court(request, filters.court))
    person_id = _person_id(request)
    chosen = found[filters.offset : filters.offset + filters.limit]
    return {"count": found.count(), "items": [_quiz_data(q, person_id) for q in chosen]}


@router.get("/quizzes/{quiz_id}", response=QuizOut, summary="一项测试（不含试题答案）")
@requires("learning.view")
def get_quiz(request: HttpRequest, quiz_id: Id) -> dict[str, Any]:
    quiz = get_scoped(
        scope_of(request), Quiz.objects.select_related("court", "audience"), pk=quiz_id
    )
    return _quiz_data(quiz, _person_id(request))


@router.post(
    "/quizzes/{quiz_id}/attempts",
    response={201: QuizAttemptOut, 200: QuizAttemptOut},
    summary="开始答题（已有未交卷的答题时返回该次，不另计次数）",
)
@requires("learning.view")
def start_attempt(request: HttpRequest, quiz_id: Id) -> Status[dict[str, Any]]:
    scope = scope_of(request)
    quiz = get_scoped(scope, Quiz.objects.select_related("court", "audience"), pk=quiz_id)
    user = request.user
    person = user.person if isinstance(user, User) else None
    if person is None:
        raise PermissionDenied("账户未关联人员，不能参加测试")
    if not queries.audience_of(quiz).filter(pk=person.pk).exists():
        raise ValidationError("您不在本测试的参加范围内")
    before = Attempt.objects.filter(quiz=quiz, person=person).count()
    attempt = actions.do_start_attempt(user, quiz, person)
    created = Attempt.objects.filter(quiz=quiz, person=person).count() > before
    return Status(201 if created else 200, _attempt_data(attempt))


def _own_attempt(request: HttpRequest, attempt_id: int) -> Attempt:
    attempt = queries.attempt_for(scope_of(request), attempt_id)
    if attempt is None:
        raise Http404
    if attempt.is_open and attempt.person_id != _person_id(request):
        raise PermissionDenied("他人未交卷的答题不可查看")
    return attempt


@router.get("/quiz-attempts/{attempt_id}", response=QuizAttemptOut, summary="一次答题")
@requires("learning.view")
def get_attempt(request: HttpRequest, attempt_id: Id) -> dict[str, Any]:
    # A GET writes nothing: an overdue attempt is closed by its submission (refused and
    # scored as it stood at the deadline) or by starting the next one.
    return _attempt_data(_own_attempt(request, attempt_id))


@router.post(
    "/quiz-attempts/{attempt_id}/submit", response=QuizAttemptOut, summary="交卷（服务器评分）"
)
@requires("learning.view")
def submit_attempt(request: HttpRequest, attempt_id: Id, payload: SubmitIn) -> dict[str, Any]:
    attempt = _own_attempt(request, attempt_id)
    if attempt.person_id != _person_id(request):
        raise PermissionDenied("只能提交本人的答题")
    posted: dict[str, Any] = {}
    for a in payload.answers:
        if a.text:
            posted[str(a.question)] = a.text
        elif a.truth is not None:
            posted[str(a.question)] = "true" if a.truth else "false"
        else:
            posted[str(a.question)] = [str(c) for c in a.choices]
    attempt = actions.do_submit_attempt(request.user, attempt, posted)
    return _attempt_data(attempt)


@router.get("/quiz-results/mine", response=list[QuizResultOut], summary="本人的测试成绩")
@requires("learning.view")
def my_results(request: HttpRequest) -> list[dict[str, Any]]:
    person_id = _person_id(request)
    if person_id is None:
        return []
    return [
        {
            "quiz_id": r.quiz.pk,
            "title": r.quiz.title,
            "best": r.best,
            "passed": r.passed,
            "attempts": [
                {"number": a.number, "status": a.status, "percent": a.percent, "passed": a.passed}
                for a in r.attempts
            ],
        }
        for r in queries.person_results(scope_of(request), person_id)
    ]


@router.get("/quiz-questions", response=QuestionPage, summary="题库（含答案，仅管理者）")
@requires("learning.manage")
def list_questions(request: HttpRequest, filters: Query[QuestionFilters]) -> dict[str, Any]:
    found = queries.bank(
        scope_of(request), _court(request, filters.court), filters.tag, filters.kind or ""
    )
    chosen = found[filters.offset : filters.offset + filters.limit]
    return {
        "count": len(found),
        "items": [
            {
                "id": q.pk,
                "court": q.court,
                "kind": q.kind,
                "text": q.text,
                "options": q.options,
                "answer": q.answer_text(),
                "tags": q.tags,
                "explanation": q.explanation,
            }
            for q in chosen
        ],
    }
