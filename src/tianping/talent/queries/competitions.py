"""Reads of skill competitions for the pages and the API, always through `scoped`.

A round's ranking is a fact of the whole round: it is computed over every participant's
sheets (a court below the organiser sees its own people's ranks among all), then the rows
shown are those the scope may see. While a 文书评选's authors are hidden, every row, sheet
and export names an entry by its code only, whoever reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from tianping.accounts.scoping import Scope, get_scoped, scoped
from tianping.talent import competition_scoring as rules
from tianping.talent.competition_scoring import HIGH, LOW
from tianping.talent.models.competitions import (
    Award,
    Competition,
    Criterion,
    Entrant,
    Judge,
    Prize,
    Round,
    RoundEntry,
    Score,
    Track,
)


def participants(rnd: Round) -> list[Entrant]:
    """Who a round scores: every entrant in the first round, those who advanced after it."""
    found = Entrant.objects.filter(track_id=rnd.track_id).select_related("person")
    if rnd.position > 1:
        found = found.filter(pk__in=RoundEntry.objects.filter(round=rnd).values("entrant"))
    return list(found.order_by("code"))


def round_standings(rnd: Round) -> list[rules.Standing]:
    """Every participant of a round, scored and ranked by the rules (all judges' sheets)."""
    criteria = [(c.pk, c.weight) for c in Criterion.objects.filter(track_id=rnd.track_id)]
    panel = list(Judge.objects.filter(round=rnd).values_list("pk", flat=True))
    cells: dict[tuple[int, int], dict[int, Decimal]] = {}
    for judge_id, entrant_id, criterion_id, points in Score.objects.filter(
        judge__round=rnd
    ).values_list("judge_id", "entrant_id", "criterion_id", "points"):
        cells.setdefault((entrant_id, judge_id), {})[criterion_id] = points
    drop = rnd.track.competition.drop_extremes
    standings = []
    for entrant in participants(rnd):
        totals = {}
        for judge_id in panel:
            total = rules.judge_total(cells.get((entrant.pk, judge_id), {}), criteria)
            if total is not None:
                totals[judge_id] = total
        standings.append(rules.standing(entrant.pk, totals, panel, drop))
    return rules.rank(standings)


def final_round(track: Track) -> Round | None:
    return Round.objects.filter(track=track).order_by("-position").first()


def proposed_awards(track: Track) -> list[tuple[rules.Standing, str]]:
    """The prizes the final round's ranking gives, before anyone confirms them."""
    last = final_round(track)
    if last is None:
        return []
    standings = round_standings(last)
    quotas = (track.quota_first, track.quota_second, track.quota_third, track.quota_excellent)
    given = rules.prizes(standings, quotas)
    return [(s, given[s.entrant_id]) for s in standings if s.entrant_id in given]


def competitions(scope: Scope | None, year: int | None = None) -> QuerySet[Competition]:
    found = scoped(scope, Competition.objects.select_related("court"))
    if year:
        found = found.filter(year=year)
    return found.annotate(track_count=Count("tracks", distinct=True)).order_by(
        "-year", "-starts_on", "-pk"
    )


def competition_for(scope: Scope | None, pk: int) -> Competition:
    return get_scoped(scope, Competition.objects.select_related("court"), pk=pk)


def track_for(scope: Scope | None, pk: int) -> Track:
    return get_scoped(scope, Track.objects.select_related("competition__court"), pk=pk)


def round_for(scope: Scope | None, pk: int) -> Round:
    return get_scoped(scope, Round.objects.select_related("track__competition__court"), pk=pk)


def tracks_of(competition: Competition) -> list[Track]:
    return list(
        Track.objects.filter(competition=competition)
        .annotate(entrant_count=Count("entrants", distinct=True))
        .prefetch_related(
            Prefetch("rounds", queryset=Round.objects.annotate(judge_count=Count("judges"))),
            "criteria",
        )
        .order_by("position", "pk")
    )


def label(entrant: Entrant, track: Track) -> str:
    """How an entrant is named on a page: by code while a track hides its authors."""
    if track.hides_authors:
        return f"{entrant.code}号"
    return f"{entrant.code}号 {entrant.person.name}"


def entrants_of(scope: Scope | None, track: Track) -> list[Entrant]:
    return list(
        scoped(scope, Entrant.objects.filter(track=track))
        .select_related("person__court", "person__department")
        .order_by("code")
    )


@dataclass
class SheetRow:
    entrant: Entrant
    label: str
    cells: list[tuple[Criterion, Decimal | None]]
    total: Decimal | None


@dataclass
class Sheet:
    round: Round
    judge: Judge
    criteria: list[Criterion]
    rows: list[SheetRow]
    editable: bool

    @property
    def done(self) -> int:
        return sum(1 for r in self.rows if r.total is not None)


def judge_seat(scope: Scope | None, rnd: Round, person_id: int | None) -> Judge | None:
    """The user's seat on the round's panel, if they have one (a judge sees only their panels)."""
    if person_id is None:
        return None
    return (
        scoped(scope, Judge.objects.filter(round=rnd, person_id=person_id))
        .select_related("person", "round__track__competition")
        .first()
    )


def sheet(rnd: Round, judge: Judge) -> Sheet:
    """A judge's own sheet: each participant by label, their scores per criterion, their total."""
    from tianping.talent.competition_scoring import judge_total
    from tianping.talent.models.competitions import CompetitionStatus

    track = rnd.track
    criteria = list(Criterion.objects.filter(track=track).order_by("position", "pk"))
    mine: dict[tuple[int, int], Decimal] = {
        (e, c): p
        for e, c, p in Score.objects.filter(judge=judge).values_list(
            "entrant_id", "criterion_id", "points"
        )
    }
    weights = [(c.pk, c.weight) for c in criteria]
    rows = []
    for entrant in participants(rnd):
        points = {c.pk: mine[(entrant.pk, c.pk)] for c in criteria if (entrant.pk, c.pk) in mine}
        rows.append(
            SheetRow(
                entrant=entrant,
                label=label(entrant, track),
                cells=[(c, points.get(c.pk)) for c in criteria],
                total=judge_total(points, weights),
            )
        )
    editable = rnd.is_open and track.competition.status == CompetitionStatus.SCORING
    return Sheet(round=rnd, judge=judge, criteria=criteria, rows=rows, editable=editable)


@dataclass
class ResultRow:
    entrant: Entrant
    label: str
    rank: int | None
    tied: bool
    final: Decimal | None
    complete: bool
    # (judge, total or None, "high"/"low"/"" when dropped)
    judges: list[tuple[Judge, Decimal | None, str]]
    prize: str = ""
    advanced: bool = False


@dataclass
class Results:
    round: Round
    judges: list[Judge]
    criteria: list[Criterion]
    rows: list[ResultRow]
    max_total: Decimal
    drops: bool
    rule: str
    hidden_rows: int = 0
    notes: list[str] = field(default_factory=list)


def results(scope: Scope | None, rnd: Round) -> Results:
    """A round's ranking with each judge's total, dropped totals marked, prizes proposed or
    confirmed (final round) and who advanced; rows limited to the entrants in scope."""
    from tianping.talent.competition_scoring import advancing

    track = rnd.track
    competition = track.competition
    judges = list(Judge.objects.filter(round=rnd).select_related("person"))
    criteria = list(Criterion.objects.filter(track=track).order_by("position", "pk"))
    standings = round_standings(rnd)
    visible = {e.pk: e for e in entrants_of(scope, track)}
    last = not Round.objects.filter(track=track, position__gt=rnd.position).exists()
    prizes: dict[int, str] = {}
    if last:
        confirmed = {a.entrant_id: a.prize for a in Award.objects.filter(track=track)}
        prizes = confirmed or {s.entrant_id: p for s, p in proposed_awards(track)}
    going = set(advancing(standings, rnd.advance_rule, rnd.advance_value))
    rows = []
    for s in standings:
        entrant = visible.get(s.entrant_id)
        if entrant is None:
            continue
        rows.append(
            ResultRow(
                entrant=entrant,
                label=label(entrant, track),
                rank=s.rank,
                tied=s.tied,
                final=s.final,
                complete=s.complete,
                judges=[(j, s.totals.get(j.pk), s.dropped.get(j.pk, "")) for j in judges],
                prize=Prize(prizes[s.entrant_id]).label if s.entrant_id in prizes else "",
                advanced=s.entrant_id in going and not rnd.is_open,
            )
        )
    drops = competition.drop_extremes
    if drops and len(judges) >= 3:
        rule = "每名选手去掉一个最高分和一个最低分后取平均分（划线者为去掉的分数）。"
    elif drops:
        rule = "本轮评委不足三人，不去掉最高分和最低分，取全部评委平均分。"
    else:
        rule = "取全部评委平均分。"
    notes = ["最后得分保留两位小数（四舍五入）；得分相同者名次并列，其后名次顺延。"]
    if last and prizes and not track.awards_confirmed_at:
        notes.append("奖项为按名次和名额拟定，尚未确认；并列者同获较高奖项。")
    return Results(
        round=rnd,
        judges=judges,
        criteria=criteria,
        rows=rows,
        max_total=sum((c.max_points * c.weight for c in criteria), Decimal(0)),
        drops=drops and len(judges) >= 3,
        rule=rule,
        hidden_rows=len(standings) - len(rows),
        notes=notes,
    )


DROP_MARKS = {HIGH: "去掉的最高分", LOW: "去掉的最低分"}


@dataclass
class MyEntry:
    entrant: Entrant
    track: Track
    rounds: list[tuple[Round, Any]] = field(default_factory=list)  # (round, standing or None)
    award: Award | None = None


def my_entries(scope: Scope | None, person_id: int | None) -> list[MyEntry]:
    """A person's own entries: each round's rank and final score (once the round is
    closed), and the award confirmed."""
    if person_id is None:
        return []
    entries = scoped(scope, Entrant.objects.filter(person_id=person_id)).select_related(
        "track__competition__court", "person"
    )
    found = []
    awards = {a.entrant_id: a for a in Award.objects.filter(entrant__person_id=person_id)}
    for entrant in entries.order_by("-track__competition__year", "track__position"):
        mine = MyEntry(entrant=entrant, track=entrant.track, award=awards.get(entrant.pk))
        for rnd in Round.objects.filter(track=entrant.track).order_by("position"):
            if rnd.is_open:
                mine.rounds.append((rnd, None))
                continue
            standing = next((s for s in round_standings(rnd) if s.entrant_id == entrant.pk), None)
            mine.rounds.append((rnd, standing))
        found.append(mine)
    return found


def my_panels(scope: Scope | None, person_id: int | None) -> list[Judge]:
    if person_id is None:
        return []
    return list(
        scoped(scope, Judge.objects.filter(person_id=person_id))
        .select_related("round__track__competition")
        .order_by("-round__track__competition__year", "round__track__position", "round__position")
    )
