"""Builder step: years of training classes (培训班) for every court, ledger-style.

Each court runs classes every year of the window (`demo.activities.window`): political
rotations, business classes, skill drills, classes for the newly appointed, a few off-site
ones at a university; an upper court also calls people of the courts below it (上级调训).
Each class lists its participants with the hours a ledger states (`ledger_hours`, its
political part), as a court's past records come in through the training-ledger import, so
the statistics (R7.2) and the yearly hours have three years to read. Each court also sets
its yearly requirement per personnel line (每人每年不少于N学时). One generator per court,
so the same seed gives the same rows and adding this step changes nothing before it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection

from tianping.demo.activities import window
from tianping.learning.models import (
    ClassStatus,
    EnrolmentResult,
    TrainingKind,
    TrainingRequirement,
)
from tianping.learning.models import (
    Enrolment as EnrolmentModel,
)
from tianping.learning.models import (
    TrainingClass as ClassModel,
)
from tianping.learning.models.training import ClassSource
from tianping.lib.bulk import insert, insert_values
from tianping.people.models import Category, PersonStatus

if TYPE_CHECKING:
    from tianping.demo.builder import Build
    from tianping.demo.roster import CourtRoster, PersonDraft

# Kind → (weight, days from–to, the share of its hours that is political education).
KINDS: dict[str, tuple[int, tuple[int, int], Decimal]] = {
    TrainingKind.POLITICAL_ROTATION: (3, (1, 3), Decimal("1")),
    TrainingKind.BUSINESS: (6, (1, 5), Decimal("0.25")),
    TrainingKind.SKILL_DRILL: (3, (1, 2), Decimal("0.2")),
    TrainingKind.NEW_POST: (1, (3, 5), Decimal("0.4")),
    TrainingKind.OFF_SITE: (1, (5, 7), Decimal("0.3")),
}
NAMES: dict[str, list[str]] = {
    TrainingKind.POLITICAL_ROTATION: [
        "全院干警政治轮训班",
        "党的创新理论专题轮训班",
        "党纪学习教育专题班",
    ],
    TrainingKind.BUSINESS: [
        "民事审判业务培训班",
        "刑事审判实务培训班",
        "执行业务培训班",
        "行政审判专题培训班",
        "审判管理与质效提升培训班",
        "司法文书写作培训班",
    ],
    TrainingKind.SKILL_DRILL: ["书记员速录技能练兵", "司法警察岗位练兵", "庭审记录实操训练"],
    TrainingKind.NEW_POST: ["新任职中层干部培训班", "新入额法官任职培训班"],
    TrainingKind.OFF_SITE: ["审判业务素能提升班", "领导干部综合能力提升班"],
    TrainingKind.DISPATCHED: ["上级法院调训班"],
}
HOSTS = ["浙江大学", "复旦大学", "中国人民大学", "四川大学", "厦门大学", "国家法官学院"]
HOURS_PER_DAY = Decimal("6")
# 每人每年不少于N学时，其中政治理论不少于M学时, per line.
REQUIREMENTS = {
    Category.JUDGE: (Decimal("40"), Decimal("12")),
    Category.JUDGE_ASSISTANT: (Decimal("36"), Decimal("10")),
    Category.CLERK: (Decimal("30"), Decimal("8")),
    Category.JUDICIAL_POLICE: (Decimal("30"), Decimal("8")),
    Category.ADMIN_STAFF: (Decimal("24"), Decimal("8")),
}
BATCH = 5000


def _pool(roster: CourtRoster, year: int) -> list[PersonDraft]:
    """Who could sit in a class of the year: serving then (not left before it)."""
    start = dt.date(year, 1, 1)
    return [
        p
        for p in roster.people
        if p.pk is not None
        and p.hired_on <= dt.date(year, 12, 31)
        and (p.status == PersonStatus.SERVING or (p.left_on is not None and p.left_on > start))
    ]


def add_training(build: Build) -> None:
    """Classes and ledger enrolments for every court and year; requirements per court."""
    first, last = window(build)
    ids = build.org_ids
    below: dict[str, list[CourtRoster]] = {}
    for roster in build.rosters:
        parent = roster.plan.parent
        while parent is not None:
            below.setdefault(parent, []).append(roster)
            parent = next((r.plan.parent for r in build.rosters if r.plan.code == parent), None)
    requirements: list[dict[str, Any]] = []
    classes_total = enrolments_total = 0
    for roster in build.rosters:
        court_id = ids[roster.plan.code]
        rng = build.rng(f"training:{roster.plan.code}")
        for line, (hours, political) in REQUIREMENTS.items():
            requirements.append(
                {"court_id": court_id, "line": line, "hours": hours, "political_hours": political}
            )
        classes: list[ClassModel] = []
        drawn: list[list[tuple[int, Decimal, Decimal, str]]] = []
        for year in range(first.year, last.year + 1):
            pool = _pool(roster, year)
            wide = [p for r in below.get(roster.plan.code, []) for p in _pool(r, year)]
            if not pool:
                continue
            end_of_year = min(dt.date(year, 12, 31), last)
            span = (end_of_year - dt.date(year, 1, 1)).days
            count = max(4, round(len(pool) / 12 * rng.uniform(0.8, 1.2)))
            if wide:
                count += max(2, len(wide) // 400)
            kinds = list(KINDS)
            weights = [KINDS[k][0] for k in kinds]
            for n in range(1, count + 1):
                dispatched = bool(wide) and n > count - max(2, len(wide) // 400)
                kind = TrainingKind.DISPATCHED if dispatched else rng.choices(kinds, weights)[0]
                low, high = KINDS.get(kind, (0, (2, 4), Decimal("0.3")))[1]
                share = KINDS.get(kind, (0, (2, 4), Decimal("0.3")))[2]
                days = rng.randint(low, high)
                starts = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, max(span - 7, 0)))
                ends = min(starts + dt.timedelta(days=days - 1), end_of_year)
                source = wide if dispatched else pool
                size = min(
                    len(source), rng.randint(15, 60) if not dispatched else rng.randint(40, 120)
                )
                if kind == TrainingKind.POLITICAL_ROTATION:
                    size = min(len(source), max(size, len(source) // 3))
                chosen = rng.sample(source, size)
                base = HOURS_PER_DAY * days
                rows: list[tuple[int, Decimal, Decimal, str]] = []
                for person in chosen:
                    hours = base if rng.random() > 0.08 else base - HOURS_PER_DAY / 2
                    political = (hours * share).quantize(Decimal("0.1"))
                    result = (
                        EnrolmentResult.PASSED if rng.random() > 0.03 else EnrolmentResult.FAILED
                    )
                    rows.append((int(person.pk or 0), hours, political, result))
                host = rng.choice(HOSTS) if kind == TrainingKind.OFF_SITE else ""
                classes.append(
                    ClassModel(
                        court_id=court_id,
                        organiser_id=court_id,
                        code=f"{roster.plan.code}-{year}-{n:03d}",
                        name=f"{year}年{rng.choice(NAMES[kind])}",
                        kind=kind,
                        host_institution=host,
                        audience="全院干警" if kind == TrainingKind.POLITICAL_ROTATION else "",
                        starts_on=starts,
                        ends_on=ends,
                        place=host or "本院培训中心",
                        status=ClassStatus.FINISHED if ends < last else ClassStatus.FINAL,
                        source=ClassSource.IMPORT,
                    )
                )
                drawn.append(rows)
        insert(classes, returning=True)
        enrolments = [
            {
                "training_class_id": c.pk,
                "person_id": pk,
                "ledger_hours": hours,
                "ledger_political_hours": political,
                "result": result,
            }
            for c, rows in zip(classes, drawn, strict=True)
            for pk, hours, political, result in rows
        ]
        for start in range(0, len(enrolments), BATCH):
            insert_values(EnrolmentModel, enrolments[start : start + BATCH])
        classes_total += len(classes)
        enrolments_total += len(enrolments)
    insert_values(TrainingRequirement, requirements)
    build.counts.update(training_classes=classes_total, enrolments=enrolments_total)
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        tables = (ClassModel, EnrolmentModel, TrainingRequirement)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(quote(m._meta.db_table) for m in tables)}")
