"""Builder step (demo): honours (荣誉表彰) of the demo city's people and branches, through the
honours actions: 省级 honours and 二等功 enough for "60余名" across the city, 百强党支部 among the
branches, the demo member's own honours, and one honour withdrawn."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from tianping.demo.logins import BASIC_COURT, MID_COURT, login_people
from tianping.orgs.models import Org, OrgKind
from tianping.people.models import Person
from tianping.talent.actions.honours import do_record_honour, do_withdraw_honour
from tianping.talent.models import HonourKind, HonourLevel

if TYPE_CHECKING:
    from tianping.demo.builder import Build

# (title, kind, level, awarding body, how many per court)
INDIVIDUAL = [
    ("全国法院先进个人", HonourKind.ADVANCED_PERSON, HonourLevel.NATIONAL, "最高人民法院", 1),
    (
        "全区法院先进个人",
        HonourKind.ADVANCED_PERSON,
        HonourLevel.PROVINCE,
        "内蒙古自治区高级人民法院",
        12,
    ),
    (
        "全区法院优秀共产党员",
        HonourKind.EXCELLENT_MEMBER,
        HonourLevel.PROVINCE,
        "内蒙古自治区高级人民法院机关党委",
        8,
    ),
    (
        "全区法院办案标兵",
        HonourKind.ADVANCED_PERSON,
        HonourLevel.PROVINCE,
        "内蒙古自治区高级人民法院",
        6,
    ),
    ("个人二等功", HonourKind.MERIT_SECOND, HonourLevel.CITY, "包头市中级人民法院", 4),
    ("个人三等功", HonourKind.MERIT_THIRD, HonourLevel.CITY, "包头市中级人民法院", 10),
    (
        "全市法院优秀党务工作者",
        HonourKind.EXCELLENT_PARTY_WORKER,
        HonourLevel.CITY,
        "中共包头市中级人民法院党组",
        4,
    ),
    ("嘉奖", HonourKind.COMMENDATION, HonourLevel.COURT, "本院", 20),
]
BODY = {HonourLevel.COURT: None}


def add_honours(build: Build) -> None:
    rng = build.rng("honours")
    today = build.plan.as_of
    member_draft = login_people(build).get("dangyuan")
    member = (
        Person.objects.filter(pk=member_draft.pk).first()
        if member_draft is not None and member_draft.pk is not None
        else None
    )
    made = 0
    for code in (MID_COURT, BASIC_COURT):
        court = Org.objects.get(code=code)
        people = [
            p
            for p in Person.objects.serving().filter(court=court).select_related("court")
            if p != member
        ]
        for title, kind, level, body, n in INDIVIDUAL:
            for person in rng.sample(people, min(n, len(people))):
                on = today - dt.timedelta(days=rng.randint(30, 5 * 365))
                awarded_by = court.name if body == "本院" else body
                year = on.year
                do_record_honour(
                    None,
                    person=person,
                    title=title if level != HonourLevel.COURT else f"{year}年度嘉奖",
                    kind=kind,
                    level=level,
                    awarded_by=awarded_by,
                    awarded_on=on,
                    document_no=f"{court.name[:2]}法〔{year}〕{rng.randint(3, 120)}号",
                    today=today,
                )
                made += 1
        branches = list(
            Org.objects.filter(kind=OrgKind.BRANCH, path__startswith=court.path).order_by("path")
        )
        for branch in branches[:3]:
            do_record_honour(
                None,
                org=branch,
                title="全区法院百强党支部",
                kind=HonourKind.TOP_BRANCH,
                level=HonourLevel.PROVINCE,
                awarded_by="内蒙古自治区高级人民法院机关党委",
                awarded_on=dt.date(today.year - 1, 6, 28),
                document_no=f"内高法党〔{today.year - 1}〕15号",
                today=today,
            )
            made += 1
        if len(branches) > 3:
            do_record_honour(
                None,
                org=branches[3],
                title="全市先进基层党组织",
                kind=HonourKind.ADVANCED_PARTY_ORG,
                level=HonourLevel.CITY,
                awarded_by="中共包头市委",
                awarded_on=dt.date(today.year - 1, 6, 30),
                today=today,
            )
            made += 1
        if code == BASIC_COURT:
            wrong = do_record_honour(
                None,
                person=people[0],
                title="全区法院先进个人",
                kind=HonourKind.ADVANCED_PERSON,
                level=HonourLevel.PROVINCE,
                awarded_by="内蒙古自治区高级人民法院",
                awarded_on=today - dt.timedelta(days=90),
                today=today,
            )
            do_withdraw_honour(None, wrong, reason="登记重复，以表彰文件为准重新登记", on=today)
            made += 1
    if member is not None:
        for title, kind, level, body, days in (
            (
                "全区法院优秀共产党员",
                HonourKind.EXCELLENT_MEMBER,
                HonourLevel.PROVINCE,
                "内蒙古自治区高级人民法院机关党委",
                200,
            ),
            (
                f"{today.year - 1}年度嘉奖",
                HonourKind.COMMENDATION,
                HonourLevel.COURT,
                member.court.name,
                400,
            ),
        ):
            do_record_honour(
                None,
                person=member,
                title=title,
                kind=kind,
                level=level,
                awarded_by=body,
                awarded_on=today - dt.timedelta(days=days),
                today=today,
            )
            made += 1
    build.counts.update(honours=made)
