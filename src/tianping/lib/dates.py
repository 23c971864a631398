"""Calendar arithmetic as the rules read it (DOMAIN.md D1)."""

from __future__ import annotations

import calendar
import datetime as dt


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar date `years` later; 29 February falls on 28 February in a common year.

    D1, after 民法典 第二百零二条: a period in years ends on the corresponding day, or on the
    last day of that month where there is none. This holds everywhere: an 18th birthday, a
    year as activist, probation, a committee's term.
    """
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the last day of that month when it has fewer days (D1)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def age_on(birth: dt.date, day: dt.date) -> int:
    """Whole years from `birth` to `day`: one born on 29 February turns a year older on the 28th."""
    years = day.year - birth.year
    return years - 1 if add_years(birth, years) > day else years
