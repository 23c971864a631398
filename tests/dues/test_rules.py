"""The R3 rates and rounding as plain functions, on their edges."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import pytest

from tianping.dues.rules import (
    DuesCategory,
    add_months,
    dues_fen,
    money,
    months_between,
    parse_month,
    rate_for,
    rate_text,
)


def yuan(text: str) -> int:
    return int(Decimal(text) * 100)


@pytest.mark.parametrize(
    ("base", "rate", "dues"),
    [
        ("0", "0.005", "0.00"),
        ("2999.99", "0.005", "15.00"),
        ("3000", "0.005", "15.00"),  # exactly 3000: still the 0.5% tier
        ("3000.01", "0.01", "30.00"),  # one fen more: 1% of the WHOLE base
        ("5000", "0.01", "50.00"),  # exactly 5000: still 1%
        ("5000.01", "0.015", "75.00"),  # one fen more: 1.5%
        ("6500", "0.015", "97.50"),  # DOMAIN.md's example
        ("10000", "0.015", "150.00"),  # exactly 10000: still 1.5%
        ("10000.01", "0.02", "200.00"),  # one fen more: 2%
        ("25000", "0.02", "500.00"),
    ],
)
def test_r3_1_serving_staff_pay_the_tier_rate_of_the_whole_base(base, rate, dues):
    fen = yuan(base)
    assert rate_for(DuesCategory.SERVING, fen) == Decimal(rate)
    assert money(dues_fen(DuesCategory.SERVING, fen)) == dues


@pytest.mark.parametrize(
    ("base", "rate", "dues"),
    [
        ("3000", "0.005", "15.00"),
        ("5000", "0.005", "25.00"),  # retired at exactly 5000: 0.5%
        ("5000.01", "0.01", "50.00"),
        ("5001", "0.01", "50.01"),  # retired at 5001: 1%
        ("12000", "0.01", "120.00"),  # no 1.5% or 2% tier for the retired
    ],
)
def test_r3_2_retired_members_pay_half_a_percent_up_to_5000_and_one_percent_above(base, rate, dues):
    fen = yuan(base)
    assert rate_for(DuesCategory.RETIRED, fen) == Decimal(rate)
    assert money(dues_fen(DuesCategory.RETIRED, fen)) == dues


@pytest.mark.parametrize(
    "category", [DuesCategory.STUDENT, DuesCategory.UNEMPLOYED, DuesCategory.RELIEF]
)
@pytest.mark.parametrize("base", ["0", "800", "20000"])
def test_r3_2_students_the_unemployed_and_relief_recipients_pay_a_fixed_twenty_fen(category, base):
    assert rate_for(category, yuan(base)) is None
    assert money(dues_fen(category, yuan(base))) == "0.20"


def test_r3_3_amounts_round_half_up_to_the_fen_by_default():
    # 3333.33 × 1% = 33.3333 → 33.33; 3000.50 × 1% = 30.005 exactly → half up is 30.01.
    assert money(dues_fen(DuesCategory.SERVING, yuan("3333.33"))) == "33.33"
    assert money(dues_fen(DuesCategory.SERVING, yuan("3000.50"))) == "30.01"
    assert money(dues_fen(DuesCategory.SERVING, yuan("3000.50"), ROUND_HALF_UP)) == "30.01"
    # 5000.30 × 1.5% = 75.0045 → 75.00 whatever the mode: only a true half differs.
    assert money(dues_fen(DuesCategory.SERVING, yuan("5000.30"))) == "75.00"


def test_r3_3_a_court_may_round_otherwise():
    assert money(dues_fen(DuesCategory.SERVING, yuan("3000.50"), ROUND_HALF_EVEN)) == "30.00"
    assert money(dues_fen(DuesCategory.SERVING, yuan("3001.50"), ROUND_HALF_EVEN)) == "30.02"
    assert money(dues_fen(DuesCategory.SERVING, yuan("3333.99"), ROUND_DOWN)) == "33.33"


def test_a_negative_base_is_refused():
    with pytest.raises(ValueError):
        dues_fen(DuesCategory.SERVING, -1)


def test_rates_read_as_percentages_and_the_fixed_amount_per_month():
    assert rate_text(Decimal("0.015")) == "1.5%"
    assert rate_text(Decimal("0.005")) == "0.5%"
    assert rate_text(Decimal("0.02")) == "2%"
    assert rate_text(None) == "0.20元/月"


def test_months_parse_the_way_clerks_write_them_and_count_across_years():
    assert parse_month("2024-03") == dt.date(2024, 3, 1)
    assert parse_month("2024/3") == dt.date(2024, 3, 1)
    assert parse_month("2024年3月") == dt.date(2024, 3, 1)
    for bad in ("2024-13", "2024", "March", ""):
        with pytest.raises(ValueError):
            parse_month(bad)
    assert add_months(dt.date(2024, 11, 1), 3) == dt.date(2025, 2, 1)
    assert add_months(dt.date(2024, 1, 1), -1) == dt.date(2023, 12, 1)
    assert months_between(dt.date(2023, 12, 1), dt.date(2024, 6, 15)) == 6
