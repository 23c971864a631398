"""Stenography exams on the web and the API: a clerk's sitting from start to score, the input
log rebuilt and scored on the server (R6.5), pastes refused and recorded, time enforced,
results per person for the officers, scoped."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from tests.talent.typing_factories import BODY, exam, finished_attempt, text
from tianping.audit.models import AuditEvent
from tianping.talent.actions import typing as actions
from tianping.talent.models import AttemptState, TypingAttempt
from tianping.talent.typing import score

pytestmark = pytest.mark.django_db


def keystrokes(typed: str, start: int = 0, every_ms: int = 200) -> list[list[object]]:
    return [[every_ms * (i + 1), start + i, 0, ch] for i, ch in enumerate(typed)]


def post_log(client, attempt, **batch):
    return client.post(
        reverse("talent:typing_log", args=[attempt.pk]),
        data=json.dumps(batch),
        content_type="application/json",
    )


def start(world, sample):
    client = world.client("dave")
    response = client.post(reverse("talent:typing_exam_start", args=[sample.pk]))
    assert response.status_code == 302
    attempt = TypingAttempt.objects.get(exam=sample, person=world.people["zhao"])
    assert response["Location"] == reverse("talent:typing_attempt", args=[attempt.pk])
    return client, attempt


def test_a_clerk_sees_the_pending_exam_on_the_talent_page(world) -> None:
    sample = exam(world)
    client = world.client("dave")
    assert "card-typing" in client.get(reverse("talent:home")).content.decode()
    fragment = client.get(reverse("talent:typing_pending")).content.decode()
    assert sample.title in fragment
    page = client.get(reverse("talent:typing_home")).content.decode()
    assert sample.title in page and "开始测试" in page


def test_r6_5_the_server_rebuilds_the_text_from_the_log_and_scores_it_itself(world) -> None:
    sample = exam(world)
    client, attempt = start(world, sample)
    page = client.get(reverse("talent:typing_attempt", args=[attempt.pk])).content.decode()
    assert 'id="typing-input"' in page and "typing.js" in page and BODY[:20] in page
    typed = BODY[:30] + "错" + BODY[31:60]
    events = keystrokes(typed)
    # A typo corrected: one character removed and typed again.
    events += [[20_000, 60, 0, "X"], [20_100, 60, 1, ""]]
    first = post_log(client, attempt, start=0, events=events[:25])
    assert first.json()["held"] == 25
    # The same events again (a retry) are skipped; the batch goes on from where it was.
    again = post_log(client, attempt, start=0, events=events[:40])
    assert again.json()["held"] == 40
    done = post_log(client, attempt, start=40, events=events[40:], final=True, cpm=999, accuracy=1)
    assert done.json()["open"] is False
    attempt.refresh_from_db()
    assert attempt.typed == typed
    assert actions.rebuild(attempt.log) == typed
    expected = score(BODY, typed, 60)
    assert attempt.correct == expected.alignment.correct == 59
    assert attempt.wrong == 1
    assert float(attempt.cpm) == expected.as_json()["cpm"] == 59.0
    assert attempt.passed is True  # 59 a minute at 98%: the line is 30 at 90%
    result = client.get(reverse("talent:typing_attempt", args=[attempt.pk])).content.decode()
    assert 'id="result-cpm">59.0<' in result
    assert "98.33%" in result and "未达等级" in result and "合格" in result


def test_r6_5_a_paste_is_refused_and_recorded(world) -> None:
    sample = exam(world)
    client, attempt = start(world, sample)
    post_log(
        client,
        attempt,
        start=0,
        events=keystrokes(BODY[:5]),
        refused_start=0,
        refused=[{"t": 1500, "kind": "insertFromPaste", "chars": 80}],
    )
    # A paste that escaped the page's guard arrives as one large insertion: refused too.
    post_log(client, attempt, start=5, events=[[1600, 5, 0, BODY[5:90]]], final=True)
    attempt.refresh_from_db()
    assert attempt.typed == BODY[:5]
    kinds = [r["kind"] for r in attempt.refusals]
    assert kinds == ["oversized", "insertFromPaste"] or sorted(kinds) == sorted(
        ["oversized", "insertFromPaste"]
    )
    assert AuditEvent.objects.filter(
        action="talent.typing_refusal", object_id=str(attempt.pk)
    ).exists()
    result = client.get(reverse("talent:typing_attempt", args=[attempt.pk])).content.decode()
    assert "粘贴（80字）" in result and "整段插入" in result


def test_r6_5_input_after_the_deadline_is_ignored(world) -> None:
    sample = exam(world)
    _, attempt = start(world, sample)
    late = 60_000 + 15_000 + 1
    actions.do_save_log(
        None, attempt, start=0, events=[*keystrokes(BODY[:3]), [late, 3, 0, BODY[3]]]
    )
    attempt.refresh_from_db()
    assert attempt.typed == BODY[:3] and attempt.late_events == 1
    # A batch arriving after the deadline and its grace closes the sitting with what was held.
    after = attempt.deadline + actions.GRACE + dt.timedelta(seconds=1)
    actions.do_save_log(None, attempt, start=4, events=keystrokes(BODY[3:6], 3), now=after)
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.EXPIRED
    assert attempt.typed == BODY[:3] and attempt.correct == 3


def test_a_closed_tab_keeps_what_was_saved_and_is_scored_when_overdue(world) -> None:
    sample = exam(world)
    client, attempt = start(world, sample)
    post_log(client, attempt, start=0, events=keystrokes(BODY[:20]))
    TypingAttempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - dt.timedelta(minutes=5)
    )
    page = world.client("alice").get(reverse("talent:typing_results", args=[sample.pk]))
    assert page.status_code == 200
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.EXPIRED and attempt.correct == 20


def test_an_exam_is_sat_once_a_reload_resumes_it(world) -> None:
    sample = exam(world)
    client, attempt = start(world, sample)
    post_log(client, attempt, start=0, events=keystrokes(BODY[:4]))
    client.post(reverse("talent:typing_exam_start", args=[sample.pk]))
    assert TypingAttempt.objects.filter(exam=sample).count() == 1
    page = client.get(reverse("talent:typing_attempt", args=[attempt.pk])).content.decode()
    assert 'data-held="4"' in page and f">{BODY[:4]}</textarea>" in page


def test_someone_not_called_cannot_start(world) -> None:
    sample = exam(world, people=[world.people["wang"]])
    client = world.client("dave")
    # dave (赵磊) is not a candidate: the exam is outside his scope altogether.
    assert client.post(reverse("talent:typing_exam_start", args=[sample.pk])).status_code == 404


def test_officers_see_results_export_and_print_the_sheet(world) -> None:
    sample = exam(world, people=[world.people["zhao"], world.people["sun"]])
    finished_attempt(world, sample, BODY[:45])
    alice = world.client("alice")
    page = alice.get(reverse("talent:typing_results", args=[sample.pk])).content.decode()
    assert "赵磊" in page and "孙丽" in page and "未参加" in page
    assert 'id="count-passed">1<' in page
    response = alice.get(reverse("talent:typing_export", args=[sample.pk]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:2] == ("工号", "姓名")
    assert rows[1][1] == "赵磊" and rows[1][12] == "合格"
    assert rows[2][1] == "孙丽" and rows[2][3] == "未参加"
    sheet = alice.get(reverse("talent:typing_sheet", args=[sample.pk])).content.decode()
    assert "速录考核成绩单" in sheet and "@page { size: A4" in sheet


def test_a_member_sees_only_their_own_result_and_outsiders_nothing(world) -> None:
    sample = exam(world)
    attempt = finished_attempt(world, sample)
    dave = world.client("dave")
    assert dave.get(reverse("talent:typing_results", args=[sample.pk])).status_code == 403
    assert dave.get(reverse("talent:typing_attempt", args=[attempt.pk])).status_code == 200
    oscar = world.client("oscar")
    assert oscar.get(reverse("talent:typing_exam", args=[sample.pk])).status_code == 404
    assert oscar.get(reverse("talent:typing_attempt", args=[attempt.pk])).status_code == 404


def test_an_officer_publishes_an_exam_for_all_clerks_of_a_court(world) -> None:
    source = text(world, for_practice=True)
    alice = world.client("alice")
    now = timezone.localtime()
    response = alice.post(
        reverse("talent:typing_exam_new"),
        {
            "court": "BT-JY",
            "title": "二〇二四年书记员速录达标考核",
            "text": source.pk,
            "minutes": 10,
            "pass_rule": "level",
            "pass_cpm": "",
            "pass_accuracy": 95,
            "pass_level": "速录员",
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "all_clerks": "on",
            "people": "JY0003",
        },
    )
    assert response.status_code == 302, response.content.decode()
    from tianping.talent.models import TypingExam

    created = TypingExam.objects.get(title="二〇二四年书记员速录达标考核")
    assert {c.person.name for c in created.candidates.all()} == {"赵磊", "孙丽"}
    assert created.pass_line == "达到“速录员”等级"


def test_a_member_practises_on_a_practice_text(world) -> None:
    source = text(world, for_practice=True)
    dave = world.client("dave")
    assert source.title in dave.get(reverse("talent:typing_home")).content.decode()
    response = dave.post(reverse("talent:typing_practice", args=[source.pk]))
    attempt = TypingAttempt.objects.get(person=world.people["zhao"], exam=None)
    assert response["Location"] == reverse("talent:typing_attempt", args=[attempt.pk])
    assert attempt.duration_seconds == actions.PRACTICE_SECONDS


# The API


def test_the_api_scores_with_the_same_function(world) -> None:
    client = world.client("dave")
    body = {"reference": BODY, "typed": BODY[:50], "seconds": 60}
    r = client.post("/api/v1/talent/typing/score", body, content_type="application/json")
    assert r.status_code == 200
    assert r.json() == score(BODY, BODY[:50], 60).as_json()


def test_the_api_refuses_texts_too_long_and_bad_durations_with_422(world) -> None:
    client = world.client("dave")
    for body in (
        {"reference": "甲" * 12_001, "typed": "甲", "seconds": 60},
        {"reference": "甲", "typed": "甲", "seconds": 0},
        {"reference": "甲", "typed": "甲", "seconds": 99_999},
        {"reference": "㍿" * 3000, "typed": "甲", "seconds": 60},
    ):
        r = client.post("/api/v1/talent/typing/score", body, content_type="application/json")
        assert r.status_code == 422, body


def test_the_api_results_are_scoped(world) -> None:
    sample = exam(world, people=[world.people["zhao"], world.people["sun"]])
    finished_attempt(world, sample)
    url = f"/api/v1/talent/typing/exams/{sample.pk}/results"
    r = world.client("alice").get(url)
    assert r.status_code == 200
    assert {row["person"]["name"] for row in r.json()["rows"]} == {"赵磊", "孙丽"}
    assert r.json()["taken"] == 1
    assert world.client("oscar").get(url).status_code == 404
    assert world.client("dave").get(url).status_code == 403
    mine = world.client("dave").get("/api/v1/talent/typing/attempts/mine").json()
    assert [a["correct"] for a in mine] == [40]


def test_every_officer_of_the_court_and_the_platform_admin_see_the_exam(world) -> None:
    sample = exam(world)
    for persona in ("admin", "alice", "bob", "erin"):
        r = world.client(persona).get("/api/v1/talent/typing/exams")
        assert [e["id"] for e in r.json()["items"]] == [sample.pk], persona
        page = world.client(persona).get(reverse("talent:typing_home")).content.decode()
        assert sample.title in page, persona
    assert world.client("oscar").get("/api/v1/talent/typing/exams").json()["count"] == 0
    assert world.client("dave").get("/api/v1/talent/typing/exams").json()["count"] == 1
