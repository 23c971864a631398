"""Builder step (demo): recommendations (荐书) and a drifting shelf (图书漂流) in the basic
demo court, through the reading actions: copies handed from reader to reader, one overdue,
one in the demo member's hands."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from tianping.activities.models import Activity
from tianping.demo.logins import BASIC_COURT, MID_COURT, login_people
from tianping.learning.actions.reading import READING_KIND, do_add_copy, do_hand_over, do_recommend
from tianping.orgs.models import Org, OrgKind
from tianping.people.models import Person

if TYPE_CHECKING:
    from tianping.demo.builder import Build

# Title, author, publisher, a reader's words about it.
BOOKS = [
    (
        "习近平法治思想学习纲要",
        "中央全面依法治国委员会办公室",
        "人民出版社",
        "系统阐释习近平法治思想的核心要义，对照审判执行工作逐条学，常读常新。",
    ),
    (
        "习近平新时代中国特色社会主义思想学习纲要（2023年版）",
        "中共中央宣传部",
        "学习出版社",
        "理论学习的必读书目，适合支部集中学习时分章研读。",
    ),
    (
        "乡土中国",
        "费孝通",
        "北京大学出版社",
        "理解基层社会的“礼治秩序”，对办理婚姻家庭、邻里纠纷案件很有启发。",
    ),
    (
        "论法的精神",
        "孟德斯鸠",
        "商务印书馆",
        "经典法学著作，读来有助于理解权力制约与司法独立的思想源流。",
    ),
    (
        "枫桥经验：人民调解的中国样本",
        "汪世荣",
        "法律出版社",
        "结合新时代“枫桥经验”，对诉源治理、多元解纷工作有直接参考价值。",
    ),
    (
        "平凡的世界",
        "路遥",
        "北京十月文艺出版社",
        "在平凡中坚守，在奋斗中成长，青年干警读后很受鼓舞。",
    ),
    ("法官的思维", "张卫平", "法律出版社", "从裁判方法讲到说理技巧，适合新任法官和法官助理。"),
    (
        "红星照耀中国",
        "埃德加·斯诺",
        "人民文学出版社",
        "重温革命历史，感悟初心使命，适合主题党日共读。",
    ),
]
DRIFTING = [0, 2, 5, 6, 7]


def add_reading(build: Build) -> None:
    rng = build.rng("reading")
    # Dates hang off the demo's day (the end of last month), not the clock: the same month
    # gives the same rows, and only the first copy is overdue whenever this month it is shown.
    today = build.plan.as_of
    member_draft = login_people(build).get("dangyuan")
    member = (
        Person.objects.filter(pk=member_draft.pk).first()
        if member_draft is not None and member_draft.pk is not None
        else None
    )
    recommendations = 0
    for code in (MID_COURT, BASIC_COURT):
        court = Org.objects.get(code=code)
        readers = list(Person.objects.serving().filter(court=court).order_by("employee_no"))
        sessions = list(
            Activity.objects.filter(kind=READING_KIND, org__path__startswith=court.path).order_by(
                "-on"
            )[:10]
        )
        for title, author, publisher, review in rng.sample(BOOKS, 6):
            reader = (
                member
                if code == BASIC_COURT and title == BOOKS[5][0] and member
                else rng.choice(readers)
            )
            do_recommend(
                None,
                reader,
                title=title,
                author=author,
                publisher=publisher,
                review=review,
                session=rng.choice(sessions) if sessions and rng.random() < 0.5 else None,
            )
            recommendations += 1
    court = Org.objects.get(code=BASIC_COURT)
    branches = list(
        Org.objects.filter(kind=OrgKind.BRANCH, path__startswith=court.path).order_by("path")
    )
    readers = [
        p
        for p in Person.objects.serving().filter(court=court).order_by("employee_no")
        if p != member
    ]
    handovers = 0
    for n, index in enumerate(DRIFTING):
        title, author, publisher, _ = BOOKS[index]
        copy = do_add_copy(
            None, rng.choice(branches), title=title, author=author, publisher=publisher
        )
        # Each copy's readers, a month or so each, the last still reading it.
        path = rng.sample(readers, 3)
        if n == 1 and member is not None:
            path[-1] = member  # the demo member holds one, not yet due
        start = today - dt.timedelta(days=25 * len(path) + (30 if n == 0 else 0))
        for step, reader in enumerate(path):
            on = start + dt.timedelta(days=25 * step)
            last = step == len(path) - 1
            loan = 30 if n == 0 or not last else 60
            do_hand_over(None, copy, reader, on=on, due_on=on + dt.timedelta(days=loan))
            handovers += 1
        if n == 4:
            do_hand_over(None, copy, None, on=today - dt.timedelta(days=2), note="读完归还")
            handovers += 1
    build.counts.update(recommendations=recommendations, book_handovers=handovers)
