"""China's working days (D6): the holiday table read as a calendar, and its seed from chinesecalendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tianping.recruitment.models import CalendarDay
from tianping.recruitment.rules import WorkCalendar

# The names the State Council's notices use, by the package's (English) holiday key.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
}
# Enough calendar ahead of a notice's first day for 30 working days over any holiday.
LOOKAHEAD_DAYS = 366


def package_days() -> list[tuple[dt.date, bool, str]]:
    """(date, worked, holiday name) for every day the `chinesecalendar` package knows.

    The package lists the holidays (with the weekend days inside a holiday period) and the
    weekend days worked in their place; a day in neither list is an ordinary day.
    """
    import chinese_calendar

    def name(key: str) -> str:
        return HOLIDAY_NAMES.get(key) or chinese_calendar.Holiday(key).chinese

    days = [(d, False, name(key)) for d, key in chinese_calendar.holidays.items()]
    days += [(d, True, name(key)) for d, key in chinese_calendar.workdays.items()]
    return sorted(days)


def seed(model: Any = CalendarDay) -> int:
    """Add the package's days the table does not hold yet; a day already there is kept.

    The data migration calls it with its historical model; returns how many rows it added.
    """
    held = set(model.objects.values_list("day", flat=True))
    rows = [
        model(day=day, working=working, name=name)
        for day, working, name in package_days()
        if day not in held
    ]
    model.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def work_calendar(start: dt.date, end: dt.date | None = None) -> WorkCalendar:
    """The table's days from `start` to `end`, and a year beyond `start` at least."""
    end = max(end or start, start + dt.timedelta(days=LOOKAHEAD_DAYS))
    rows = CalendarDay.objects.filter(day__gte=start, day__lte=end).values_list("day", "working")
    return WorkCalendar(dict(rows))
