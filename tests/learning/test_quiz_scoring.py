"""Each question type is scored on the server; multiple choice is all-or-nothing."""

from __future__ import annotations

import pytest

from tests.conftest import World
from tests.learning.quiz_factories import bank, quiz, right_answers
from tianping.learning.actions.quizzes import do_start_attempt, do_submit_attempt, is_right
from tianping.learning.models import Attempt, AttemptStatus, Question, QuestionKind

pytestmark = pytest.mark.django_db


def by_kind(world: World) -> dict[str, object]:
    return {q.kind: q for q in bank(world)}


def test_a_single_choice_is_right_only_with_the_right_option(world: World) -> None:
    q = by_kind(world)[QuestionKind.SINGLE]
    assert is_right(q, [0])
    assert not is_right(q, [1])
    assert not is_right(q, [])
    assert not is_right(q, None)


def test_a_multiple_choice_scores_only_when_every_right_option_and_no_wrong_one_is_chosen(
    world: World,
) -> None:
    q = by_kind(world)[QuestionKind.MULTIPLE]
    assert is_right(q, [3, 0, 1])
    assert not is_right(q, [0, 1]), "a partial answer scores nothing (all-or-nothing)"
    assert not is_right(q, [0, 1, 2, 3]), "a wrong option spoils the answer"


def test_a_true_false_question_compares_the_truth(world: World) -> None:
    q = by_kind(world)[QuestionKind.TRUE_FALSE]
    assert is_right(q, [True])
    assert not is_right(q, [False])


def test_a_fill_in_accepts_any_listed_wording_whatever_its_width_case_and_spaces(
    world: World,
) -> None:
    q = by_kind(world)[QuestionKind.FILL_IN]
    assert is_right(q, "单独职务序列管理")
    assert is_right(q, " 单独 职务序列。")
    assert not is_right(q, "等级管理")


def test_a_perfect_paper_scores_full_marks_and_passes(world: World) -> None:
    q = quiz(world)
    person = world.people["zhao"]
    attempt = do_start_attempt(None, q, person)
    done = do_submit_attempt(None, attempt, right_answers(attempt))
    assert (done.score, done.max_score, done.percent, done.passed) == (4, 4, 100, True)
    assert done.status == AttemptStatus.SUBMITTED


def test_the_served_order_maps_back_to_the_bank_so_the_shown_position_is_what_counts(
    world: World,
) -> None:
    q = quiz(world)
    attempt = do_start_attempt(None, q, world.people["zhao"])
    posted = right_answers(attempt)
    single = next(s for s in attempt.served if kind_of(s["question"]) == QuestionKind.SINGLE)
    shown_right = single["options"].index(0)
    posted[str(single["question"])] = [str((shown_right + 1) % len(single["options"]))]
    done = do_submit_attempt(None, attempt, posted)
    assert done.score == 3
    assert done.percent == 75 and done.passed is True
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.answers[str(single["question"])] != [0]


def kind_of(pk: int) -> str:
    return Question.objects.get(pk=pk).kind
