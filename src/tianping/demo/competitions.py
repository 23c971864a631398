"""Builder step (demo): the 中院's “双创·致远”杯 业务技能竞赛暨岗位练兵 (seed 004: three types
of personnel, specialties, an 优秀裁判文书评选), through the competition actions.

Each track enters the city's people of its type, has its criteria and panels of five, and
is scored by the judges' sheets; most tracks are finished with their awards confirmed into
honours (市级, awarded by the 中院), the 文书评选's authors revealed after scoring. The 书记员
速录 final is still being scored, with the demo branch secretary on its panel, so their
scoring page has cells to fill. The demo member enters the track of their type and wins a
prize, so their own page shows a result and an award.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import TYPE_CHECKING

from tianping.demo.logins import MID_COURT, login_people
from tianping.orgs.models import Org
from tianping.people.models import Category, Person, PostLevel
from tianping.talent.actions import competitions as actions
from tianping.talent.models import (
    AdvanceRule,
    CompetitionStatus,
    Criterion,
    Entrant,
    Judge,
    Round,
    Stage,
    Track,
    TrackKind,
)
from tianping.talent.queries.competitions import participants

if TYPE_CHECKING:
    from tianping.demo.builder import Build

NAME = "包头法院“双创·致远”杯第一届业务技能竞赛暨岗位练兵活动"
HALF = Decimal("0.5")

# name, category, specialty, kind, criteria (name, max), rounds (stage, rule, value), quotas
TrackPlan = tuple[
    str,
    str,
    str,
    str,
    list[tuple[str, int]],
    list[tuple[str, str, int | None]],
    tuple[int, int, int, int],
]
TRACKS: list[TrackPlan] = [
    (
        "员额法官·民事审判",
        Category.JUDGE,
        "民事审判",
        TrackKind.SKILL,
        [("庭审驾驭", 40), ("法律适用", 30), ("调解能力", 20), ("庭审礼仪", 10)],
        [(Stage.PRELIMINARY, AdvanceRule.TOP, 6), (Stage.FINAL, AdvanceRule.NONE, None)],
        (1, 2, 3, 0),
    ),
    (
        "员额法官·刑事审判",
        Category.JUDGE,
        "刑事审判",
        TrackKind.SKILL,
        [("证据审查", 40), ("法律适用", 40), ("庭审驾驭", 20)],
        [(Stage.FINAL, AdvanceRule.NONE, None)],
        (1, 1, 2, 0),
    ),
    (
        "员额法官·执行实务",
        Category.JUDGE,
        "执行",
        TrackKind.SKILL,
        [("财产查控", 50), ("执行措施运用", 30), ("文书规范", 20)],
        [(Stage.FINAL, AdvanceRule.NONE, None)],
        (1, 1, 2, 0),
    ),
    (
        "法官助理·文书写作",
        Category.JUDGE_ASSISTANT,
        "文书写作",
        TrackKind.SKILL,
        [("事实归纳", 40), ("说理论证", 40), ("格式规范", 20)],
        [(Stage.FINAL, AdvanceRule.NONE, None)],
        (1, 2, 3, 2),
    ),
    (
        "书记员·庭审记录",
        Category.CLERK,
        "庭审记录",
        TrackKind.SKILL,
        [("记录完整", 50), ("记录准确", 40), ("格式规范", 10)],
        [(Stage.FINAL, AdvanceRule.NONE, None)],
        (1, 2, 3, 0),
    ),
    (
        "书记员·速录",
        Category.CLERK,
        "速录",
        TrackKind.SKILL,
        [("录入速度", 60), ("准确率", 40)],
        [(Stage.PRELIMINARY, AdvanceRule.SCORE, 70), (Stage.FINAL, AdvanceRule.NONE, None)],
        (1, 2, 3, 0),
    ),
    (
        "优秀裁判文书评选",
        Category.JUDGE,
        "裁判文书",
        TrackKind.DOCUMENT,
        [("事实认定", 30), ("说理论证", 40), ("法律适用", 20), ("文字表达", 10)],
        [(Stage.FINAL, AdvanceRule.NONE, None)],
        (1, 2, 3, 4),
    ),
]
OPEN_TRACK = "书记员·速录"

CASES = [
    ("买卖合同纠纷", "原告主张被告拖欠货款，被告以货物质量不符合约定抗辩"),
    ("民间借贷纠纷", "原告主张出借款项未获清偿，被告辩称款项系合伙投资"),
    ("机动车交通事故责任纠纷", "双方就事故责任比例及误工费、护理费的计算存在争议"),
    ("劳动争议", "劳动者主张用人单位违法解除劳动合同，用人单位主张严重违反规章制度"),
    ("盗窃罪", "被告人多次入户盗窃，到案后如实供述并退赔全部损失"),
    ("危险驾驶罪", "被告人醉酒驾驶机动车，血液酒精含量经鉴定超过法定标准"),
    ("物业服务合同纠纷", "业主以服务不达标为由拒交物业费，物业公司诉请支付欠费及违约金"),
    ("离婚纠纷", "双方对子女抚养权及夫妻共同财产分割存在争议"),
    ("建设工程施工合同纠纷", "承包人主张工程款及逾期付款利息，发包人主张工程质量存在缺陷"),
    ("诈骗罪", "被告人虚构投资项目骗取他人财物，数额巨大"),
]


def _judgment(case: tuple[str, str], n: int) -> str:
    kind, facts = case
    return (
        f"本院受理的{kind}一案，依法组成合议庭公开开庭进行了审理。{facts}。"
        "本院经审理查明的事实，有当事人陈述、书证及庭审笔录等证据在案佐证，本院予以确认。"
        "本院认为，认定案件事实应当以证据为根据，适用法律应当准确。针对双方争议焦点，"
        f"本院逐一评析如下：其一，关于基础法律关系的性质；其二，关于责任的承担及其范围（第{n}稿）。"
        "综上所述，依照相关法律规定，判决如下。"
    )


def _points(rng: random.Random, top: Decimal, skill: float) -> Decimal:
    share = min(max(skill + rng.uniform(-0.08, 0.08), 0.3), 1.0)
    return ((top * Decimal(str(share))) / HALF).quantize(Decimal(1)) * HALF


def _fill(
    rng: random.Random, rnd: Round, skills: dict[int, float], judges: list[Judge] | None = None
) -> None:
    criteria = list(Criterion.objects.filter(track_id=rnd.track_id))
    for judge in judges or list(Judge.objects.filter(round=rnd)):
        cells = [
            (e, c, _points(rng, c.max_points, skills[e.pk]))
            for e in participants(rnd)
            for c in criteria
        ]
        actions.do_score_sheet(None, judge, cells)


def add_competitions(build: Build) -> None:
    rng = build.rng("competitions")
    court = Org.objects.get(code=MID_COURT)
    as_of = build.plan.as_of
    logins = login_people(build)
    member = logins.get("dangyuan")
    secretary = logins.get("shuji")
    member_pk = member.pk if member is not None else None
    competition = actions.do_create_competition(
        None,
        court,
        name=NAME,
        year=as_of.year,
        starts_on=as_of - dt.timedelta(days=75),
        ends_on=as_of + dt.timedelta(days=30),
    )
    city = list(
        Person.objects.serving().filter(court__path__startswith=court.path).select_related("court")
    )
    # Panels: the city's senior judges and department heads.
    seniors = [
        p
        for p in city
        if p.category == Category.JUDGE
        and p.post_level
        in (PostLevel.DIVISION_CHIEF, PostLevel.DIVISION_DEPUTY, PostLevel.COURT_DEPUTY)
    ] or [p for p in city if p.category == Category.JUDGE]
    member_person = next((p for p in city if p.pk == member_pk), None)
    tracks: list[TrackPlan] = list(TRACKS)
    if member_person is not None and member_person.category not in {t[1] for t in TRACKS}:
        tracks.append(
            (
                f"{member_person.get_category_display()}·信息化应用",
                member_person.category,
                "信息化应用",
                TrackKind.SKILL,
                [("系统操作", 60), ("数据质量", 40)],
                [(Stage.FINAL, AdvanceRule.NONE, None)],
                (1, 2, 3, 0),
            )
        )
    made: list[tuple[Track, list[Round], dict[int, float]]] = []
    member_entered = False
    for name, category, specialty, kind, criteria, rounds, quotas in tracks:
        track = actions.do_add_track(
            None,
            competition,
            name=name,
            specialty=specialty,
            kind=kind,
            category=category,
            quotas=quotas,
        )
        for cname, top in criteria:
            actions.do_add_criterion(None, track, name=cname, max_points=top)
        made_rounds = [
            actions.do_add_round(
                None,
                track,
                stage=stage,
                advance_rule=rule,
                advance_value=value,
                held_on=as_of - dt.timedelta(days=40 - 12 * i),
            )
            for i, (stage, rule, value) in enumerate(rounds)
        ]
        pool = [p for p in city if p.category == category and p not in seniors]
        rng.shuffle(pool)
        size = 14 if len(made_rounds) > 1 else 9
        chosen = pool[:size]
        if (
            member_person is not None
            and member_person.category == category
            and not member_entered
            and kind == TrackKind.SKILL
        ):
            member_entered = True
            if member_person not in chosen:
                chosen = [member_person, *chosen[: size - 1]]
        if kind == TrackKind.DOCUMENT:
            for n, author in enumerate(chosen[:8], start=1):
                case = CASES[n % len(CASES)]
                actions.do_add_entry(
                    None,
                    track,
                    author,
                    title=f"{case[0]}案判决书",
                    text=_judgment(case, n),
                    rng=rng,
                )
        else:
            actions.do_enrol(None, track, chosen, rng=rng)
        for rnd in made_rounds:
            others = [p for p in seniors if p not in chosen]
            rng.shuffle(others)
            panel = others[:5]
            if track.name == OPEN_TRACK and rnd.stage == Stage.FINAL and secretary is not None:
                boss = next((p for p in city if p.pk == secretary.pk), None)
                if boss is not None and boss not in chosen:
                    panel = [boss, *panel[:4]]
            actions.do_add_judges(None, rnd, panel, chief=panel[-1] if panel else None)
        skills = {
            e.pk: (0.97 if e.person_id == member_pk else rng.uniform(0.6, 0.93))
            for e in Entrant.objects.filter(track=track)
        }
        made.append((track, made_rounds, skills))
    actions.do_set_status(None, competition, CompetitionStatus.OPEN)
    actions.do_set_status(None, competition, CompetitionStatus.SCORING)
    awards = 0
    for track, track_rounds, skills in made:
        for rnd in track_rounds:
            judges = list(Judge.objects.filter(round=rnd).select_related("person"))
            if track.name == OPEN_TRACK and rnd.stage == Stage.FINAL:
                # Still being scored: the panel's other judges are done, the secretary is not.
                _fill(
                    rng,
                    rnd,
                    skills,
                    [j for j in judges if secretary is None or j.person_id != secretary.pk],
                )
                continue
            _fill(rng, rnd, skills, judges)
            actions.do_close_round(None, rnd)
        if Round.objects.get(pk=track_rounds[-1].pk).is_open:
            continue
        if track.is_anonymous:
            actions.do_reveal_authors(None, track)
        awards += len(actions.do_confirm_awards(None, track, on=as_of - dt.timedelta(days=3)))
    build.counts.update(competition_tracks=len(made), competition_awards=awards)
