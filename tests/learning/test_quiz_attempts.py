"""Taking a quiz: the attempt limit counts attempts started, the deadline holds, the page
never holds an answer, and a member sees only their own results."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from tests.conftest import World
from tests.learning.quiz_factories import quiz, right_answers
from tianping.accounts import actions as account_actions
from tianping.accounts.models import Role
from tianping.audit.models import AuditEvent
from tianping.learning.actions.quizzes import (
    GRACE,
    SubmissionRefused,
    do_start_attempt,
    do_submit_attempt,
)
from tianping.learning.models import Attempt, AttemptStatus, Question

pytestmark = pytest.mark.django_db


def start(client: Any, quiz_id: int) -> Any:
    return client.post(f"/learning/quizzes/{quiz_id}/start/")


def test_leaving_reloading_and_a_second_tab_resume_the_one_attempt_started(world: World) -> None:
    q = quiz(world, attempt_limit=2)
    dave = world.client("dave")
    first = start(dave, q.pk)
    assert first.status_code == 302
    url = first["Location"]
    assert dave.get(url).status_code == 200  # taking it
    assert dave.get(f"/learning/quizzes/{q.pk}/").status_code == 200  # leaving it
    again = start(world.client("dave"), q.pk)  # a second tab, another session
    assert again["Location"] == url
    assert Attempt.objects.filter(quiz=q).count() == 1


def test_the_attempt_limit_cannot_be_reset_by_starting_again(world: World) -> None:
    q = quiz(world, attempt_limit=1)
    dave = world.client("dave")
    url = start(dave, q.pk)["Location"]
    attempt = Attempt.objects.get(quiz=q)
    dave.post(url, {f"q{k}": v for k, v in right_answers(attempt).items()})
    refused = start(dave, q.pk)
    assert refused["Location"] == f"/learning/quizzes/{q.pk}/"
    page = dave.get(refused["Location"]).content.decode()
    assert "已用完全部1次答题机会" in page
    assert "no-attempts-left" in page and "start-quiz" not in page
    assert Attempt.objects.filter(quiz=q).count() == 1


def test_an_attempt_left_past_its_deadline_is_closed_scored_and_counted(world: World) -> None:
    q = quiz(world, attempt_limit=1, time_limit=10)
    zhao = world.people["zhao"]
    started = timezone.now() - dt.timedelta(hours=1)
    attempt = do_start_attempt(None, q, zhao, now=started)
    with pytest.raises(ValidationError, match="已用完"):
        do_start_attempt(None, q, zhao)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.EXPIRED
    assert attempt.score == 0 and attempt.passed is False
    assert attempt.submitted_at == attempt.deadline


def test_a_submission_within_the_grace_is_taken_and_one_beyond_it_refused(world: World) -> None:
    q = quiz(world, attempt_limit=2, time_limit=10)
    zhao = world.people["zhao"]
    t0 = timezone.now() - dt.timedelta(minutes=20)
    first = do_start_attempt(None, q, zhao, now=t0)
    assert first.deadline == t0 + dt.timedelta(minutes=10)
    done = do_submit_attempt(None, first, right_answers(first), now=first.deadline + GRACE)
    assert done.status == AttemptStatus.SUBMITTED and done.percent == 100

    second = do_start_attempt(None, q, zhao, now=t0 + dt.timedelta(minutes=11))
    late = second.deadline + GRACE + dt.timedelta(seconds=1)
    with pytest.raises(SubmissionRefused):
        do_submit_attempt(None, second, right_answers(second), now=late)
    second.refresh_from_db()
    assert second.status == AttemptStatus.EXPIRED
    assert second.answers == {} and second.score == 0
    assert AuditEvent.objects.filter(action="learning.attempt_expire").count() == 1


def test_a_late_submission_in_the_web_is_refused_and_says_so(world: World) -> None:
    q = quiz(world, attempt_limit=1, time_limit=5)
    attempt = do_start_attempt(
        None, q, world.people["zhao"], now=timezone.now() - dt.timedelta(minutes=6)
    )
    answers = {f"q{k}": v for k, v in right_answers(attempt).items()}
    dave = world.client("dave")
    page = dave.post(f"/learning/quizzes/attempts/{attempt.pk}/", answers, follow=True)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.EXPIRED and attempt.score == 0
    assert "未及格" in page.content.decode()


def test_the_page_of_an_open_attempt_holds_no_answer_and_no_explanation(world: World) -> None:
    q = quiz(world)
    dave = world.client("dave")
    url = start(dave, q.pk)["Location"]
    body = dave.get(url).content.decode()
    assert "党的最高领导机关是？" in body
    for secret in ("解析甲", "解析乙", "单独职务序列管理", "正确答案", "answer"):
        assert secret not in body
    # Options are sent by the position shown, never by their place in the bank.
    attempt = Attempt.objects.get(quiz=q)
    api = dave.get(f"/api/v1/learning/quiz-attempts/{attempt.pk}").json()
    assert api["review"] == []
    assert "answer" not in str(api) and "解析" not in str(api)


def test_a_submitted_attempt_shows_its_answers_and_explanations(world: World) -> None:
    q = quiz(world)
    dave = world.client("dave")
    url = start(dave, q.pk)["Location"]
    dave.post(url, {})
    body = dave.get(url).content.decode()
    assert "正确答案" in body and "解析甲" in body
    assert "未作答" in body
    assert dave.post(url, {}).status_code == 302  # a second submission changes nothing
    assert Attempt.objects.get(quiz=q).score == 0


def test_a_member_sees_only_their_own_attempts_and_results(world: World) -> None:
    q = quiz(world, attempt_limit=2)
    wang_user = account_actions.do_create_user(
        None, "wangfang", password="x", person=world.people["wang"], check_password=False
    )
    account_actions.do_grant(None, wang_user, Role.MEMBER, world.org("BT-JY"))
    theirs = do_start_attempt(None, q, world.people["wang"])
    do_submit_attempt(None, theirs, right_answers(theirs))
    dave = world.client("dave")
    assert dave.get(f"/learning/quizzes/attempts/{theirs.pk}/").status_code == 404
    assert dave.get(f"/learning/quizzes/{q.pk}/results/").status_code == 403
    assert dave.get(f"/api/v1/learning/quiz-attempts/{theirs.pk}").status_code == 404
    assert dave.get("/api/v1/learning/quiz-results/mine").json() == []
    assert "王芳" not in dave.get("/learning/quizzes/mine/").content.decode()
    # The officer of the court sees everyone's, with who has not taken it yet.
    results = world.client("bob").get(f"/learning/quizzes/{q.pk}/results/").content.decode()
    assert "王芳" in results and "赵磊" in results
    assert re.search(r'id="count-passed">1<', results)
    assert re.search(r'id="count-not-taken">\d+<', results)
    # The distribution is drawn from the figures the table shows: one best score, one band.
    chart = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', results)
    assert chart and 'data-chart="成绩分布（人数）"' in results
    bands = json.loads(chart.group(1))["成绩分布（人数）"]
    assert sum(b["value"] for b in bands) == 1 and all(b["name"] for b in bands)
    # …but not someone else's open attempt.
    mine = do_start_attempt(None, q, world.people["zhao"])
    assert world.client("bob").get(f"/learning/quizzes/attempts/{mine.pk}/").status_code == 403


def test_the_api_starts_resumes_submits_and_refuses_beyond_the_limit(world: World) -> None:
    q = quiz(world, attempt_limit=1)
    dave = world.client("dave")
    listed = dave.get("/api/v1/learning/quizzes").json()
    assert listed["count"] == 1 and listed["items"][0]["attempts_left"] == 1
    first = dave.post(f"/api/v1/learning/quizzes/{q.pk}/attempts")
    assert first.status_code == 201
    again = dave.post(f"/api/v1/learning/quizzes/{q.pk}/attempts")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    attempt = Attempt.objects.get(pk=first.json()["id"])
    bank = Question.objects.in_bulk([s["question"] for s in attempt.served])
    answers = []
    for shown in first.json()["questions"]:
        q_ = bank[shown["id"]]
        served = next(s for s in attempt.served if s["question"] == q_.pk)
        if q_.kind in ("single", "multiple"):
            answers.append(
                {"question": q_.pk, "choices": [served["options"].index(i) for i in q_.answer]}
            )
        elif q_.kind == "true_false":
            answers.append({"question": q_.pk, "truth": q_.answer[0]})
        else:
            answers.append({"question": q_.pk, "text": q_.answer[-1]})
    done = dave.post(
        f"/api/v1/learning/quiz-attempts/{attempt.pk}/submit",
        {"answers": answers},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["percent"] == 100
    assert done.json()["review"][0]["right"]
    refused = dave.post(f"/api/v1/learning/quizzes/{q.pk}/attempts")
    assert refused.status_code == 422
    bad = dave.post(
        f"/api/v1/learning/quiz-attempts/{attempt.pk}/submit",
        {"answers": [{"question": 0, "choices": [99]}]},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert dave.get("/api/v1/learning/quiz-questions").status_code == 403
    assert world.client("bob").get("/api/v1/learning/quiz-questions").json()["count"] == 4


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="two connections at once: PostgreSQL only (SQLite serialises writers anyway)",
)
def test_two_starts_at_once_make_one_attempt(transactional_world: World) -> None:
    world = transactional_world
    q = quiz(world, attempt_limit=1)
    zhao = world.people["zhao"]
    barrier = threading.Barrier(2)
    got: list[Any] = []

    def tab() -> None:
        try:
            barrier.wait()
            got.append(do_start_attempt(None, q, zhao).pk)
        except Exception as e:  # noqa: BLE001 - the test reports what happened
            got.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=tab) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Attempt.objects.filter(quiz=q).count() == 1
    assert got[0] == got[1] == Attempt.objects.get(quiz=q).pk


def test_a_get_writes_nothing_an_overdue_attempt_is_shown_and_closed_by_a_post(
    world: World,
) -> None:
    q = quiz(world, attempt_limit=1, time_limit=5)
    attempt = do_start_attempt(
        None, q, world.people["zhao"], now=timezone.now() - dt.timedelta(minutes=6)
    )
    client = world.client("dave")
    page = client.get(f"/learning/quizzes/attempts/{attempt.pk}/").content.decode()
    detail = client.get(f"/learning/quizzes/{q.pk}/")
    api = client.get(f"/api/v1/learning/quiz-attempts/{attempt.pk}")
    assert detail.status_code == 200 and api.status_code == 200
    assert api.json()["status"] == "open" and api.json()["overdue"] is True
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.OPEN  # the GETs wrote nothing
    assert 'id="overdue"' in page and 'id="quiz-form"' not in page
    assert not AuditEvent.objects.filter(action="learning.attempt_expire").exists()
    client.post(f"/learning/quizzes/attempts/{attempt.pk}/")
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.EXPIRED and attempt.submitted_at == attempt.deadline
    assert AuditEvent.objects.filter(action="learning.attempt_expire").count() == 1


def test_an_open_attempt_shows_a_countdown_to_its_deadline(world: World) -> None:
    q = quiz(world, attempt_limit=1, time_limit=10)
    attempt = do_start_attempt(None, q, world.people["zhao"])
    page = world.client("dave").get(f"/learning/quizzes/attempts/{attempt.pk}/").content.decode()
    assert "data-deadline=" in page and "countdown.js" in page
