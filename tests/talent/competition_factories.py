"""Competitions for the tests, made through the actions as the product makes them.

The sample: 包头中院's 业务技能竞赛 with a 员额法官·民事审判 track (张华庆 of BT and 王芳 of
BT-JY entered, judged by 李建国, 孙丽 and 周强 in one final round) and a 优秀裁判文书评选
track with 王芳's judgment as an anonymous entry.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from tests.conftest import World
from tianping.people.models import Category
from tianping.talent.actions import competitions as actions
from tianping.talent.models import (
    AdvanceRule,
    Competition,
    CompetitionStatus,
    Entrant,
    Judge,
    Round,
    Stage,
    Track,
    TrackKind,
)

JUDGMENT = (
    "原告某某公司与被告某某商贸有限公司买卖合同纠纷一案，本院于立案后依法适用普通程序，"
    "公开开庭进行了审理。原告诉称，双方签订买卖合同，原告依约交付货物，被告至今未付货款。"
    "本院认为，当事人应当按照约定全面履行自己的义务，被告未按约定支付价款，应承担违约责任。"
)


def competition(world: World, **extra: Any) -> Competition:
    return actions.do_create_competition(
        None,
        world.org("BT"),
        name=extra.pop("name", "“双创·致远”杯业务技能竞赛"),
        year=2024,
        starts_on=dt.date(2024, 4, 1),
        ends_on=dt.date(2024, 6, 30),
        **extra,
    )


def skill_track(world: World, comp: Competition, *, judges: int = 3, **extra: Any) -> Track:
    track = actions.do_add_track(
        None,
        comp,
        name="员额法官·民事审判",
        specialty="民事审判",
        category=Category.JUDGE,
        quotas=extra.pop("quotas", (1, 1, 0, 0)),
    )
    actions.do_add_criterion(None, track, name="庭审驾驭", max_points="60")
    actions.do_add_criterion(None, track, name="法律适用", max_points="40")
    rnd = actions.do_add_round(None, track, stage=Stage.FINAL)
    panel = [world.people[k] for k in ("li", "sun", "zhou", "zhang")[:judges]]
    actions.do_add_judges(None, rnd, panel)
    actions.do_enrol(None, track, [world.people["zhang"], world.people["wang"]])
    return track


def open_scoring(comp: Competition) -> Competition:
    comp = actions.do_set_status(None, comp, CompetitionStatus.OPEN)
    return actions.do_set_status(None, comp, CompetitionStatus.SCORING)


def fill(rnd: Round, sheet: dict[str, dict[str, list[str]]]) -> None:
    """sheet: judge name → entrant person name → points per criterion (in order)."""
    criteria = list(rnd.track.criteria.order_by("position"))
    entrants = {
        e.person.name: e for e in Entrant.objects.filter(track=rnd.track).select_related("person")
    }
    for judge in Judge.objects.filter(round=rnd).select_related(
        "person", "round__track__competition"
    ):
        cells = [
            (entrants[name], c, Decimal(p))
            for name, points in sheet.get(judge.person.name, {}).items()
            for c, p in zip(criteria, points, strict=True)
        ]
        if cells:
            actions.do_score_sheet(None, judge, cells)


def document_track(world: World, comp: Competition) -> Track:
    track = actions.do_add_track(
        None, comp, name="优秀裁判文书评选", specialty="文书写作", kind=TrackKind.DOCUMENT
    )
    actions.do_add_criterion(None, track, name="说理充分", max_points="100")
    rnd = actions.do_add_round(None, track, stage=Stage.FINAL, advance_rule=AdvanceRule.NONE)
    actions.do_add_judges(None, rnd, [world.people[k] for k in ("li", "sun", "zhou")])
    actions.do_add_entry(
        None, track, world.people["wang"], title="买卖合同纠纷一审民事判决书", text=JUDGMENT
    )
    return track


def matrix_sample(world: World, kwarg: str) -> Any:
    """The permission matrix's objects: one competition, reused."""
    comp = Competition.objects.filter(name="矩阵样本竞赛").first()
    if comp is None:
        comp = competition(world, name="矩阵样本竞赛")
        skill_track(world, comp)
        document_track(world, comp)
    track = Track.objects.filter(competition=comp, kind=TrackKind.SKILL).get()
    if kwarg == "competition_id":
        return comp
    if kwarg == "track_id":
        return track
    if kwarg == "round_id":
        return Round.objects.filter(track=track).get()
    if kwarg == "entrant_id":
        return Entrant.objects.filter(track__competition=comp, track__kind=TrackKind.DOCUMENT).get()
    raise AssertionError(kwarg)
