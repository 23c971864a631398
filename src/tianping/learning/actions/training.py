"""Writes to training classes: the class, its plan (R7.1), enrolments, sessions, results,
certificates, feedback, and a court's training settings; each audited in one transaction.

A session is planned through `activities.actions` as an activity of the kind
`training_class`; its attendance is recorded on the activity's own grid, and hours are
credited from it by `learning.hours` (R7.2).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tianping.activities.actions import PastActivity, do_plan_activity, do_record_past_activities
from tianping.activities.models import Attendance, AttendanceStatus
from tianping.audit.recording import jsonable, record, snapshot
from tianping.learning.actions.summary import refresh_classes
from tianping.learning.models.training import (
    DEFAULT_POLITICAL_SHARE,
    HOSTED_KINDS,
    ClassSession,
    ClassStatus,
    Course,
    CourseCategory,
    Enrolment,
    EnrolmentResult,
    Feedback,
    PlanShare,
    TrainingClass,
    TrainingKind,
    TrainingRequirement,
    TrainingSetting,
    plan_share,
)
from tianping.lib.codes import new_code
from tianping.orgs.models import COURT_KINDS, Org, OrgKind
from tianping.people.models import Category, Person

CLASS_FIELDS = (
    "organiser",
    "code",
    "name",
    "kind",
    "host_institution",
    "audience",
    "starts_on",
    "ends_on",
    "place",
    "status",
    "below_share_reason",
)
EDITABLE = (
    "organiser",
    "name",
    "kind",
    "host_institution",
    "audience",
    "starts_on",
    "ends_on",
    "place",
)
MAX_COURSES = 100
MAX_COURSE_HOURS = Decimal("400")
# Unguessable and unambiguous to read aloud or type from paper: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12


def _by(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


def court_share(court: Org) -> Decimal:
    """The court's own reading of R7.1, else the default 20%."""
    setting = TrainingSetting.objects.filter(court=court).first()
    return setting.political_share if setting else DEFAULT_POLITICAL_SHARE


def class_share(tc: TrainingClass) -> PlanShare:
    courses = [(c.hours, c.counts_political) for c in tc.courses.all()]
    return plan_share(courses, tc.kind, court_share(tc.court))


def _check(tc: TrainingClass) -> None:
    errors: dict[str, str] = {}
    if not tc.name.strip():
        errors["name"] = "请填写培训班名称"
    if tc.organiser.kind not in COURT_KINDS and tc.organiser.kind != OrgKind.DEPARTMENT:
        errors["organiser"] = "主办单位应为法院或其内设部门"
    if tc.kind not in TrainingKind.values:
        errors["kind"] = "请选择培训类型"
    elif tc.kind in HOSTED_KINDS and not tc.host_institution.strip():
        errors["host_institution"] = f"{TrainingKind(tc.kind).label}请填写承办机构，如复旦大学"
    if tc.starts_on and tc.ends_on and tc.ends_on < tc.starts_on:
        errors["ends_on"] = "结束日期不能早于开始日期"
    if errors:
        raise ValidationError(errors)


def _next_code(court: Org, year: int) -> str:
    taken = set(
        TrainingClass.objects.filter(court=court, code__startswith=f"{year}-").values_list(
            "code", flat=True
        )
    )
    n = len(taken) + 1
    while f"{year}-{n:03d}" in taken:
        n += 1
    return f"{year}-{n:03d}"


@transaction.atomic
def do_create_class(user: Any, organiser: Org, **fields: Any) -> TrainingClass:
    unknown = set(fields) - set(EDITABLE) - {"source"}
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    court = organiser.court()
    tc = TrainingClass(court=court, organiser=organiser, created_by=_by(user), **fields)
    _check(tc)
    # One court numbers its classes year by year; lock the court so two officers do not
    # take the same number.
    Org.objects.select_for_update().filter(pk=court.pk).first()
    tc.code = _next_code(court, tc.starts_on.year)
    tc.save()
    record(user, "learning.class_create", tc, after=snapshot(tc, CLASS_FIELDS), org=court)
    return tc


def _locked(tc: TrainingClass) -> TrainingClass:
    return (
        TrainingClass.objects.select_for_update().select_related("court", "organiser").get(pk=tc.pk)
    )


@transaction.atomic
def do_update_class(user: Any, tc: TrainingClass, **fields: Any) -> TrainingClass:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    tc = _locked(tc)
    if tc.status == ClassStatus.CANCELLED:
        raise ValidationError({"status": "已取消的培训班不能修改"})
    before = snapshot(tc, CLASS_FIELDS)
    for name, value in fields.items():
        setattr(tc, name, value)
    organiser_court = tc.organiser.court()
    if organiser_court.pk != tc.court_id:
        raise ValidationError({"organiser": "主办单位应为本院或本院的内设部门"})
    _check(tc)
    tc.save()
    after = snapshot(tc, CLASS_FIELDS)
    if after != before:
        record(user, "learning.class_update", tc, before=before, after=after, org=tc.court)
    return tc


def _course_text(c: Course) -> str:
    flag = "，计入政治教育" if c.counts_political else ""
    lecturer = f"，{c.lecturer}" if c.lecturer else ""
    return f"{c.title}（{c.get_category_display()}{lecturer}，{c.hours}学时{flag}）"


def clean_courses(rows: Iterable[dict[str, Any]]) -> list[Course]:
    """The plan's rows as unsaved courses, every problem named by row."""
    courses: list[Course] = []
    errors: list[str] = []
    for n, row in enumerate(rows, 1):
        title = str(row.get("title") or "").strip()
        hours = row.get("hours")
        category = row.get("category") or ""
        if not title:
            errors.append(f"第{n}门课程：请填写课程名称")
            continue
        if not isinstance(hours, Decimal) or not Decimal("0") < hours <= MAX_COURSE_HOURS:
            errors.append(f"第{n}门课程“{title}”：课时应在0到{MAX_COURSE_HOURS}之间")
            continue
        if category not in CourseCategory.values:
            errors.append(f"第{n}门课程“{title}”：请选择类别")
            continue
        courses.append(
            Course(
                title=title[:200],
                lecturer=str(row.get("lecturer") or "").strip()[:100],
                hours=hours,
                category=category,
                political=bool(row.get("political")),
                position=n,
            )
        )
    if len(courses) > MAX_COURSES:
        errors.append(f"一个培训班最多{MAX_COURSES}门课程")
    if errors:
        raise ValidationError({"courses": errors})
    return courses


@transaction.atomic
def do_save_plan(user: Any, tc: TrainingClass, rows: Iterable[dict[str, Any]]) -> PlanShare:
    """Replace the plan's courses; a final plan is changed only after it is reopened.

    Courses a session already names are kept and updated in place, so no session loses
    its course (and its hours their category)."""
    tc = _locked(tc)
    if tc.status != ClassStatus.DRAFT:
        raise ValidationError({"status": "培训方案已定稿，如需修改请先退回拟定"})
    new = clean_courses(rows)
    old = list(tc.courses.all())
    before = [_course_text(c) for c in old]
    used = set(ClassSession.objects.filter(training_class=tc).values_list("course_id", flat=True))
    by_title = {c.title: c for c in old}
    keep: set[int] = set()
    for course in new:
        existing = by_title.get(course.title)
        if existing is not None and existing.pk not in keep:
            for f in ("lecturer", "hours", "category", "political", "position"):
                setattr(existing, f, getattr(course, f))
            existing.save()
            keep.add(existing.pk)
        else:
            course.training_class = tc
            course.save()
            keep.add(course.pk)
    dropped = [c for c in old if c.pk not in keep]
    blocked = [c.title for c in dropped if c.pk in used]
    if blocked:
        raise ValidationError({"courses": [f"课程“{t}”已安排课次，不能删除" for t in blocked]})
    Course.objects.filter(pk__in=[c.pk for c in dropped]).delete()
    after = [_course_text(c) for c in tc.courses.all()]
    share = class_share(tc)
    if after != before:
        refresh_classes([tc.pk])  # a course's category decides its sessions' political hours
        record(
            user,
            "learning.class_plan",
            tc,
            before={"courses": before},
            after={"courses": after, "political_share": _share_text(share)},
            org=tc.court,
        )
    return share


def _share_text(share: PlanShare) -> str:
    if share.share is None:
        return "—"
    return f"{share.share:.1%}"


@transaction.atomic
def do_make_final(user: Any, tc: TrainingClass, reason: str = "") -> TrainingClass:
    """R7.1: a plan below the court's political share is made final only with a reason."""
    tc = _locked(tc)
    if tc.status != ClassStatus.DRAFT:
        raise ValidationError({"status": "只有拟定中的培训方案可以定稿"})
    share = class_share(tc)
    if not share.total:
        raise ValidationError({"courses": "培训方案还没有课程"})
    reason = (reason or "").strip()
    if share.below and not reason:
        raise ValidationError(
            {
                "below_share_reason": f"政治教育课时占比{_share_text(share)}，低于本院要求的"
                f"{share.required:.0%}；请补充政治理论课程，或说明理由后定稿"
            }
        )
    if len(reason) > 500:
        raise ValidationError({"below_share_reason": "说明不能超过500字"})
    before = snapshot(tc, CLASS_FIELDS)
    tc.status = ClassStatus.FINAL
    tc.below_share_reason = reason if share.below else ""
    tc.save(update_fields=["status", "below_share_reason", "updated_at"])
    record(
        user,
        "learning.class_final",
        tc,
        before=before,
        after={**snapshot(tc, CLASS_FIELDS), "political_share": _share_text(share)},
        org=tc.court,
    )
    return tc


def _move(user: Any, tc: TrainingClass, to: str, action: str) -> TrainingClass:
    """A class's status change that needs nothing but its allowed starting point."""
    tc = _locked(tc)
    allowed, refusal = MOVES[to]
    if tc.status not in allowed:
        raise ValidationError({"status": refusal.format(status=tc.get_status_display())})
    before = snapshot(tc, CLASS_FIELDS)
    tc.status = to
    tc.save(update_fields=["status", "updated_at"])
    refresh_classes([tc.pk])  # a cancelled class credits nothing (R7.2)
    record(user, action, tc, before=before, after=snapshot(tc, CLASS_FIELDS), org=tc.court)
    return tc


# To a status: the statuses it may come from, and what a refusal says.
MOVES: dict[str, tuple[frozenset[str], str]] = {
    ClassStatus.DRAFT: (frozenset({ClassStatus.FINAL}), "只有已定稿的培训方案可以退回拟定"),
    ClassStatus.FINISHED: (frozenset({ClassStatus.FINAL}), "培训方案定稿后才能结业"),
    ClassStatus.CANCELLED: (
        frozenset({ClassStatus.DRAFT, ClassStatus.FINAL}),
        "{status}的培训班不能取消",
    ),
}


@transaction.atomic
def do_reopen(user: Any, tc: TrainingClass) -> TrainingClass:
    """Back to 拟定中 so the plan can change; R7.1 is checked again when it is made final."""
    return _move(user, tc, ClassStatus.DRAFT, "learning.class_reopen")


@transaction.atomic
def do_finish(user: Any, tc: TrainingClass) -> TrainingClass:
    return _move(user, tc, ClassStatus.FINISHED, "learning.class_finish")


@transaction.atomic
def do_cancel_class(user: Any, tc: TrainingClass) -> TrainingClass:
    """A cancelled class credits nothing (R7.2), whatever its sessions recorded."""
    return _move(user, tc, ClassStatus.CANCELLED, "learning.class_cancel")


@transaction.atomic
def do_enrol(
    user: Any, tc: TrainingClass, people: Iterable[Person], rule: str = ""
) -> list[Enrolment]:
    """Enrol people by hand, or by a rule whose words are kept on each enrolment."""
    tc = _locked(tc)
    if tc.status in (ClassStatus.CANCELLED, ClassStatus.FINISHED):
        raise ValidationError({"status": f"{tc.get_status_display()}的培训班不能再报名"})
    already = set(tc.enrolments.values_list("person_id", flat=True))
    fresh = {p.pk: p for p in people if p.pk not in already}
    rule = rule.strip()[:200]
    rows = [
        Enrolment(training_class=tc, person_id=pk, enrolled_by_rule=rule) for pk in sorted(fresh)
    ]
    Enrolment.objects.bulk_create(rows, batch_size=500)
    if rows:
        names = [fresh[r.person_id].name for r in rows]
        record(
            user,
            "learning.enrol",
            tc,
            after={"enrolled": "、".join(names), "rule": rule or "逐人报名", "count": len(names)},
            org=tc.court,
        )
    return rows


@transaction.atomic
def do_withdraw(user: Any, enrolment: Enrolment) -> None:
    enrolment = Enrolment.objects.select_related("training_class__court", "person").get(
        pk=enrolment.pk
    )
    if enrolment.certificate_code:
        raise ValidationError({"enrolment": "已发证书的学员不能撤销报名"})
    tc = enrolment.training_class
    record(
        user,
        "learning.withdraw",
        tc,
        before={"enrolled": enrolment.person.name},
        after={"enrolled": None},
        org=tc.court,
    )
    enrolment.delete()
    refresh_classes([tc.pk])  # the ledger hours it stated, if any


@transaction.atomic
def do_add_session(
    user: Any,
    tc: TrainingClass,
    *,
    on: dt.date,
    title: str = "",
    course: Course | None = None,
    start_time: dt.time | None = None,
    end_time: dt.time | None = None,
    hours: Decimal | None = None,
    location: str = "",
) -> ClassSession:
    """A session: an activity of the kind 培训班, planned by the activities' own action."""
    tc = _locked(tc)
    if tc.status in (ClassStatus.CANCELLED, ClassStatus.FINISHED):
        raise ValidationError({"status": f"{tc.get_status_display()}的培训班不能再安排课次"})
    if course is not None and course.training_class_id != tc.pk:
        raise ValidationError({"course": "课程不属于本培训班"})
    if not tc.starts_on <= on <= tc.ends_on:
        raise ValidationError(
            {"on": f"课次日期应在培训期间（{tc.starts_on:%Y-%m-%d}至{tc.ends_on:%Y-%m-%d}）"}
        )
    if hours is None and course is not None and not (start_time and end_time):
        hours = course.hours
    activity = do_plan_activity(
        user,
        tc.organiser,
        kind="training_class",
        title=(title.strip() or (f"{tc.name}：{course.title}" if course else tc.name))[:200],
        on=on,
        start_time=start_time,
        end_time=end_time,
        hours=hours,
        location=location or tc.place,
    )
    session = ClassSession.objects.create(training_class=tc, activity=activity, course=course)
    record(
        user,
        "learning.session",
        tc,
        after={
            "session": str(activity),
            "course": course.title if course else None,
            "hours": jsonable(activity.hours),
        },
        org=tc.court,
    )
    return session


def attended(enrolment: Enrolment) -> bool:
    """Present at one session of the class at least (a leave for one keeps the others)."""
    return Attendance.objects.filter(
        person_id=enrolment.person_id,
        status=AttendanceStatus.PRESENT,
        activity__class_session__training_class_id=enrolment.training_class_id,
        activity__status="held",
    ).exists()


@transaction.atomic
def do_set_result(user: Any, enrolment: Enrolment, result: str, grade: str = "") -> Enrolment:
    enrolment = (
        Enrolment.objects.select_for_update()
        .select_related("training_class__court", "person")
        .get(pk=enrolment.pk)
    )
    if result not in ("", *EnrolmentResult.values):
        raise ValidationError({"result": "结业结果应为合格或不合格"})
    grade = (grade or "").strip()
    if len(grade) > 20:
        raise ValidationError({"grade": "成绩不能超过20字"})
    if enrolment.certificate_code and result != EnrolmentResult.PASSED:
        raise ValidationError({"result": f"{enrolment.person.name}已发结业证书，不能改为未合格"})
    before = {"result": enrolment.get_result_display() or None, "grade": enrolment.grade or None}
    enrolment.result, enrolment.grade = result, grade
    after = {"result": enrolment.get_result_display() or None, "grade": grade or None}
    if after != before:
        enrolment.save(update_fields=["result", "grade"])
        record(
            user,
            "learning.result",
            enrolment,
            before=before,
            after=after,
            org=enrolment.training_class.court,
        )
    return enrolment


def _new_code() -> str:
    return new_code(lambda code: Enrolment.objects.filter(certificate_code=code).exists())


@transaction.atomic
def do_issue_certificate(user: Any, enrolment: Enrolment) -> Enrolment:
    """A certificate for who completed (合格), with a random, unguessable verification code."""
    enrolment = (
        Enrolment.objects.select_for_update()
        .select_related("training_class__court", "person")
        .get(pk=enrolment.pk)
    )
    if enrolment.certificate_code:
        return enrolment
    if enrolment.result != EnrolmentResult.PASSED:
        raise ValidationError({"result": f"{enrolment.person.name}未结业合格，不能发证"})
    if enrolment.training_class.status == ClassStatus.CANCELLED:
        raise ValidationError({"status": "已取消的培训班不能发证"})
    enrolment.certificate_code = _new_code()
    enrolment.certificate_issued_on = timezone.localdate()
    enrolment.save(update_fields=["certificate_code", "certificate_issued_on"])
    record(
        user,
        "learning.certificate",
        enrolment,
        after={"certificate_issued_on": jsonable(enrolment.certificate_issued_on)},
        org=enrolment.training_class.court,
    )
    return enrolment


@transaction.atomic
def do_give_feedback(user: Any, enrolment: Enrolment, rating: int, comment: str = "") -> Feedback:
    """Feedback only from someone who attended at least one session of the class."""
    enrolment = Enrolment.objects.select_related("training_class__court").get(pk=enrolment.pk)
    if not attended(enrolment):
        raise ValidationError({"rating": "参加过本班至少一次课程后才能评价"})
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": "评价应为1至5分"})
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise ValidationError({"comment": "意见建议不能超过2000字"})
    feedback, created = Feedback.objects.update_or_create(
        enrolment=enrolment, defaults={"rating": rating, "comment": comment}
    )
    record(
        user,
        "learning.feedback",
        enrolment,
        after={"rating": rating, "comment": comment or None},
        org=enrolment.training_class.court,
    )
    return feedback


@transaction.atomic
def do_set_share(user: Any, court: Org, share: Decimal) -> TrainingSetting:
    if not Decimal("0") <= share <= Decimal("1"):
        raise ValidationError({"political_share": "占比应在0%到100%之间"})
    setting, _ = TrainingSetting.objects.get_or_create(court=court)
    before = f"{setting.political_share:.1%}"
    setting.political_share = share
    setting.save()
    after = f"{share:.1%}"
    if after != before:
        record(
            user,
            "learning.share",
            setting,
            before={"political_share": before},
            after={"political_share": after},
            org=court,
        )
    return setting


@transaction.atomic
def do_set_requirement(
    user: Any, court: Org, line: str, hours: Decimal | None, political_hours: Decimal
) -> TrainingRequirement | None:
    """A court's yearly hours for one personnel line; no hours removes the requirement."""
    if line not in Category.values:
        raise ValidationError({"line": "未知的人员类别"})
    current = TrainingRequirement.objects.filter(court=court, line=line).first()
    before = str(current) if current else None
    if hours is None:
        if current is not None:
            current.delete()
            record(
                user,
                "learning.requirement",
                court,
                object_repr=f"{court.name} {Category(line).label}",
                before={"requirement": before},
                after={"requirement": None},
                org=court,
            )
        return None
    if not Decimal("0") < hours <= Decimal("1000"):
        raise ValidationError({"hours": "学时应在0到1000之间"})
    if not Decimal("0") <= political_hours <= hours:
        raise ValidationError({"political_hours": "政治理论学时应在0到总学时之间"})
    requirement, _ = TrainingRequirement.objects.update_or_create(
        court=court, line=line, defaults={"hours": hours, "political_hours": political_hours}
    )
    after = f"{requirement}，其中政治理论不少于{political_hours}学时"
    if after != before:
        record(
            user,
            "learning.requirement",
            court,
            object_repr=f"{court.name} {Category(line).label}",
            before={"requirement": before},
            after={"requirement": after},
            org=court,
        )
    return requirement


@transaction.atomic
def do_record_past_sessions(
    user: Any, tc: TrainingClass, sessions: list[tuple[Course | None, PastActivity]]
) -> list[ClassSession]:
    """Sessions already held (a late entry, the demo), each with its attendance, in bulk:
    the activities through `do_record_past_activities`, one audit row for the class."""
    tc = _locked(tc)
    if tc.status == ClassStatus.CANCELLED:
        raise ValidationError({"status": "已取消的培训班不能再安排课次"})
    for course, item in sessions:
        if course is not None and course.training_class_id != tc.pk:
            raise ValidationError({"course": "课程不属于本培训班"})
        item.fields["kind"] = "training_class"
        on = item.fields["on"]
        if not tc.starts_on <= on <= tc.ends_on:
            raise ValidationError({"on": f"课次日期{on:%Y-%m-%d}不在培训期间"})
    activities = do_record_past_activities(user, [item for _, item in sessions])
    rows = [
        ClassSession(training_class=tc, activity=activity, course=course)
        for (course, _), activity in zip(sessions, activities, strict=True)
    ]
    ClassSession.objects.bulk_create(rows, batch_size=500)
    # The activities' signal went out before these sessions tied them to the class.
    refresh_classes([tc.pk])
    record(
        user,
        "learning.session",
        tc,
        after={"session": "；".join(str(a) for a in activities), "count": len(activities)},
        org=tc.court,
    )
    return rows


@transaction.atomic
def do_set_results(
    user: Any, tc: TrainingClass, results: dict[int, tuple[str, str]]
) -> list[Enrolment]:
    """Results of many enrolments of one class at once (person id → result, grade)."""
    tc = _locked(tc)
    enrolments = list(
        tc.enrolments.select_for_update()
        .filter(person_id__in=list(results))
        .select_related("person")
    )
    changed: dict[str, str] = {}
    for e in enrolments:
        result, grade = results[e.person_id]
        if result not in ("", *EnrolmentResult.values) or len(grade) > 20:
            raise ValidationError({"result": f"{e.person.name}的结业结果无效"})
        if e.certificate_code and result != EnrolmentResult.PASSED:
            raise ValidationError({"result": f"{e.person.name}已发结业证书，不能改为未合格"})
        if (e.result, e.grade) != (result, grade):
            e.result, e.grade = result, grade
            label = e.get_result_display() or "—"
            changed[e.person.name] = f"{label}（{grade}）" if grade else label
    Enrolment.objects.bulk_update(
        [e for e in enrolments if e.person.name in changed], ["result", "grade"], batch_size=500
    )
    if changed:
        record(user, "learning.result", tc, after={"result": changed}, org=tc.court)
    return enrolments
