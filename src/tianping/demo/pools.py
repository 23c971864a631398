"""Builder step (demo): talent pools (人才库) of the demo city, through the pool actions: a
后备干部 pool of the mid court with dozens of members, 业务能手 and 优秀年轻干部 pools of the
basic court, the demo member nominated and admitted, and one member who has since passed the
age limit (flagged on the pool page, not dropped)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from tianping.demo.logins import BASIC_COURT, MID_COURT, login_people
from tianping.lib.dates import add_years, age_on
from tianping.orgs.models import Org
from tianping.people.models import Person
from tianping.talent.actions.pools import do_admit, do_create_pool, do_nominate, do_review
from tianping.talent.eligibility import eligibility_run
from tianping.talent.models import PoolKind

if TYPE_CHECKING:
    from tianping.demo.builder import Build

POOLS = [
    (
        MID_COURT,
        PoolKind.RESERVE_CADRE,
        "全市法院后备干部人才库",
        [
            {"criterion": "age_max", "value": 45},
            {"criterion": "party_member", "value": True},
            {"criterion": "education_min", "value": "bachelor"},
            {"criterion": "post_levels", "value": ["division_deputy", "staff"]},
        ],
        40,
    ),
    (
        MID_COURT,
        PoolKind.EXPERT_JUDGE_RESERVE,
        "专家型法官后备人才库",
        [
            {"criterion": "categories", "value": ["judge"]},
            {"criterion": "honour_level", "value": "court"},
        ],
        12,
    ),
    (
        BASIC_COURT,
        PoolKind.SKILLED,
        "业务能手人才库",
        [
            {"criterion": "categories", "value": ["judge", "judge_assistant", "clerk"]},
            {"criterion": "age_max", "value": 50},
        ],
        15,
    ),
    (
        BASIC_COURT,
        PoolKind.YOUNG_CADRE,
        "优秀年轻干部人才库",
        [
            {"criterion": "age_max", "value": 35},
            {"criterion": "party_member", "value": True},
            {"criterion": "education_min", "value": "bachelor"},
        ],
        10,
    ),
]


def add_pools(build: Build) -> None:
    rng = build.rng("pools")
    today = build.plan.as_of
    start = today - dt.timedelta(days=400)
    member_draft = login_people(build).get("dangyuan")
    members = 0
    for code, kind, name, rules, n in POOLS:
        court = Org.objects.get(code=code)
        pool = do_create_pool(None, court, kind=kind, name=name, rules=rules)
        eligible = [c.person["id"] for c in eligibility_run(pool, start)]
        chosen = rng.sample(eligible, min(n, len(eligible)))
        if kind == PoolKind.SKILLED and member_draft is not None and member_draft.pk:
            chosen = [member_draft.pk, *[pk for pk in chosen if pk != member_draft.pk]]
        if kind == PoolKind.YOUNG_CADRE:
            # Someone admitted at 35 who has since turned 36: flagged today.
            older = [
                p
                for p in Person.objects.serving().filter(court=court, birth_date__isnull=False)
                if p.birth_date is not None
                and age_on(p.birth_date, start) == 35
                and age_on(p.birth_date, today) == 36
                and p.pk not in chosen
            ]
            if older:
                chosen = [older[0].pk, *chosen]
        people = list(Person.objects.filter(pk__in=chosen).select_related("court"))
        if not people:
            continue
        made = do_nominate(None, pool, people, on=start, note="按入库条件筛选后由政治部提名")
        for i, member in enumerate(made):
            if i % 8 == 7:
                continue  # still awaiting a decision
            do_admit(None, member, on=start + dt.timedelta(days=20), note="经党组会议研究同意入库")
            if i % 3 == 0 and add_years(start, 1) <= today:
                do_review(None, member, on=add_years(start, 1), note="年度复核")
        members += len(made)
    build.counts.update(talent_pools=len(POOLS), pool_members=members)
