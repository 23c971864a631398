"""The party-dues rules of DOMAIN.md R3 as plain functions: rates, rounding, months."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal

from django.db import models

FEN_PER_YUAN = 100
# R3.2: students, the unemployed and relief (低保) recipients pay a fixed 0.20 元 a month.
FIXED_FEN = 20
# R3.3: a back-payment normally covers at most six months.
BACK_PAY_MONTHS = 6
# R3.3 (党章第九条): six months unpaid without reason is flagged.
ARREARS_MONTHS = 6


class DuesCategory(models.TextChoices):
    """人员状态 on a pay sheet: which R3 table applies to the member."""

    SERVING = "serving", "在职"
    RETIRED = "retired", "离退休"
    STUDENT = "student", "学生"
    UNEMPLOYED = "unemployed", "失业"
    RELIEF = "relief", "低保"


FIXED_CATEGORIES = frozenset({DuesCategory.STUDENT, DuesCategory.UNEMPLOYED, DuesCategory.RELIEF})


class Rounding(models.TextChoices):
    """How a court rounds dues to the fen (R3.3, configurable; half up by default)."""

    HALF_UP = ROUND_HALF_UP, "四舍五入"
    HALF_EVEN = ROUND_HALF_EVEN, "银行家舍入（四舍六入五成双）"
    DOWN = ROUND_DOWN, "舍去分以下"
    UP = ROUND_UP, "分以下进一"


# (upper bound of the base in fen, inclusive; rate). The rate of the tier a base falls in
# applies to the WHOLE base, not band by band like income tax.
SERVING_TIERS: tuple[tuple[int | None, Decimal], ...] = (
    (300_000, Decimal("0.005")),  # R3.1 base ≤ 3000 元
    (500_000, Decimal("0.01")),  # R3.1 3000 < base ≤ 5000
    (1_000_000, Decimal("0.015")),  # R3.1 5000 < base ≤ 10000
    (None, Decimal("0.02")),  # R3.1 base > 10000
)
RETIRED_TIERS: tuple[tuple[int | None, Decimal], ...] = (
    (500_000, Decimal("0.005")),  # R3.2 retired, base ≤ 5000 元
    (None, Decimal("0.01")),  # R3.2 retired, base > 5000
)


def rate_for(category: str, base_fen: int) -> Decimal | None:
    """The rate of the base (R3.1, R3.2), or None for the fixed-amount categories."""
    if category in FIXED_CATEGORIES:
        return None
    tiers = RETIRED_TIERS if category == DuesCategory.RETIRED else SERVING_TIERS
    for ceiling, rate in tiers:
        if ceiling is None or base_fen <= ceiling:
            return rate
    raise AssertionError("the last tier has no ceiling")


def dues_fen(category: str, base_fen: int, rounding: str = ROUND_HALF_UP) -> int:
    """A month's dues in fen: the tier's rate of the whole base, rounded to the fen (R3.3)."""
    if base_fen < 0:
        raise ValueError("a base cannot be negative")
    rate = rate_for(category, base_fen)
    if rate is None:
        return FIXED_FEN
    return int((Decimal(base_fen) * rate).quantize(Decimal(1), rounding=rounding))


def yuan(fen: int) -> Decimal:
    """Fen as 元 with two places: 9750 → Decimal("97.50")."""
    return (Decimal(fen) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def money(fen: int) -> str:
    """Fen as the decimal string the CLI and the API answer with: 9750 → "97.50"."""
    return f"{yuan(fen):.2f}"


def fen_of(amount: Decimal) -> int:
    """元 as whole fen; an amount finer than the fen is rounded half up."""
    return int((amount * FEN_PER_YUAN).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def rate_text(rate: Decimal | None) -> str:
    """A rate as it reads on the sheet: 0.015 → "1.5%"; a fixed amount → "0.20元/月"."""
    if rate is None:
        return f"{money(FIXED_FEN)}元/月"
    percent = (rate * 100).normalize()
    return f"{percent:f}%"


# ---------------------------------------------------------------------------------------
# Months: a month is the date of its first day.

_MONTH = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def parse_month(text: str) -> dt.date:
    """ "2024-03" (also 2024/3, 2024.03, 2024年3月) as the month's first day; ValueError if not one."""
    m = _MONTH.match(text or "")
    if not m:
        raise ValueError(f"月份“{text}”无效，应写作YYYY-MM，如2024-03")
    year, month = int(m[1]), int(m[2])
    if not 1 <= month <= 12 or not 1900 <= year <= 2100:
        raise ValueError(f"月份“{text}”无效，应写作YYYY-MM，如2024-03")
    return dt.date(year, month, 1)


def month_code(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(earlier: dt.date, later: dt.date) -> int:
    """How many months `later`'s month lies after `earlier`'s (same month → 0)."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def month_end(month: dt.date) -> dt.date:
    return add_months(month, 1) - dt.timedelta(days=1)


def month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month from `first` to `last`, both included."""
    return [add_months(month_of(first), i) for i in range(months_between(first, last) + 1)]
