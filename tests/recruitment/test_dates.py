"""The date arithmetic of R2: calendar years, calendar months, China's working days (D6)."""

import datetime as dt

from tianping.lib.dates import add_months, add_years, age_on
from tianping.recruitment.rules import (
    MONDAY_TO_FRIDAY,
    WorkCalendar,
    nth_working_day,
    working_days,
)

D = dt.date


def test_a_year_later_is_the_same_calendar_date():
    assert add_years(D(2023, 3, 1), 1) == D(2024, 3, 1)  # 366 days: it spans 29 Feb 2024
    assert add_years(D(2022, 3, 1), 1) == D(2023, 3, 1)  # 365 days


def test_d1_a_year_after_29_february_is_28_february_in_a_common_year():
    assert add_years(D(2024, 2, 29), 1) == D(2025, 2, 28)
    assert add_years(D(2024, 2, 29), 4) == D(2028, 2, 29)
    assert add_years(D(2004, 2, 29), 18) == D(2022, 2, 28)


def test_d1_r2_1_one_born_on_29_february_turns_18_on_28_february():
    assert age_on(D(2004, 2, 29), D(2022, 2, 27)) == 17
    assert age_on(D(2004, 2, 29), D(2022, 2, 28)) == 18
    assert age_on(D(2004, 2, 29), D(2024, 2, 28)) == 19


def test_a_month_later_is_the_same_day_or_the_end_of_a_shorter_month():
    assert add_months(D(2024, 3, 15), 1) == D(2024, 4, 15)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2023, 1, 31), 1) == D(2023, 2, 28)
    assert add_months(D(2023, 8, 31), 6) == D(2024, 2, 29)
    assert add_months(D(2023, 11, 30), 3) == D(2024, 2, 29)
    assert add_months(D(2023, 12, 15), 12) == D(2024, 12, 15)


def test_d6_without_a_row_in_the_holiday_table_working_days_are_monday_to_friday():
    calendar = MONDAY_TO_FRIDAY
    # Thursday 2023-03-23 to Wednesday 2023-03-29 spans a weekend: 5 working days.
    assert working_days(D(2023, 3, 23), D(2023, 3, 29), calendar) == 5
    assert working_days(D(2023, 3, 23), D(2023, 3, 28), calendar) == 4
    assert working_days(D(2023, 3, 25), D(2023, 3, 26), calendar) == 0  # a weekend
    assert working_days(D(2023, 3, 1), D(2023, 3, 31), calendar) == 23
    assert working_days(D(2023, 3, 29), D(2023, 3, 28), calendar) == 0


def test_d6_the_nth_working_day_skips_the_weekend():
    calendar = MONDAY_TO_FRIDAY
    assert nth_working_day(D(2023, 3, 23), 5, calendar) == D(2023, 3, 29)
    assert nth_working_day(D(2023, 3, 25), 1, calendar) == D(2023, 3, 27)  # a Saturday start
    assert nth_working_day(D(2023, 3, 27), 5, calendar) == D(2023, 3, 31)
    for start in (D(2023, 3, 20) + dt.timedelta(days=i) for i in range(14)):
        for n in range(1, 12):
            assert working_days(start, nth_working_day(start, n, calendar), calendar) == n


# 国庆节 2024: 10-01 to 10-07 off, Sunday 09-29 and Saturday 10-12 worked in their place.
NATIONAL_DAY_2024 = WorkCalendar(
    {D(2024, 9, 29): True, D(2024, 10, 12): True} | {D(2024, 10, day): False for day in range(1, 8)}
)


def test_d6_holidays_do_not_count_and_the_weekend_days_worked_do():
    calendar = NATIONAL_DAY_2024
    assert calendar.is_working_day(D(2024, 9, 29))  # a Sunday worked
    assert not calendar.is_working_day(D(2024, 10, 4))  # a Friday off
    assert not calendar.is_working_day(D(2024, 10, 5))  # a Saturday in the holiday
    assert calendar.is_working_day(D(2024, 10, 8))  # a Tuesday with no row
    assert not calendar.is_working_day(D(2024, 10, 13))  # a Sunday with no row
    # 09-29, 09-30, then 10-08: three working days over the holiday week.
    assert working_days(D(2024, 9, 29), D(2024, 10, 8), calendar) == 3
    assert working_days(D(2024, 10, 1), D(2024, 10, 7), calendar) == 0
    assert working_days(D(2024, 10, 8), D(2024, 10, 12), calendar) == 5


def test_d6_the_nth_working_day_runs_over_the_holiday():
    calendar = NATIONAL_DAY_2024
    assert nth_working_day(D(2024, 9, 29), 5, calendar) == D(2024, 10, 10)
    assert nth_working_day(D(2024, 10, 1), 1, calendar) == D(2024, 10, 8)
    assert nth_working_day(D(2024, 10, 8), 5, calendar) == D(2024, 10, 12)
    # Monday to Friday alone would have ended the same notice on 10-04, a holiday.
    assert nth_working_day(D(2024, 9, 29), 5, MONDAY_TO_FRIDAY) == D(2024, 10, 4)
