"""Builder step (demo): study plans, reflections (心得体会) with their review, the 查重 corpus.

Every court's 党组 (理论学习中心组) and a few branches per court get this year's plan: a topic
a month with its texts, each past topic linked to the activity that carried it out (now and
then one is left unlinked, so the progress shows a gap). Members of those branches write
reflections (the demo login's branch all of them), some near-copies of an earlier one or of
a reference text, so a secretary meets a real 查重 report; older ones are read or returned.
Everything goes through the study actions, so the index and the reports are the product's.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from django.utils import timezone

from tianping.activities.models import Activity, ActivityStatus
from tianping.demo.logins import demo_branch
from tianping.learning.actions import study as actions
from tianping.learning.models import Reflection, ReflectionStatus, StudyPlan
from tianping.lib.script import to_traditional
from tianping.orgs.models import Org, OrgKind
from tianping.people.models import PARTY_STATUSES, Person, PersonStatus

if TYPE_CHECKING:
    from tianping.demo.builder import Build

# (topic, texts to read), one a month.
TOPICS = (
    ("学习贯彻全国两会精神", "政府工作报告\n最高人民法院工作报告"),
    ("深入学习习近平法治思想", "《习近平法治思想学习纲要》第一章"),
    ("党纪学习教育：学习纪律处分条例", "《中国共产党纪律处分条例》"),
    ("学习新时代“枫桥经验”", "《坚持和发展新时代“枫桥经验”》"),
    ("牢记司法为民宗旨", "《习近平关于司法为民论述摘编》"),
    ("学习中国共产党章程", "《中国共产党章程》总纲"),
    ("庆祝建党周年专题学习", "习近平总书记在庆祝中国共产党成立100周年大会上的讲话"),
    ("学习全国法院审判工作会议精神", "会议主报告"),
    ("防止干预司法“三个规定”", "“三个规定”及实施办法"),
    ("学习习近平新时代中国特色社会主义思想", "《习近平新时代中国特色社会主义思想学习纲要》"),
    ("以案促改警示教育", "本院违纪违法典型案例通报"),
    ("年度学习总结与交流", "本年度学习篇目回顾"),
)
# What the activities carrying a branch's topic are.
BRANCH_STUDY_KINDS = ("theme_day", "party_lecture", "branch_congress")
BRANCHES_PER_COURT = 3
UNLINKED_CHANCE = 0.12

# A reflection is drawn from these templates, a slot every few characters, so that two
# members' texts share no long run unless one copied the other (as in real ledgers, where
# stock phrases are short).
TEMPLATES = (
    "{month}月{day}日，我在{place}参加了{what}，{leader}领学了{reading}。",
    "结合{dept}{n}名干警的{work}实际，大家围绕{issue}先后{k}次发言。",
    "我承办的一起{case}中，{party}起初{feeling}，经过{m}次{method}，最终{result}。",
    "对照{standard}，我在{weak}方面还有差距，{plan}。",
    "{issue}是{dept}今年的重点，{k}月以来我们{action}，{effect}。",
    "作为{role}，我{resolve}，把{reading}讲的道理用到{work}中去。",
    "{leader}在{place}讲到{issue2}时举了{case2}的例子，{reaction}。",
    "回想{year2}年刚到{dept}时，{memory}，如今{change}。",
    "{k}月份{dept}收案{count}件，{pressure}，更要{response}。",
    "学习中我特别记下了一句话：{quote}。",
)
SLOTS: dict[str, tuple[str, ...]] = {
    "place": ("支部活动室", "三楼会议室", "审委会会议室", "人民法庭", "党员活动中心", "大审判庭"),
    "leader": ("支部书记", "庭长", "分管院领导", "组织委员", "老党员", "政治部主任"),
    "reading": ("党章", "纪律处分条例", "枫桥经验的论述", "法治思想纲要", "三个规定", "两会报告"),
    "n": ("六", "八", "十一", "十三", "九", "十五", "七"),
    "work": ("审判", "执行", "立案", "调解", "综合", "文书", "保全"),
    "issue": ("诉源治理", "积案清理", "判后答疑", "文书说理", "执行攻坚", "多元解纷", "廉政风险"),
    "k": ("两", "三", "四", "五", "六"),
    "case": ("劳动争议", "赡养纠纷", "民间借贷", "物业纠纷", "交通事故", "买卖合同", "相邻关系"),
    "party": ("原告", "老人", "申请人", "业主", "被告", "两位邻居", "企业负责人"),
    "feeling": ("情绪激动", "不愿调解", "拒不到庭", "心存疑虑", "态度强硬", "意见很大"),
    "m": ("两", "三", "四", "五"),
    "method": ("电话沟通", "上门走访", "背靠背调解", "释法说理", "现场勘查", "联合调解"),
    "result": ("握手言和", "当庭履行", "撤回起诉", "达成协议", "服判息诉", "分期还款"),
    "standard": ("党员标准", "岗位职责", "廉洁准则", "党章要求", "先进典型", "群众期待"),
    "weak": ("理论学习", "调查研究", "文字综合", "庭审驾驭", "群众工作", "时间管理"),
    "plan": (
        "今后每周抽出半天学习",
        "下一步要多向老法官请教",
        "已列入个人整改清单",
        "准备请同事帮我把关",
        "打算结合案例逐条对照",
    ),
    "action": (
        "建立了台账",
        "开展了专项清理",
        "每周通报进度",
        "引入了特邀调解员",
        "组织了案例研讨",
        "推行了繁简分流",
    ),
    "effect": (
        "效果初步显现",
        "群众反映不错",
        "结案周期明显缩短",
        "信访量有所下降",
        "当事人满意度提高",
        "还需继续努力",
    ),
    "role": (
        "一名党员",
        "一名青年干警",
        "一名员额法官",
        "一名书记员",
        "一名法官助理",
        "一名执行员",
    ),
    "resolve": ("要带头学", "会坚持下去", "要先学一步", "要学深一点", "不能停在笔记上"),
    "issue2": ("司法为民", "能动司法", "抓前端治未病", "案结事了", "廉洁自律", "审判质效"),
    "case2": ("一起欠薪案", "一起离婚案", "一件信访件", "一起执行案", "一起行政案", "一份改判文书"),
    "reaction": (
        "大家很受触动",
        "我印象很深",
        "会场很安静",
        "几位年轻同志记了满满一页",
        "引起了讨论",
    ),
    "year2": ("2012", "2015", "2017", "2019", "2020", "2022"),
    "memory": (
        "卷宗还要手工装订",
        "开庭靠手写笔录",
        "立案要排长队",
        "不会做调解工作",
        "常常加班到深夜",
    ),
    "change": (
        "网上立案已经普及",
        "庭审全程录音录像",
        "电子卷宗随案生成",
        "我也能独立办案了",
        "新人由我来带",
    ),
    "count": ("三百余", "五百多", "近千", "两百余", "一千二百", "四百多"),
    "pressure": ("办案压力不小", "人手明显不足", "新类型案件增多", "群众期待更高", "结案任务很重"),
    "response": ("讲究方法", "守住质量底线", "依靠团队协作", "向管理要效率", "沉下心来"),
    "quote": (
        "公正是法治的生命线",
        "人民群众是最好的阅卷人",
        "办案就是办别人的人生",
        "纪律是带电的高压线",
        "把屁股端端地坐在老百姓这一面",
        "功成不必在我",
    ),
}
REFERENCES = (
    (
        "司法为民专题讲话（摘编）",
        "司法为民是人民法院的根本宗旨。各级法院要坚持把人民群众满意作为检验工作的根本标准，"
        "深化诉源治理，完善一站式多元解纷和诉讼服务体系，让群众少跑腿、好办事。\n"
        "要坚持严格公正司法，努力让人民群众在每一个司法案件中感受到公平正义，"
        "切实把党的领导贯穿于审判执行工作全过程、各方面。",
    ),
    (
        "学习贯彻习近平法治思想心得体会（范文）",
        "通过深入学习习近平法治思想，我深刻认识到习近平法治思想是全面依法治国的根本遵循和行动指南。"
        "作为一名人民法官，必须坚持党对司法工作的绝对领导，坚持以人民为中心，"
        "坚定不移走中国特色社会主义法治道路。\n"
        "在今后的工作中，我将把学习成果转化为推动审判执行工作高质量发展的实际成效，"
        "努力为经济社会发展提供有力司法服务和保障。",
    ),
)
TITLES = ("学习心得", "学习体会", "心得体会", "学习感悟", "体会与思考")


def _held(org: Org, year: int, kinds: tuple[str, ...]) -> dict[int, list[Activity]]:
    by_month: dict[int, list[Activity]] = {}
    for a in Activity.objects.filter(
        org=org, kind__in=kinds, status=ActivityStatus.HELD, on__year=year
    ).order_by("on", "id"):
        by_month.setdefault(a.on.month, []).append(a)
    return by_month


def _plan(
    rng: random.Random, org: Org, year: int, title: str, kinds: tuple[str, ...], last: dt.date
) -> StudyPlan:
    plan = actions.do_create_plan(
        None,
        org,
        year=year,
        title=title,
        note="围绕年度重点，每月一个专题，集体学习与个人自学相结合。",
    )
    held = _held(org, year, kinds)
    for month, (topic_title, readings) in enumerate(TOPICS, start=1):
        topic = actions.do_add_topic(None, plan, month=month, title=topic_title, readings=readings)
        if month > last.month or rng.random() < UNLINKED_CHANCE:
            continue
        if held.get(month):
            actions.do_link_topic_activities(None, topic, held[month][:1])
    return plan


def _body(rng: random.Random, person: Person, activity: Activity | None, topic: str) -> str:
    slots = {name: rng.choice(values) for name, values in SLOTS.items()}
    slots["dept"] = person.department.name if person.department else "本院"
    slots["what"] = f"“{activity.title}”" if activity else f"“{topic}”专题学习"
    month = activity.on if activity else dt.date(2024, rng.randint(1, 12), rng.randint(1, 28))
    slots.update(month=str(month.month), day=str(month.day))
    rest = rng.sample(TEMPLATES[1:], 7)
    sentences = [t.format(**slots) for t in [TEMPLATES[0], *rest]]
    return "\n".join("".join(sentences[i : i + 2]) for i in range(0, len(sentences), 2))


def _near_copy(rng: random.Random, source: str) -> str:
    """An earlier text with its paragraphs in another order, re-punctuated, perhaps Traditional."""
    paragraphs = [p for p in source.split("\n") if p.strip()]
    rng.shuffle(paragraphs)
    text = "\n\n".join(p.replace("，", "；") for p in paragraphs)
    return to_traditional(text) if rng.random() < 0.5 else text


def _writers(branch: Org, everyone: bool, rng: random.Random) -> list[Person]:
    people = list(
        Person.objects.filter(
            party_org=branch, status=PersonStatus.SERVING, political_status__in=PARTY_STATUSES
        )
        .select_related("department", "party_org")
        .order_by("employee_no")
    )
    if everyone:
        return people
    return rng.sample(people, min(len(people), rng.randint(2, 4)))


def add_study(build: Build) -> None:
    rng = build.rng("study")
    last = build.plan.as_of
    year = last.year
    courts = list(Org.objects.filter(code__in=[c.code for c in build.plan.courts]).order_by("path"))
    own_code = demo_branch(build).code
    plans = references = 0
    branches: list[Org] = []
    for court in courts:
        group = Org.objects.filter(
            path__startswith=court.path, kind=OrgKind.LEADING_GROUP, depth=court.depth + 1
        ).first()
        if group is not None:
            _plan(
                rng,
                group,
                year,
                f"{court.name}党组理论学习中心组{year}年度学习计划",
                ("center_group_study",),
                last,
            )
            plans += 1
        candidates = list(
            Org.objects.filter(
                pk__in=build.org_ids.values(),
                path__startswith=court.path,
                kind=OrgKind.BRANCH,
                is_active=True,
            ).order_by("path")
        )
        candidates = [b for b in candidates if b.court().pk == court.pk]
        court_branches = [b for b in candidates if b.code == own_code]
        others = [b for b in candidates if b.code != own_code]
        court_branches += rng.sample(others, min(len(others), BRANCHES_PER_COURT))
        for branch in court_branches:
            _plan(rng, branch, year, f"{branch.name}{year}年度学习计划", BRANCH_STUDY_KINDS, last)
            plans += 1
        branches += court_branches
        for title, body in REFERENCES:
            actions.do_add_reference(None, court, title=title, body=body, file_name=f"{title}.txt")
            references += 1

    drafts: list[tuple[Person, str, str, Activity | None]] = []
    for branch in branches:
        topics = list(
            StudyPlan.objects.get(org=branch, year=year).topics.filter(month__lte=last.month)
        )
        for person in _writers(branch, branch.code == own_code, rng):
            topic = rng.choice(topics)
            attended = (
                Activity.objects.filter(
                    attendance__person=person,
                    attendance__status="present",
                    on__year=year,
                    kind__in=BRANCH_STUDY_KINDS,
                )
                .order_by("-on")
                .first()
            )
            title = f"{topic.title}{rng.choice(TITLES)}"
            drafts.append((person, title, _body(rng, person, attended, topic.title), attended))
    rng.shuffle(drafts)

    written: list[Reflection] = []
    ref_bodies = [body for _, body in REFERENCES]
    for person, title, body, attended in drafts:
        colleagues = [r for r in written if r.court_id == person.court_id]
        if colleagues and rng.random() < 0.08:
            body = _near_copy(rng, rng.choice(colleagues).body)
        elif rng.random() < 0.05:
            body = rng.choice(ref_bodies) + "\n" + body.split("\n")[-1]
        written.append(
            actions.do_submit_reflection(None, person, title=title, body=body, activity=attended)
        )
    # Spread the submissions over the year so far (oldest first, as they were checked), and
    # read or return the older ones as a secretary would.
    now = timezone.make_aware(dt.datetime.combine(last, dt.time(17, 0)))
    days = max(1, (last - dt.date(year, 1, 1)).days)
    for i, reflection in enumerate(written):
        age = days - round(days * (i + 1) / (len(written) + 1))
        reflection.submitted_at = now - dt.timedelta(days=age)
        Reflection.objects.filter(pk=reflection.pk).update(submitted_at=reflection.submitted_at)
        if age > 20:
            if rng.random() < 0.1:
                actions.do_review_reflection(
                    None,
                    reflection,
                    status=ReflectionStatus.RETURNED,
                    comment="请结合本人工作实际，补充具体事例",
                )
            else:
                actions.do_review_reflection(None, reflection, status=ReflectionStatus.READ)
    build.counts.update(study_plans=plans, reflections=len(written), reference_texts=references)
