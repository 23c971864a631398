"""Writes of the stenography test (速录测试): reference texts, exams, and each attempt from its
start, through its input log, to the score the server computes.

The page sends its input log (not a text, never a score): each event is the time since the
start, where the text changed, how many characters went and what came in. The server
applies the events to its own copy of the text, refuses an insertion too large to be typed
(a paste or a script that escaped the page's guard, R6.5) and records it, ignores input
after the deadline and its grace, and scores the rebuilt text with `talent.typing.score`.
A batch repeats no event: it names the index of its first event, and what the server
already holds is skipped, so a retried or periodic save is harmless.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tianping.audit.recording import record, snapshot
from tianping.orgs.models import Org
from tianping.people.models import Category, Person
from tianping.talent import typing
from tianping.talent.models import (
    AttemptState,
    PassRule,
    TextKind,
    TypingAttempt,
    TypingCandidate,
    TypingExam,
    TypingText,
)

# Input this late after the deadline is still taken (a slow network, the last save).
GRACE = dt.timedelta(seconds=15)
# An IME commits a word or a phrase at once; more than this in one input is not typing.
MAX_CHUNK = 50
MAX_EVENTS = 30_000
MAX_REFUSALS = 500
# The raw text an attempt may hold (the score bounds the normalised text to typing.MAX_CHARS).
MAX_TYPED = 12_000
MAX_BODY = 12_000
SCORE_FIELDS = (
    "state",
    "typed_chars",
    "correct",
    "wrong",
    "missing",
    "extra",
    "accuracy",
    "cpm",
    "level",
    "passed",
)
REFUSAL_KINDS = {
    "insertFromPaste": "粘贴",
    "insertFromDrop": "拖放",
    "untrusted": "脚本输入",
    "oversized": "整段插入",
    "invalid": "无效记录",
}


def levels() -> tuple[typing.Level, ...]:
    """R6.4's levels, or a deployment's own: TIANPING_TYPING_LEVELS = [("速录员", 140, 95), …]."""
    configured = getattr(settings, "TIANPING_TYPING_LEVELS", None)
    if not configured:
        return typing.LEVELS
    return tuple(
        typing.Level(name, int(cpm), Fraction(int(acc), 100)) for name, cpm, acc in configured
    )


def level_names() -> list[str]:
    return [lv.name for lv in levels()]


# ---------------------------------------------------------------------------------------
# Texts and exams


def do_create_text(
    user: Any,
    court: Org,
    *,
    title: str,
    kind: str,
    body: str,
    for_practice: bool = False,
) -> TypingText:
    title, body = title.strip(), body.strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = ["请填写标题"]
    if kind not in TextKind.values:
        errors["kind"] = ["请选择范文类型"]
    chars = len(typing.normalise(body))
    if chars < 20:
        errors["body"] = ["范文不少于20字"]
    elif len(body) > MAX_BODY or chars > typing.MAX_CHARS:
        errors["body"] = [f"范文不超过{typing.MAX_CHARS}字"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        text = TypingText.objects.create(
            court=court,
            title=title[:200],
            kind=kind,
            body=body,
            chars=chars,
            for_practice=for_practice,
        )
        record(
            user,
            "talent.typing_text",
            text,
            after=snapshot(text, ("title", "kind", "chars", "for_practice")),
            org=court,
        )
    return text


def clerks_of(court: Org) -> list[Person]:
    """Every serving 书记员 of a court: the usual group of an exam."""
    return list(
        Person.objects.serving()
        .filter(court=court, category=Category.CLERK)
        .order_by("employee_no")
    )


def do_create_exam(
    user: Any,
    court: Org,
    *,
    title: str,
    text: TypingText,
    duration_seconds: int,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    people: Iterable[Person],
    pass_rule: str = PassRule.CPM,
    pass_cpm: int | None = None,
    pass_accuracy: int = 95,
    pass_level: str = "",
) -> TypingExam:
    """An exam for a group of clerks; its pass line is a speed (at an accuracy) or a level."""
    title = title.strip()
    chosen = list({p.pk: p for p in people}.values())
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = ["请填写考核名称"]
    if text.court_id != court.pk:
        errors["text"] = ["请选择本院的范文"]
    if not 10 <= duration_seconds <= 3600:
        errors["duration_seconds"] = ["测试时长应在10秒至60分钟之间"]
    if closes_at <= opens_at:
        errors["closes_at"] = ["截止时间应晚于开始时间"]
    if pass_rule == PassRule.CPM:
        if pass_cpm is None or not 1 <= pass_cpm <= 400:
            errors["pass_cpm"] = ["请填写合格速度（每分钟1至400字）"]
        if not 0 <= pass_accuracy <= 100:
            errors["pass_accuracy"] = ["合格正确率应在0至100之间"]
        pass_level = ""
    elif pass_rule == PassRule.LEVEL:
        if pass_level not in level_names():
            errors["pass_level"] = ["请选择合格等级"]
        pass_cpm = None
    else:
        errors["pass_rule"] = ["请选择合格标准"]
    if not chosen:
        errors["people"] = ["请选择参考人员"]
    elif any(p.court_id != court.pk for p in chosen):
        errors["people"] = ["参考人员应为本院人员"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        exam = TypingExam.objects.create(
            court=court,
            title=title[:200],
            text=text,
            duration_seconds=duration_seconds,
            pass_rule=pass_rule,
            pass_cpm=pass_cpm,
            pass_accuracy=pass_accuracy,
            pass_level=pass_level,
            opens_at=opens_at,
            closes_at=closes_at,
            created_by=user if getattr(user, "pk", None) else None,
        )
        TypingCandidate.objects.bulk_create([TypingCandidate(exam=exam, person=p) for p in chosen])
        after = snapshot(
            exam,
            ("title", "text", "duration_seconds", "pass_rule", "pass_cpm", "pass_level"),
        )
        record(
            user,
            "talent.typing_exam",
            exam,
            after={**after, "participants": len(chosen)},
            org=court,
        )
    return exam


def exam_state(exam: TypingExam, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    if now < exam.opens_at:
        return "未开始"
    if now >= exam.closes_at:
        return "已截止"
    return "进行中"


# ---------------------------------------------------------------------------------------
# Attempts


def _passed(exam: TypingExam | None, result: typing.Score) -> bool | None:
    if exam is None:
        return None
    if exam.pass_rule == PassRule.LEVEL:
        names = level_names()
        if result.level is None or exam.pass_level not in names:
            return False
        return names.index(result.level) >= names.index(exam.pass_level)
    return (
        exam.pass_cpm is not None
        and result.cpm >= exam.pass_cpm
        and result.accuracy >= Fraction(exam.pass_accuracy, 100)
    )


def _score(attempt: TypingAttempt) -> None:
    result = typing.score(
        attempt.text.body, attempt.typed[:MAX_TYPED], attempt.duration_seconds, levels()
    )
    a = result.alignment
    attempt.reference_chars = a.reference_chars
    attempt.typed_chars = a.typed_chars
    attempt.correct, attempt.wrong = a.correct, a.wrong
    attempt.missing, attempt.extra = a.missing, a.extra
    attempt.accuracy = Decimal(str(typing.rounded_accuracy(result.accuracy)))
    attempt.cpm = Decimal(str(typing.rounded_cpm(result.cpm)))
    attempt.level = result.level or ""
    attempt.passed = _passed(attempt.exam, result)


def _close(user: Any, attempt: TypingAttempt, state: str, at: dt.datetime) -> None:
    _score(attempt)
    attempt.state = state
    attempt.finished_at = at
    attempt.save()
    action = "talent.typing_finish" if state == AttemptState.FINISHED else "talent.typing_expire"
    record(
        user if state == AttemptState.FINISHED else None,
        action,
        attempt,
        after=snapshot(attempt, SCORE_FIELDS),
        org=attempt.person.court,
    )


def close_overdue(
    *, exam: TypingExam | None = None, person: Person | None = None, now: dt.datetime | None = None
) -> int:
    """Close and score the open attempts past their deadline and grace (a closed tab, a
    lost network): what the server holds is what counts."""
    now = now or timezone.now()
    stale = TypingAttempt.objects.filter(state=AttemptState.OPEN, deadline__lt=now - GRACE)
    if exam is not None:
        stale = stale.filter(exam=exam)
    if person is not None:
        stale = stale.filter(person=person)
    closed = 0
    with transaction.atomic():
        for attempt in stale.select_related("text", "exam", "person__court").select_for_update(
            of=("self",)
        ):
            _close(None, attempt, AttemptState.EXPIRED, attempt.deadline)
            closed += 1
    return closed


def do_start_attempt(
    user: Any,
    person: Person,
    *,
    exam: TypingExam | None = None,
    text: TypingText | None = None,
    now: dt.datetime | None = None,
) -> TypingAttempt:
    """Start a sitting: an exam's (resumed, never restarted, once begun) or a practice on a
    practice text of the person's court (`duration_seconds` from the text's length)."""
    now = now or timezone.now()
    close_overdue(person=person, now=now)
    if exam is not None:
        current = TypingAttempt.objects.filter(exam=exam, person=person).first()
        if current is not None:
            return current
        if not TypingCandidate.objects.filter(exam=exam, person=person).exists():
            raise ValidationError("您不在本次考核的参考人员名单中")
        state = exam_state(exam, now)
        if state != "进行中":
            raise ValidationError(f"本次考核{state}，不能开始测试")
        text, duration = exam.text, exam.duration_seconds
    else:
        if text is None or not text.for_practice:
            raise ValidationError("请选择练习范文")
        if text.court_id != person.court_id:
            raise ValidationError("只能练习本院的范文")
        duration = PRACTICE_SECONDS
    try:
        with transaction.atomic():
            attempt = TypingAttempt.objects.create(
                person=person,
                exam=exam,
                text=text,
                duration_seconds=duration,
                started_at=now,
                deadline=now + dt.timedelta(seconds=duration),
                reference_chars=text.chars,
            )
            record(
                user,
                "talent.typing_start",
                attempt,
                after=snapshot(attempt, ("exam", "text", "duration_seconds")),
                org=person.court,
            )
    except IntegrityError:
        # Two tabs started the same exam at once: both get the one sitting.
        return TypingAttempt.objects.get(exam=exam, person=person)
    return attempt


# A practice lasts five minutes.
PRACTICE_SECONDS = 300


def _event(raw: Any) -> tuple[int, int, int, str] | None:
    if not isinstance(raw, list | tuple) or len(raw) != 4:
        return None
    t, at, removed, inserted = raw
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (t, at, removed)):
        return None
    if not isinstance(inserted, str) or t < 0 or at < 0 or removed < 0:
        return None
    return t, at, removed, inserted


def apply_events(
    attempt: TypingAttempt, events: Sequence[Any], received_at: dt.datetime
) -> tuple[int, list[dict[str, Any]]]:
    """Apply new events to the attempt's text; returns (events taken, refusals made).

    Late input (after the deadline and its grace, by the event's own clock or by when it
    arrived) is counted and never applied.
    """
    limit_ms = (attempt.duration_seconds * 1000) + int(GRACE.total_seconds() * 1000)
    late_by_arrival = received_at > attempt.deadline + GRACE
    text = attempt.typed
    last_t = attempt.log[-1][0] if attempt.log else 0
    taken = 0
    refused: list[dict[str, Any]] = []
    for raw in events:
        if len(attempt.log) >= MAX_EVENTS:
            break
        event = _event(raw)
        if event is None:
            refused.append({"t": last_t, "kind": "invalid", "chars": 0})
            continue
        t, at, removed, inserted = event
        t = max(t, last_t)
        if late_by_arrival or t > limit_ms:
            attempt.late_events += 1
            continue
        if at > len(text) or at + removed > len(text):
            refused.append({"t": t, "kind": "invalid", "chars": len(inserted)})
            continue
        if len(inserted) > MAX_CHUNK or len(text) - removed + len(inserted) > MAX_TYPED:
            refused.append({"t": t, "kind": "oversized", "chars": len(inserted)})
            continue
        text = text[:at] + inserted + text[at + removed :]
        attempt.log.append([t, at, removed, inserted])
        last_t = t
        taken += 1
    attempt.typed = text
    return taken, refused


def _refusal(raw: Any) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        return None
    kind = raw.get("kind")
    t, chars = raw.get("t"), raw.get("chars", 0)
    if kind not in REFUSAL_KINDS or not isinstance(t, int) or not isinstance(chars, int):
        return None
    return {"t": max(t, 0), "kind": kind, "chars": max(min(chars, 1_000_000), 0)}


def do_save_log(
    user: Any,
    attempt: TypingAttempt,
    *,
    start: int,
    events: Sequence[Any],
    refused_start: int = 0,
    refused: Sequence[Any] = (),
    final: bool = False,
    now: dt.datetime | None = None,
) -> TypingAttempt:
    """Take a batch of the input log from the page (periodic, or the last one with `final`).

    `start` is the index of the batch's first event in the page's log: what the server
    already holds is skipped; a gap (a lost batch) takes nothing and the page resends.
    Refusals reported by the page (pastes, drops, scripted input) are recorded likewise.
    """
    now = now or timezone.now()
    with transaction.atomic():
        attempt = (
            TypingAttempt.objects.select_related("text", "exam", "person__court")
            .select_for_update(of=("self",))
            .get(pk=attempt.pk)
        )
        if not attempt.is_open:
            return attempt
        new_refusals: list[dict[str, Any]] = []
        if start <= attempt.events_received:
            fresh = events[attempt.events_received - start :][:MAX_EVENTS]
            _, new_refusals = apply_events(attempt, fresh, now)
            attempt.events_received += len(fresh)
        if refused_start <= attempt.refusals_received:
            fresh_refusals = refused[attempt.refusals_received - refused_start :][:MAX_REFUSALS]
            for raw in fresh_refusals:
                item = _refusal(raw)
                if item is not None:
                    new_refusals.append({**item, "from": "page"})
            attempt.refusals_received += len(fresh_refusals)
        room = MAX_REFUSALS - len(attempt.refusals)
        attempt.refusals = [*attempt.refusals, *new_refusals[: max(room, 0)]]
        if new_refusals:
            record(
                user,
                "talent.typing_refusal",
                attempt,
                after={"refusals": [REFUSAL_KINDS[r["kind"]] for r in new_refusals[:20]]},
                org=attempt.person.court,
            )
        if final or now > attempt.deadline + GRACE:
            at = min(now, attempt.deadline)
            state = AttemptState.FINISHED if final else AttemptState.EXPIRED
            _close(user, attempt, state, at)
        else:
            attempt.save(
                update_fields=[
                    "log",
                    "refusals",
                    "typed",
                    "late_events",
                    "events_received",
                    "refusals_received",
                ]
            )
    return attempt


def rebuild(log: Sequence[Sequence[Any]]) -> str:
    """The text an input log leaves (the events as stored, already checked)."""
    text = ""
    for _, at, removed, inserted in log:
        text = text[:at] + inserted + text[at + removed :]
    return text
