"""Builder step (demo): 支部一品 for most branches of both demo courts (a plan for this year,
some of the branch's activities under it, last year's evaluation by the party office), and
党员示范岗 / 先锋岗 with a duty roster and what was handled, the demo member among those on duty."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from tianping.activities.models import Activity, ActivityStatus
from tianping.demo.logins import BASIC_COURT, MID_COURT, demo_branch, login_people
from tianping.orgs.models import Org, OrgKind
from tianping.people.models import Person
from tianping.service.actions import brands as actions
from tianping.service.models import Brand

if TYPE_CHECKING:
    from tianping.demo.builder import Build

BRANDS = [
    ("天平先锋", "党建引领 审判争先", "以“一支部一品牌”推动党建与审判执行深度融合"),
    ("法润民心", "为民司法 便民诉讼", "打造一站式诉讼服务品牌，让群众少跑腿"),
    ("执行铁军", "攻坚克难 兑现胜诉权益", "以党建带队建，破解执行难"),
    ("青春法苑", "青年干警 成长成才", "以青年理论学习小组为依托培养业务骨干"),
    ("枫桥新韵", "诉源治理 多元解纷", "坚持和发展新时代“枫桥经验”，把矛盾化解在基层"),
    ("红色引擎", "党员带头 争创一流", "党员领办重点课题，带动审判质效提升"),
    ("匠心文书", "精品裁判文书", "以文书质量评查为抓手提升裁判说理水平"),
    ("护企暖心", "优化营商环境", "服务民营经济，开展涉企法律宣讲"),
]
PLAN = [
    (3, "品牌创建推进会"),
    (5, "党员示范岗亮岗亮诺"),
    (7, "“七一”主题党日联学共建"),
    (9, "品牌特色案例评选"),
    (11, "品牌创建成效交流"),
]
GRADES = ["excellent", "good", "good", "excellent", "fair", "good"]
DUTY = [
    "为当事人提供立案指导",
    "解答诉讼费缴纳及退费问题",
    "帮助老年当事人网上立案",
    "引导当事人诉前调解",
    "接待来访群众并登记诉求",
    "提供案件查询和材料收转",
]


def add_brands(build: Build) -> None:
    rng = build.rng("brands")
    as_of = build.plan.as_of
    year = as_of.year
    demo_code = demo_branch(build).code
    made = 0
    for code in (MID_COURT, BASIC_COURT):
        court = Org.objects.get(code=code)
        branches = [
            b
            for b in Org.objects.filter(
                kind=OrgKind.BRANCH, is_active=True, path__startswith=court.path
            ).order_by("path")
            if b.court().pk == court.pk
        ]
        # Most branches have a brand; the last one of each court not yet (shown as 未创建).
        branded = [b for b in branches if b.code == demo_code] + [
            b for b in branches[:-1] if b.code != demo_code
        ]
        for n, branch in enumerate(branded):
            if Brand.objects.filter(branch=branch, retired_on__isnull=True).exists():
                continue
            name, theme, aims = BRANDS[n % len(BRANDS)]
            brand = actions.do_create_brand(
                None,
                branch,
                name=name,
                theme=theme,
                aims=aims,
                started_on=dt.date(year - 2, rng.randint(1, 6), 1),
            )
            made += 1
            items = [
                actions.do_add_plan_item(None, brand, year=year, month=m, title=t) for m, t in PLAN
            ]
            held = list(
                Activity.objects.filter(
                    org__path__startswith=branch.path,
                    on__year=year,
                    status=ActivityStatus.HELD,
                ).order_by("on")
            )
            for activity in rng.sample(held, min(len(held), rng.randint(3, 6))):
                item = next(
                    (i for i in items if i.month and abs(i.month - activity.on.month) <= 1), None
                )
                actions.do_link_activity(None, brand, activity, item)
            actions.do_evaluate_brand(
                None,
                brand,
                year=year - 1,
                grade=GRADES[n % len(GRADES)],
                comment="品牌定位清晰，活动扎实，与审判执行工作结合紧密",
                on=dt.date(year, 1, 20),
            )
    build.counts["brands"] = made
    _posts(build, rng, as_of)


def _posts(build: Build, rng: random.Random, as_of: dt.date) -> None:
    branch = Org.objects.get(code=demo_branch(build).code)
    member_draft = login_people(build).get("dangyuan")
    member = (
        Person.objects.filter(pk=member_draft.pk).first()
        if member_draft is not None and member_draft.pk is not None
        else None
    )
    posts = [
        (branch, "model", "诉讼服务中心党员示范岗", "诉讼服务中心一站式服务大厅"),
        (
            Org.objects.filter(
                kind=OrgKind.BRANCH, path__startswith=Org.objects.get(code=MID_COURT).path
            )
            .exclude(path__startswith=Org.objects.get(code=BASIC_COURT).path)
            .order_by("path")
            .first()
            or branch,
            "vanguard",
            "执行指挥中心党员先锋岗",
            "执行指挥中心接待窗口",
        ),
    ]
    entries = 0
    for org, kind, name, place in posts:
        post = actions.do_create_post(
            None,
            org,
            kind=kind,
            name=name,
            place=place,
            duties="亮身份、亮职责、亮承诺，为群众提供诉讼指引和帮助",
            established_on=as_of - dt.timedelta(days=200),
        )
        people = list(
            Person.objects.serving()
            .filter(party_org__path__startswith=org.path)
            .order_by("employee_no")
        )
        on_duty = rng.sample(people, min(3, len(people)))
        if org == branch and member is not None and member not in on_duty:
            on_duty = [member, *on_duty[:2]]
        starts = as_of - dt.timedelta(days=120)
        for i, person in enumerate(on_duty):
            actions.do_add_shift(
                None,
                post,
                person,
                starts_on=starts,
                weekdays=[1 + i, 4 + i] if i < 2 else [],
            )
        day = starts
        while day <= as_of:
            if day.isoweekday() <= 5 and rng.random() < 0.5:
                person = rng.choice(on_duty)
                actions.do_record_duty(
                    None, post, person, on=day, summary=rng.choice(DUTY), count=rng.randint(1, 8)
                )
                entries += 1
            day += dt.timedelta(days=1)
    build.counts["duty_entries"] = entries
