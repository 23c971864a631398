"""The stenography test (速录测试) in the JSON API: scoring a text (the function the web and the
CLI use), exams, their results and one's own attempts, scoped like the pages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import StringConstraints

from tianping.accounts.api import OrgRef, Paging, PersonRef, requires, scope_of
from tianping.accounts.models import User
from tianping.accounts.scoping import get_scoped
from tianping.lib.inputs import NUL_FREE, Id, OrgCode
from tianping.orgs.models import Org
from tianping.talent import typing
from tianping.talent.actions import typing as actions
from tianping.talent.models import TypingAttempt, TypingExam
from tianping.talent.queries import typing as queries

router = Router(tags=["速录测试"])

# Raw text bounds: a little over the scored bound (whitespace is not scored).
TypingText = Annotated[str, StringConstraints(max_length=12_000, pattern=NUL_FREE)]


class ScoreIn(Schema):
    reference: TypingText = Field(description="范文")
    typed: TypingText = Field(description="录入文本")
    seconds: float = Field(gt=0, le=typing.MAX_SECONDS, description="测试时长（秒）")


class ScoreOut(Schema):
    reference_chars: int
    typed_chars: int
    correct: int
    wrong: int
    missing: int
    extra: int
    accuracy: float = Field(description="正确率，4位小数")
    cpm: float = Field(description="每分钟正确字数，1位小数")
    level: str | None = Field(description="达到的最高速录等级，未达为空")


class ExamOut(Schema):
    id: int
    title: str
    court: OrgRef
    text_title: str
    duration_seconds: int
    pass_line: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    state: str = Field(description="未开始、进行中、已截止")
    candidates: int


class ExamPage(Schema):
    count: int
    items: list[ExamOut]


class ExamFilters(Paging):
    court: OrgCode = ""


class TypingAttemptOut(Schema):
    id: int
    person: PersonRef
    exam_id: int | None
    text_title: str
    practice: bool
    state: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    duration_seconds: int
    reference_chars: int
    typed_chars: int
    correct: int
    wrong: int
    missing: int
    extra: int
    accuracy: float
    cpm: float
    level: str | None
    passed: bool | None
    refusals: int = Field(description="被拒绝的粘贴、拖放与脚本输入次数")


class TypingResultOut(Schema):
    person: PersonRef
    status: str
    attempt: TypingAttemptOut | None


class TypingResultsOut(Schema):
    exam: ExamOut
    taken: int
    passed: int
    absent: int
    rows: list[TypingResultOut]


def _exam_data(exam: TypingExam) -> dict[str, Any]:
    return {
        "id": exam.pk,
        "title": exam.title,
        "court": exam.court,
        "text_title": exam.text.title,
        "duration_seconds": exam.duration_seconds,
        "pass_line": exam.pass_line,
        "opens_at": exam.opens_at,
        "closes_at": exam.closes_at,
        "state": actions.exam_state(exam),
        "candidates": getattr(exam, "candidate_count", None) or exam.candidates.count(),
    }


def _attempt_data(a: TypingAttempt) -> dict[str, Any]:
    closed = not a.is_open
    return {
        "id": a.pk,
        "person": a.person,
        "exam_id": a.exam_id,
        "text_title": a.text.title,
        "practice": a.is_practice,
        "state": a.state,
        "started_at": a.started_at,
        "finished_at": a.finished_at,
        "duration_seconds": a.duration_seconds,
        "reference_chars": a.reference_chars,
        "typed_chars": a.typed_chars if closed else 0,
        "correct": a.correct,
        "wrong": a.wrong,
        "missing": a.missing,
        "extra": a.extra,
        "accuracy": float(a.accuracy),
        "cpm": float(a.cpm),
        "level": a.level or None,
        "passed": a.passed,
        "refusals": len(a.refusals),
    }


@router.post("/typing/score", response=ScoreOut, summary="速录评分（与网页测试、命令行同一算法）")
@requires("talent.view")
def score_text(request: HttpRequest, payload: ScoreIn) -> dict[str, Any]:
    try:
        result = typing.score(payload.reference, payload.typed, payload.seconds, actions.levels())
    except ValueError as e:
        raise ValidationError(str(e)) from None
    return result.as_json()


@router.get("/typing/exams", response=ExamPage, summary="速录考核列表")
@requires("talent.view")
def list_exams(request: HttpRequest, filters: Query[ExamFilters]) -> dict[str, Any]:
    scope = scope_of(request)
    court = get_scoped(scope, Org.objects.courts(), code=filters.court) if filters.court else None
    found = queries.exams(scope, court)
    chosen = found[filters.offset : filters.offset + filters.limit]
    return {"count": found.count(), "items": [_exam_data(e) for e in chosen]}


@router.get(
    "/typing/exams/{typing_exam_id}/results",
    response=TypingResultsOut,
    summary="一次速录考核的成绩",
)
@requires("talent.view")
def exam_results(request: HttpRequest, typing_exam_id: Id) -> dict[str, Any]:
    scope = scope_of(request)
    exam = get_scoped(scope, TypingExam.objects.select_related("court", "text"), pk=typing_exam_id)
    if scope.self_only:
        raise PermissionDenied("成员只能查看本人成绩")
    actions.close_overdue(exam=exam)
    results = queries.exam_results(scope, exam)
    return {
        "exam": _exam_data(exam),
        "taken": results.taken,
        "passed": results.passed,
        "absent": results.absent,
        "rows": [
            {
                "person": r.person,
                "status": r.status,
                "attempt": _attempt_data(r.attempt) if r.attempt else None,
            }
            for r in results.rows
        ],
    }


@router.get("/typing/attempts/mine", response=list[TypingAttemptOut], summary="本人的速录测试记录")
@requires("talent.view")
def my_attempts(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    person_id = user.person_id if isinstance(user, User) else None
    return [_attempt_data(a) for a in queries.my_attempts(person_id, 100)]
