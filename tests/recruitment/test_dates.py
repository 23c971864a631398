"""The date arithmetic of R2: calendar years, calendar months, Monday-to-Friday working days."""

import datetime as dt

from tianping.recruitment.rules import add_months, anniversary, nth_working_day, working_days

D = dt.date


def test_a_year_later_is_the_same_calendar_date():
    assert anniversary(D(2023, 3, 1), 1) == D(2024, 3, 1)  # 366 days: it spans 29 Feb 2024
    assert anniversary(D(2022, 3, 1), 1) == D(2023, 3, 1)  # 365 days


def test_a_year_after_29_february_is_1_march_in_a_common_year():
    assert anniversary(D(2024, 2, 29), 1) == D(2025, 3, 1)
    assert anniversary(D(2024, 2, 29), 4) == D(2028, 2, 29)
    assert anniversary(D(2004, 2, 29), 18) == D(2022, 3, 1)


def test_a_month_later_is_the_same_day_or_the_end_of_a_shorter_month():
    assert add_months(D(2024, 3, 15), 1) == D(2024, 4, 15)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2023, 1, 31), 1) == D(2023, 2, 28)
    assert add_months(D(2023, 8, 31), 6) == D(2024, 2, 29)
    assert add_months(D(2023, 11, 30), 3) == D(2024, 2, 29)
    assert add_months(D(2023, 12, 15), 12) == D(2024, 12, 15)


def test_working_days_count_monday_to_friday_and_ignore_holidays():
    # Thursday 2023-03-23 to Wednesday 2023-03-29 spans a weekend: 5 working days.
    assert working_days(D(2023, 3, 23), D(2023, 3, 29)) == 5
    assert working_days(D(2023, 3, 23), D(2023, 3, 28)) == 4
    assert working_days(D(2023, 3, 25), D(2023, 3, 26)) == 0  # a weekend
    # 2023-10-02 to 10-06 were the National Day holiday; the count does not know that.
    assert working_days(D(2023, 10, 2), D(2023, 10, 6)) == 5
    assert working_days(D(2023, 3, 1), D(2023, 3, 31)) == 23
    assert working_days(D(2023, 3, 29), D(2023, 3, 28)) == 0


def test_the_nth_working_day_skips_the_weekend():
    assert nth_working_day(D(2023, 3, 23), 5) == D(2023, 3, 29)
    assert nth_working_day(D(2023, 3, 25), 1) == D(2023, 3, 27)  # a Saturday start
    assert nth_working_day(D(2023, 3, 27), 5) == D(2023, 3, 31)
    for start in (D(2023, 3, 20) + dt.timedelta(days=i) for i in range(14)):
        for n in range(1, 12):
            assert working_days(start, nth_working_day(start, n)) == n
