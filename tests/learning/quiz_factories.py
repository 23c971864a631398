"""Questions and quizzes for the quiz tests, made through the actions as the product makes them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tests.conftest import World
from tianping.learning.actions.quizzes import QuestionIn, do_add_questions, do_create_quiz
from tianping.learning.models import Question, QuestionKind, Quiz

QUESTIONS = [
    QuestionIn(
        QuestionKind.SINGLE,
        "党的最高领导机关是？",
        ["党的全国代表大会和它所产生的中央委员会", "中央政治局", "中央书记处"],
        [0],
        ["党章"],
        "解析甲：《中国共产党章程》第十条",
    ),
    QuestionIn(
        QuestionKind.MULTIPLE,
        "下列属于党的纪律处分的有？",
        ["警告", "严重警告", "罚款", "开除党籍"],
        [0, 1, 3],
        ["条例"],
        "解析乙：《中国共产党纪律处分条例》",
    ),
    QuestionIn(QuestionKind.TRUE_FALSE, "预备党员的预备期为一年。", [], [True], ["党章"], "解析丙"),
    QuestionIn(
        QuestionKind.FILL_IN,
        "法官法规定，法官实行____制度。",
        [],
        ["单独职务序列管理", "单独职务序列"],
        ["法官法"],
        "解析丁",
    ),
]


def bank(world: World) -> list[Question]:
    return do_add_questions(None, world.org("BT-JY"), QUESTIONS)


def quiz(world: World, *, attempt_limit: int = 1, time_limit: int = 30, **extra: Any) -> Quiz:
    questions = (
        bank(world) if not Question.objects.exists() else list(Question.objects.order_by("pk"))
    )
    now = timezone.now()
    return do_create_quiz(
        None,
        world.org("BT-JY"),
        title=extra.pop("title", "党章党规应知应会测试"),
        audience=world.org("BT-JY"),
        opens_at=extra.pop("opens_at", now - dt.timedelta(days=1)),
        closes_at=extra.pop("closes_at", now + dt.timedelta(days=7)),
        questions=questions,
        attempt_limit=attempt_limit,
        time_limit=time_limit,
        pass_mark=extra.pop("pass_mark", 75),
    )


def right_answers(attempt: Any) -> dict[str, Any]:
    """What a perfect paper posts: the positions shown of the right options."""
    bank = Question.objects.in_bulk([s["question"] for s in attempt.served])
    posted: dict[str, Any] = {}
    for served in attempt.served:
        q = bank[served["question"]]
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            posted[str(q.pk)] = [str(served["options"].index(i)) for i in q.answer]
        elif q.kind == QuestionKind.TRUE_FALSE:
            posted[str(q.pk)] = ["true" if q.answer[0] else "false"]
        else:
            posted[str(q.pk)] = [q.answer[0]]
    return posted


def matrix_sample(world: World, kwarg: str) -> Any:
    """The permission matrix's objects: a quiz of 九原区 for everyone there, dave's (赵磊's)
    submitted attempt at it, and a drifting copy he holds."""
    from tianping.learning.actions.quizzes import do_start_attempt, do_submit_attempt
    from tianping.learning.actions.reading import do_add_copy, do_hand_over
    from tianping.learning.models import Attempt, BookCopy

    if kwarg == "copy_id":
        copy = BookCopy.objects.filter(book__title="矩阵样本书").first()
        if copy is None:
            copy = do_add_copy(None, world.org("BT-JY-B01"), title="矩阵样本书")
            do_hand_over(None, copy, world.people["zhao"])
        return copy
    sample = Quiz.objects.filter(title="矩阵样本测试").first() or quiz(world, title="矩阵样本测试")
    if kwarg == "quiz_id":
        return sample
    attempt = Attempt.objects.filter(quiz=sample).first()
    if attempt is None:
        attempt = do_start_attempt(None, sample, world.people["zhao"])
        attempt = do_submit_attempt(None, attempt, {})
    return attempt
