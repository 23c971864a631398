"""Builder step (demo): stenography tests (速录测试) in the two demo courts, through the actions.

Each court keeps a judgment, a hearing record and a practice text. Last month each held a
书记员速录达标考核 (5 minutes, pass line the level 速录员) for all its clerks; each clerk's
sitting is simulated as an input log (their speed and care drawn once per person) and
scored by the real function on the server side. The basic court also has a keyboard test
(每分钟80字) open now, for its clerks and the demo member, who has it still ahead of them.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from tianping.demo.logins import login_people
from tianping.orgs.models import Org
from tianping.people.models import Person
from tianping.talent.actions.typing import (
    clerks_of,
    do_create_exam,
    do_create_text,
    do_save_log,
    do_start_attempt,
)
from tianping.talent.models import PassRule, TypingExam
from tianping.talent.typing_texts import HEARING, JUDGMENT, PRACTICE

if TYPE_CHECKING:
    from tianping.demo.builder import Build

COURTS = ("BT", "BT-JY")
EXAM_SECONDS = 300
# Characters a simulated clerk may mistype with: near neighbours of a pinyin IME's choices.
SLIPS = "的地得在再做作已以其期记纪"


def simulated_log(
    rng: random.Random, reference: str, seconds: int, cpm: float | None = None
) -> list[list[Any]]:
    """An input log as a clerk of drawn speed and care leaves it: words committed one at a
    time by an IME, now and then a slip, a skipped word, a word typed twice, a correction."""
    cpm = cpm or rng.triangular(70, 240, 150)
    slip = rng.uniform(0.002, 0.03)
    text = "".join(reference.split())
    goal = min(len(text), int(cpm * seconds / 60))
    events: list[list[Any]] = []
    typed = 0  # characters of the attempt so far
    i = 0
    while i < goal:
        word = text[i : i + rng.randint(1, 4)]
        t = int((i / max(goal, 1)) * seconds * 1000 * rng.uniform(0.97, 1.0))
        roll = rng.random()
        if roll < slip:
            word = rng.choice(SLIPS) + word[1:]  # a wrong character
        elif roll < slip * 1.3:
            i += len(word)  # a skipped word
            continue
        elif roll < slip * 1.5:
            events.append([t, typed, 0, word])  # typed twice
            typed += len(word)
        elif roll < slip * 2.5:
            # A slip seen and corrected: the wrong character typed, removed, typed again.
            events.append([t, typed, 0, rng.choice(SLIPS)])
            events.append([t + 300, typed, 1, ""])
        events.append([t + 400, typed, 0, word])
        typed += len(word)
        i += len(word)
    return events


def _texts(court: Org) -> dict[str, Any]:
    return {
        "judgment": do_create_text(
            None, court, title="民间借贷纠纷民事判决书（节选）", kind="judgment", body=JUDGMENT
        ),
        "hearing": do_create_text(
            None,
            court,
            title="物业服务合同纠纷庭审笔录（节选）",
            kind="hearing",
            body=HEARING,
            for_practice=True,
        ),
        "practice": do_create_text(
            None,
            court,
            title="关于组织书记员速录测试的通知",
            kind="other",
            body=PRACTICE,
            for_practice=True,
        ),
    }


def add_typing(build: Build) -> None:
    rng = build.rng("typing")
    last_month = timezone.make_aware(dt.datetime.combine(build.plan.as_of, dt.time(9)))
    member = login_people(build).get("dangyuan")
    attempts = 0
    for court in Org.objects.filter(code__in=COURTS).order_by("path"):
        texts = _texts(court)
        clerks = clerks_of(court)
        if not clerks:
            continue
        opens = last_month - dt.timedelta(days=24)
        held: TypingExam = do_create_exam(
            None,
            court,
            title=f"{build.plan.as_of.year}年书记员速录达标考核",
            text=texts["judgment"],
            duration_seconds=EXAM_SECONDS,
            opens_at=opens,
            closes_at=opens + dt.timedelta(days=3),
            people=clerks,
            pass_rule=PassRule.LEVEL,
            pass_level="速录员",
        )
        for person in clerks:
            if rng.random() < 0.08:
                continue  # away that week: shown as 未参加
            started = opens + dt.timedelta(hours=rng.randrange(1, 60), minutes=rng.randrange(60))
            attempt = do_start_attempt(None, person, exam=held, now=started)
            log = simulated_log(rng, JUDGMENT, EXAM_SECONDS)
            do_save_log(
                None,
                attempt,
                start=0,
                events=log,
                final=True,
                now=started + dt.timedelta(seconds=EXAM_SECONDS),
            )
            attempts += 1
        if court.code != COURTS[-1]:
            continue
        called: list[Person] = clerks[:]
        if member is not None and member.pk is not None:
            called.append(Person.objects.get(pk=member.pk))
        open_exam = do_create_exam(
            None,
            court,
            title="干警键盘录入能力测试",
            text=texts["hearing"],
            duration_seconds=EXAM_SECONDS,
            opens_at=last_month - dt.timedelta(days=2),
            closes_at=last_month + dt.timedelta(days=45),
            people=called,
            pass_rule=PassRule.CPM,
            pass_cpm=80,
            pass_accuracy=95,
        )
        # A third of the clerks have sat it already; the demo member has it still ahead.
        early = [p for p in clerks if member is None or p.pk != member.pk]
        for person in early[: max(len(early) // 3, 1)]:
            started = open_exam.opens_at + dt.timedelta(hours=rng.randrange(1, 40))
            attempt = do_start_attempt(None, person, exam=open_exam, now=started)
            do_save_log(
                None,
                attempt,
                start=0,
                events=simulated_log(rng, HEARING, EXAM_SECONDS),
                final=True,
                now=started + dt.timedelta(seconds=EXAM_SECONDS),
            )
            attempts += 1
    build.counts.update(typing_attempts=attempts)
