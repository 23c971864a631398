"""Writes to the recruitment files (R2): open a file, record a step, set a court's notice length.

Every action runs in one transaction and writes its audit row. The roster changes that
follow from a step (预备党员 on approval, 正式党员 at the end of probation, back on
cancellation) go through people.actions, which audit them in turn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tianping.activities import actions as activity_actions
from tianping.activities.actions import store_blob
from tianping.activities.compliance import membership_on
from tianping.activities.models import Activity
from tianping.audit.recording import jsonable, record, snapshot
from tianping.lib.dates import add_years
from tianping.orgs.models import Org, OrgKind
from tianping.people import actions as people_actions
from tianping.people.models import PARTY_STATUSES, Person, PoliticalStatus
from tianping.recruitment import queries, rules, workdays
from tianping.recruitment.models import (
    DEFAULT_NOTICE_WORKING_DAYS,
    OPEN_STAGES,
    CalendarDay,
    Recruit,
    RecruitmentSetting,
    Stage,
    Step,
    StepKind,
    StepPerson,
    StepRole,
)

RECRUIT_FIELDS = (
    "person",
    "branch",
    "stage",
    "applied_on",
    "talked_on",
    "activist_on",
    "candidate_on",
    "resolution_on",
    "approved_on",
    "probation_ends_on",
    "extension_months",
    "full_on",
    "closed_on",
)
STEP_FIELDS = (
    "kind",
    "on",
    "ends_on",
    "note",
    "days",
    "hours",
    "entitled",
    "entitled_note",
    "present",
    "votes_yes",
    "votes_no",
    "votes_abstain",
    "activity",
    "approver",
    "special",
    "months",
    "evidence_name",
)
ROLE_OF: dict[str, StepRole] = {
    StepKind.ACTIVIST: StepRole.CONTACT,
    StepKind.CONTACTS: StepRole.CONTACT,
    StepKind.INTRODUCERS: StepRole.INTRODUCER,
}


def notice_days(court: Org) -> int:
    """The court's length of a public notice in working days (R2.8, configurable)."""
    setting = RecruitmentSetting.objects.filter(court=court).first()
    return setting.notice_working_days if setting else DEFAULT_NOTICE_WORKING_DAYS


def _by(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


def _step_snapshot(step: Step, people: Sequence[Person]) -> dict[str, Any]:
    data = {k: v for k, v in snapshot(step, STEP_FIELDS).items() if v not in (None, "", False)}
    if people:
        data["people"] = "、".join(p.name for p in people)
    if step.flags:
        data["flags"] = "；".join(f"{f['rule']} {f['message']}" for f in step.flags)
    return data


@transaction.atomic
def do_open_file(
    user: Any,
    person: Person,
    branch: Org,
    *,
    on: dt.date,
    note: str = "",
    file_name: str = "",
    content: bytes | None = None,
    content_type: str = "",
    today: dt.date | None = None,
) -> Recruit:
    """A person hands in their application (入党申请书): the file opens at its first stage."""
    today = today or timezone.localdate()
    person = Person.objects.select_for_update().select_related("court").get(pk=person.pk)
    errors: dict[str, str] = {}
    if branch.kind != OrgKind.BRANCH:
        errors["branch"] = f"“{branch.name}”不是党支部：发展党员由党支部进行"
    elif not branch.is_active:
        errors["branch"] = f"“{branch.name}”已撤销"
    elif branch.court().pk != person.court_id:
        errors["branch"] = f"“{branch.name}”不属于{person.name}所在的{person.court.name}"
    if person.political_status in PARTY_STATUSES:
        errors["person"] = f"{person.name}已是{person.get_political_status_display()}"
    elif Recruit.objects.filter(person=person, stage__in=OPEN_STAGES).exists():
        errors["person"] = f"{person.name}已有正在办理的发展党员档案"
    if errors:
        raise ValidationError(errors)
    rules.check_application(person, on, today)
    recruit = Recruit(
        person=person,
        branch=branch,
        stage=Stage.APPLICANT,
        status_before=person.political_status,
        applied_on=on,
        created_by=_by(user),
    )
    try:
        with transaction.atomic():
            recruit.save()
    except IntegrityError:
        raise ValidationError({"person": f"{person.name}已有正在办理的发展党员档案"}) from None
    step = Step(
        recruit=recruit,
        kind=StepKind.APPLICATION,
        on=on,
        note=note.strip(),
        created_by=_by(user),
    )
    if content:
        step.evidence = store_blob(content, content_type)
        step.evidence_name = file_name[:200]
    step.save()
    record(
        user,
        "recruitment.open",
        recruit,
        after={**snapshot(recruit, RECRUIT_FIELDS), "step": _step_snapshot(step, [])},
        org=branch,
    )
    return recruit


def _congress(user: Any, recruit: Recruit, step: rules.StepInput) -> Activity:
    """The branch congress that discussed the step, recorded as held if none was named."""
    if step.activity is not None:
        return step.activity
    purpose = "接收预备党员" if step.kind == StepKind.ADMISSION else "预备党员转正"
    return activity_actions.do_record_past_activity(
        user,
        recruit.branch,
        kind="branch_congress",
        title=f"支部党员大会（讨论{recruit.person.name}{purpose}）",
        on=step.on,
        attendance={},
    )


@transaction.atomic
def do_record_step(
    user: Any,
    recruit: Recruit,
    step: rules.StepInput,
    *,
    file_name: str = "",
    content: bytes | None = None,
    content_type: str = "",
    today: dt.date | None = None,
) -> Step:
    """Record one dated step after checking every rule of R2 that applies to it.

    A step a rule forbids raises rules.StepRefused (the rule, why, and from when it is
    possible); one a rule only notes is recorded with its flags.
    """
    today = today or timezone.localdate()
    recruit = (
        Recruit.objects.select_for_update()
        .select_related("person", "person__court", "branch")
        .get(pk=recruit.pk)
    )
    steps = list(
        Step.objects.filter(recruit=recruit)
        .prefetch_related("step_people__person")
        .order_by("on", "id")
    )
    court = recruit.branch.court()
    admission = step.kind == StepKind.ADMISSION
    roster_entitled = membership_on(recruit.branch, step.on).full if admission else None
    congress = (
        queries.congress_counts(recruit.branch, [step.activity]).get(step.activity.pk)
        if admission and step.activity is not None
        else None
    )
    checked = rules.check_step(
        recruit,
        steps,
        step,
        today=today,
        notice_days=notice_days(court),
        calendar=workdays.work_calendar(step.on, step.ends_on),
        roster_entitled=roster_entitled,
        congress=congress,
    )
    before = snapshot(recruit, RECRUIT_FIELDS)
    activity = None
    if step.kind in (StepKind.ADMISSION, StepKind.FULL):
        activity = _congress(user, recruit, step)
    row = Step(
        recruit=recruit,
        kind=step.kind,
        on=step.on,
        ends_on=step.ends_on if step.kind in rules.MAY_BE_FUTURE else None,
        note=step.note.strip(),
        days=step.days,
        hours=step.hours,
        entitled=checked.entitled,
        entitled_note=step.entitled_note.strip(),
        present=checked.present if checked.present is not None else step.present,
        votes_yes=step.votes_yes,
        votes_no=step.votes_no,
        votes_abstain=step.votes_abstain,
        activity=activity,
        approver=step.approver.strip(),
        special=step.special,
        months=step.months,
        flags=[f.as_dict() for f in checked.flags],
        created_by=_by(user),
    )
    if content:
        row.evidence = store_blob(content, content_type)
        row.evidence_name = file_name[:200]
    row.save()
    role = ROLE_OF.get(step.kind)
    if role is not None:
        StepPerson.objects.bulk_create(
            [StepPerson(step=row, person=p, role=role) for p in step.people]
        )
    _advance(user, recruit, row)
    recruit.save()
    record(
        user,
        "recruitment.step",
        recruit,
        before=before,
        after={
            **snapshot(recruit, RECRUIT_FIELDS),
            "step": _step_snapshot(row, step.people if role else []),
        },
        org=recruit.branch,
    )
    return row


def _advance(user: Any, recruit: Recruit, step: Step) -> None:
    """What the step changes on the file, and on the roster where the person joins or leaves."""
    kind = step.kind
    person = recruit.person
    if kind == StepKind.TALK and recruit.talked_on is None:
        recruit.talked_on = step.on
    elif kind == StepKind.ACTIVIST:
        recruit.stage = Stage.ACTIVIST
        recruit.activist_on = step.on
    elif kind == StepKind.CANDIDATE:
        recruit.stage = Stage.CANDIDATE
        recruit.candidate_on = step.on
    elif kind == StepKind.ADMISSION:
        recruit.resolution_on = step.on
    elif kind == StepKind.APPROVAL:
        assert recruit.resolution_on is not None
        recruit.stage = Stage.PROBATIONARY
        recruit.approved_on = step.on
        # R2.7: probation runs a year from the branch congress's resolution.
        recruit.probation_ends_on = add_years(recruit.resolution_on, rules.PROBATION_YEARS)
        people_actions.do_update_person(
            user,
            person,
            political_status=PoliticalStatus.PROBATIONARY,
            party_joined_on=recruit.resolution_on,
            full_member_on=None,
        )
        if person.party_org_id is None:
            people_actions.do_transfer(
                user,
                person,
                on=recruit.resolution_on,
                party_org=recruit.branch,
                reason="接收为预备党员",
            )
    elif kind == StepKind.EXTENSION:
        assert recruit.probation_ends_on is not None and step.months is not None
        recruit.extension_months = step.months
        recruit.probation_ends_on = rules.add_months(recruit.probation_ends_on, step.months)
    elif kind == StepKind.FULL:
        # R2.7: party standing counts from the day probation ends, not from the meeting.
        recruit.stage = Stage.MEMBER
        recruit.full_on = recruit.probation_ends_on
        people_actions.do_update_person(
            user,
            person,
            political_status=PoliticalStatus.MEMBER,
            full_member_on=recruit.probation_ends_on,
        )
    elif kind == StepKind.CANCEL:
        recruit.stage = Stage.CANCELLED
        recruit.closed_on = step.on
        people_actions.do_update_person(
            user,
            person,
            political_status=(
                recruit.status_before
                if recruit.status_before not in PARTY_STATUSES
                else PoliticalStatus.MASSES
            ),
            party_joined_on=None,
            full_member_on=None,
        )
    elif kind == StepKind.STOP:
        recruit.stage = Stage.STOPPED
        recruit.closed_on = step.on


@transaction.atomic
def do_set_notice_days(user: Any, court: Org, days: int) -> RecruitmentSetting:
    """Set how many working days a court's public notices run (R2.8, configurable)."""
    if not court.is_court:
        raise ValidationError({"court": f"“{court.name}”不是法院"})
    if not 1 <= days <= 30:
        raise ValidationError({"notice_working_days": "公示期应在1至30个工作日之间"})
    setting, _ = RecruitmentSetting.objects.select_for_update().get_or_create(court=court)
    before = setting.notice_working_days
    setting.notice_working_days = days
    setting.save()
    if before != days:
        record(
            user,
            "recruitment.settings",
            setting,
            before={"notice_working_days": jsonable(before)},
            after={"notice_working_days": days},
            org=court,
        )
    return setting


CALENDAR_FIELDS = ("day", "working", "name")
NAME_MAX: int = CalendarDay._meta.get_field("name").max_length  # type: ignore[assignment]  # a CharField's


@transaction.atomic
def do_set_calendar_day(user: Any, day: dt.date, *, working: bool, name: str) -> CalendarDay:
    """Set how China's calendar treats a day (D6): a holiday, or a weekend day worked (调休).

    The platform keeps one table for every court; a change reaches every notice counted
    after it, never one already recorded.
    """
    name = name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "请填写节日名称，如“国庆节”"
    elif len(name) > NAME_MAX:
        errors["name"] = f"节日名称不能超过{NAME_MAX}个字"
    if working and day.weekday() < 5:
        errors["working"] = f"{day:%Y-%m-%d}是周一至周五，本来就是工作日，无需登记调休上班"
    if errors:
        raise ValidationError(errors)
    row = CalendarDay.objects.select_for_update().filter(day=day).first()
    before = snapshot(row, CALENDAR_FIELDS) if row is not None else None
    if row is None:
        row = CalendarDay(day=day)
    elif row.working == working and row.name == name:
        return row
    row.working = working
    row.name = name
    row.save()
    record(
        user,
        "recruitment.calendar_set",
        row,
        before=before,
        after=snapshot(row, CALENDAR_FIELDS),
    )
    return row


@transaction.atomic
def do_remove_calendar_day(user: Any, day: dt.date) -> None:
    """Remove a day from the table: it counts again as Monday to Friday do (D6)."""
    row = CalendarDay.objects.select_for_update().filter(day=day).first()
    if row is None:
        raise ValidationError({"day": f"{day:%Y-%m-%d}没有节假日安排记录"})
    before = snapshot(row, CALENDAR_FIELDS)
    record(user, "recruitment.calendar_remove", row, before=before)
    row.delete()


__all__ = [
    "do_open_file",
    "do_record_step",
    "do_remove_calendar_day",
    "do_set_calendar_day",
    "do_set_notice_days",
    "notice_days",
]
