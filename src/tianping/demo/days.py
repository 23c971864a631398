"""The synthetic data's calendar: the days on which a court meets, without reading the database.

The fixed statutory holidays are enough to keep meetings off them; the moving ones (the
Spring Festival, 清明, 端午, 中秋) are left to chance, as a ledger would show a meeting
moved by a day. Public notices (公示), whose length the rules check, count working days
by the platform's holiday table instead (see `demo.recruitment`).
"""

from __future__ import annotations

import datetime as dt

# Statutory holidays on which nobody meets (the Spring Festival moves; these do not).
HOLIDAYS = {(1, 1), (5, 1), (5, 2), (5, 3), (10, 1), (10, 2), (10, 3), (10, 4), (10, 5)}


def is_meeting_day(day: dt.date) -> bool:
    """Monday to Friday, not a fixed holiday, and not 29 February (whose anniversaries the
    rules move: a member admitted then would reach full membership on a disputed day)."""
    return (
        day.weekday() < 5
        and (day.month, day.day) not in HOLIDAYS
        and (day.month, day.day) != (2, 29)
    )


def meeting_day_from(day: dt.date) -> dt.date:
    """The day itself if a court meets on it, else the next day it does."""
    while not is_meeting_day(day):
        day += dt.timedelta(days=1)
    return day


def meeting_day_before(day: dt.date) -> dt.date:
    """The day itself if a court meets on it, else the last day before it that it does."""
    while not is_meeting_day(day):
        day -= dt.timedelta(days=1)
    return day
