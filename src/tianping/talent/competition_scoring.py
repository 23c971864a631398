"""The scoring rules of a skill competition, as plain functions over numbers (no database).

- A judge's total for an entrant is the sum over the criteria of points × weight (rounded
  half up to two decimals); it counts only when the judge has scored every criterion.
- The final score is the mean of the judge totals, rounded half up to two decimals. Where
  the competition drops extremes and there are at least three totals, one highest and one
  lowest total are struck out first (one each, even when several judges gave the same
  figure); with fewer than three totals nothing is dropped.
- Ranks follow the final score, highest first; equal final scores (to two decimals) share
  a rank and the next rank is skipped (1, 2, 2, 4).
- Advancing: "top N" takes every entrant ranked N or better (all those tied at the line);
  "score X" takes every entrant whose final score is X or more.
- Prizes by rank: rank ≤ a → 一等奖, ≤ a+b → 二等奖, ≤ a+b+c → 三等奖, ≤ a+b+c+d → 优秀奖;
  those tied share the higher prize, so a tie at a boundary may exceed a quota.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HIGH, LOW = "high", "low"


def judge_total(
    points: dict[int, Decimal], criteria: Sequence[tuple[int, Decimal]]
) -> Decimal | None:
    """Σ points × weight over `criteria` ((id, weight), …); None while a criterion is unscored."""
    if not criteria or any(c not in points for c, _ in criteria):
        return None
    total = sum((points[c] * w for c, w in criteria), Decimal(0))
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def final_score(
    totals: Sequence[Decimal], drop_extremes: bool
) -> tuple[Decimal | None, dict[int, str]]:
    """The final score of one entrant and which totals (by index) were dropped."""
    if not totals:
        return None, {}
    dropped: dict[int, str] = {}
    if drop_extremes and len(totals) >= 3:
        order = sorted(range(len(totals)), key=lambda i: (totals[i], i))
        dropped = {order[-1]: HIGH, order[0]: LOW}
    kept = [t for i, t in enumerate(totals) if i not in dropped]
    mean = sum(kept, Decimal(0)) / len(kept)
    return mean.quantize(CENT, rounding=ROUND_HALF_UP), dropped


@dataclass
class Standing:
    entrant_id: int
    totals: dict[int, Decimal]  # judge id → total
    dropped: dict[int, str] = field(default_factory=dict)  # judge id → high/low
    final: Decimal | None = None
    complete: bool = False
    rank: int | None = None
    tied: bool = False


def standing(
    entrant_id: int,
    totals: dict[int, Decimal],
    panel: Iterable[int],
    drop_extremes: bool,
) -> Standing:
    judges = [j for j in panel if j in totals]
    final, dropped = final_score([totals[j] for j in judges], drop_extremes)
    return Standing(
        entrant_id=entrant_id,
        totals=totals,
        dropped={judges[i]: mark for i, mark in dropped.items()},
        final=final,
        complete=bool(judges) and len(judges) == len(list(panel)),
    )


def rank(standings: list[Standing]) -> list[Standing]:
    """Standings ranked (competition ranking, ties shared); those without a score last."""
    scored = sorted(
        (s for s in standings if s.final is not None),
        key=lambda s: (-s.final, s.entrant_id),  # type: ignore[operator]
    )
    counts: dict[Decimal | None, int] = {}
    for s in scored:
        counts[s.final] = counts.get(s.final, 0) + 1
    previous: Decimal | None = None
    current = 0
    for n, s in enumerate(scored, start=1):
        if s.final != previous:
            current, previous = n, s.final
        s.rank = current
        s.tied = counts[s.final] > 1
    rest = sorted((s for s in standings if s.final is None), key=lambda s: s.entrant_id)
    for s in rest:
        s.rank, s.tied = None, False
    return scored + rest


def advancing(standings: Iterable[Standing], rule: str, value: Decimal | None) -> list[int]:
    """The entrants who go on to the next round under the rule ("top", "score", "none")."""
    if rule == "top" and value is not None:
        return [s.entrant_id for s in standings if s.rank is not None and s.rank <= value]
    if rule == "score" and value is not None:
        return [s.entrant_id for s in standings if s.final is not None and s.final >= value]
    return []


PRIZES = ("first", "second", "third", "excellent")


def prizes(standings: Iterable[Standing], quotas: Sequence[int]) -> dict[int, str]:
    """entrant id → prize, by rank and the quotas (一等, 二等, 三等, 优秀)."""
    lines = []
    reach = 0
    for quota in quotas:
        reach += quota
        lines.append(reach)
    found: dict[int, str] = {}
    for s in standings:
        if s.rank is None:
            continue
        for prize, line, quota in zip(PRIZES, lines, quotas, strict=True):
            if quota and s.rank <= line:
                found[s.entrant_id] = prize
                break
    return found
