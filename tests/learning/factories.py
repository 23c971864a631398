"""Training classes for the tests, set up through the actions as the product does."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from tianping.activities.actions import do_record_held
from tianping.learning.actions import training as actions
from tianping.learning.models import ClassSession, CourseCategory, TrainingClass

D = dt.date


def course(title: str, hours: str, category: str = CourseCategory.BUSINESS, **kw: Any) -> dict:
    return {"title": title, "hours": Decimal(hours), "category": category, **kw}


def business_class(world: Any, *, political: str = "2", business: str = "8") -> TrainingClass:
    """A 业务培训 of 九原区法院 in March 2024 with one political and one business course."""
    tc = actions.do_create_class(
        None,
        world.org("BT-JY"),
        name="2024年民事审判业务培训班",
        kind="business",
        starts_on=D(2024, 3, 4),
        ends_on=D(2024, 3, 8),
        place="本院三楼培训室",
    )
    actions.do_save_plan(
        None,
        tc,
        [
            course("习近平法治思想专题", political, CourseCategory.POLITICAL),
            course("民法典合同编疑难问题", business),
        ],
    )
    return tc


def held_session(
    tc: TrainingClass, on: dt.date, attendance: dict[int, str], course_title: str = ""
) -> ClassSession:
    course = tc.courses.filter(title=course_title).first() if course_title else None
    session = actions.do_add_session(None, tc, on=on, course=course)
    do_record_held(None, session.activity, attendance=attendance)
    return session
