"""Stenography tests for the talent tests, the permission matrix and the API schema test."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tianping.talent.actions import typing as actions
from tianping.talent.models import TypingAttempt, TypingExam, TypingText

BODY = (
    "原告张某与被告李某民间借贷纠纷一案，本院于二〇二四年三月五日立案后，依法适用简易程序，"
    "公开开庭进行了审理。原告张某及其委托诉讼代理人王某到庭参加诉讼。被告李某经本院传票传唤，"
    "无正当理由拒不到庭参加诉讼，本院依法缺席审理。本案现已审理终结。"
)


def text(
    world: Any, court: str = "BT-JY", title: str = "民间借贷判决书节选", **kw: Any
) -> TypingText:
    return actions.do_create_text(
        None, world.org(court), title=title, kind="judgment", body=BODY, **kw
    )


def exam(world: Any, court: str = "BT-JY", title: str = "书记员速录考核", **kw: Any) -> TypingExam:
    now = timezone.now()
    options: dict[str, Any] = {
        "duration_seconds": 60,
        "opens_at": now - dt.timedelta(hours=1),
        "closes_at": now + dt.timedelta(days=1),
        "people": [world.people["zhao"]],
        "pass_cpm": 30,
        "pass_accuracy": 90,
    }
    options.update(kw)
    source = options.pop("text", None) or text(world, court, title=f"{title}范文")
    return actions.do_create_exam(None, world.org(court), title=title, text=source, **options)


def finished_attempt(world: Any, sample: TypingExam, typed: str = BODY[:40]) -> TypingAttempt:
    attempt = actions.do_start_attempt(None, world.people["zhao"], exam=sample)
    events = [[100 * (i + 1), i, 0, ch] for i, ch in enumerate(typed)]
    return actions.do_save_log(None, attempt, start=0, events=events, final=True)


def matrix_sample(world: Any, kwarg: str) -> Any:
    """The matrix's objects: a practice text of 九原区, an exam for 赵磊 (dave) there, and his
    finished attempt at it."""
    sample = TypingExam.objects.filter(title="矩阵样本速录考核").first()
    if sample is None:
        source = text(world, title="矩阵样本范文", for_practice=True)
        sample = exam(world, title="矩阵样本速录考核", text=source)
    if kwarg == "typing_text_id":
        return sample.text
    if kwarg == "typing_exam_id":
        return sample
    attempt = TypingAttempt.objects.filter(exam=sample).first()
    return attempt or finished_attempt(world, sample)
