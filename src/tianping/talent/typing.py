"""Scoring a stenography attempt (速录测试, DOMAIN.md R6.1–R6.4): pure, no Django.

The web test and `tianping typing-score` both call `score`. The typed text is aligned to
the best prefix of the reference: what the clerk did not reach is not missing (R6.2).

The alignment is one dynamic programme whose scalar cost is `edits * BIG - correct`
(a match costs -1, a wrong, missing or extra character costs BIG). BIG exceeds any
possible count of correct characters, so the smallest cost is the fewest edits and, among
those, the most correct characters: exactly R6.2's tie-break; `argmin` over the last row
then takes the shortest prefix among equals. Rows are computed with numpy: the diagonal
and vertical moves are vectorised, the horizontal chain (missing characters) is a running
minimum (`np.minimum.accumulate`) over the row shifted by the cost of missing characters.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

# Bounds of what is scored (characters after normalising; seconds of a test).
MAX_CHARS = 10_000
MAX_SECONDS = 3 * 60 * 60


@dataclass(frozen=True)
class Level:
    """A level of R6.4: reached at `min_cpm` characters a minute and `min_accuracy`."""

    name: str
    min_cpm: int
    min_accuracy: Fraction = Fraction(95, 100)


# R6.4, after 国家职业标准·速录师 (2003); a deployment may configure its own (lowest first).
LEVELS: tuple[Level, ...] = (
    Level("速录员", 140),
    Level("速录师", 180),
    Level("高级速录师", 220),
)


@dataclass(frozen=True)
class Alignment:
    """The counts of R6.2 for one typed text against its best reference prefix."""

    reference_chars: int
    typed_chars: int
    prefix_chars: int
    correct: int
    wrong: int
    missing: int
    extra: int

    @property
    def edits(self) -> int:
        return self.wrong + self.missing + self.extra


@dataclass(frozen=True)
class Score:
    alignment: Alignment
    seconds: Fraction
    accuracy: Fraction
    cpm: Fraction
    level: str | None

    def as_json(self) -> dict[str, object]:
        """The CONTRACT.md shape of `typing-score --json`."""
        a = self.alignment
        return {
            "reference_chars": a.reference_chars,
            "typed_chars": a.typed_chars,
            "correct": a.correct,
            "wrong": a.wrong,
            "missing": a.missing,
            "extra": a.extra,
            "accuracy": rounded_accuracy(self.accuracy),
            "cpm": rounded_cpm(self.cpm),
            "level": self.level,
        }


def normalise(text: str) -> str:
    """R6.1: NFKC (full width folds to half width), then every Unicode whitespace removed.

    Punctuation stays: it is typed and it counts.
    """
    return "".join(unicodedata.normalize("NFKC", text).split())


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def align(reference: str, typed: str) -> Alignment:
    """R6.2 on texts already normalised: fewest edits over every prefix of `reference`,
    then the most correct characters, then the shortest prefix."""
    n, m = len(reference), len(typed)
    if m == 0:
        return Alignment(n, 0, 0, 0, 0, 0, 0)
    big = n + m + 1
    # |cost| < big * big: int32 holds every test the bounds allow, at half the memory traffic.
    dtype: Any = np.int32 if big * big < 2**31 else np.int64
    ref = _codes(reference)
    steps = np.arange(n + 1, dtype=dtype) * big
    # The row is kept shifted by -big*j (the cost of reaching prefix j by missing characters
    # alone), which turns the horizontal chain into a plain running minimum and the diagonal
    # into one addition: a match adds -1-big, a wrong character 0.
    diagonal_cost: dict[int, np.ndarray] = {}
    shifted = np.zeros(n + 1, dtype=dtype)
    diagonal = np.empty(n, dtype=dtype)
    for ch in _codes(typed).tolist():
        cost = diagonal_cost.get(ch)
        if cost is None:
            cost = np.where(ref == ch, -1 - big, 0).astype(dtype)
            diagonal_cost[ch] = cost
        np.add(shifted[:-1], cost, out=diagonal)
        np.add(shifted, big, out=shifted)  # an extra character
        np.minimum(shifted[1:], diagonal, out=shifted[1:])
        np.minimum.accumulate(shifted, out=shifted)  # missing characters
    row = shifted.astype(np.int64) + steps.astype(np.int64)
    j = int(np.argmin(row))
    cost_at = int(row[j])
    edits = -(-cost_at // big)
    correct = edits * big - cost_at
    wrong = j + m - 2 * correct - edits
    return Alignment(
        reference_chars=n,
        typed_chars=m,
        prefix_chars=j,
        correct=correct,
        wrong=wrong,
        missing=j - correct - wrong,
        extra=m - correct - wrong,
    )


def accuracy_of(a: Alignment) -> Fraction:
    """R6.3: correct over every aligned character and edit; nothing typed scores 0."""
    total = a.correct + a.wrong + a.missing + a.extra
    return Fraction(a.correct, total) if total else Fraction(0)


def level_of(cpm: Fraction, accuracy: Fraction, levels: tuple[Level, ...] = LEVELS) -> str | None:
    """R6.4: the highest level reached (exact figures, not the rounded ones), or None."""
    reached = [lv for lv in levels if cpm >= lv.min_cpm and accuracy >= lv.min_accuracy]
    return max(reached, key=lambda lv: (lv.min_cpm, lv.min_accuracy)).name if reached else None


def score(
    reference: str,
    typed: str,
    seconds: float | int | Fraction,
    levels: tuple[Level, ...] = LEVELS,
) -> Score:
    """Score one attempt: R6.1 normalising, R6.2 alignment, R6.3 figures, R6.4 level.

    `seconds` is the test's duration (cpm counts over the whole test, even when the clerk
    handed in early). Raises ValueError on texts or a duration out of bounds.
    """
    duration = Fraction(seconds)
    if duration <= 0 or duration > MAX_SECONDS:
        raise ValueError(f"测试时长应在1秒至{MAX_SECONDS}秒之间")
    ref, mine = normalise(reference), normalise(typed)
    if len(ref) > MAX_CHARS:
        raise ValueError(f"范文不超过{MAX_CHARS}字")
    if len(mine) > MAX_CHARS:
        raise ValueError(f"录入文本不超过{MAX_CHARS}字")
    alignment = align(ref, mine)
    accuracy = accuracy_of(alignment)
    cpm = Fraction(alignment.correct * 60) / duration
    return Score(alignment, duration, accuracy, cpm, level_of(cpm, accuracy, levels))


def rounded_accuracy(accuracy: Fraction) -> float:
    """CONTRACT rounding: 4 decimals, half up."""
    return float(_half_up(accuracy, 4))


def rounded_cpm(cpm: Fraction) -> float:
    """CONTRACT rounding: 1 decimal, half up."""
    return float(_half_up(cpm, 1))


def _half_up(value: Fraction, places: int) -> Fraction:
    scale = 10**places
    return Fraction(int(value * scale + Fraction(1, 2)), scale)
