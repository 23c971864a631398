"""Writes of 谈心谈话 records (D5): one talker, the members talked with, on the activity spine.

A talk is an activity of kind heart_talk whose attendance lists the talker (role 谈话人)
and the members talked with, all present; the record goes through the activity actions,
which validate and audit it like any other meeting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from tianping.activities import kinds
from tianping.activities.actions import do_record_past_activity
from tianping.activities.models import Activity, AttendanceRole, AttendanceStatus
from tianping.orgs.models import Org
from tianping.people.models import Person

HEART_TALK = "heart_talk"
NAMED_IN_TITLE = 3


def talk_title(talker: Person, members: Sequence[Person]) -> str:
    """谈心谈话：张华庆与王芳、赵磊 (…等5人 when there are more)."""
    names = "、".join(m.name for m in members[:NAMED_IN_TITLE])
    more = f"等{len(members)}人" if len(members) > NAMED_IN_TITLE else ""
    return f"谈心谈话：{talker.name}与{names}{more}"


@transaction.atomic
def do_record_heart_talk(
    user: Any,
    branch: Org,
    *,
    on: dt.date,
    talker: Person,
    members: Sequence[Person],
    location: str = "",
    summary: str = "",
) -> Activity:
    """Record a held 谈心谈话 of `branch`: `talker` talked with each of `members` (D5)."""
    errors: dict[str, list[str]] = {}
    if branch.kind not in kinds.kind(HEART_TALK).holders:
        errors["org"] = [f"{branch.get_kind_display()}“{branch.name}”不登记谈心谈话"]
    court = branch.court()
    others = [m for m in dict.fromkeys(members) if m.pk != talker.pk]
    if not others:
        errors["members"] = ["请至少选择一名谈话对象（谈话人本人除外）"]
    strangers = [p.name for p in [talker, *others] if p.court_id != court.pk]
    if strangers:
        errors["members"] = [f"{'、'.join(strangers)}不是{court.name}的人员"]
    if errors:
        raise ValidationError(errors)
    attendance: dict[int, str] = {p.pk: AttendanceStatus.PRESENT for p in [talker, *others]}
    return do_record_past_activity(
        user,
        branch,
        kind=HEART_TALK,
        title=talk_title(talker, others),
        on=on,
        location=location,
        summary=summary,
        attendance=attendance,
        roles={talker.pk: AttendanceRole.TALKER},
    )
