"""R2's rules: the date arithmetic they use, the check each step passes, and what falls due.

Periods are counted the way the rules and 民法典 第二百零三条 count them:

- "N years after" a day is the same calendar date N years later; a 29 February with no
  counterpart is followed by 1 March, so a year is never shorter than a calendar year
  (Person.age_on counts birthdays the same way, so R2.1 and R2.4 agree).
- "N months after" a day is the same day of the month N months later, or the last day of
  that month when it is shorter (31 January + 1 month = 28/29 February).
- Working days (R2.8) are China's (D6): Monday to Friday, except the statutory holidays,
  plus the weekend days worked in their place (调休). The caller passes the calendar
  (a WorkCalendar read from the platform's holiday table); a day it holds nothing for is
  a working day from Monday to Friday.

A step is refused with the rule it breaks, a Chinese explanation and, where waiting is
enough, the first date on which it becomes possible. A rule that cannot be undone by
waiting (a talk held late, a late assessment, a late approval) is recorded with a flag.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from tianping.lib.citations import cite
from tianping.lib.dates import add_months, add_years
from tianping.people.models import Person, PoliticalStatus
from tianping.recruitment.models import (
    NOTICE_KINDS,
    Recruit,
    Stage,
    Step,
    StepKind,
)

ADULT_AGE = 18  # R2.1
TALK_WITHIN_MONTHS = 1  # R2.2
CONTACTS_MIN, CONTACTS_MAX = 1, 2  # R2.3
ASSESS_EVERY_MONTHS = 6  # R2.3
ACTIVIST_YEARS = 1  # R2.4
INTRODUCERS = 2  # R2.5
TRAINING_DAYS = 3  # R2.5
TRAINING_HOURS = Decimal("24")  # R2.5
APPROVE_WITHIN_MONTHS = 3  # R2.6
APPROVE_SPECIAL_MONTHS = 6  # R2.6
PROBATION_YEARS = 1  # R2.7
EXTENSION_MONTHS = (6, 12)  # R2.7

# Which steps each stage accepts. A candidate whose admission was voted waits for approval.
ALLOWED: dict[str, tuple[str, ...]] = {
    Stage.APPLICANT: (StepKind.TALK, StepKind.ACTIVIST, StepKind.STOP),
    Stage.ACTIVIST: (
        StepKind.ASSESSMENT,
        StepKind.CONTACTS,
        StepKind.CANDIDATE_NOTICE,
        StepKind.CANDIDATE,
        StepKind.STOP,
    ),
    Stage.CANDIDATE: (
        StepKind.INTRODUCERS,
        StepKind.POLITICAL_REVIEW,
        StepKind.TRAINING,
        StepKind.CONTACTS,
        StepKind.ADMISSION_NOTICE,
        StepKind.ADMISSION,
        StepKind.STOP,
    ),
    Stage.PROBATIONARY: (StepKind.EXTENSION, StepKind.FULL, StepKind.CANCEL),
}
AWAITING_APPROVAL = (StepKind.APPROVAL, StepKind.STOP)
# Steps that describe something planned as well as done: a notice may run into the future.
MAY_BE_FUTURE = NOTICE_KINDS


# ---------------------------------------------------------------------------------------
# Dates


@dataclass(frozen=True)
class WorkCalendar:
    """China's working days (D6): the days the holiday table sets apart from Monday to Friday.

    `days` maps a date to whether people work on it: False for a statutory holiday, True
    for a weekend day worked in its place (调休). Any other date is a working day from
    Monday to Friday.
    """

    days: Mapping[dt.date, bool] = field(default_factory=dict)

    def is_working_day(self, day: dt.date) -> bool:
        working = self.days.get(day)
        return day.weekday() < 5 if working is None else working


# The calendar of a table with no rows: Monday to Friday.
MONDAY_TO_FRIDAY = WorkCalendar()


def working_days(start: dt.date, end: dt.date, calendar: WorkCalendar) -> int:
    """Working days from `start` to `end`, both included, by the calendar."""
    if end < start:
        return 0
    return sum(
        calendar.is_working_day(start + dt.timedelta(days=i)) for i in range((end - start).days + 1)
    )


def nth_working_day(start: dt.date, n: int, calendar: WorkCalendar) -> dt.date:
    """The date of the n-th working day counted from `start` (which counts if it is one)."""
    day = start
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    remaining = n - 1
    while remaining > 0:
        day += dt.timedelta(days=1)
        remaining -= calendar.is_working_day(day)
    return day


def is_full_member(person: Person, on: dt.date) -> bool:
    """A 正式党员 on that day: a member whose full membership (if known) began by then."""
    return person.political_status == PoliticalStatus.MEMBER and (
        person.full_member_on is None or person.full_member_on <= on
    )


def _d(day: dt.date) -> str:
    return f"{day:%Y-%m-%d}"


# ---------------------------------------------------------------------------------------
# Refusals and flags


@dataclass(frozen=True)
class Refusal:
    """A rule of R2 that stops a step, and the date it becomes possible (None: not by waiting)."""

    rule: str
    field: str
    message: str
    possible_on: dt.date | None = None

    @property
    def text(self) -> str:
        return f"{cite(self.rule)}：{self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "field": self.field,
            "message": self.text,
            "possible_on": self.possible_on,
        }


@dataclass(frozen=True)
class Flag:
    """A rule the step did not meet on time, recorded with the step instead of refusing it."""

    rule: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "message": self.message}


class StepRefused(ValidationError):
    """A step refused by rules of R2, beside any plain input errors found with them."""

    def __init__(self, refusals: Sequence[Refusal], errors: dict[str, list[str]] | None = None):
        self.refusals = list(refusals)
        messages: dict[str, list[str]] = {k: list(v) for k, v in (errors or {}).items()}
        for r in self.refusals:
            messages.setdefault(r.field or NON_FIELD_ERRORS, []).append(r.text)
        super().__init__(messages)

    @property
    def possible_on(self) -> dt.date | None:
        """When every refusal is one of time, the first day all of them are lifted."""
        dates = [r.possible_on for r in self.refusals]
        if not dates or any(d is None for d in dates):
            return None
        return max(d for d in dates if d is not None)


@dataclass
class StepInput:
    """What a step carries, from a form or the API; the action turns it into a Step."""

    kind: str
    on: dt.date
    ends_on: dt.date | None = None
    note: str = ""
    people: Sequence[Person] = ()
    days: int | None = None
    hours: Decimal | None = None
    entitled: int | None = None
    entitled_note: str = ""
    present: int | None = None
    votes_yes: int | None = None
    votes_no: int | None = None
    votes_abstain: int | None = None
    activity: Any = None
    approver: str = ""
    special: bool = False
    months: int | None = None


@dataclass(frozen=True)
class CongressCount:
    """What a branch congress's attendance records (D4): rows recorded, full members present."""

    recorded: int
    present: int


@dataclass
class Checked:
    """The outcome of checking a step that may be recorded."""

    flags: list[Flag] = field(default_factory=list)
    entitled: int | None = None
    present: int | None = None


@dataclass
class _Collector:
    errors: dict[str, list[str]] = field(default_factory=dict)
    refusals: list[Refusal] = field(default_factory=list)

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def refuse(self, *args: Any, **kwargs: Any) -> None:
        self.refusals.append(Refusal(*args, **kwargs))

    def raise_any(self) -> None:
        if self.refusals:
            raise StepRefused(self.refusals, self.errors)
        if self.errors:
            raise ValidationError(self.errors)


# ---------------------------------------------------------------------------------------
# The checks


def check_application(person: Person, on: dt.date, today: dt.date) -> None:
    """R2.1: the applicant is at least 18 on the day of the application."""
    c = _Collector()
    if on > today:
        c.error("on", f"申请日期{_d(on)}晚于今天")
    if person.birth_date is None:
        c.refuse(
            "R2.1",
            "person",
            f"申请人须年满{ADULT_AGE}周岁：花名册中{person.name}没有出生日期，无法核对年龄，请先补充出生日期。",
        )
    else:
        adult_on = add_years(person.birth_date, ADULT_AGE)
        if on < adult_on:
            c.refuse(
                "R2.1",
                "on",
                f"申请人须年满{ADULT_AGE}周岁：{person.name}生于{_d(person.birth_date)}，"
                f"{_d(on)}尚未满{ADULT_AGE}周岁，最早可于{_d(adult_on)}递交入党申请。",
                adult_on,
            )
    c.raise_any()


def allowed_kinds(recruit: Recruit) -> tuple[str, ...]:
    if recruit.awaiting_approval:
        return AWAITING_APPROVAL
    return ALLOWED.get(Stage(recruit.stage), ())


def _of(steps: Iterable[Step], *kinds: str) -> list[Step]:
    return [s for s in steps if s.kind in kinds]


def last_assessment(recruit: Recruit, steps: Sequence[Step]) -> dt.date | None:
    dates = [s.on for s in _of(steps, StepKind.ASSESSMENT)]
    return max(dates) if dates else None


def assessment_due(recruit: Recruit, steps: Sequence[Step]) -> dt.date | None:
    """R2.3: six months after the last assessment, or after becoming an activist."""
    base = last_assessment(recruit, steps) or recruit.activist_on
    return add_months(base, ASSESS_EVERY_MONTHS) if base else None


def training_totals(steps: Sequence[Step]) -> tuple[int, Decimal]:
    trainings = _of(steps, StepKind.TRAINING)
    return sum(s.days or 0 for s in trainings), sum(
        (s.training_hours for s in trainings), Decimal("0")
    )


def current_people(steps: Sequence[Step], role: str, kinds: tuple[str, ...]) -> list[Person]:
    """The people named by the latest step of these kinds (contacts, introducers)."""
    latest = [s for s in steps if s.kind in kinds]
    if not latest:
        return []
    step = max(latest, key=lambda s: (s.on, s.pk or 0))
    return [sp.person for sp in step.step_people.all() if sp.role == role]


def _check_people(
    c: _Collector,
    recruit: Recruit,
    people: Sequence[Person],
    on: dt.date,
    *,
    rule: str,
    what: str,
    low: int,
    high: int,
) -> None:
    wanted = f"{low}名" if low == high else f"{low}至{high}名"
    if any(p.pk == recruit.person_id for p in people):
        c.error("people", f"{recruit.person.name}不能作本人的{what}")
        return
    if len({p.pk for p in people}) != len(people):
        c.error("people", f"{what}有重复")
        return
    if not low <= len(people) <= high:
        c.refuse(
            rule,
            "people",
            f"应由{wanted}正式党员作{what}：现为{len(people)}名。",
        )
    not_full = [p.name for p in people if not is_full_member(p, on)]
    if not_full:
        c.refuse(
            rule,
            "people",
            f"{what}须为正式党员：{'、'.join(not_full)}在{_d(on)}不是正式党员。",
        )


def _check_notice(c: _Collector, step: StepInput, notice_days: int, calendar: WorkCalendar) -> None:
    """R2.8: a notice runs at least `notice_days` working days of China's calendar (D6)."""
    if step.ends_on is None:
        c.error("ends_on", "请填写公示截止日期")
        return
    if step.ends_on < step.on:
        c.error("ends_on", "公示截止日期不能早于开始日期")
        return
    count = working_days(step.on, step.ends_on, calendar)
    if count < notice_days:
        earliest = nth_working_day(step.on, notice_days, calendar)
        c.refuse(
            "R2.8",
            "ends_on",
            f"公示期应不少于{notice_days}个工作日（法定节假日不计，调休上班日计入）："
            f"{_d(step.on)}至{_d(step.ends_on)}只有{count}个工作日，最早可于{_d(earliest)}结束。",
            earliest,
        )


def _require_notice(
    c: _Collector, steps: Sequence[Step], kind: str, on: dt.date, notice_days: int, doing: str
) -> None:
    """R2.8: the step comes after a notice of its kind has run its course."""
    notices = _of(steps, kind)
    if any(n.ends_on is not None and n.ends_on < on for n in notices):
        return
    label = StepKind(kind).label
    if notices:
        end = max(n.ends_on or n.on for n in notices)
        after = end + dt.timedelta(days=1)
        c.refuse(
            "R2.8",
            "on",
            f"{label}至{_d(end)}结束，公示期满后方可{doing}：最早可于{_d(after)}。",
            after,
        )
    else:
        c.refuse(
            "R2.8",
            "on",
            f"{doing}前应进行{label}，不少于{notice_days}个工作日：尚未记录公示。",
        )


def check_step(
    recruit: Recruit,
    steps: Sequence[Step],
    step: StepInput,
    *,
    today: dt.date,
    notice_days: int,
    calendar: WorkCalendar,
    roster_entitled: int | None = None,
    congress: CongressCount | None = None,
) -> Checked:
    """Check a step against the file as it stands; raise StepRefused or ValidationError.

    `calendar` counts the working days of a notice (D6); `roster_entitled` is the branch's
    full members on the roster that day, and `congress` what the attendance of the branch
    congress named by the step records (R2.6, D4).
    """
    c = _Collector()
    out = Checked()
    kind = step.kind
    if kind not in StepKind.values or kind == StepKind.APPLICATION:
        raise ValidationError({"kind": f"无效的步骤“{kind}”"})
    if kind not in allowed_kinds(recruit):
        now = (
            "已通过支部大会、待上级党委审批"
            if recruit.awaiting_approval
            else f"处于“{recruit.get_stage_display()}”阶段"
        )
        raise ValidationError({"kind": f"该档案{now}，不能记录“{StepKind(kind).label}”"})
    if step.on > today and kind not in MAY_BE_FUTURE:
        c.error("on", f"日期{_d(step.on)}晚于今天：请在完成后记录")
    started = recruit.stage_started_on
    if step.on < started:
        c.error(
            "on",
            f"日期不能早于该档案进入当前阶段的日期{_d(started)}",
        )
    person = recruit.person

    if kind == StepKind.TALK:
        deadline = add_months(recruit.applied_on, TALK_WITHIN_MONTHS)
        # Only the first talk answers R2.2; later talks are part of the cultivation.
        if recruit.talked_on is None and step.on > deadline:
            out.flags.append(
                Flag(
                    "R2.2",
                    f"谈话晚于规定：应在递交申请后{TALK_WITHIN_MONTHS}个月内（{_d(deadline)}前）谈话，"
                    f"实际{_d(step.on)}。",
                )
            )

    elif kind == StepKind.ACTIVIST:
        if recruit.talked_on is None:
            c.refuse(
                "R2.2",
                "on",
                "确定为入党积极分子前，党组织应先派人与申请人谈话：尚未记录谈话。",
            )
        elif step.on < recruit.talked_on:
            c.error("on", f"日期不能早于谈话日期{_d(recruit.talked_on)}")
        _check_people(
            c,
            recruit,
            step.people,
            step.on,
            rule="R2.3",
            what="培养联系人",
            low=CONTACTS_MIN,
            high=CONTACTS_MAX,
        )

    elif kind == StepKind.CONTACTS:
        _check_people(
            c,
            recruit,
            step.people,
            step.on,
            rule="R2.3",
            what="培养联系人",
            low=CONTACTS_MIN,
            high=CONTACTS_MAX,
        )

    elif kind == StepKind.ASSESSMENT:
        due = assessment_due(recruit, steps)
        if due is not None and step.on > due:
            out.flags.append(
                Flag(
                    "R2.3",
                    f"考察逾期：入党积极分子应每{ASSESS_EVERY_MONTHS}个月考察一次，"
                    f"本次应于{_d(due)}前完成，实际{_d(step.on)}。",
                )
            )

    elif kind in NOTICE_KINDS:
        _check_notice(c, step, notice_days, calendar)

    elif kind == StepKind.CANDIDATE:
        assert recruit.activist_on is not None
        eligible = add_years(recruit.activist_on, ACTIVIST_YEARS)
        if step.on < eligible:
            c.refuse(
                "R2.4",
                "on",
                f"入党积极分子经过{ACTIVIST_YEARS}年以上培养考察方可确定为发展对象："
                f"{person.name}于{_d(recruit.activist_on)}确定为入党积极分子，"
                f"至{_d(step.on)}未满{ACTIVIST_YEARS}年，最早可于{_d(eligible)}确定。",
                eligible,
            )
        due = assessment_due(recruit, steps)
        if last_assessment(recruit, steps) is None:
            c.refuse(
                "R2.3",
                "on",
                f"入党积极分子应每{ASSESS_EVERY_MONTHS}个月考察一次：尚未记录考察，请先记录考察。",
            )
        elif due is not None and step.on > due:
            c.refuse(
                "R2.3",
                "on",
                f"入党积极分子应每{ASSESS_EVERY_MONTHS}个月考察一次：最近一次考察为"
                f"{_d(last_assessment(recruit, steps) or step.on)}，{_d(due)}后未再考察，请先记录考察。",
            )
        _require_notice(c, steps, StepKind.CANDIDATE_NOTICE, step.on, notice_days, "确定为发展对象")

    elif kind == StepKind.INTRODUCERS:
        _check_people(
            c,
            recruit,
            step.people,
            step.on,
            rule="R2.5",
            what="入党介绍人",
            low=INTRODUCERS,
            high=INTRODUCERS,
        )

    elif kind == StepKind.POLITICAL_REVIEW:
        if not step.note.strip():
            c.error("note", "请填写政治审查结论")

    elif kind == StepKind.TRAINING:
        if not (step.days or 0) and not (step.hours or 0):
            c.error("days", "请填写培训天数或学时")
        if step.hours is not None and step.hours < 0:
            c.error("hours", "学时不能为负数")

    elif kind == StepKind.ADMISSION:
        _check_admission(c, recruit, steps, step, notice_days, roster_entitled, congress, out)

    elif kind == StepKind.APPROVAL:
        assert recruit.resolution_on is not None
        deadline = add_months(recruit.resolution_on, APPROVE_WITHIN_MONTHS)
        limit = add_months(recruit.resolution_on, APPROVE_SPECIAL_MONTHS)
        if step.on > limit:
            c.refuse(
                "R2.6",
                "on",
                f"上级党委应在支部大会通过后{APPROVE_WITHIN_MONTHS}个月内审批，特殊情况不超过"
                f"{APPROVE_SPECIAL_MONTHS}个月：支部大会于{_d(recruit.resolution_on)}通过，"
                f"审批期限至迟为{_d(limit)}，{_d(step.on)}已超过，应重新履行接收程序。",
            )
        elif step.on > deadline:
            out.flags.append(
                Flag(
                    "R2.6",
                    f"审批超过{APPROVE_WITHIN_MONTHS}个月：应于{_d(deadline)}前审批，实际{_d(step.on)}"
                    + ("（特殊情况延长，未超过6个月）" if step.special else "（未注明特殊情况）")
                    + "。",
                )
            )

    elif kind == StepKind.EXTENSION:
        if recruit.extension_months:
            c.refuse(
                "R2.7",
                "months",
                f"预备期只能延长一次：已于此前延长{recruit.extension_months}个月。",
            )
        low, high = EXTENSION_MONTHS
        if step.months is None:
            c.error("months", "请填写延长的月数")
        elif not low <= step.months <= high:
            c.refuse(
                "R2.7",
                "months",
                f"预备期可延长{low}至{high}个月：{step.months}个月不在此范围内。",
            )
        if not step.note.strip():
            c.error("note", "请填写延长预备期的原因")

    elif kind == StepKind.FULL:
        assert recruit.probation_ends_on is not None
        if step.on < recruit.probation_ends_on:
            c.refuse(
                "R2.7",
                "on",
                f"预备期为{PROBATION_YEARS}年，自支部大会通过之日算起"
                + (f"（已延长{recruit.extension_months}个月）" if recruit.extension_months else "")
                + f"：预备期至{_d(recruit.probation_ends_on)}期满，"
                f"最早可于{_d(recruit.probation_ends_on)}转为正式党员。",
                recruit.probation_ends_on,
            )
        _check_congress(c, recruit, step)

    elif kind in (StepKind.CANCEL, StepKind.STOP):
        if not step.note.strip():
            c.error("note", "请填写原因")

    if kind != StepKind.ADMISSION and kind != StepKind.FULL and step.activity is not None:
        c.error("activity", "只有支部党员大会讨论的步骤才关联会议")
    c.raise_any()
    return out


def _check_congress(c: _Collector, recruit: Recruit, step: StepInput) -> bool:
    """The meeting a step names is this branch's congress, held on the step's day."""
    activity = step.activity
    if activity is None:
        return False
    if activity.kind != "branch_congress" or activity.org_id != recruit.branch_id:
        c.error("activity", f"所选会议不是{recruit.branch.name}的支部党员大会")
    elif activity.on != step.on:
        c.error("activity", f"所选支部党员大会的日期为{_d(activity.on)}，与本步骤日期不一致")
    elif activity.status != "held":
        c.error("activity", "所选支部党员大会尚未记录为已召开")
    else:
        return True
    return False


def _present_of(
    c: _Collector, step: StepInput, congress: CongressCount | None, linked: bool
) -> int | None:
    """D4: the present count of a vote is its congress's recorded attendance of full members.

    Without a congress named (one is recorded with the step), the count typed is taken.
    """
    if not linked:
        if step.present is None:
            c.error("present", "未选择已记录出勤的支部党员大会时，请填写到会有表决权党员数")
        return step.present
    if congress is None or congress.recorded == 0:
        c.error(
            "activity",
            "所选支部党员大会尚未记录出勤，无法核对到会人数：请先在活动台账中记录这次会议的出勤情况",
        )
        return None
    if step.present is not None and step.present != congress.present:
        c.error(
            "present",
            f"所选支部党员大会（{_d(step.on)}）的出勤记录中，到会的正式党员为{congress.present}名，"
            f"与填写的到会人数{step.present}名不一致：到会人数以会议出勤记录为准，"
            "请更正会议出勤或不填此项",
        )
    return congress.present


def _check_admission(
    c: _Collector,
    recruit: Recruit,
    steps: Sequence[Step],
    step: StepInput,
    notice_days: int,
    roster_entitled: int | None,
    congress: CongressCount | None,
    out: Checked,
) -> None:
    # R2.5: what a development object must have before the branch congress discusses them.
    introducers = current_people(steps, "introducer", (StepKind.INTRODUCERS,))
    if len(introducers) != INTRODUCERS:
        c.refuse(
            "R2.5",
            "",
            f"发展对象应有{INTRODUCERS}名正式党员作入党介绍人：尚未确定入党介绍人。",
        )
    if not _of(steps, StepKind.POLITICAL_REVIEW):
        c.refuse("R2.5", "", "发展对象应经过政治审查：尚未记录政治审查。")
    days, hours = training_totals(steps)
    if days < TRAINING_DAYS and hours < TRAINING_HOURS:
        c.refuse(
            "R2.5",
            "",
            f"发展对象应经过不少于{TRAINING_DAYS}天或{TRAINING_HOURS}学时的集中培训："
            f"已记录{days}天、{hours.normalize():f}学时。",
        )
    _require_notice(c, steps, StepKind.ADMISSION_NOTICE, step.on, notice_days, "提交支部大会讨论")
    linked = _check_congress(c, recruit, step)
    if step.activity is not None and not linked:
        return
    present = _present_of(c, step, congress, linked)

    # R2.6: the vote, tallied against all full members entitled to vote.
    entitled = step.entitled if step.entitled is not None else roster_entitled
    if (
        step.entitled is not None
        and roster_entitled is not None
        and step.entitled != roster_entitled
        and not step.entitled_note.strip()
    ):
        c.error(
            "entitled_note",
            f"花名册显示该支部{_d(step.on)}有正式党员{roster_entitled}名，"
            f"填写的有表决权人数为{step.entitled}名，请说明原因（如受留党察看处分）",
        )
    if not entitled:
        c.error("entitled", "请填写有表决权的正式党员人数")
        return
    if step.votes_yes is None:
        c.error("votes_yes", "此项必填")
    if present is None or step.votes_yes is None:
        return
    cast = step.votes_yes + (step.votes_no or 0) + (step.votes_abstain or 0)
    if present > entitled:
        c.error("present", f"到会人数{present}不能多于有表决权的正式党员{entitled}名")
        return
    if cast > present:
        c.error("votes_yes", f"赞成、反对、弃权共{cast}票，多于到会的{present}人")
        return
    out.entitled = entitled
    out.present = present
    if present * 2 <= entitled:
        c.refuse(
            "R2.6",
            "present",
            f"支部大会须有半数以上有表决权的党员到会：有表决权的正式党员{entitled}名，"
            f"到会{present}名{'（按会议出勤记录）' if linked else ''}，"
            f"未超过半数（至少{entitled // 2 + 1}名）。",
        )
    if step.votes_yes * 2 <= entitled:
        c.refuse(
            "R2.6",
            "votes_yes",
            f"赞成票须超过应到会有表决权正式党员的半数：应到{entitled}名，"
            f"赞成{step.votes_yes}票，未超过半数（至少{entitled // 2 + 1}票）；"
            f"未获通过，不能接收为预备党员。",
        )


# ---------------------------------------------------------------------------------------
# What comes next, and what falls due


@dataclass(frozen=True)
class NextStep:
    kind: str
    possible_on: dt.date | None  # the first day time allows it; None: not known yet
    waiting_for: tuple[str, ...] = ()  # what must be recorded first, whatever the date
    due_on: dt.date | None = None  # a deadline, where a rule sets one
    rule: str = ""

    @property
    def label(self) -> str:
        return StepKind(self.kind).label


def next_steps(recruit: Recruit, steps: Sequence[Step], notice_days: int) -> list[NextStep]:
    """The steps the file expects next: the first date time allows each, and what must come first."""
    out: list[NextStep] = []
    stage = recruit.stage
    if stage == Stage.APPLICANT:
        if recruit.talked_on is None:
            out.append(
                NextStep(
                    StepKind.TALK,
                    recruit.applied_on,
                    due_on=add_months(recruit.applied_on, TALK_WITHIN_MONTHS),
                    rule="R2.2",
                )
            )
            out.append(
                NextStep(
                    StepKind.ACTIVIST,
                    None,
                    ("先与申请人谈话（《中国共产党发展党员工作细则》第七条）",),
                    rule="《中国共产党发展党员工作细则》第七条",
                )
            )
        else:
            out.append(NextStep(StepKind.ACTIVIST, recruit.talked_on, rule="R2.3"))
    elif stage == Stage.ACTIVIST:
        assert recruit.activist_on is not None
        out.append(
            NextStep(
                StepKind.ASSESSMENT,
                recruit.activist_on,
                due_on=assessment_due(recruit, steps),
                rule="R2.3",
            )
        )
        eligible = add_years(recruit.activist_on, ACTIVIST_YEARS)
        notices = _of(steps, StepKind.CANDIDATE_NOTICE)
        waiting: list[str] = []
        possible: dt.date | None = eligible
        if notices:
            possible = max(eligible, max(n.ends_on or n.on for n in notices) + dt.timedelta(1))
        else:
            out.append(NextStep(StepKind.CANDIDATE_NOTICE, recruit.activist_on, rule="R2.8"))
            waiting.append(
                f"发展对象公示{notice_days}个工作日（《中国共产党发展党员工作细则》关于公示的规定）"
            )
        due = assessment_due(recruit, steps)
        if last_assessment(recruit, steps) is None:
            waiting.append("至少一次培养考察（《中国共产党发展党员工作细则》第十一条）")
        elif due is not None and possible is not None and due < possible:
            waiting.append(
                f"{_d(due)}前再考察一次（《中国共产党发展党员工作细则》第十一条，每半年一次）"
            )
        out.append(NextStep(StepKind.CANDIDATE, possible, tuple(waiting), rule="R2.4"))
    elif stage == Stage.CANDIDATE and recruit.resolution_on is not None:
        out.append(
            NextStep(
                StepKind.APPROVAL,
                recruit.resolution_on,
                due_on=add_months(recruit.resolution_on, APPROVE_WITHIN_MONTHS),
                rule="R2.6",
            )
        )
    elif stage == Stage.CANDIDATE:
        assert recruit.candidate_on is not None
        start = recruit.candidate_on
        waiting = []
        if len(current_people(steps, "introducer", (StepKind.INTRODUCERS,))) != INTRODUCERS:
            out.append(NextStep(StepKind.INTRODUCERS, start, rule="R2.5"))
            waiting.append("2名入党介绍人（《中国共产党发展党员工作细则》第十四条至第十七条）")
        if not _of(steps, StepKind.POLITICAL_REVIEW):
            out.append(NextStep(StepKind.POLITICAL_REVIEW, start, rule="R2.5"))
            waiting.append("政治审查（《中国共产党发展党员工作细则》第十四条至第十七条）")
        days, hours = training_totals(steps)
        if days < TRAINING_DAYS and hours < TRAINING_HOURS:
            out.append(NextStep(StepKind.TRAINING, start, rule="R2.5"))
            waiting.append(
                f"集中培训不少于{TRAINING_DAYS}天或{TRAINING_HOURS}学时（《中国共产党发展党员工作细则》第十四条至第十七条）"
            )
        notices = _of(steps, StepKind.ADMISSION_NOTICE)
        possible = start
        if notices:
            possible = max(n.ends_on or n.on for n in notices) + dt.timedelta(1)
        else:
            out.append(NextStep(StepKind.ADMISSION_NOTICE, start, rule="R2.8"))
            waiting.append(
                f"接收预备党员公示{notice_days}个工作日（《中国共产党发展党员工作细则》关于公示的规定）"
            )
        out.append(NextStep(StepKind.ADMISSION, possible, tuple(waiting), rule="R2.6"))
    elif stage == Stage.PROBATIONARY:
        assert recruit.probation_ends_on is not None
        out.append(NextStep(StepKind.FULL, recruit.probation_ends_on, rule="R2.7"))
        if not recruit.extension_months:
            out.append(NextStep(StepKind.EXTENSION, recruit.approved_on, rule="R2.7"))
    return out


@dataclass(frozen=True)
class Due:
    """Something that falls due on a file on a date: a deadline or a date a step opens."""

    recruit: Recruit
    rule: str
    what: str
    on: dt.date
    deadline: bool  # a deadline that can be missed, rather than a date a step opens

    def overdue(self, today: dt.date) -> bool:
        return self.deadline and self.on < today

    def sentence(self, today: dt.date) -> str:
        days = (self.on - today).days
        if self.deadline and days < 0:
            when = f"已逾期{-days}天"
        elif days == 0:
            when = "今天"
        elif days > 0:
            when = f"还有{days}天"
        else:
            when = "已可办理"
        return f"{self.recruit.person.name}：{self.what} {_d(self.on)}（{when}）"


def dues(recruit: Recruit, steps: Sequence[Step], today: dt.date) -> list[Due]:
    """Every dated thing a file waits for: talks, assessments, notices, approvals, probation."""
    out: list[Due] = []
    stage = recruit.stage
    if stage == Stage.APPLICANT and recruit.talked_on is None:
        out.append(
            Due(
                recruit,
                "R2.2",
                "递交申请后1个月内应谈话，截止",
                add_months(recruit.applied_on, TALK_WITHIN_MONTHS),
                True,
            )
        )
    if stage == Stage.ACTIVIST and recruit.activist_on is not None:
        due = assessment_due(recruit, steps)
        if due is not None:
            out.append(Due(recruit, "R2.3", "半年培养考察，截止", due, True))
        eligible = add_years(recruit.activist_on, ACTIVIST_YEARS)
        if eligible >= today:
            out.append(Due(recruit, "R2.4", "入党积极分子满1年，可确定为发展对象", eligible, False))
    for notice in _of(steps, *NOTICE_KINDS):
        ended_kind = (
            StepKind.CANDIDATE if notice.kind == StepKind.CANDIDATE_NOTICE else StepKind.ADMISSION
        )
        if (
            recruit.is_open
            and notice.ends_on is not None
            and notice.ends_on >= today
            and not _of(steps, ended_kind)
        ):
            out.append(
                Due(recruit, "R2.8", f"{notice.get_kind_display()}结束", notice.ends_on, False)
            )
    if recruit.awaiting_approval and recruit.resolution_on is not None:
        out.append(
            Due(
                recruit,
                "R2.6",
                "上级党委审批期限（3个月）",
                add_months(recruit.resolution_on, APPROVE_WITHIN_MONTHS),
                True,
            )
        )
    if stage == Stage.PROBATIONARY and recruit.probation_ends_on is not None:
        out.append(
            # The branch congress must discuss the member when probation ends (R2.7).
            Due(recruit, "R2.7", "预备期满，应讨论转为正式党员", recruit.probation_ends_on, True)
        )
    return out


def step_flags(steps: Iterable[Step]) -> list[Flag]:
    return [Flag(f["rule"], f["message"]) for s in steps for f in (s.flags or [])]
