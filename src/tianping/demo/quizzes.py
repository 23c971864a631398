"""Builder step (demo): a question bank of 应知应会 questions (党章, 条例, 法官法) in the two
demo courts, two quizzes each, and the attempts of their members, through the quiz actions.

The first quiz closed last month, taken by most of the court; the second is open now, so
the demo member can still take it (two attempts allowed). How well a person answers is
drawn once per person: no time spent or clicks count (R4.2).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from tianping.demo.logins import login_people
from tianping.learning.actions.quizzes import (
    QuestionIn,
    do_add_questions,
    do_create_quiz,
    do_start_attempt,
    do_submit_attempt,
    pick_questions,
)
from tianping.learning.models import Attempt, Question, QuestionKind
from tianping.learning.queries.quizzes import audience_of
from tianping.orgs.models import Org

if TYPE_CHECKING:
    from tianping.demo.builder import Build

COURTS = ("BT", "BT-JY")
S, M, T, F = (
    QuestionKind.SINGLE,
    QuestionKind.MULTIPLE,
    QuestionKind.TRUE_FALSE,
    QuestionKind.FILL_IN,
)
PARTY = "《中国共产党章程》"
BRANCH = "《中国共产党支部工作条例（试行）》"
DISCIPLINE = "《中国共产党纪律处分条例》"
JUDGES = "《中华人民共和国法官法》"

BANK = [
    QuestionIn(
        S,
        "中国共产党党员必须是年满（　）岁的中国工人、农民、军人、知识分子和其他社会阶层的先进分子。",
        ["十六", "十八", "二十", "二十二"],
        [1],
        ["党章"],
        f"{PARTY}总纲后第一章第一条。",
    ),
    QuestionIn(
        S,
        "预备党员的预备期为（　）。",
        ["半年", "一年", "两年", "三年"],
        [1],
        ["党章"],
        f"{PARTY}第一章第七条。",
    ),
    QuestionIn(
        T, "党员有退党的自由。", [], [True], ["党章"], f"{PARTY}第一章第九条：党员有退党的自由。"
    ),
    QuestionIn(
        S,
        "党的最高领导机关是（　）。",
        ["党的全国代表大会和它所产生的中央委员会", "中央政治局", "中央书记处", "中央军事委员会"],
        [0],
        ["党章"],
        f"{PARTY}第二章第十条。",
    ),
    QuestionIn(
        S,
        "党的全国代表大会每（　）年举行一次。",
        ["三", "四", "五", "六"],
        [2],
        ["党章"],
        f"{PARTY}第三章第十九条。",
    ),
    QuestionIn(
        M,
        "党员享有的权利包括（　）。",
        [
            "参加党的有关会议，阅读党的有关文件，接受党的教育和培训",
            "在党的会议上和党报党刊上参加关于党的政策问题的讨论",
            "行使表决权、选举权，有被选举权",
            "公开发表同党中央决定相违背的言论",
        ],
        [0, 1, 2],
        ["党章"],
        f"{PARTY}第一章第四条。",
    ),
    QuestionIn(
        S,
        "企业、农村、机关、学校等基层单位，凡是有正式党员（　）人以上的，都应当成立党的基层组织。",
        ["三", "五", "七", "十"],
        [0],
        ["党章"],
        f"{PARTY}第五章第三十条。",
    ),
    QuestionIn(
        F,
        "党员如果没有正当理由，连续（　）个月不参加党的组织生活，或不交纳党费，或不做党所分配的工作，就被认为是自行脱党。",
        [],
        ["六", "6"],
        ["党章"],
        f"{PARTY}第一章第九条。",
    ),
    QuestionIn(
        M,
        "党的纪律处分有（　）。",
        ["警告", "严重警告", "撤销党内职务", "留党察看", "开除党籍"],
        [0, 1, 2, 3, 4],
        ["党章", "纪律"],
        f"{PARTY}第七章第四十二条。",
    ),
    QuestionIn(
        S,
        "留党察看最长不超过（　）年。",
        ["一", "两", "三", "五"],
        [1],
        ["党章", "纪律"],
        f"{PARTY}第七章第四十二条。",
    ),
    QuestionIn(
        T,
        "党员在留党察看期间有表决权、选举权和被选举权。",
        [],
        [False],
        ["党章", "纪律"],
        f"{PARTY}第七章第四十二条：留党察看期间没有表决权、选举权和被选举权。",
    ),
    QuestionIn(
        S,
        "党的基层委员会每届任期（　）。",
        ["两年", "三年至五年", "五年", "四年"],
        [1],
        ["党章"],
        f"{PARTY}第五章第三十一条。",
    ),
    QuestionIn(
        F, "中国共产党的根本宗旨是（　）。", [], ["全心全意为人民服务"], ["党章"], f"{PARTY}总纲。"
    ),
    QuestionIn(
        F,
        "党章规定党员必须履行的义务共有（　）项。",
        [],
        ["八", "8"],
        ["党章"],
        f"{PARTY}第一章第三条。",
    ),
    QuestionIn(
        S,
        "党支部委员会会议一般每（　）召开一次。",
        ["周", "月", "季度", "半年"],
        [1],
        ["条例"],
        f"{BRANCH}第十条。",
    ),
    QuestionIn(
        S,
        "党小组会一般每（　）召开一次。",
        ["周", "月", "季度", "半年"],
        [1],
        ["条例"],
        f"{BRANCH}第十条。",
    ),
    QuestionIn(T, "支部党员大会一般每季度召开一次。", [], [True], ["条例"], f"{BRANCH}第十条。"),
    QuestionIn(T, "组织生活会一般每年召开一次。", [], [True], ["条例"], f"{BRANCH}第十二条。"),
    QuestionIn(
        M,
        "“三会一课”中的“三会”是指（　）。",
        ["支部党员大会", "支部委员会会议", "党小组会", "民主生活会"],
        [0, 1, 2],
        ["条例"],
        f"{BRANCH}第十条。",
    ),
    QuestionIn(
        S,
        "正式党员（　）人以上的党支部，设立党支部委员会。",
        ["三", "五", "七", "十"],
        [2],
        ["条例"],
        f"{BRANCH}第八条。",
    ),
    QuestionIn(
        S,
        "党的纪律主要包括政治纪律、组织纪律、廉洁纪律、群众纪律、工作纪律和（　）。",
        ["生活纪律", "财经纪律", "保密纪律", "外事纪律"],
        [0],
        ["条例", "纪律"],
        f"{DISCIPLINE}。",
    ),
    QuestionIn(
        T,
        "党员受到警告处分，一年内不得在党内提升职务。",
        [],
        [True],
        ["条例", "纪律"],
        f"{DISCIPLINE}第十条。",
    ),
    QuestionIn(T, "民主评议党员一般每年开展一次。", [], [True], ["条例"], f"{BRANCH}第十二条。"),
    QuestionIn(
        S,
        "法官实行（　）。",
        ["单独职务序列管理", "公务员职级管理", "聘任合同管理", "任期制管理"],
        [0],
        ["法官法"],
        f"{JUDGES}第五章。",
    ),
    QuestionIn(
        S,
        "法官等级分为（　）。",
        ["十二级", "十级", "八级", "四级"],
        [0],
        ["法官法"],
        f"{JUDGES}第五章：法官等级分为十二级。",
    ),
    QuestionIn(T, "初任法官一般到基层人民法院任职。", [], [True], ["法官法"], f"{JUDGES}第三章。"),
    QuestionIn(
        M,
        "担任法官必须具备的条件包括（　）。",
        [
            "具有中华人民共和国国籍",
            "拥护中华人民共和国宪法，拥护中国共产党领导和社会主义制度",
            "具有良好的政治、业务素质和道德品行",
            "年满三十五周岁",
        ],
        [0, 1, 2],
        ["法官法"],
        f"{JUDGES}第二章第十二条。",
    ),
    QuestionIn(
        F, "最高人民法院院长为（　）。", [], ["首席大法官"], ["法官法"], f"{JUDGES}第五章。"
    ),
    QuestionIn(
        T,
        "法官可以兼任律师、仲裁员和公证员。",
        [],
        [False],
        ["法官法"],
        f"{JUDGES}：法官不得兼任律师、仲裁员和公证员。",
    ),
    QuestionIn(
        S,
        "法官的年度考核结果分为优秀、称职、基本称职和（　）四个等次。",
        ["不称职", "不合格", "较差", "待改进"],
        [0],
        ["法官法"],
        f"{JUDGES}第六章。",
    ),
    QuestionIn(
        T,
        "法官从人民法院离任后两年内，不得以律师身份担任诉讼代理人或者辩护人。",
        [],
        [True],
        ["法官法"],
        f"{JUDGES}第三十六条。",
    ),
]


def _answers(
    rng: random.Random, attempt: Attempt, bank: dict[int, Question], skill: float
) -> dict[str, Any]:
    """A paper as a person of this skill writes it, in the positions shown."""
    posted: dict[str, Any] = {}
    for served in attempt.served:
        q = bank[served["question"]]
        right = rng.random() < skill
        shown = served["options"]
        if q.kind in (S, M):
            chosen = list(q.answer) if right else [rng.randrange(len(q.options))]
            posted[str(q.pk)] = [str(shown.index(i)) for i in chosen]
        elif q.kind == T:
            posted[str(q.pk)] = ["true" if q.answer[0] == right else "false"]
        else:
            posted[str(q.pk)] = [q.answer[0] if right else "不清楚"]
    return posted


def add_quizzes(build: Build) -> None:
    rng = build.rng("quizzes")
    last_month = timezone.make_aware(dt.datetime.combine(build.plan.as_of, dt.time(9)))
    attempts = 0
    member = login_people(build).get("dangyuan")
    # The demo member took last month's quiz and has this one still ahead of them.
    member_pk = member.pk if member is not None else None
    for court in Org.objects.filter(code__in=COURTS).order_by("path"):
        do_add_questions(None, court, BANK)
        bank = Question.objects.in_bulk(
            list(Question.objects.filter(court=court).values_list("pk", flat=True))
        )
        year = build.plan.as_of.year
        # The 中院's quizzes are for every court under it (an audience is a subtree).
        whole = "全市法院" if court.code == COURTS[0] else ""
        closed = do_create_quiz(
            None,
            court,
            title=f"{whole}{year}年度党章党规应知应会测试",
            audience=court,
            opens_at=last_month - dt.timedelta(days=20),
            closes_at=last_month - dt.timedelta(days=6),
            questions=pick_questions(
                court, tags=["党章", "条例"], count=15, seed=rng.randrange(10**6)
            ),
            pass_mark=80,
            time_limit=30,
            attempt_limit=1,
        )
        current = do_create_quiz(
            None,
            court,
            title=f"{whole}法官法应知应会测试",
            audience=court,
            opens_at=last_month - dt.timedelta(days=2),
            closes_at=last_month + dt.timedelta(days=45),
            questions=pick_questions(court, tags=["法官法"], count=8, seed=rng.randrange(10**6))
            + pick_questions(court, tags=["纪律"], count=2, seed=rng.randrange(10**6)),
            pass_mark=60,
            time_limit=20,
            attempt_limit=2,
        )
        people = list(audience_of(closed).order_by("employee_no"))
        for person in people:
            skill = rng.uniform(0.55, 0.98)
            if person.pk == member_pk or rng.random() < 0.85:
                started = closed.opens_at + dt.timedelta(
                    days=rng.randrange(13), minutes=rng.randrange(600)
                )
                attempt = do_start_attempt(None, closed, person, now=started, rng=rng)
                finished = started + dt.timedelta(minutes=rng.randrange(8, 28))
                do_submit_attempt(None, attempt, _answers(rng, attempt, bank, skill), now=finished)
                attempts += 1
            if person.pk != member_pk and rng.random() < 0.3:
                started = current.opens_at + dt.timedelta(minutes=rng.randrange(60, 47 * 60))
                attempt = do_start_attempt(None, current, person, now=started, rng=rng)
                finished = started + dt.timedelta(minutes=rng.randrange(5, 18))
                do_submit_attempt(None, attempt, _answers(rng, attempt, bank, skill), now=finished)
                attempts += 1
    build.counts.update(quiz_attempts=attempts)
