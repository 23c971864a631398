"""Builder step (demo): training classes of the demo years, through the learning actions.

Every court holds, each year, a 政治轮训 for all its party members, one or two 业务培训 whose
plans give political education 20–30% of the hours (one class of the city falls short and
is made final with its reason, R7.1), and a 岗位练兵 for its 书记员; the intermediate court
adds a 新任职培训 for the city's new judges and an 异地培训 at 浙江大学 or 复旦大学. Sessions
are held with their attendance (most present, some on leave), results are recorded, and
the 异地培训 and 新任职 classes issue certificates. Each court requires yearly hours
per personnel line, so some people fall short.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import ROUND_UP, Decimal
from typing import TYPE_CHECKING

from tianping.activities.actions import PastActivity
from tianping.learning.actions import training as actions
from tianping.learning.models import (
    Course,
    CourseCategory,
    Enrolment,
    EnrolmentResult,
    TrainingClass,
    TrainingKind,
)
from tianping.orgs.models import Org
from tianping.people.models import Category, Person, PersonStatus, PoliticalStatus

if TYPE_CHECKING:
    from tianping.demo.builder import Build
    from tianping.demo.roster import PersonDraft

PRESENT, LEAVE = 0.9, 0.07
LEAVE_REASONS = ("出差", "开庭", "病假", "事假", "公务")

POLITICAL = (
    ("习近平新时代中国特色社会主义思想专题辅导", "市委党校教授"),
    ("深入学习贯彻习近平法治思想", "市中院党组书记、院长"),
    ("党纪学习教育：《中国共产党纪律处分条例》解读", "市纪委监委驻院纪检组长"),
    ("坚持党对司法工作的绝对领导", "市中院党组成员、政治部主任"),
    ("“公正与效率”司法理念与能动司法", "省高院审委会专职委员"),
    ("新时代党的建设总要求与党支部标准化建设", "市委组织部组织一处处长"),
    ("中华民族共同体意识教育", "市委统战部研究室主任"),
)
BUSINESS = (
    ("民法典合同编通则司法解释理解与适用", "民一庭庭长"),
    ("刑事案件证据审查与非法证据排除", "刑一庭审判长"),
    ("行政争议实质性化解", "行政庭庭长"),
    ("执行难综合治理与终本案件管理", "执行局局长"),
    ("裁判文书说理与释法", "研究室主任"),
    ("诉源治理与多元解纷机制", "立案庭庭长"),
    ("类案检索与法律适用统一", "审管办主任"),
    ("审判流程管理与审限监督", "审管办副主任"),
)
SKILL = (
    ("庭审速录技能训练", "速录培训讲师"),
    ("电子卷宗随案生成与深度应用", "信息技术处工程师"),
    ("庭审记录规范", "民二庭资深书记员"),
    ("送达工作规范与电子送达", "立案庭副庭长"),
)
REQUIREMENTS = {
    # line: (hours a year, of which political)
    Category.JUDGE: (Decimal("24"), Decimal("8")),
    Category.JUDGE_ASSISTANT: (Decimal("24"), Decimal("8")),
    Category.CLERK: (Decimal("24"), Decimal("8")),
    Category.JUDICIAL_POLICE: (Decimal("9"), Decimal("6")),
    Category.ADMIN_STAFF: (Decimal("9"), Decimal("6")),
}
SHORT_REASON = "上级法院统一部署的执行专项业务培训，政治教育已在同期政治轮训中安排"


@dataclass
class Plan:
    court: Org
    organiser: Org
    name: str
    kind: str
    starts_on: dt.date
    days: int
    courses: list[tuple[str, str, Decimal, str]]  # title, lecturer, hours, category
    people: list[PersonDraft]
    rule: str = ""
    host: str = ""
    place: str = ""
    audience: str = ""
    certificates: bool = False
    reason: str = ""


def _half_up(value: Decimal) -> Decimal:
    return (value * 2).quantize(Decimal("1"), rounding=ROUND_UP) / 2


def business_courses(rng: random.Random, share: float) -> list[tuple[str, str, Decimal, str]]:
    """Four to six business courses and enough political ones for `share` of the hours."""
    picked = rng.sample(BUSINESS, rng.randint(4, 6))
    courses: list[tuple[str, str, Decimal, str]] = [
        (t, who, Decimal(rng.choice(("3", "3", "4", "6"))), CourseCategory.BUSINESS)
        for t, who in picked
    ]
    business = sum(c[2] for c in courses)
    political = _half_up(business * Decimal(str(share)) / (1 - Decimal(str(share))))
    first, second = rng.sample(POLITICAL, 2)
    if political > 4:
        half = _half_up(political / 2)
        courses[:0] = [
            (first[0], first[1], half, CourseCategory.POLITICAL),
            (second[0], second[1], political - half, CourseCategory.POLITICAL),
        ]
    else:
        courses.insert(0, (first[0], first[1], political, CourseCategory.POLITICAL))
    return courses


def _serving(people: list[PersonDraft]) -> list[PersonDraft]:
    return [p for p in people if p.status == PersonStatus.SERVING and p.pk is not None]


def plans_for(build: Build, rng: random.Random, year: int) -> list[Plan]:
    orgs = {o.code: o for o in Org.objects.filter(pk__in=build.org_ids.values())}
    plans: list[Plan] = []
    mid = build.rosters[0]
    everyone: list[PersonDraft] = []
    for index, roster in enumerate(build.rosters):
        court = orgs[roster.plan.code]
        zzb = orgs.get(f"{court.code}-ZZB", court)
        serving = _serving(roster.people)
        everyone += serving
        members = [
            p
            for p in serving
            if p.political_status in (PoliticalStatus.MEMBER, PoliticalStatus.PROBATIONARY)
        ]
        plans.append(
            Plan(
                court,
                zzb,
                f"{year}年全院党员政治轮训班",
                TrainingKind.POLITICAL_ROTATION,
                dt.date(year, rng.choice((3, 4, 5)), rng.randint(6, 20)),
                2,
                [
                    (t, who, Decimal("3"), CourseCategory.POLITICAL)
                    for t, who in rng.sample(POLITICAL, 4)
                ],
                members,
                rule=f"{court.name}全体党员",
                place="本院党员活动室",
                audience="全院党员",
            )
        )
        judges = [p for p in serving if p.category in (Category.JUDGE, Category.JUDGE_ASSISTANT)]
        for n, month in enumerate(rng.sample((4, 6, 9, 10), rng.randint(1, 2))):
            short = index == 2 and year == build.plan.as_of.year - 1 and n == 0
            share = 0.15 if short else rng.uniform(0.2, 0.3)
            plans.append(
                Plan(
                    court,
                    zzb,
                    f"{year}年{'执行' if short else ''}业务培训班（第{n + 1}期）",
                    TrainingKind.BUSINESS,
                    dt.date(year, month, rng.randint(6, 18)),
                    rng.choice((2, 3)),
                    business_courses(rng, share),
                    rng.sample(judges, min(len(judges), max(8, len(judges) * 2 // 3))),
                    place="本院审委会会议室",
                    audience="员额法官、法官助理",
                    reason=SHORT_REASON if short else "",
                )
            )
        clerks = [p for p in serving if p.category == Category.CLERK]
        if clerks:
            plans.append(
                Plan(
                    court,
                    zzb,
                    f"{year}年书记员岗位练兵",
                    TrainingKind.SKILL_DRILL,
                    dt.date(year, rng.choice((5, 7, 8)), rng.randint(6, 20)),
                    2,
                    [
                        *[(t, who, Decimal("4"), CourseCategory.SKILL) for t, who in SKILL],
                        (
                            *POLITICAL[rng.randrange(len(POLITICAL))],
                            Decimal("4"),
                            CourseCategory.POLITICAL,
                        ),
                    ],
                    clerks,
                    rule=f"{court.name}全部书记员",
                    place="本院科技法庭",
                    audience="全院书记员",
                )
            )
    court = orgs[mid.plan.code]
    zzb = orgs.get(f"{court.code}-ZZB", court)
    judges = [p for p in everyone if p.category == Category.JUDGE]
    plans.append(
        Plan(
            court,
            zzb,
            f"{year}年新任员额法官任职培训班",
            TrainingKind.NEW_POST,
            dt.date(year, 7, rng.randint(6, 12)),
            4,
            business_courses(rng, rng.uniform(0.22, 0.3)),
            rng.sample(judges, min(len(judges), rng.randint(10, 16))),
            place="市中院培训中心",
            audience="全市新任员额法官",
            certificates=True,
        )
    )
    host = "浙江大学" if year % 2 else "复旦大学"
    leaders = [p for p in judges if p.post_level != "staff"]
    plans.append(
        Plan(
            court,
            zzb,
            f"{year}年全市法院审判业务骨干{host}专题研修班",
            TrainingKind.OFF_SITE,
            dt.date(year, 9, rng.randint(8, 14)),
            5,
            business_courses(rng, rng.uniform(0.22, 0.3)),
            rng.sample(leaders or judges, min(len(leaders or judges), rng.randint(20, 30))),
            host=host,
            place=f"{host}（{'杭州' if host == '浙江大学' else '上海'}）",
            audience="全市法院审判业务骨干",
            certificates=True,
        )
    )
    return plans


def _sessions(
    rng: random.Random, plan: Plan, tc: TrainingClass
) -> list[tuple[Course | None, PastActivity]]:
    courses = list(tc.courses.order_by("position", "id"))
    sessions: list[tuple[Course | None, PastActivity]] = []
    for n, course in enumerate(courses):
        day = plan.starts_on + dt.timedelta(days=n * plan.days // len(courses))
        morning = n % 2 == 0
        attendance: dict[int, str] = {}
        for person in plan.people:
            roll = rng.random()
            attendance[person.pk or 0] = (
                "present" if roll < PRESENT else "leave" if roll < PRESENT + LEAVE else "absent"
            )
        sessions.append(
            (
                course,
                PastActivity(
                    org=plan.organiser,
                    attendance=attendance,
                    fields={
                        "title": f"{plan.name}：{course.title}",
                        "on": day,
                        "start_time": dt.time(9 if morning else 14, 0),
                        "hours": course.hours,
                        "location": plan.place,
                    },
                ),
            )
        )
    return sessions


def add_training(build: Build) -> None:
    rng = build.rng("training")
    last = build.plan.as_of
    classes = enrolments = certificates = 0
    for year in (last.year - 1, last.year):
        for plan in plans_for(build, rng, year):
            ends_on = plan.starts_on + dt.timedelta(days=plan.days - 1)
            if ends_on >= last or not plan.people:
                continue  # the demo's records run up to its day
            tc = actions.do_create_class(
                None,
                plan.organiser,
                name=plan.name,
                kind=plan.kind,
                host_institution=plan.host,
                audience=plan.audience,
                starts_on=plan.starts_on,
                ends_on=ends_on,
                place=plan.place,
            )
            actions.do_save_plan(
                None,
                tc,
                [
                    {"title": t, "lecturer": who, "hours": h, "category": c}
                    for t, who, h, c in plan.courses
                ],
            )
            actions.do_make_final(None, tc, plan.reason)
            people = {p.pk: p for p in plan.people if p.pk is not None}
            actions.do_enrol(None, tc, Person.objects.filter(pk__in=list(people)), plan.rule)
            sessions = _sessions(rng, plan, tc)
            actions.do_record_past_sessions(None, tc, sessions)
            present: dict[int, int] = {}
            for _, item in sessions:
                for pk, status in item.attendance.items():
                    present[pk] = present.get(pk, 0) + (status == "present")
            results = {
                pk: (
                    (str(EnrolmentResult.PASSED), rng.choice(("", "", "优秀", "良好")))
                    if present.get(pk, 0) * 2 >= len(sessions)
                    else (str(EnrolmentResult.FAILED), "")
                )
                for pk in people
            }
            actions.do_set_results(None, tc, results)
            if plan.certificates:
                for enrolment in Enrolment.objects.filter(
                    training_class=tc, result=EnrolmentResult.PASSED
                ).order_by("person_id"):
                    actions.do_issue_certificate(None, enrolment)
                    certificates += 1
            if ends_on < last - dt.timedelta(days=30):
                actions.do_finish(None, tc)
            classes += 1
            enrolments += len(people)
    for roster in build.rosters:
        court = Org.objects.get(pk=build.org_ids[roster.plan.code])
        for line, (hours, political) in REQUIREMENTS.items():
            actions.do_set_requirement(None, court, line, hours, political)
    build.counts.update(training_classes=classes, training_enrolments=enrolments)
    build.results["training_certificates"] = certificates
