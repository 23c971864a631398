"""Skill competitions in the JSON API: competitions and their tracks, a round's results
(codes only while a 文书评选 hides its authors), a judge's sheet and its cells, one's own
entries. Scoped like the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from tianping.accounts.api import OrgRef, Paging, requires, scope_of
from tianping.accounts.models import User
from tianping.lib.inputs import Id, Year
from tianping.talent.actions import competitions as actions
from tianping.talent.models.competitions import Criterion, Entrant, Round
from tianping.talent.queries import competitions as queries

router = Router(tags=["岗位练兵与技能竞赛"])

Points = Field(
    None, ge=0, le=1000, description="得分（0 至该评分项满分，最多两位小数）；空值撤回该格"
)


class CriterionOut(Schema):
    id: int
    name: str
    max_points: Decimal
    weight: Decimal


class RoundOut(Schema):
    id: int
    stage: str
    stage_name: str
    position: int
    status: str
    advance_rule: str
    advance_value: Decimal | None


class TrackOut(Schema):
    id: int
    name: str
    kind: str
    category: str
    specialty: str
    anonymous: bool = Field(description="文书评选：作者揭晓前只给出编号")
    authors_revealed: bool
    entrant_count: int
    criteria: list[CriterionOut]
    rounds: list[RoundOut]


class CompetitionOut(Schema):
    id: int
    name: str
    court: OrgRef
    year: int
    starts_on: dt.date
    ends_on: dt.date
    status: str
    drop_extremes: bool
    honour_level: str


class CompetitionDetailOut(CompetitionOut):
    tracks: list[TrackOut]


class CompetitionPage(Schema):
    count: int
    items: list[CompetitionOut]


class CompetitionFilters(Paging):
    year: Year | None = None


class JudgeScoreOut(Schema):
    judge: str
    total: Decimal | None
    dropped: str = Field(description="high：去掉的最高分；low：去掉的最低分；空：计入")


class ResultRowOut(Schema):
    code: str
    name: str | None = Field(description="作者揭晓前的文书评选为空")
    court: str | None
    rank: int | None
    tied: bool
    final: Decimal | None
    complete: bool
    judges: list[JudgeScoreOut]
    prize: str
    advanced: bool


class CompetitionResultsOut(Schema):
    round: RoundOut
    rule: str
    max_total: Decimal
    hidden_rows: int = Field(description="范围外选手人数（名次按全部选手排定）")
    rows: list[ResultRowOut]


class SheetRowOut(Schema):
    entrant_id: int
    label: str
    points: dict[str, Decimal | None] = Field(description="评分项编号 → 得分")
    total: Decimal | None


class SheetOut(Schema):
    round: RoundOut
    editable: bool
    criteria: list[CriterionOut]
    rows: list[SheetRowOut]


class CellIn(Schema):
    entrant_id: Id
    criterion_id: Id
    points: Decimal | None = Points


class MyEntryOut(Schema):
    competition: str
    track: str
    code: str
    rounds: list[dict[str, Any]]
    prize: str


def _round(r: Round) -> dict[str, Any]:
    return {
        "id": r.pk,
        "stage": r.stage,
        "stage_name": r.get_stage_display(),
        "position": r.position,
        "status": r.status,
        "advance_rule": r.advance_rule,
        "advance_value": r.advance_value,
    }


def _criterion(c: Criterion) -> dict[str, Any]:
    return {"id": c.pk, "name": c.name, "max_points": c.max_points, "weight": c.weight}


@router.get("/competitions", response=CompetitionPage, summary="技能竞赛列表")
@requires("talent.view")
def list_competitions(request: HttpRequest, filters: Query[CompetitionFilters]) -> dict[str, Any]:
    found = queries.competitions(scope_of(request), filters.year)
    return {
        "count": found.count(),
        "items": list(found[filters.offset : filters.offset + filters.limit]),
    }


@router.get(
    "/competitions/{competition_id}", response=CompetitionDetailOut, summary="一项竞赛及其项目"
)
@requires("talent.view")
def get_competition(request: HttpRequest, competition_id: Id) -> dict[str, Any]:
    comp = queries.competition_for(scope_of(request), competition_id)
    tracks = [
        {
            "id": t.pk,
            "name": t.name,
            "kind": t.kind,
            "category": t.category,
            "specialty": t.specialty,
            "anonymous": t.is_anonymous,
            "authors_revealed": t.revealed_at is not None,
            "entrant_count": getattr(t, "entrant_count", 0),
            "criteria": [_criterion(c) for c in t.criteria.all()],
            "rounds": [_round(r) for r in t.rounds.all()],
        }
        for t in queries.tracks_of(comp)
    ]
    data = {f: getattr(comp, f) for f in CompetitionOut.model_fields if f != "court"}
    return {**data, "court": comp.court, "tracks": tracks}


@router.get(
    "/competition-rounds/{round_id}/results",
    response=CompetitionResultsOut,
    summary="一轮比赛的名次与评分",
)
@requires("talent.view")
def round_results(request: HttpRequest, round_id: Id) -> dict[str, Any]:
    scope = scope_of(request)
    rnd = queries.round_for(scope, round_id)
    if scope.self_only:
        raise PermissionDenied("members see their own results")
    res = queries.results(scope, rnd)
    hidden = rnd.track.hides_authors
    return {
        "round": _round(rnd),
        "rule": res.rule,
        "max_total": res.max_total,
        "hidden_rows": res.hidden_rows,
        "rows": [
            {
                "code": r.entrant.code,
                "name": None if hidden else r.entrant.person.name,
                "court": None if hidden else r.entrant.person.court.name,
                "rank": r.rank,
                "tied": r.tied,
                "final": r.final,
                "complete": r.complete,
                "judges": [
                    {"judge": j.person.name, "total": total, "dropped": mark}
                    for j, total, mark in r.judges
                ],
                "prize": r.prize,
                "advanced": r.advanced,
            }
            for r in res.rows
        ],
    }


def _seat(request: HttpRequest, round_id: int) -> tuple[Round, Any]:
    scope = scope_of(request)
    rnd = queries.round_for(scope, round_id)
    user = request.user
    seat = queries.judge_seat(scope, rnd, user.person_id if isinstance(user, User) else None)
    if seat is None:
        raise PermissionDenied("不是本轮评委")
    return rnd, seat


def _sheet(rnd: Round, seat: Any) -> dict[str, Any]:
    sheet = queries.sheet(rnd, seat)
    return {
        "round": _round(rnd),
        "editable": sheet.editable,
        "criteria": [_criterion(c) for c in sheet.criteria],
        "rows": [
            {
                "entrant_id": r.entrant.pk,
                "label": r.label,
                "points": {str(c.pk): p for c, p in r.cells},
                "total": r.total,
            }
            for r in sheet.rows
        ],
    }


@router.get("/competition-rounds/{round_id}/sheet", response=SheetOut, summary="本人的评分表")
@requires("talent.view")
def get_sheet(request: HttpRequest, round_id: Id) -> dict[str, Any]:
    return _sheet(*_seat(request, round_id))


@router.post(
    "/competition-rounds/{round_id}/sheet", response=SheetOut, summary="录入一格评分（评委本人）"
)
@requires("talent.view")
def score_cell(request: HttpRequest, round_id: Id, payload: CellIn) -> dict[str, Any]:
    rnd, seat = _seat(request, round_id)
    entrant = Entrant.objects.filter(track_id=rnd.track_id, pk=payload.entrant_id).first()
    criterion = Criterion.objects.filter(track_id=rnd.track_id, pk=payload.criterion_id).first()
    if entrant is None or criterion is None:
        raise Http404
    actions.do_score(request.user, seat, entrant, criterion, payload.points)
    return _sheet(rnd, seat)


@router.get("/competition-entries/mine", response=list[MyEntryOut], summary="本人的参赛成绩与奖项")
@requires("talent.view")
def my_entries(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    person_id = user.person_id if isinstance(user, User) else None
    return [
        {
            "competition": m.track.competition.name,
            "track": m.track.name,
            "code": m.entrant.code,
            "rounds": [
                {
                    "stage": rnd.get_stage_display(),
                    "rank": s.rank if s else None,
                    "final": str(s.final) if s and s.final is not None else None,
                }
                for rnd, s in m.rounds
            ],
            "prize": m.award.get_prize_display() if m.award else "",
        }
        for m in queries.my_entries(scope_of(request), person_id)
    ]
