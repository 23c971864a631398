"""Writes of the liaison part (法官联系人): assignments, visits (through the activities'
actions, with attendance), matters raised, their handling steps and their closing.

Rules (docs/rules.md, 法官联系人):
- a visit falls within its assignment's dates (both ends included), never in the future;
- a matter is raised within its assignment's dates; handling steps are append-only and fall
  between the day it was raised and today;
- closing a matter needs a result and a day no earlier than its last step; a closed matter
  takes no more steps and is not closed twice;
- an open matter older than 30 days is flagged (models.liaison.OVERDUE_DAYS) until closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tianping.activities.actions import do_record_past_activity
from tianping.activities.models import AttendanceRole, AttendanceStatus
from tianping.audit.recording import record, snapshot
from tianping.orgs.models import Org
from tianping.people.models import Person, PersonStatus
from tianping.service.models.liaison import (
    VISIT_KIND,
    ContactKind,
    LiaisonAssignment,
    LiaisonVisit,
    Matter,
    MatterCategory,
    MatterStep,
)

ASSIGNMENT_FIELDS = (
    "judge",
    "contact_kind",
    "contact_name",
    "contact_person",
    "contact_phone",
    "starts_on",
    "ends_on",
    "note",
)
MATTER_FIELDS = ("assignment", "text", "category", "raised_on", "raised_by", "closed_on", "result")
TEXT_MAX = 2000


def _by(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


def _today() -> dt.date:
    return timezone.localdate()


def visit_org(judge: Person) -> Org:
    """Where a judge's visit is held: their branch, else their department, else their court,
    so the branch secretary who records it sees it among the branch's activities."""
    return judge.party_org or judge.department or judge.court


@transaction.atomic
def do_assign(
    user: Any,
    judge: Person,
    *,
    contact_kind: str,
    contact_name: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    contact_person: str = "",
    contact_phone: str = "",
    note: str = "",
) -> LiaisonAssignment:
    """Make a judge the liaison of a township, an enterprise, an association or a deputy."""
    errors: dict[str, str] = {}
    if judge.status != PersonStatus.SERVING:
        errors["judge"] = f"{judge.name}不在职，不能担任联系法官"
    if contact_kind not in ContactKind.values:
        errors["contact_kind"] = f"无效的联系对象类别“{contact_kind}”"
    contact_name = contact_name.strip()
    if not contact_name:
        errors["contact_name"] = "请填写联系对象"
    elif len(contact_name) > 200:
        errors["contact_name"] = "联系对象不超过200字"
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = "联系截止日不能早于起始日"
    if errors:
        raise ValidationError(errors)
    assignment = LiaisonAssignment.objects.create(
        court=judge.court,
        judge=judge,
        contact_kind=contact_kind,
        contact_name=contact_name,
        contact_person=contact_person.strip()[:100],
        contact_phone=contact_phone.strip()[:30],
        starts_on=starts_on,
        ends_on=ends_on,
        note=note.strip()[:500],
        created_by=_by(user),
    )
    record(
        user,
        "service.liaison_assign",
        assignment,
        after=snapshot(assignment, ASSIGNMENT_FIELDS),
        org=judge.court,
    )
    return assignment


@transaction.atomic
def do_end_assignment(user: Any, assignment: LiaisonAssignment, ends_on: dt.date) -> None:
    """End an assignment on a day: no earlier than its start, nor than a visit made under it."""
    assignment = LiaisonAssignment.objects.select_for_update().get(pk=assignment.pk)
    if ends_on < assignment.starts_on:
        raise ValidationError({"ends_on": "联系截止日不能早于起始日"})
    last = (
        LiaisonVisit.objects.filter(assignment=assignment)
        .order_by("-activity__on")
        .values_list("activity__on", flat=True)
        .first()
    )
    if last is not None and ends_on < last:
        raise ValidationError({"ends_on": f"截止日不能早于最后一次走访（{last:%Y-%m-%d}）"})
    before = snapshot(assignment, ("ends_on",))
    assignment.ends_on = ends_on
    assignment.save(update_fields=["ends_on"])
    record(
        user,
        "service.liaison_end",
        assignment,
        before=before,
        after=snapshot(assignment, ("ends_on",)),
        org=assignment.court,
    )


@dataclass
class RaisedMatter:
    """A matter raised at a visit: what `do_record_visit` takes for each."""

    text: str
    category: str
    raised_by: str


def _check_matter(text: str, category: str, raised_by: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not text.strip():
        errors["text"] = "请填写诉求内容"
    elif len(text.strip()) > TEXT_MAX:
        errors["text"] = f"诉求内容不超过{TEXT_MAX}字"
    if category not in MatterCategory.values:
        errors["category"] = f"无效的诉求类别“{category}”"
    if not raised_by.strip():
        errors["raised_by"] = "请填写提出人"
    elif len(raised_by.strip()) > 100:
        errors["raised_by"] = "提出人不超过100字"
    return errors


def _check_in_assignment(assignment: LiaisonAssignment, day: dt.date, what: str) -> None:
    if day > _today():
        raise ValidationError({"on": f"{what}日期{day:%Y-%m-%d}尚未到来"})
    if not assignment.covers(day):
        raise ValidationError(
            {"on": f"{what}日期{day:%Y-%m-%d}不在联系期限内（{assignment.period}）"}
        )


def _create_matter(
    user: Any,
    assignment: LiaisonAssignment,
    visit: LiaisonVisit | None,
    *,
    text: str,
    category: str,
    raised_by: str,
    raised_on: dt.date,
) -> Matter:
    matter = Matter.objects.create(
        assignment=assignment,
        visit=visit,
        text=text.strip(),
        category=category,
        raised_by=raised_by.strip(),
        raised_on=raised_on,
        created_by=_by(user),
    )
    record(
        user, "service.matter", matter, after=snapshot(matter, MATTER_FIELDS), org=assignment.court
    )
    return matter


@transaction.atomic
def do_record_visit(
    user: Any,
    assignment: LiaisonAssignment,
    *,
    on: dt.date,
    title: str = "",
    location: str = "",
    summary: str = "",
    companions: Iterable[Person] = (),
    met: int | None = None,
    hours: Any = None,
    matters: Iterable[RaisedMatter] = (),
) -> LiaisonVisit:
    """A visit made under an assignment: an activity of the kind `liaison_visit` held by the
    judge's branch, the judge (and whoever went along) present, with the matters raised."""
    assignment = LiaisonAssignment.objects.select_related("judge", "court").get(pk=assignment.pk)
    _check_in_assignment(assignment, on, "走访")
    matters = list(matters)
    for n, m in enumerate(matters, start=1):
        errors = _check_matter(m.text, m.category, m.raised_by)
        if errors:
            raise ValidationError({f"matter{n}_{k}": v for k, v in errors.items()})
    judge = assignment.judge
    attendance: dict[int, str] = {judge.pk: AttendanceStatus.PRESENT}
    roles: dict[int, str] = {judge.pk: AttendanceRole.HOST}
    for person in companions:
        if person.court_id != judge.court_id:
            raise ValidationError({"companions": f"{person.name}不是本院人员"})
        attendance.setdefault(person.pk, AttendanceStatus.PRESENT)
    fields: dict[str, Any] = {
        "kind": VISIT_KIND,
        "title": (title.strip() or f"走访{assignment.contact_name}")[:200],
        "on": on,
        "location": location.strip()[:200] or assignment.contact_name[:200],
        "summary": summary.strip(),
        "external_audience": met,
    }
    if hours is not None:
        fields["hours"] = hours
    activity = do_record_past_activity(
        user, visit_org(judge), attendance=attendance, roles=roles, **fields
    )
    visit = LiaisonVisit.objects.create(assignment=assignment, activity=activity)
    record(
        user,
        "service.liaison_visit",
        visit,
        after={"assignment": str(assignment), "activity": str(activity), "matters": len(matters)},
        org=assignment.court,
    )
    for m in matters:
        _create_matter(
            user,
            assignment,
            visit,
            text=m.text,
            category=m.category,
            raised_by=m.raised_by,
            raised_on=on,
        )
    return visit


@transaction.atomic
def do_raise_matter(
    user: Any,
    assignment: LiaisonAssignment,
    *,
    text: str,
    category: str,
    raised_by: str,
    raised_on: dt.date,
    visit: LiaisonVisit | None = None,
) -> Matter:
    """A matter raised with a liaison judge (at a visit, or by telephone, a letter…)."""
    errors = _check_matter(text, category, raised_by)
    if visit is not None and visit.assignment_id != assignment.pk:
        errors["visit"] = "该走访不属于这一联系安排"
    if errors:
        raise ValidationError(errors)
    if visit is not None:
        raised_on = visit.activity.on
    _check_in_assignment(assignment, raised_on, "提出")
    return _create_matter(
        user,
        assignment,
        visit,
        text=text,
        category=category,
        raised_by=raised_by,
        raised_on=raised_on,
    )


def _locked(matter: Matter) -> Matter:
    return Matter.objects.select_for_update().select_related("assignment__court").get(pk=matter.pk)


@transaction.atomic
def do_add_step(user: Any, matter: Matter, *, on: dt.date, text: str) -> MatterStep:
    """One more handling step of an open matter (append-only)."""
    matter = _locked(matter)
    if matter.closed_on is not None:
        raise ValidationError(
            {"on": f"该诉求已于{matter.closed_on:%Y-%m-%d}办结，不能再登记办理情况"}
        )
    text = text.strip()
    if not text:
        raise ValidationError({"text": "请填写办理情况"})
    if len(text) > 1000:
        raise ValidationError({"text": "办理情况不超过1000字"})
    if on < matter.raised_on:
        raise ValidationError({"on": f"办理日期不能早于提出日期（{matter.raised_on:%Y-%m-%d}）"})
    if on > _today():
        raise ValidationError({"on": f"办理日期{on:%Y-%m-%d}尚未到来"})
    step = MatterStep.objects.create(matter=matter, on=on, text=text, recorded_by=_by(user))
    record(
        user,
        "service.matter_step",
        matter,
        after={"on": on.isoformat(), "text": text},
        org=matter.assignment.court,
    )
    return step


@transaction.atomic
def do_close_matter(user: Any, matter: Matter, *, on: dt.date, result: str) -> Matter:
    """Close a matter with its result: a result is required, and the day falls between the
    last handling step (or the day it was raised) and today."""
    matter = _locked(matter)
    if matter.closed_on is not None:
        raise ValidationError({"on": f"该诉求已于{matter.closed_on:%Y-%m-%d}办结"})
    result = result.strip()
    if not result:
        raise ValidationError({"result": "办结须填写办理结果"})
    if len(result) > TEXT_MAX:
        raise ValidationError({"result": f"办理结果不超过{TEXT_MAX}字"})
    last = matter.steps.order_by("-on").values_list("on", flat=True).first()
    earliest = max(matter.raised_on, last) if last else matter.raised_on
    if on < earliest:
        raise ValidationError({"on": f"办结日期不能早于{earliest:%Y-%m-%d}"})
    if on > _today():
        raise ValidationError({"on": f"办结日期{on:%Y-%m-%d}尚未到来"})
    before = snapshot(matter, ("closed_on", "result"))
    matter.closed_on, matter.result, matter.closed_by = on, result, _by(user)
    matter.save(update_fields=["closed_on", "result", "closed_by"])
    record(
        user,
        "service.matter_close",
        matter,
        before=before,
        after=snapshot(matter, ("closed_on", "result")),
        org=matter.assignment.court,
    )
    return matter
