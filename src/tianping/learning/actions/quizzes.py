"""Writes of the quizzes part: questions, quizzes, and each attempt from start to score.

Scoring is here and only here (the page never receives an answer). An attempt counts from
the moment it starts: the limit is on attempts started, so leaving, reloading or a second
tab resumes the open attempt instead of opening another, and an attempt left past its
deadline is closed and scored with what it holds. Time spent earns nothing (R4.2): the score
is the answers', whatever the minutes.

Multiple choice is all-or-nothing: every right option and no wrong one, else no points.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tianping.audit.recording import bulk, event, new_batch, record, snapshot
from tianping.learning.models import (
    Attempt,
    AttemptStatus,
    Question,
    QuestionKind,
    Quiz,
    QuizQuestion,
)
from tianping.orgs.models import Org
from tianping.people.models import Person

# A submission this late after the deadline is still taken (a slow network, a clock apart).
GRACE = dt.timedelta(seconds=30)
ATTEMPT_FIELDS = ("status", "score", "percent", "passed", "submitted_at")
QUIZ_FIELDS = (
    "title",
    "audience",
    "opens_at",
    "closes_at",
    "pass_mark",
    "time_limit",
    "attempt_limit",
)
QUESTION_FIELDS = ("kind", "text", "options", "answer", "tags", "explanation")


class SubmissionRefused(ValidationError):
    """A submission after the deadline and its grace: the attempt is closed as it was."""

    def __init__(self, attempt: Attempt) -> None:
        super().__init__("已超过答题时限，本次提交未被接受；答卷已按截止时的作答计分")
        self.attempt = attempt


# ---------------------------------------------------------------------------------------
# Scoring


def normalise_fill(text: Any) -> str:
    """A written answer as compared: width, case, spaces and trailing punctuation ignored."""
    value = unicodedata.normalize("NFKC", str(text or "")).casefold()
    return "".join(value.split()).strip("。.，,；;！!")


def is_right(question: Question, given: Any) -> bool:
    """Whether `given` (in bank terms) answers `question`; multiple choice all-or-nothing."""
    if given is None or given == "" or given == []:
        return False
    if question.kind == QuestionKind.FILL_IN:
        accepted = {normalise_fill(a) for a in question.answer}
        return normalise_fill(given) in accepted
    if not isinstance(given, list):
        return False
    if question.kind == QuestionKind.MULTIPLE:
        return set(given) == set(question.answer)
    return list(given) == list(question.answer)


def _score(attempt: Attempt) -> None:
    questions = Question.objects.in_bulk([s["question"] for s in attempt.served])
    got = 0
    for served in attempt.served:
        question = questions.get(served["question"])
        if question is not None and is_right(question, attempt.answers.get(str(question.pk))):
            got += int(served["points"])
    attempt.score = got
    attempt.percent = round(100 * got / attempt.max_score) if attempt.max_score else 0
    attempt.passed = attempt.percent >= attempt.quiz.pass_mark


def read_answers(attempt: Attempt, posted: Mapping[str, Any]) -> dict[str, Any]:
    """What a form or a client sent, by question id and in the positions shown, turned into
    bank terms; anything not offered is dropped."""
    kinds = dict(
        Question.objects.filter(pk__in=[s["question"] for s in attempt.served]).values_list(
            "pk", "kind"
        )
    )
    answers: dict[str, Any] = {}
    for served in attempt.served:
        qid = served["question"]
        raw = posted.get(str(qid))
        kind = kinds.get(qid)
        if raw is None or kind is None:
            continue
        if kind == QuestionKind.FILL_IN:
            text = raw[0] if isinstance(raw, list) and raw else raw
            answers[str(qid)] = str(text)[:200] if text is not None else ""
        elif kind == QuestionKind.TRUE_FALSE:
            value = raw[0] if isinstance(raw, list) and raw else raw
            if str(value).lower() in ("true", "1", "正确", "对"):
                answers[str(qid)] = [True]
            elif str(value).lower() in ("false", "0", "错误", "错"):
                answers[str(qid)] = [False]
        else:
            shown = served["options"]
            picked: set[int] = set()
            for item in raw if isinstance(raw, list) else [raw]:
                try:
                    position = int(item)
                except (TypeError, ValueError):
                    continue
                if 0 <= position < len(shown):
                    picked.add(shown[position])
            if kind == QuestionKind.SINGLE and len(picked) > 1:
                picked = set()  # two answers to a single-choice question answer nothing
            answers[str(qid)] = sorted(picked)
    return answers


# ---------------------------------------------------------------------------------------
# Attempts


def _close(attempt: Attempt, status: str, at: dt.datetime) -> None:
    _score(attempt)
    attempt.status = status
    attempt.submitted_at = at
    attempt.save(update_fields=[*ATTEMPT_FIELDS, "answers"])


def is_overdue(attempt: Attempt, now: dt.datetime | None = None) -> bool:
    """Open past its deadline and grace: a submission would be refused (a read, no write)."""
    return attempt.is_open and attempt.deadline < (now or timezone.now()) - GRACE


def close_overdue(quiz: Quiz, person: Person | None = None, now: dt.datetime | None = None) -> int:
    """Close and score the open attempts past their deadline and grace (of one person, or all)."""
    now = now or timezone.now()
    stale = Attempt.objects.select_related("quiz").filter(
        quiz=quiz, status=AttemptStatus.OPEN, deadline__lt=now - GRACE
    )
    if person is not None:
        stale = stale.filter(person=person)
    closed = 0
    with transaction.atomic():
        for attempt in stale.select_for_update(of=("self",)):
            _close(attempt, AttemptStatus.EXPIRED, attempt.deadline)
            record(
                None, "learning.attempt_expire", attempt, after=snapshot(attempt, ATTEMPT_FIELDS)
            )
            closed += 1
    return closed


def _serve(quiz: Quiz, rng: random.Random) -> list[dict[str, Any]]:
    items = list(QuizQuestion.objects.filter(quiz=quiz).select_related("question"))
    rng.shuffle(items)
    served = []
    for item in items:
        options = list(range(len(item.question.options)))
        if item.question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            rng.shuffle(options)
        served.append({"question": item.question_id, "options": options, "points": item.points})
    return served


def do_start_attempt(
    user: Any,
    quiz: Quiz,
    person: Person,
    now: dt.datetime | None = None,
    rng: random.Random | None = None,
) -> Attempt:
    """Start `person`'s next attempt, or hand back the one still open (a reload, a second
    tab, leaving and coming back). Refused when the quiz is not open or the attempts
    started have reached the limit."""
    now = now or timezone.now()
    close_overdue(quiz, person, now)
    try:
        with transaction.atomic():
            # One start at a time per quiz: two tabs starting at once become one attempt.
            quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
            mine = Attempt.objects.filter(quiz=quiz, person=person)
            current = mine.filter(status=AttemptStatus.OPEN).order_by("-number").first()
            if current is not None:
                return current
            if now < quiz.opens_at:
                raise ValidationError(
                    f"测试将于{timezone.localtime(quiz.opens_at):%Y-%m-%d %H:%M}开始"
                )
            if now >= quiz.closes_at:
                raise ValidationError("测试已截止")
            started = mine.count()
            if started >= quiz.attempt_limit:
                raise ValidationError(f"已用完全部{quiz.attempt_limit}次答题机会")
            served = _serve(quiz, rng or random.Random(secrets.randbits(64)))
            if not served:
                raise ValidationError("本测试尚未组卷")
            attempt = Attempt.objects.create(
                quiz=quiz,
                person=person,
                number=started + 1,
                started_at=now,
                deadline=min(now + dt.timedelta(minutes=quiz.time_limit), quiz.closes_at),
                served=served,
                max_score=sum(int(s["points"]) for s in served),
            )
            record(
                user,
                "learning.attempt_start",
                attempt,
                after={"number": attempt.number, "deadline": attempt.deadline.isoformat()},
                org=quiz.court,
            )
            return attempt
    except IntegrityError:
        # The other tab won the race: its attempt is the one to resume.
        existing = Attempt.objects.filter(
            quiz=quiz, person=person, status=AttemptStatus.OPEN
        ).first()
        if existing is None:
            raise ValidationError(f"已用完全部{quiz.attempt_limit}次答题机会") from None
        return existing


def do_submit_attempt(
    user: Any, attempt: Attempt, posted: Mapping[str, Any], now: dt.datetime | None = None
) -> Attempt:
    """Score and close an open attempt with the answers sent (positions as shown). After the
    deadline and its grace the answers are refused and the attempt is closed as it stood."""
    now = now or timezone.now()
    late = False
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("quiz")
            .get(pk=attempt.pk)
        )
        if attempt.status != AttemptStatus.OPEN:
            raise ValidationError("本次答题已交卷，不能再次提交")
        if now > attempt.deadline + GRACE:
            late = True
            _close(attempt, AttemptStatus.EXPIRED, attempt.deadline)
            action = "learning.attempt_expire"
        else:
            attempt.answers = read_answers(attempt, posted)
            _close(attempt, AttemptStatus.SUBMITTED, now)
            action = "learning.attempt_submit"
        record(
            user,
            action,
            attempt,
            after=snapshot(attempt, ATTEMPT_FIELDS),
            org=attempt.quiz.court,
        )
    if late:
        raise SubmissionRefused(attempt)
    return attempt


# ---------------------------------------------------------------------------------------
# The bank and the quizzes


@dataclass(frozen=True)
class QuestionIn:
    kind: str
    text: str
    options: Sequence[str]
    answer: Sequence[Any]
    tags: Sequence[str] = ()
    explanation: str = ""
    row: int = 0


def check_question(q: QuestionIn) -> list[tuple[str, str]]:
    """(column, message) for what is wrong with a question as written."""
    problems: list[tuple[str, str]] = []
    if not q.text.strip():
        problems.append(("题目", "请填写题目"))
    if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if len(q.options) < 2:
            problems.append(("选项", "选择题至少需要两个选项"))
        bad = [a for a in q.answer if not isinstance(a, int) or not 0 <= a < len(q.options)]
        if not q.answer or bad:
            problems.append(("答案", "答案应为已填选项的字母，如 AB、ACD"))
        elif q.kind == QuestionKind.SINGLE and len(q.answer) != 1:
            problems.append(("答案", "单选题只能有一个答案"))
        elif q.kind == QuestionKind.MULTIPLE and len(q.answer) < 2:
            problems.append(("答案", "多选题至少有两个答案"))
    elif q.kind == QuestionKind.TRUE_FALSE:
        if list(q.answer) not in ([True], [False]):
            problems.append(("答案", "判断题答案应为“正确”或“错误”"))
    elif q.kind == QuestionKind.FILL_IN:
        if not [a for a in q.answer if str(a).strip()]:
            problems.append(("答案", "请填写答案；多种说法均可时以“|”分隔"))
    else:
        problems.append(("题型", "题型应为单选题、多选题、判断题或填空题"))
    return problems


def do_add_questions(user: Any, court: Org, questions: Iterable[QuestionIn]) -> list[Question]:
    """Add questions to a court's bank in one batch (the sheet import, the demo)."""
    rows = list(questions)
    for q in rows:
        problems = check_question(q)
        if problems:
            raise ValidationError("；".join(m for _, m in problems))
    batch = new_batch()
    with transaction.atomic():
        created = Question.objects.bulk_create(
            [
                Question(
                    court=court,
                    kind=q.kind,
                    text=q.text.strip(),
                    options=list(q.options),
                    answer=list(q.answer),
                    tags=list(q.tags),
                    explanation=q.explanation,
                )
                for q in rows
            ]
        )
        if not all(q.pk for q in created):  # a backend that does not return keys
            created = list(Question.objects.filter(court=court).order_by("-pk")[: len(rows)])[::-1]
        bulk(
            [
                event(
                    user,
                    "learning.question_add",
                    q,
                    after=snapshot(q, ("kind", "text", "tags")),
                    org=court,
                    batch=batch,
                )
                for q in created
            ]
        )
    return created


def do_set_question_active(user: Any, question: Question, active: bool) -> Question:
    """Retire a question from the bank (a wrong answer, an outdated rule) or bring it back.
    A retired question is drawn into no new quiz; the quizzes and attempts that hold it keep
    it as they served it. Nothing is deleted."""
    if question.is_active == active:
        return question
    with transaction.atomic():
        before = snapshot(question, ("is_active",))
        question.is_active = active
        question.save(update_fields=["is_active"])
        record(
            user,
            "learning.question_restore" if active else "learning.question_retire",
            question,
            before=before,
            after=snapshot(question, ("is_active",)),
            org=question.court,
        )
    return question


def pick_questions(
    court: Org, tags: Sequence[str] = (), count: int = 0, chosen: Sequence[int] = (), seed: int = 0
) -> list[Question]:
    """The questions of a new quiz: those chosen by hand, then `count` drawn from the
    court's active questions carrying any of `tags` (all of them when no tag is given)."""
    bank = list(Question.objects.filter(court=court, is_active=True).order_by("pk"))
    by_pk = {q.pk: q for q in bank}
    picked = [by_pk[pk] for pk in dict.fromkeys(chosen) if pk in by_pk]
    if count:
        wanted = set(tags)
        pool = [q for q in bank if q not in picked and (not wanted or wanted.intersection(q.tags))]
        random.Random(seed).shuffle(pool)
        picked += pool[:count]
    return picked


def do_create_quiz(
    user: Any,
    court: Org,
    *,
    title: str,
    audience: Org,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    questions: Sequence[Question],
    pass_mark: int = 60,
    time_limit: int = 30,
    attempt_limit: int = 1,
    points: int = 1,
) -> Quiz:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = ["请填写测试名称"]
    if closes_at <= opens_at:
        errors["closes_at"] = ["截止时间应晚于开始时间"]
    if not audience.path.startswith(court.path):
        errors["audience"] = [f"参加范围应在{court.name}之内"]
    if not questions:
        errors["questions"] = ["请至少选择一道试题"]
    elif any(q.court_id != court.pk for q in questions):
        errors["questions"] = ["只能选用本院题库的试题"]
    if not 0 <= pass_mark <= 100:
        errors["pass_mark"] = ["及格分应在0–100之间"]
    if not 1 <= time_limit <= 600:
        errors["time_limit"] = ["答题时限应在1–600分钟之间"]
    if not 1 <= attempt_limit <= 20:
        errors["attempt_limit"] = ["可答次数应在1–20之间"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        quiz = Quiz.objects.create(
            court=court,
            title=title.strip(),
            audience=audience,
            opens_at=opens_at,
            closes_at=closes_at,
            pass_mark=pass_mark,
            time_limit=time_limit,
            attempt_limit=attempt_limit,
        )
        QuizQuestion.objects.bulk_create(
            [
                QuizQuestion(quiz=quiz, question=q, position=i, points=points)
                for i, q in enumerate(questions, start=1)
            ]
        )
        record(
            user,
            "learning.quiz_create",
            quiz,
            after={**snapshot(quiz, QUIZ_FIELDS), "count": len(questions)},
            org=court,
        )
    return quiz
