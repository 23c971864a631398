"""Builder step: years of organisational life — activities, attendance and the points they earn.

Every party organisation of every court holds what R1.5 asks of it at the statutory rhythm
(kinds.OBLIGATIONS), with the gaps real ledgers show: a meeting not held, one cancelled
and sometimes held again later in the month, a branch silent for a month or two. Beside
them come the other kinds the seeds describe (training classes, volunteer service, 普法,
听我断案, …) at plausible rates. Attendance lists the organisation's members as of each
day (placement history), a leave with its reason and, often, the make-up study (补学) that
followed; the ledger holds exactly the entries `points.posting.reconcile` would post for
each record (R4.1, R4.3), written in bulk. The branch congresses that admitted members and
voted on their full membership are held with a quorum present (R2.6, D4), as are those that
elected a committee where the data set plans its committees (demo.committees); each
committee member holds the year's 谈心谈话 with the branch (D5). One generator per court
keeps courts independent, so the same seed gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from itertools import islice
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from django.db import connection
from django.db.models import Field, Model
from django.utils import timezone

from tianping.activities import kinds
from tianping.activities.models import (
    COMMON_REASONS,
    MAKEUP_METHODS,
    Activity,
    ActivitySource,
    ActivityStatus,
    Attendance,
    AttendanceRole,
    AttendanceStatus,
)
from tianping.demo.days import HOLIDAYS, meeting_day_from
from tianping.demo.roster import SECRETARY_RANK, Branch, CourtRoster, OrgNode, PersonDraft
from tianping.orgs.models import COURT_KINDS, Org, OrgKind
from tianping.people.models import Category, PlacementKind, PoliticalStatus, PostLevel
from tianping.points.models import PointEntry, PointRule, Trigger
from tianping.points.rules import scheme_for

if TYPE_CHECKING:  # the builder imports this step into its list of steps
    from tianping.demo.builder import Build

BATCH = 1000
# A negative cache_size is in KiB: 256 MiB while the step writes.
SQLITE_CACHE_KIB = -262144

# How many calendar years of records, ending with the plan's day: the demo shows two
# (CONTRACT.md), the generated benchmark data sets three.
YEARS = {"demo": 2}
DEFAULT_YEARS = 3

# Attendance of the people expected (R1.5 meetings): present, on leave, else absent.
PRESENT_SHARE, LEAVE_SHARE = 0.90, 0.07
# A statutory meeting that was simply not held, or cancelled (and then held again later
# in the month in most cases).
MISSED, CANCELLED, HELD_AGAIN = 0.06, 0.02, 0.7
# Per branch and year: the chance of a silent spell of one or two months.
SILENT_SPELL = 0.08
# A quarter's 党课 given at that month's 主题党日 (one record counting for both, R1.5).
LECTURE_AT_THEME_DAY = 0.35
# 谈心谈话: a talker who did not get round to it, a member away when the talker came.
TALK_NOT_HELD, TALK_MISSED_ONE = 0.03, 0.12
# …and a branch that does not catch up in December on the talks still owed.
TALK_NO_CATCH_UP = 0.25
# Why those on leave were away (COMMON_REASONS), and how many studied the meeting afterwards.
LEAVE_REASON_WEIGHTS = (0.4, 0.15, 0.15, 0.2, 0.1)
MAKEUP_AFTER_LEAVE, MAKEUP_AFTER_ABSENCE = 0.6, 0.3
# A year's 组织生活会 held together with 民主评议党员.
REVIEW_AT_LIFE_MEETING = 0.6
# R1.3: a branch with this many full members has a committee (and holds its meetings).
COMMITTEE_FROM = 7
ORG_LIFE = Trigger.ATTEND_ORG_LIFE

CANCEL_REASONS = (
    "与集中开庭时间冲突，改期召开",
    "支部书记参加上级会议，改期召开",
    "遇集中执行行动，延期召开",
    "多名党员外出办案，改期召开",
)
MEETING_ROOMS = ("党员活动室", "第一会议室", "第二会议室", "三楼会议室", "党建活动室")
GROUP_ROOMS = ("庭务会议室", "合议室", "第一会议室", "党员活动室")
THEME_DAY_TOPICS = {
    1: "新年新气象，奋进新征程",
    2: "学习全国两会精神，服务保障高质量发展",
    3: "学雷锋志愿服务",
    4: "缅怀革命先烈，传承红色基因",
    5: "青春心向党，建功新时代",
    6: "党纪学习教育：学条例、守党纪",
    7: "重温入党誓词，庆祝中国共产党成立{party_age}周年",
    8: "弘扬法治精神，践行司法为民",
    9: "清廉家风建设",
    10: "我为群众办实事：走进诉讼服务中心",
    11: "学习宪法，尊崇宪法",
    12: "国家宪法日主题宣传",
}
LECTURE_TOPICS = (
    "深入学习贯彻习近平新时代中国特色社会主义思想",
    "坚持党对人民法院工作的绝对领导",
    "以案为鉴，筑牢廉洁司法防线",
    "传承红色基因，赓续精神血脉",
    "坚持和发展新时代“枫桥经验”，做实诉源治理",
    "学习党章、遵守党章、维护党章",
    "牢记初心使命，努力让人民群众在每一个司法案件中感受到公平正义",
    "加强作风建设，提升司法公信力",
    "党纪学习教育专题党课",
    "学习习近平法治思想，做新时代合格法院干警",
)
STUDY_TOPICS = (
    "习近平新时代中国特色社会主义思想",
    "习近平法治思想",
    "党的二十大精神",
    "党的二十届三中全会精神",
    "中央政法工作会议精神",
    "全国高级法院院长会议精神",
    "《中国共产党纪律处分条例》",
    "习近平总书记关于全面从严治党的重要论述",
    "习近平总书记关于政法工作的重要论述",
    "最高人民法院关于审判管理的部署",
    "意识形态工作责任制",
    "党风廉政建设和反腐败工作",
)
BOOKS = (
    "《习近平谈治国理政》",
    "《习近平法治思想学习纲要》",
    "《中国共产党简史》",
    "《枫桥经验》",
    "《论中国共产党历史》",
    "《法治的细节》",
    "《马锡五审判方式》",
)
COMMUNITIES = ("朝阳", "和平", "幸福", "光明", "新华", "团结", "滨河", "青年路", "建设", "文化")
SCHOOLS = ("第一中学", "实验小学", "第三中学", "职业技术学校", "民族中学")
TRAINING_CLASSES = (
    ("党务干部培训班", 16),
    ("新任法官助理岗前培训班", 24),
    ("审判业务专题培训班", 16),
    ("入党积极分子培训班", 24),
    ("司法警察集中轮训班", 32),
    ("执行业务培训班", 12),
    ("书记员庭审记录规范培训班", 8),
)
COMPETITIONS = (
    ("书记员速录技能竞赛", (Category.CLERK,)),
    ("裁判文书写作技能竞赛", (Category.JUDGE, Category.JUDGE_ASSISTANT)),
    ("司法警察岗位练兵技能比武", (Category.JUDICIAL_POLICE,)),
    ("执行干警业务技能竞赛", (Category.JUDGE, Category.JUDGE_ASSISTANT, Category.CLERK)),
)
CASE_STORIES = (
    "一起赡养纠纷的调解",
    "执行和解让企业重获新生",
    "小额诉讼一次性化解",
    "巡回审判到田间地头",
    "一起劳动争议的案结事了",
    "从“心结”到“法结”",
)
# R4.1 hours (Activity.hours has one decimal place, as the database returns it).
VOLUNTEER_HOURS = tuple(Decimal(h) for h in ("2.0", "2.5", "3.0", "4.0", "4.0", "6.0"))
MEETING_HOURS = tuple(Decimal(h) for h in ("1.0", "1.5", "1.5", "2.0"))


# ---------------------------------------------------------------------------------------
# Who belonged where, when


@dataclass
class Roll:
    """An organisation's members over time: (person, since, until) with until exclusive."""

    stays: list[tuple[PersonDraft, dt.date | None, dt.date | None]] = field(default_factory=list)

    def on(self, day: dt.date) -> list[PersonDraft]:
        return [
            p
            for p, since, until in self.stays
            if (since is None or since <= day) and (until is None or day < until)
        ]


def full_members(people: Iterable[PersonDraft], day: dt.date) -> list[PersonDraft]:
    """R1.3: full members (正式党员) on the day, as the compliance engine counts them."""
    return [
        p
        for p in people
        if p.political_status == PoliticalStatus.MEMBER
        and (p.full_member_on is None or p.full_member_on <= day)
    ]


def by_rank(people: Iterable[PersonDraft], day: dt.date) -> list[PersonDraft]:
    """Who leads on the day: serving staff before retirees, then department heads, deputies,
    and by age (the roster's rule)."""
    return sorted(
        people,
        key=lambda m: (
            not serving_on(m, day),
            SECRETARY_RANK[m.post_level],
            m.birth_date,
            m.employee_no,
        ),
    )


def serving_on(p: PersonDraft, day: dt.date) -> bool:
    return p.hired_on <= day and (p.left_on is None or day < p.left_on)


def committee_on(roll: Roll, day: dt.date) -> list[PersonDraft]:
    """R1.3: the branch committee that day — 5 members in a large branch, else 3."""
    full = by_rank(full_members(roll.on(day), day), day)
    return full[: 5 if len(full) >= 15 else 3]


# ---------------------------------------------------------------------------------------
# One record before it is written


@dataclass
class Seat:
    person: PersonDraft
    status: str
    role: str = AttendanceRole.PARTICIPANT


@dataclass
class Record:
    kind: str
    org: str  # the organisation's code
    on: dt.date
    title: str
    hours: Decimal | None
    start: dt.time | None = None
    location: str = ""
    agenda: str = ""
    summary: str = ""
    also: tuple[str, ...] = ()
    host: PersonDraft | None = None
    recorder: PersonDraft | None = None
    lecturer: PersonDraft | None = None
    lecturer_is_secretary: bool = False
    talker: PersonDraft | None = None  # 谈心谈话 (D5): who talked with the others present
    external_audience: int | None = None
    status: str = ActivityStatus.HELD
    cancel_reason: str = ""
    seats: list[Seat] = field(default_factory=list)
    pk: int | None = None  # the activity's id, once written


def end_time(start: dt.time | None, hours: Decimal | None, on: dt.date) -> dt.time | None:
    """The end of a meeting within its day; a multi-day class keeps only its start."""
    if start is None or hours is None or hours > 8:
        return None
    end = dt.datetime.combine(on, start) + dt.timedelta(minutes=int(hours * 60))
    return end.time() if end.date() == on else None


def quorum(record: Record, day: dt.date) -> None:
    """R2.6: more than half of the full members present, as a vote needs (D4: counted from the
    attendance). Those marked absent or on leave are called in, in list order, until there are."""
    full = {id(p) for p in full_members([s.person for s in record.seats], day)}
    present = sum(
        1 for s in record.seats if id(s.person) in full and s.status == AttendanceStatus.PRESENT
    )
    for seat in record.seats:
        if present * 2 > len(full):
            return
        if id(seat.person) in full and seat.status != AttendanceStatus.PRESENT:
            seat.status = AttendanceStatus.PRESENT
            present += 1


# ---------------------------------------------------------------------------------------
# The calendar


def months(first: dt.date, last: dt.date) -> Iterator[tuple[int, int]]:
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def month_days(year: int, month: int) -> int:
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return (following - dt.timedelta(days=1)).day


def working_day(year: int, month: int, day: int, last: dt.date) -> dt.date | None:
    """The day itself, or the next working day in the month (else the previous one)."""
    length = month_days(year, month)
    day = max(1, min(day, length))
    candidates = [*range(day, length + 1), *range(day - 1, 0, -1)]
    for d in candidates:
        date = dt.date(year, month, d)
        if date.weekday() < 5 and (month, d) not in HOLIDAYS and date <= last:
            return date
    return None


# ---------------------------------------------------------------------------------------
# A court's year after year of records


class CourtLife:
    """Draws the records of one court's party organisations and of the court itself."""

    def __init__(
        self,
        roster: CourtRoster,
        rng: random.Random,
        first: dt.date,
        last: dt.date,
        committee: Callable[[str, dt.date], list[PersonDraft] | None] | None = None,
        elections: dict[str, list[dt.date]] | None = None,
    ):
        """`committee` names who sat on a branch's committee on a day, where the data set
        plans its committees (else the branch's ranking decides, committee_on); `elections`
        the days a branch congress elected one."""
        self.roster = roster
        self.committee = committee or (lambda code, day: None)
        self.elections = elections or {}
        self.election_records: dict[tuple[str, dt.date], Record] = {}
        self.rng = rng
        self.first, self.last = first, last
        self.records: list[Record] = []
        self.rolls: dict[str, Roll] = defaultdict(Roll)
        self.staff = Roll()
        for person in roster.people:
            for stint in person.stints:
                if stint.kind == PlacementKind.DEPARTMENT:
                    self.staff.stays.append((person, stint.since, stint.until))
                else:
                    self.rolls[stint.org].stays.append((person, stint.since, stint.until))
        children = roster.tree.children
        self.leading_group = next((n for n in children if n.kind == OrgKind.LEADING_GROUP), None)
        self.party_root = next(
            (n for n in children if n.kind in (OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH)),
            None,
        )
        self.leaders = roster.leaders
        # The 支部党员大会 that voted on a member: ("admission" | "full", 工号) → the record.
        self.votes: dict[tuple[str, str], Record] = {}

    # Attendance ---------------------------------------------------------------------

    def status(self) -> str:
        r = self.rng.random()
        if r < PRESENT_SHARE:
            return AttendanceStatus.PRESENT
        if r < PRESENT_SHARE + LEAVE_SHARE:
            return AttendanceStatus.LEAVE
        return AttendanceStatus.ABSENT

    def seat_all(self, record: Record, people: Iterable[PersonDraft]) -> Record:
        """Everyone expected, each present, on leave or absent; those with a part present."""
        leading: dict[int, str] = {}
        for p, role in (
            (record.talker, AttendanceRole.TALKER),
            (record.lecturer, AttendanceRole.LECTURER),
            (record.host, AttendanceRole.PARTICIPANT),
            (record.recorder, AttendanceRole.PARTICIPANT),
        ):
            if p is not None:
                leading.setdefault(id(p), role)
        seen: set[int] = set()
        for person in sorted(people, key=lambda p: p.employee_no):
            if id(person) in seen:
                continue
            seen.add(id(person))
            if id(person) in leading:
                record.seats.append(Seat(person, AttendanceStatus.PRESENT, leading[id(person)]))
            else:
                record.seats.append(Seat(person, self.status()))
        if record.lecturer is not None and id(record.lecturer) not in seen:
            # A court leader lecturing a branch they do not belong to is still on its list.
            record.seats.append(
                Seat(record.lecturer, AttendanceStatus.PRESENT, AttendanceRole.LECTURER)
            )
        return record

    def seat_some(self, record: Record, people: list[PersonDraft], low: int, high: int) -> Record:
        """A share of the organisation takes part (volunteers, trainees, an audience)."""
        chosen = self.rng.sample(people, min(len(people), self.rng.randint(low, high)))
        for person in sorted(chosen, key=lambda p: p.employee_no):
            leave = self.rng.random() < 0.04
            record.seats.append(
                Seat(person, AttendanceStatus.LEAVE if leave else AttendanceStatus.PRESENT)
            )
        return record

    # Building blocks ----------------------------------------------------------------

    def meeting_time(self) -> dt.time:
        return self.rng.choice((dt.time(8, 30), dt.time(14, 30), dt.time(15, 0), dt.time(16, 30)))

    def add(self, record: Record) -> None:
        self.records.append(record)

    def statutory(self, record: Record, expected: Callable[[dt.date], list[PersonDraft]]) -> None:
        """A meeting of R1.5: usually held; sometimes missed, or cancelled and held again.

        `expected` gives who is expected on a day: a meeting held again later in the month
        lists the members of that later day.
        """
        rng = self.rng
        r = rng.random()
        if r < MISSED:
            return
        if r < MISSED + CANCELLED:
            reason = rng.choice(CANCEL_REASONS)
            self.add(
                Record(
                    record.kind,
                    record.org,
                    record.on,
                    record.title,
                    record.hours,
                    record.start,
                    record.location,
                    record.agenda,
                    also=record.also,
                    host=record.host,
                    lecturer=record.lecturer,
                    lecturer_is_secretary=record.lecturer_is_secretary,
                    status=ActivityStatus.CANCELLED,
                    cancel_reason=reason,
                )
            )
            later = working_day(
                record.on.year, record.on.month, record.on.day + rng.randint(5, 12), self.last
            )
            if later is None or later <= record.on or rng.random() >= HELD_AGAIN:
                return
            record.on = later
        self.add(self.seat_all(record, expected(record.on)))

    # Branches -----------------------------------------------------------------------

    def branches(self) -> None:
        for branch in self.roster.branches:
            self.branch_life(branch)

    def branch_life(self, branch: Branch) -> None:
        rng = self.rng
        roll = self.rolls[branch.code]
        theme_day = rng.randint(8, 25)  # many branches keep a fixed 主题党日 each month
        committee_day = rng.randint(1, 8)
        for year in range(self.first.year, self.last.year + 1):
            silent = self.silent_months(year)
            quarter_plans = {q: self.quarter_plan(q, silent) for q in range(1, 5)}
            for _, month in months(
                max(self.first, dt.date(year, 1, 1)), min(self.last, dt.date(year, 12, 31))
            ):
                if month in silent:
                    continue
                quarter = (month + 2) // 3
                plan = quarter_plans[quarter]
                self.branch_month(branch, roll, year, month, theme_day, committee_day, plan)
            self.branch_year(branch, roll, year, silent)
        self.membership_votes(branch, roll)
        self.election_congresses(branch, roll)

    def membership_votes(self, branch: Branch, roll: Roll) -> None:
        """The 支部党员大会 that admitted the branch's new members (R2.6) and, a year on,
        discussed their full membership (R2.7): held, whatever else the month held.

        A member admitted here joined the branch on the day of the vote (the roster dates
        their placement from it); the vote on full membership comes at a congress soon
        after probation ends, if they still belong to the branch.
        """
        rng = self.rng
        admitted: dict[dt.date, list[PersonDraft]] = defaultdict(list)
        confirmed: dict[dt.date, list[PersonDraft]] = defaultdict(list)
        for person, since, _ in roll.stays:
            joined = person.party_joined_on
            if (
                joined is None
                or since != joined
                or joined < person.hired_on
                or not self.first <= joined <= self.last
            ):
                continue
            admitted[joined].append(person)
            full_on = person.full_member_on
            if full_on is None or full_on > self.last:
                continue
            day = meeting_day_from(full_on + dt.timedelta(days=rng.randint(0, 12)))
            if day <= self.last and any(p is person for p in roll.on(day)):
                confirmed[day].append(person)
        for day, people in sorted(admitted.items()):
            self.vote(branch, roll, day, people, "admission")
        for day, people in sorted(confirmed.items()):
            self.vote(branch, roll, day, people, "full")

    def vote(
        self, branch: Branch, roll: Roll, day: dt.date, people: list[PersonDraft], purpose: str
    ) -> None:
        rng = self.rng
        people = sorted(people, key=lambda p: p.employee_no)
        names = "、".join(p.name for p in people)
        members = roll.on(day)
        if purpose == "admission":
            title = f"支部党员大会（讨论接收{names}为预备党员）"
            agenda = "1. 介绍发展对象情况；2. 入党介绍人发表意见；3. 无记名投票表决"
            summary = f"经到会有表决权的党员无记名投票表决，同意接收{names}为中共预备党员，报上级党委审批。"
        else:
            title = f"支部党员大会（讨论{names}预备党员转正）"
            agenda = "1. 预备党员汇报预备期表现；2. 党员讨论；3. 表决"
            summary = f"经讨论表决，同意{names}按期转为中共正式党员，报上级党委审批。"
        record = Record(
            "branch_congress",
            branch.code,
            day,
            title,
            rng.choice(MEETING_HOURS),
            self.meeting_time(),
            rng.choice(MEETING_ROOMS),
            agenda,
            summary,
            host=self.secretary_on(members, day),
        )
        self.seat_all(record, members)
        quorum(record, day)
        self.add(record)
        for person in people:
            self.votes[(purpose, person.employee_no)] = record

    def silent_months(self, year: int) -> set[int]:
        rng = self.rng
        if rng.random() >= SILENT_SPELL:
            return set()
        start = rng.randint(1, 10)
        return set(range(start, start + rng.choice((1, 1, 2))))

    def quarter_plan(self, quarter: int, silent: set[int]) -> dict[str, int | bool]:
        """In which month of the quarter the congress and the 党课 fall."""
        rng = self.rng
        open_months = [m for m in range(3 * quarter - 2, 3 * quarter + 1) if m not in silent]
        if not open_months:
            return {}
        return {
            "congress": rng.choice(open_months),
            "second_congress": rng.random() < 0.08,
            "lecture": rng.choice(open_months),
            "lecture_at_theme_day": rng.random() < LECTURE_AT_THEME_DAY,
        }

    def committee_of(self, branch: Branch, roll: Roll, day: dt.date) -> list[PersonDraft]:
        """The branch's committee that day: as planned where the data set plans committees,
        else the branch's ranking (committee_on); only those then in the branch."""
        planned = self.committee(branch.code, day)
        if planned is None:
            return committee_on(roll, day)
        present = {id(p) for p in roll.on(day)}
        return [p for p in planned if id(p) in present]

    def secretary_on(self, members: list[PersonDraft], day: dt.date) -> PersonDraft | None:
        full = by_rank(full_members(members, day), day)
        return full[0] if full else (by_rank(members, day)[0] if members else None)

    def branch_month(
        self,
        branch: Branch,
        roll: Roll,
        year: int,
        month: int,
        theme_day: int,
        committee_day: int,
        plan: dict[str, int | bool],
    ) -> None:
        rng = self.rng
        mid = dt.date(year, month, 15)
        if len(roll.on(min(mid, self.last))) < 2:
            return  # the branch has not formed yet (a retirees' branch fills up over time)

        # 支委会, where the branch must have a committee on the month's last day (R1.3).
        month_end = min(dt.date(year, month, month_days(year, month)), self.last)
        if len(full_members(roll.on(month_end), month_end)) >= COMMITTEE_FROM:
            day = working_day(year, month, committee_day + rng.randint(0, 3), self.last)
            if day is not None:
                committee = self.committee_of(branch, roll, day)
                if committee:
                    record = Record(
                        "branch_committee",
                        branch.code,
                        day,
                        f"{year}年{month}月支部委员会会议",
                        rng.choice(MEETING_HOURS),
                        self.meeting_time(),
                        rng.choice(MEETING_ROOMS),
                        "1. 传达学习上级文件精神；2. 研究本月支部工作安排；3. 讨论党员教育管理事项",
                        "支委会传达学习了上级文件精神，研究部署本月支部工作。",
                        host=committee[0],
                        recorder=committee[-1] if len(committee) > 1 else None,
                    )
                    self.statutory(record, lambda d: self.committee_of(branch, roll, d))

        # 主题党日, sometimes with the quarter's 党课 in the same record.
        lecture_here = plan.get("lecture") == month and plan.get("lecture_at_theme_day")
        day = working_day(year, month, theme_day, self.last)
        if day is not None:
            members = roll.on(day)
            secretary = self.secretary_on(members, day)
            topic = THEME_DAY_TOPICS[month].format(party_age=year - 1921)
            if lecture_here:
                record = self.lecture(branch.code, members, day, at_theme_day=topic)
            else:
                record = Record(
                    "theme_day",
                    branch.code,
                    day,
                    f"{month}月主题党日：{topic}",
                    rng.choice((Decimal("2.0"), Decimal("2.5"), Decimal("3.0"))),
                    dt.time(14, 30),
                    rng.choice(MEETING_ROOMS),
                    f"1. 集中学习；2. {topic}；3. 交流发言",
                    f"支部组织党员开展“{topic}”主题党日活动，党员结合审判执行工作交流体会。",
                    host=secretary,
                )
            self.statutory(record, roll.on)

        # 党课 on a day of its own.
        if plan.get("lecture") == month and not lecture_here:
            day = working_day(year, month, rng.randint(3, 26), self.last)
            if day is not None:
                members = roll.on(day)
                self.statutory(self.lecture(branch.code, members, day), roll.on)

        # 支部党员大会, once a quarter, now and then twice.
        if plan.get("congress") == month:
            holdings = 2 if plan.get("second_congress") else 1
            for n in range(holdings):
                day = working_day(year, month, rng.randint(3, 12) + 12 * n, self.last)
                if day is None:
                    continue
                members = roll.on(day)
                secretary = self.secretary_on(members, day)
                record = Record(
                    "branch_congress",
                    branch.code,
                    day,
                    f"{year}年第{(month + 2) // 3}季度支部党员大会",
                    rng.choice(MEETING_HOURS),
                    self.meeting_time(),
                    rng.choice(MEETING_ROOMS),
                    "1. 通报支部工作；2. 学习上级精神；3. 讨论决定支部重要事项",
                    "支部书记通报了本季度支部工作，全体党员学习讨论，会议通过有关事项。",
                    host=secretary,
                )
                self.statutory(record, roll.on)

        # 党小组会, every group every month.
        for group in branch.groups:
            day = working_day(year, month, rng.randint(5, 24), self.last)
            if day is None:
                continue
            members = self.rolls[group.code].on(day)
            if not members:
                continue
            record = Record(
                "group_meeting",
                group.code,
                day,
                f"{group.name}{month}月党小组会",
                rng.choice((Decimal("1.0"), Decimal("1.5"))),
                dt.time(16, 30),
                rng.choice(GROUP_ROOMS),
                "1. 学习文件；2. 交流思想工作情况",
                "党小组成员集中学习，并结合手头案件交流思想工作情况。",
                host=by_rank(members, day)[0],
            )
            self.statutory(record, self.rolls[group.code].on)

        # 政治生日: the members who joined the party in this month.
        day = working_day(year, month, rng.randint(1, 20), self.last)
        if day is not None and rng.random() < 0.45:
            members = roll.on(day)
            celebrated = [
                m for m in members if m.party_joined_on and m.party_joined_on.month == month
            ]
            secretary = self.secretary_on(members, day)
            if celebrated and secretary is not None:
                record = Record(
                    "political_birthday",
                    branch.code,
                    day,
                    f"{month}月党员政治生日",
                    Decimal("1.0"),
                    dt.time(16, 30),
                    "党员活动室",
                    "重温入党誓词，赠送政治生日贺卡",
                    f"为{len(celebrated)}名党员过政治生日，重温入党誓词。",
                    host=secretary,
                )
                self.add(self.seat_all(record, [*celebrated, secretary]))

    def lecture(
        self, org: str, members: list[PersonDraft], day: dt.date, at_theme_day: str = ""
    ) -> Record:
        """A branch's 党课: mostly by its secretary, sometimes a member or a court leader."""
        rng = self.rng
        secretary = self.secretary_on(members, day)
        r = rng.random()
        leaders = [p for p in self.leaders if serving_on(p, day)]
        lecturer: PersonDraft | None
        if r < 0.15 and leaders:
            lecturer = rng.choice(leaders)
        elif r < 0.4 and members:
            lecturer = rng.choice(full_members(members, day) or members)
        else:
            lecturer = secretary
        topic = rng.choice(LECTURE_TOPICS)
        if at_theme_day:
            return Record(
                "party_lecture",
                org,
                day,
                f"{day.month}月主题党日暨专题党课：{topic}",
                Decimal("2.5"),
                dt.time(14, 30),
                rng.choice(MEETING_ROOMS),
                f"1. {at_theme_day}；2. 专题党课",
                f"主题党日活动中，{lecturer.name if lecturer else '支部书记'}讲授专题党课“{topic}”。",
                also=("theme_day",),
                host=secretary,
                lecturer=lecturer,
            )
        return Record(
            "party_lecture",
            org,
            day,
            f"专题党课：{topic}",
            Decimal("1.5"),
            self.meeting_time(),
            rng.choice(MEETING_ROOMS),
            "专题党课",
            f"{lecturer.name if lecturer else '支部书记'}讲授专题党课，党员认真聆听并交流学习体会。",
            host=secretary,
            lecturer=lecturer,
        )

    def branch_year(self, branch: Branch, roll: Roll, year: int, silent: set[int]) -> None:
        """What a branch owes once a year, and the other kinds at their yearly rates."""
        rng = self.rng
        open_months = [m for m in range(1, 13) if m not in silent]

        def day_in(candidates: list[int]) -> dt.date | None:
            chosen = [m for m in candidates if m in open_months]
            if not chosen:
                return None
            month = rng.choice(chosen)
            return working_day(year, month, rng.randint(3, 26), self.last)

        def members_on(day: dt.date) -> list[PersonDraft] | None:
            members = roll.on(day)
            return members if len(members) >= 2 else None

        # 组织生活会 and 民主评议党员, normally in the fourth quarter (R1.5, R1.6).
        day = day_in([11, 12])
        if day is not None and (members := members_on(day)):
            secretary = self.secretary_on(members, day)
            together = rng.random() < REVIEW_AT_LIFE_MEETING
            title = f"{year}年度组织生活会" + ("暨民主评议党员" if together else "")
            self.statutory(
                Record(
                    "life_meeting",
                    branch.code,
                    day,
                    title,
                    Decimal("3.0"),
                    dt.time(14, 30),
                    rng.choice(MEETING_ROOMS),
                    "1. 通报年度工作；2. 对照检查，开展批评和自我批评"
                    + ("；3. 民主评议党员" if together else ""),
                    "支部书记代表支委会对照检查，党员逐一发言，开展批评和自我批评。",
                    also=("democratic_review",) if together else (),
                    host=secretary,
                ),
                roll.on,
            )
            if not together:
                later = day_in([12]) or day_in([11])
                if later is not None and (members := members_on(later)):
                    self.statutory(
                        Record(
                            "democratic_review",
                            branch.code,
                            later,
                            f"{year}年度民主评议党员",
                            Decimal("2.0"),
                            dt.time(14, 30),
                            rng.choice(MEETING_ROOMS),
                            "1. 个人自评；2. 党员互评；3. 民主测评",
                            "党员逐一作自我评价，开展互评和民主测评。",
                            host=self.secretary_on(members, later),
                        ),
                        roll.on,
                    )

        # 谈心谈话, recorded once a year by the branch (R1.5, configurable).
        day = day_in([9, 10, 11])
        if day is not None and members_on(day):
            self.heart_talks(branch, roll, day)

        # Beyond the statutory rhythm.
        for _ in range(rng.choice((2, 3, 4, 4, 5))):
            self.volunteer(branch, roll, day_in(open_months))
        for _ in range(rng.choice((1, 2, 2, 3))):
            self.legal_education(branch, roll, day_in(open_months))
        for _ in range(rng.choice((1, 2, 3))):
            self.reading(branch, roll, day_in(open_months))
        for _ in range(rng.choice((0, 1, 1, 2))):
            self.trial_observation(branch, roll, day_in(open_months))
        if rng.random() < 0.4:
            self.storytelling(branch, roll, day_in(open_months))

    def heart_talks(self, branch: Branch, roll: Roll, start: dt.date) -> None:
        """谈心谈话 (R1.5, D5): each committee member talks with every member of the branch,
        the other committee members included, one record per talker over a few weeks. Now
        and then a member away on business is missed; a talker may not get round to it."""
        rng = self.rng
        talkers = self.committee_of(branch, roll, start)
        last = min(self.last, dt.date(start.year, 12, 31))
        held: list[Record] = []
        for i, talker in enumerate(talkers):
            day = meeting_day_from(start + dt.timedelta(days=i * rng.randint(3, 9)))
            if day > last or not any(p is talker for p in roll.on(day)):
                continue
            if rng.random() < TALK_NOT_HELD:
                continue
            record = Record(
                "heart_talk",
                branch.code,
                day,
                f"{day.year}年度谈心谈话（{talker.name}）",
                Decimal("1.0"),
                None,
                "支部书记办公室" if i == 0 else "党员活动室",
                f"{talker.name}与支部党员逐一谈心谈话",
                f"{talker.name}与支部党员逐一谈心谈话，了解思想、工作和生活情况，听取意见建议。",
                host=talker,
                talker=talker,
            )
            self.seat_all(record, roll.on(day))
            for seat in record.seats:
                if seat.role != AttendanceRole.TALKER:
                    seat.status = AttendanceStatus.PRESENT
            if rng.random() < TALK_MISSED_ONE:
                others = [s for s in record.seats if s.role != AttendanceRole.TALKER]
                if others:
                    rng.choice(others).status = AttendanceStatus.LEAVE
            self.add(record)
            held.append(record)
        self.talks_caught_up(branch, roll, start.year, held)

    def talks_caught_up(self, branch: Branch, roll: Roll, year: int, talks: list[Record]) -> None:
        """In December the committee, as it then stands, talks with whoever it has not yet
        talked with this year: members who joined since, those away at the time, and all
        of them for a member elected to the committee since the autumn (D5)."""
        rng = self.rng
        day = working_day(year, 12, rng.randint(8, 22), self.last)
        if day is None or rng.random() < TALK_NO_CATCH_UP:
            return
        talked = {
            frozenset((id(record.talker), id(seat.person)))
            for record in talks
            for seat in record.seats
            if seat.status == AttendanceStatus.PRESENT
        }
        members = roll.on(day)
        talkers = self.committee_of(branch, roll, day)
        for talker in talkers:
            if not any(p is talker for p in members):
                continue
            missing = [
                m
                for m in members
                if m is not talker and frozenset((id(talker), id(m))) not in talked
            ]
            if not missing:
                continue
            names = "、".join(m.name for m in sorted(missing, key=lambda p: p.employee_no)[:3])
            record = Record(
                "heart_talk",
                branch.code,
                day,
                f"{year}年度谈心谈话（{talker.name}，补谈）",
                Decimal("1.0"),
                None,
                "支部书记办公室",
                f"{talker.name}与{names}等党员谈心谈话",
                f"{talker.name}与本年度尚未谈心谈话的党员逐一谈心谈话。",
                host=talker,
                talker=talker,
            )
            self.seat_all(record, [talker, *missing])
            for seat in record.seats:
                seat.status = AttendanceStatus.PRESENT
            self.add(record)
            talked |= {frozenset((id(talker), id(m))) for m in missing}

    def election_congresses(self, branch: Branch, roll: Roll) -> None:
        """The 支部党员大会 at which the branch elected its committee (R1.4), as planned."""
        rng = self.rng
        for day in self.elections.get(branch.code, []):
            if not self.first <= day <= self.last:
                continue
            members = roll.on(day)
            record = Record(
                "branch_congress",
                branch.code,
                day,
                "支部党员大会（换届选举）",
                Decimal("2.0"),
                self.meeting_time(),
                rng.choice(MEETING_ROOMS),
                "1. 听取和审议支部委员会工作报告；2. 无记名投票选举新一届支部委员会",
                "支部委员会作工作报告，到会党员无记名投票，选举产生新一届支部委员会。",
                host=self.secretary_on(members, day),
            )
            self.seat_all(record, members)
            quorum(record, day)
            self.add(record)
            self.election_records[(branch.code, day)] = record

    def volunteer(self, branch: Branch, roll: Roll, day: dt.date | None) -> None:
        if day is None or len(members := roll.on(day)) < 2:
            return
        rng = self.rng
        community = rng.choice(COMMUNITIES)
        hours = rng.choice(VOLUNTEER_HOURS)
        record = Record(
            "volunteer_service",
            branch.code,
            day,
            f"走进{community}社区志愿服务",
            hours,
            dt.time(9, 0),
            f"{community}社区",
            "文明创建、环境整治、结对帮扶",
            "党员志愿者深入社区开展志愿服务。",
        )
        self.add(self.seat_some(record, members, 3, 10))

    def legal_education(self, branch: Branch, roll: Roll, day: dt.date | None) -> None:
        if day is None or len(members := roll.on(day)) < 2:
            return
        rng = self.rng
        where = rng.choice((*SCHOOLS, *(f"{c}社区" for c in COMMUNITIES)))
        record = Record(
            "legal_education",
            branch.code,
            day,
            f"法治宣传进{where}",
            Decimal("2.0"),
            dt.time(9, 30),
            where,
            "以案释法、发放宣传资料、现场答疑",
            "干警以案释法，发放宣传资料，解答群众法律问题。",
            external_audience=rng.randint(30, 300),
        )
        self.add(self.seat_some(record, members, 2, 6))

    def reading(self, branch: Branch, roll: Roll, day: dt.date | None) -> None:
        if day is None or len(members := roll.on(day)) < 2:
            return
        rng = self.rng
        book = rng.choice(BOOKS)
        record = Record(
            "reading_session",
            branch.code,
            day,
            f"读书分享会：{book}",
            Decimal("1.5"),
            dt.time(16, 0),
            rng.choice(MEETING_ROOMS),
            "领读、分享读书体会",
            f"党员共读{book}并分享体会。",
            host=self.secretary_on(members, day),
        )
        self.add(self.seat_some(record, members, max(2, len(members) // 2), len(members)))

    def trial_observation(self, branch: Branch, roll: Roll, day: dt.date | None) -> None:
        if day is None or len(members := roll.on(day)) < 2:
            return
        rng = self.rng
        record = Record(
            "trial_observation",
            branch.code,
            day,
            "观摩示范庭审",
            Decimal("2.0"),
            dt.time(9, 0),
            rng.choice(("第一审判庭", "科技法庭", "第三审判庭")),
            "观摩庭审、评议交流",
            "干警观摩示范庭审并开展评议交流。",
        )
        self.add(self.seat_some(record, members, 3, 10))

    def storytelling(self, branch: Branch, roll: Roll, day: dt.date | None) -> None:
        if day is None or len(members := roll.on(day)) < 4:
            return
        rng = self.rng
        story = rng.choice(CASE_STORIES)
        record = Record(
            "storytelling",
            branch.code,
            day,
            f"“听我断案”分享会：{story}",
            Decimal("2.0"),
            dt.time(15, 0),
            rng.choice(MEETING_ROOMS),
            "法官讲述亲历案件，现场交流",
            f"法官讲述“{story}”等亲历案件，与旁听群众交流。",
            external_audience=rng.randint(15, 80),
            host=self.secretary_on(members, day),
        )
        speakers = rng.sample(members, min(len(members), rng.randint(2, 3)))
        chosen = {id(s) for s in speakers}
        self.seat_some(record, [m for m in members if id(m) not in chosen], 3, len(members))
        record.seats.extend(
            Seat(s, AttendanceStatus.PRESENT, AttendanceRole.SPEAKER)
            for s in sorted(speakers, key=lambda p: p.employee_no)
        )
        self.add(record)

    # The court's 党组 and 机关党委, and the court itself ---------------------------------

    def court_life(self) -> None:
        rng = self.rng
        chief = next((p for p in self.leaders if p.post_level == PostLevel.COURT_CHIEF), None)
        for year in range(self.first.year, self.last.year + 1):
            start, end = max(self.first, dt.date(year, 1, 1)), min(self.last, dt.date(year, 12, 31))
            if self.leading_group is not None:
                self.leading_group_year(self.leading_group, chief, year, start, end)
            if self.party_root is not None and self.party_root.kind == OrgKind.PARTY_COMMITTEE:
                secretary = self.leaders[2] if len(self.leaders) > 2 else chief
                day = working_day(year, rng.choice((5, 6, 7)), rng.randint(3, 26), end)
                if day is not None and day >= start and secretary is not None:
                    self.statutory(
                        self.secretary_lecture(self.party_root, secretary, day), self.cadres
                    )
            for _ in range(rng.randint(2, 4)):
                self.training(year, start, end)
            self.competition(year, start, end)

    def leaders_on(self, day: dt.date) -> list[PersonDraft]:
        """The 党组: the court's leaders serving that day (nobody is placed in it)."""
        return [p for p in self.leaders if serving_on(p, day)]

    def cadres(self, day: dt.date) -> list[PersonDraft]:
        """Leaders and department heads in the party, serving that day."""
        return [
            p
            for p in self.roster.people
            if p.in_party
            and serving_on(p, day)
            and p.post_level
            in (
                PostLevel.COURT_CHIEF,
                PostLevel.COURT_DEPUTY,
                PostLevel.DIVISION_CHIEF,
                PostLevel.DIVISION_DEPUTY,
            )
        ]

    def secretary_lecture(self, org: OrgNode, lecturer: PersonDraft, day: dt.date) -> Record:
        """The party committee's (党组's) secretary lecturing, once a year (R1.5)."""
        topic = self.rng.choice(LECTURE_TOPICS)
        return Record(
            "party_lecture",
            org.code,
            day,
            f"{org.name}书记讲专题党课：{topic}",
            Decimal("2.0"),
            dt.time(15, 0),
            "大审判庭",
            "专题党课",
            f"{org.name}书记{lecturer.name}为全院党员干部讲授专题党课。",
            host=lecturer,
            lecturer=lecturer,
            lecturer_is_secretary=True,
        )

    def leading_group_year(
        self, group: OrgNode, chief: PersonDraft | None, year: int, start: dt.date, end: dt.date
    ) -> None:
        """理论学习中心组 every month (R1.5, R1.7) and the secretary's yearly 党课."""
        rng = self.rng
        for _, month in months(start, end):
            for n in range(2 if rng.random() < 0.1 else 1):
                day = working_day(year, month, rng.randint(3, 14) + 12 * n, end)
                if day is None:
                    continue
                members = self.leaders_on(day)
                if not members:
                    continue
                topic = rng.choice(STUDY_TOPICS)
                record = Record(
                    "center_group_study",
                    group.code,
                    day,
                    f"党组理论学习中心组{month}月集体学习：{topic}",
                    Decimal("2.0"),
                    dt.time(8, 30),
                    "党组会议室",
                    f"1. 领学{topic}；2. 中心组成员交流研讨",
                    f"中心组集体学习{topic}，成员结合分管工作交流研讨。",
                    host=chief if any(p is chief for p in members) else members[0],
                )
                self.statutory(record, self.leaders_on)
        if chief is not None:
            day = working_day(year, rng.choice((6, 7)), rng.randint(1, 28), end)
            if day is not None and day >= start and serving_on(chief, day):
                self.statutory(self.secretary_lecture(group, chief, day), self.cadres)

    def training(self, year: int, start: dt.date, end: dt.date) -> None:
        rng = self.rng
        name, hours = rng.choice(TRAINING_CLASSES)
        month = rng.randint(start.month, end.month)
        day = working_day(year, month, rng.randint(1, 24), end)
        if day is None or day < start:
            return
        staff = self.staff.on(day)
        if len(staff) < 5:
            return
        record = Record(
            "training_class",
            self.roster.plan.code,
            day,
            f"{year}年{name}",
            Decimal(hours).quantize(Decimal("0.1")),
            dt.time(9, 0),
            rng.choice(("培训中心", "大审判庭", "第一会议室")),
            "专题授课、案例研讨、结业考核",
            f"{name}集中授课，学员结业考核合格。",
        )
        self.add(self.seat_some(record, staff, 15, 50))

    def competition(self, year: int, start: dt.date, end: dt.date) -> None:
        rng = self.rng
        name, categories = rng.choice(COMPETITIONS)
        day = working_day(year, rng.randint(start.month, end.month), rng.randint(1, 24), end)
        if day is None or day < start:
            return
        contestants = [p for p in self.staff.on(day) if p.category in categories]
        if len(contestants) < 3:
            return
        record = Record(
            "skill_competition",
            self.roster.plan.code,
            day,
            f"{year}年{name}",
            Decimal("4.0"),
            dt.time(9, 0),
            "培训中心",
            "初赛、决赛、颁奖",
            f"{name}评出一、二、三等奖。",
        )
        self.add(self.seat_some(record, contestants, 3, 20))

    def draw(self) -> list[Record]:
        self.branches()
        self.court_life()
        return self.records


# ---------------------------------------------------------------------------------------
# Points, as points.posting.due_entries computes them


class Row(NamedTuple):
    """One attendance row as stored (the fields posting reads)."""

    pk: int
    person_id: int
    status: str
    role: str
    hours: Decimal | None


class Entry(NamedTuple):
    """One ledger line with the fields reconcile() sets (created_by stays empty)."""

    person_id: int
    on: dt.date
    points: Decimal
    trigger: str
    rule_id: int
    activity_id: int
    attendance_id: int
    reason: str


class Ledger:
    """What points.posting.due_entries gives each record (R4.1), caps kept across records.

    Records are posted in date order, as reconcile() would have posted them one by one; a
    capped rule (volunteer hours, 10 a year) then holds for any record recomputed later.
    """

    def __init__(self, rules: dict[str, PointRule]) -> None:
        self.rules = rules
        self.used: dict[tuple[int, str, dt.date], Decimal] = defaultdict(Decimal)

    def cap_start(self, rule: PointRule, day: dt.date) -> dt.date:
        return day.replace(day=1) if rule.cap_period == "month" else day.replace(month=1, day=1)

    def entries(self, activity_id: int, record: Record, rows: list[Row]) -> list[Entry]:
        """The entries of one record, whose attendance `rows` are stored under `activity_id`."""
        if record.status != ActivityStatus.HELD:
            return []
        info = kinds.kind(record.kind)
        counts_org_life = any(
            kinds.kind(k).attendance_trigger == ORG_LIFE
            for k in kinds.counts_for(record.kind, record.also)
        )
        rules = self.rules
        out: list[Entry] = []

        def post(row: Row, rule: PointRule, points: Decimal, reason: str) -> None:
            out.append(
                Entry(
                    row.person_id,
                    record.on,
                    points,
                    rule.trigger,
                    rule.pk,
                    activity_id,
                    row.pk,
                    reason,
                )
            )

        for row in rows:
            if row.status == AttendanceStatus.PRESENT:
                rule = rules.get(Trigger.ATTEND_ORG_LIFE)
                if counts_org_life and rule and rule.points:
                    post(row, rule, rule.points, f"参加{info.name}")
                rule = rules.get(Trigger.GIVE_LECTURE)
                if row.role == AttendanceRole.LECTURER and rule and rule.points:
                    post(row, rule, rule.points, f"讲授{info.name}")
                rule = rules.get(Trigger.VOLUNTEER_HOURS)
                hours = row.hours if row.hours is not None else record.hours
                if record.kind == "volunteer_service" and rule and rule.points and hours:
                    units = (hours / (rule.per_hours or Decimal("1"))).to_integral_value(
                        rounding=ROUND_FLOOR
                    )
                    points = units * rule.points
                    if rule.cap is not None:
                        key = (row.person_id, rule.trigger, self.cap_start(rule, record.on))
                        points = max(Decimal("0"), min(points, rule.cap - self.used[key]))
                        self.used[key] += points
                    if points:
                        post(row, rule, points, f"志愿服务{hours}小时")
            elif row.status == AttendanceStatus.ABSENT and counts_org_life:
                rule = rules.get(Trigger.UNEXCUSED_ABSENCE)
                if rule and rule.points:
                    post(row, rule, rule.points, f"无故缺席{info.name}")
        return out


# ---------------------------------------------------------------------------------------
# The step


def window(build: Build) -> tuple[dt.date, dt.date]:
    """The calendar years the records cover, ending with the plan's day."""
    last = build.plan.as_of
    years = YEARS.get(build.plan.profile, DEFAULT_YEARS)
    return dt.date(last.year - years + 1, 1, 1), last


def seed_point_rules(build: Build) -> dict[str, dict[str, PointRule]]:
    """Each court's scheme and R4.1 rules, seeded as on first use; by court code, trigger."""
    codes = [c.code for c in build.plan.courts]
    courts = Org.objects.filter(pk__in=[build.org_ids[c] for c in codes])
    for court in courts.order_by("path"):
        scheme_for(court)
    rules: dict[str, dict[str, PointRule]] = {code: {} for code in codes}
    code_of = {build.org_ids[c]: c for c in codes}
    for rule in PointRule.objects.filter(court_id__in=list(code_of), active=True):
        rules[code_of[rule.court_id]][rule.trigger] = rule
    return rules


def chunks(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


class Writer:
    """Plain INSERTs with executemany for the three big tables, values adapted as Django would.

    bulk_create spends most of its time preparing every field of every row (four times
    slower here, measured); these rows repeat a handful of distinct dates, times and
    decimals, so each distinct value is adapted once by its model field.
    """

    def __init__(self) -> None:
        self.cache: dict[tuple[type[Model], str], dict[object, object]] = {}
        self.now = self.db(Activity, "created_at", timezone.now())

    def db(self, model: type[Model], name: str, value: object) -> object:
        """The value as the field hands it to the database driver."""
        if value is None:
            return None
        cache = self.cache.get((model, name))
        if cache is None:
            cache = self.cache[(model, name)] = {}
        key = tuple(value) if isinstance(value, list) else value
        if key not in cache:
            field = cast(Field, model._meta.get_field(name))
            cache[key] = field.get_db_prep_save(value, connection)
        return cache[key]

    def insert(
        self, model: type[Model], names: tuple[str, ...], rows: Iterable[tuple[Any, ...]]
    ) -> int:
        """Rows of the named columns; every other column takes its field's default, as an
        instance saved by the ORM would (a field added later needs no change here)."""
        quote = connection.ops.quote_name
        named = [cast(Field, model._meta.get_field(n)) for n in names]
        given = {f.attname for f in named}
        rest = [
            f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in given
        ]
        defaults: tuple[Any, ...] = tuple(self.db(model, f.name, f.get_default()) for f in rest)
        columns = ", ".join(quote(str(f.column)) for f in [*named, *rest])
        sql = (
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "
            f"VALUES ({', '.join(['%s'] * (len(names) + len(rest)))})"
        )
        count = 0
        with connection.cursor() as cursor:
            for chunk in chunks(rows, BATCH * 5):
                cursor.executemany(sql, [(*row, *defaults) for row in chunk])
                count += len(chunk)
        return count


ACTIVITY_COLUMNS = (
    "kind",
    "also_counts_as",
    "org_id",
    "title",
    "on",
    "start_time",
    "end_time",
    "hours",
    "location",
    "agenda",
    "summary",
    "host_id",
    "recorder_id",
    "lecturer_id",
    "lecturer_is_secretary",
    "external_audience",
    "status",
    "cancel_reason",
    "source",
    "created_at",
    "updated_at",
)


class Excuses:
    """Why a member missed a meeting, and the make-up study (补学) a branch records for them.

    A leave has its reason (请假（出差）); an absence stays unexplained. About half of those
    who missed a meeting of organisational life study its content within ten days.
    """

    def __init__(self, rng: random.Random, last: dt.date) -> None:
        self.rng, self.last = rng, last

    def of(self, record: Record, status: str, w: Writer) -> tuple[str, object, str]:
        if status == AttendanceStatus.PRESENT:
            return "", None, ""
        rng = self.rng
        reason = (
            rng.choices(COMMON_REASONS, weights=LEAVE_REASON_WEIGHTS)[0]
            if status == AttendanceStatus.LEAVE
            else ""
        )
        makeup = None
        method = ""
        org_life = any(
            kinds.kind(k).attendance_trigger == ORG_LIFE
            for k in kinds.counts_for(record.kind, record.also)
        )
        if org_life and rng.random() < (MAKEUP_AFTER_LEAVE if reason else MAKEUP_AFTER_ABSENCE):
            day = record.on + dt.timedelta(days=rng.randint(1, 10))
            if day <= self.last:
                makeup, method = day, rng.choice(MAKEUP_METHODS)
        return reason, w.db(Attendance, "makeup_on", makeup), method


def write(
    build: Build,
    records: list[Record],
    rules: dict[str, PointRule],
    org_ids: list[int],
    rng: random.Random,
) -> tuple[int, int, int]:
    """Activities, then their attendance, then the ledger; ids carried from one to the next.

    `org_ids` are the court's organisations, made by this build: every activity they hold
    is one of these records, so reading them back in id order pairs ids with records.
    """
    if not records:
        return 0, 0, 0
    w = Writer()
    ids = build.org_ids
    records.sort(key=lambda r: (r.on, r.org, r.kind, r.title))
    w.insert(
        Activity,
        ACTIVITY_COLUMNS,
        (
            (
                r.kind,
                w.db(Activity, "also_counts_as", list(r.also)),
                ids[r.org],
                r.title,
                w.db(Activity, "on", r.on),
                w.db(Activity, "start_time", r.start),
                w.db(Activity, "end_time", end_time(r.start, r.hours, r.on)),
                w.db(Activity, "hours", r.hours),
                r.location,
                r.agenda,
                r.summary if r.status == ActivityStatus.HELD else "",
                r.host.pk if r.host else None,
                r.recorder.pk if r.recorder else None,
                r.lecturer.pk if r.lecturer else None,
                r.lecturer_is_secretary,
                r.external_audience,
                r.status,
                r.cancel_reason,
                ActivitySource.WEB,
                w.now,
                w.now,
            )
            for r in records
        ),
    )
    activity_ids = list(
        Activity.objects.filter(org_id__in=org_ids).order_by("pk").values_list("pk", flat=True)
    )
    if len(activity_ids) != len(records):
        raise RuntimeError("the court's organisations hold activities this build did not write")
    for activity_id, record in zip(activity_ids, records, strict=True):
        record.pk = activity_id

    # As the recording action stores attendance: hours on the rows of those present.
    attendance = [
        (
            activity_id,
            cast(int, seat.person.pk),  # the roster is saved: its people have ids
            seat.status,
            seat.role,
            record.hours if seat.status == AttendanceStatus.PRESENT else None,
        )
        for activity_id, record in zip(activity_ids, records, strict=True)
        if record.status == ActivityStatus.HELD
        for seat in record.seats
    ]
    notes = Excuses(rng, build.plan.as_of)
    w.insert(
        Attendance,
        (
            "activity_id",
            "person_id",
            "status",
            "role",
            "hours",
            "note",
            "reason",
            "makeup_on",
            "makeup_method",
            "updated_at",
        ),
        (
            (
                a,
                p,
                status,
                role,
                w.db(Attendance, "hours", hours),
                "",
                *notes.of(record, status, w),
                w.now,
            )
            for (a, p, status, role, hours), record in zip(
                attendance,
                (r for r in records if r.status == ActivityStatus.HELD for _ in r.seats),
                strict=True,
            )
        ),
    )
    # The new rows' ids, by (activity, person), unique: the ledger cites each row.
    row_ids = dict(
        (((a, p), pk))
        for pk, a, p in Attendance.objects.filter(
            activity_id__gte=activity_ids[0], activity_id__lte=activity_ids[-1]
        ).values_list("pk", "activity_id", "person_id")
    )
    rows_of: dict[int, list[Row]] = defaultdict(list)
    for activity_id, person_id, status, role, hours in attendance:
        rows_of[activity_id].append(
            Row(row_ids[(activity_id, person_id)], person_id, status, role, hours)
        )
    ledger = Ledger(rules)
    posted = w.insert(
        PointEntry,
        (*Entry._fields, "created_at"),
        (
            (
                e.person_id,
                w.db(PointEntry, "on", e.on),
                w.db(PointEntry, "points", e.points),
                e.trigger,
                e.rule_id,
                e.activity_id,
                e.attendance_id,
                e.reason,
                w.now,
            )
            for activity_id, record in zip(activity_ids, records, strict=True)
            for e in ledger.entries(activity_id, record, rows_of.get(activity_id, []))
        ),
    )
    return len(records), len(attendance), posted


def codes_of(node: OrgNode) -> Iterator[str]:
    """The court's own organisations (the builder hangs its child courts under it too)."""
    yield node.code
    for child in node.children:
        if child.kind not in COURT_KINDS:
            yield from codes_of(child)


@contextmanager
def roomy_cache() -> Iterator[None]:
    """On SQLite, a larger page cache while millions of index entries go in (per connection)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def planned_committees(
    build: Build,
) -> tuple[Callable[[str, dt.date], list[PersonDraft] | None] | None, dict[str, list[dt.date]]]:
    """The committees a step before planned (the demo's), if any: who sat when, and the days
    of the elections held at a branch congress."""
    plan = build.results.get("committee_plan")
    if plan is None:
        return None, {}
    from tianping.demo.committees import Seats

    elections = {code: [e.held_on for e in found] for code, found in plan.congresses().items()}
    return Seats(plan).on, elections


def add_activities(build: Build) -> None:
    """Organisational life for every court of the plan, court by court to bound memory."""
    first, last = window(build)
    rules = seed_point_rules(build)
    committee, elections = planned_committees(build)
    totals = [0, 0, 0]
    votes: dict[tuple[str, str], int | None] = {}
    congresses: dict[tuple[str, dt.date], int | None] = {}
    with roomy_cache():
        for roster in build.rosters:
            life = CourtLife(
                roster,
                build.rng(f"activities:{roster.plan.code}"),
                first,
                last,
                committee,
                elections,
            )
            org_ids = [build.org_ids[code] for code in codes_of(roster.tree)]
            written = write(
                build,
                life.draw(),
                rules[roster.plan.code],
                org_ids,
                build.rng(f"attendance:{roster.plan.code}"),
            )
            totals = [a + b for a, b in zip(totals, written, strict=True)]
            votes.update({key: record.pk for key, record in life.votes.items()})
            congresses.update({key: r.pk for key, r in life.election_records.items()})
    build.counts.update(activities=totals[0], attendance=totals[1], point_entries=totals[2])
    build.results["activities_window"] = (first, last)
    # The congresses that voted on members, for the recruitment files: (purpose, 工号) → id.
    build.results["membership_votes"] = votes
    # The congresses that elected a committee: (branch code, day) → id.
    build.results["election_congresses"] = congresses
