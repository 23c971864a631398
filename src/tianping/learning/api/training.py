"""Training classes in the JSON API: classes, their sessions and enrolments, a person's hours.

Mounted under `/learning`; scoped exactly as the pages are, writes through the same actions.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from tianping.accounts.api import OrgRef, Paging, PersonRef, page, requires, scope_of
from tianping.accounts.scoping import Scope, get_scoped, scoped
from tianping.learning.actions import training as actions
from tianping.learning.hours import Hours
from tianping.learning.models.training import (
    ClassSource,
    ClassStatus,
    CourseCategory,
    Enrolment,
    EnrolmentResult,
    TrainingClass,
    TrainingKind,
)
from tianping.learning.queries import training as queries
from tianping.lib.inputs import Day, EmployeeNo, Id, OrgCode, Search, Text, Time, Year
from tianping.orgs.api import find_org
from tianping.people.models import Person

router = Router()


class HoursOut(Schema):
    total: Decimal
    political: Decimal
    political_share: float | None = Field(description="政治理论学时占比，无学时为 null")


class CourseOut(Schema):
    id: int
    title: str
    lecturer: str
    hours: Decimal
    category: CourseCategory
    political: bool = Field(description="计入政治教育（类别为政治理论或标明计入）")


class ShareOut(Schema):
    total_hours: Decimal
    political_hours: Decimal
    share: float | None
    required: float = Field(description="本院要求的政治教育课时占比下限")
    applies: bool = Field(description="该培训类型是否适用占比要求（业务类培训）")
    below: bool = Field(description="低于要求（定稿须说明理由）")


class ClassOut(Schema):
    id: int
    code: str
    name: str
    kind: TrainingKind
    kind_name: str
    court: OrgRef
    organiser: OrgRef
    host_institution: str
    audience: str
    starts_on: dt.date
    ends_on: dt.date
    place: str
    status: ClassStatus
    below_share_reason: str


class ClassPage(Schema):
    count: int
    items: list[ClassOut]


class SessionOut(Schema):
    id: int
    activity_id: int
    title: str
    on: dt.date
    hours: Decimal | None
    status: str
    course: str | None


class ClassDetailOut(ClassOut):
    courses: list[CourseOut]
    political_share: ShareOut
    sessions: list[SessionOut]
    enrolled: int


class EnrolmentOut(Schema):
    id: int
    person: PersonRef
    enrolled_by_rule: str
    result: str
    grade: str
    hours: HoursOut
    sessions_present: int
    certificate_code: str | None


class ClassFilters(Paging):
    year: Year | None = None
    kind: TrainingKind | None = None
    status: ClassStatus | None = None
    q: Search = Field("", description="名称关键词或编号")


class CourseIn(Schema):
    model_config = ConfigDict(extra="forbid")
    title: Text = Field(..., min_length=1, max_length=200)
    lecturer: Text = Field("", max_length=100)
    hours: Decimal = Field(..., gt=0, le=400, max_digits=6, decimal_places=1)
    category: CourseCategory
    political: bool = False


class ClassIn(Schema):
    model_config = ConfigDict(extra="forbid")
    organiser: OrgCode = Field(..., min_length=1, description="主办单位：法院或其内设部门的代码")
    name: Text = Field(..., min_length=1, max_length=200)
    kind: TrainingKind
    host_institution: Text = Field("", max_length=200, description="异地培训、上级调训必填")
    audience: Text = Field("", max_length=200)
    starts_on: Day
    ends_on: Day
    place: Text = Field("", max_length=200)
    courses: list[CourseIn] = Field(default_factory=list, max_length=100)


class SessionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    on: Day
    course_id: Id | None = Field(None, description="本班课程编号")
    title: Text = Field("", max_length=200)
    start_time: Time | None = None
    end_time: Time | None = None
    hours: Decimal | None = Field(None, gt=0, le=400, max_digits=5, decimal_places=1)
    location: Text = Field("", max_length=200)


class EnrolIn(Schema):
    model_config = ConfigDict(extra="forbid")
    employee_nos: list[EmployeeNo] = Field(
        default_factory=list, max_length=2000, description="逐人报名：本院人员工号"
    )
    rule: str | None = Field(
        None,
        max_length=20,
        description="按规则报名：人员类别（judge、clerk…）、joined（某年入院）、new_judges（某年新任员额法官）",
    )
    year: Year | None = Field(None, description="按年选人时的年度")


class ClassHoursOut(Schema):
    training_class: str
    class_id: int
    hours: HoursOut


class PersonHoursOut(Schema):
    person: PersonRef
    year: int
    hours: HoursOut
    by_class: list[ClassHoursOut]
    by_category: dict[str, Decimal]
    required_hours: Decimal | None
    required_political_hours: Decimal | None
    short: Decimal = Field(description="距年度要求尚差学时，无要求为0")


TENTH = Decimal("0.1")


def _hours(h: Hours) -> dict[str, Any]:
    return {
        "total": Decimal(h.total).quantize(TENTH),
        "political": Decimal(h.political).quantize(TENTH),
        "political_share": h.share,
    }


def _ref(org: Any) -> dict[str, str]:
    return {"code": org.code, "name": org.name}


def class_data(tc: TrainingClass) -> dict[str, Any]:
    return {
        "id": tc.pk,
        "code": tc.code,
        "name": tc.name,
        "kind": tc.kind,
        "kind_name": tc.get_kind_display(),
        "court": _ref(tc.court),
        "organiser": _ref(tc.organiser),
        "host_institution": tc.host_institution,
        "audience": tc.audience,
        "starts_on": tc.starts_on,
        "ends_on": tc.ends_on,
        "place": tc.place,
        "status": tc.status,
        "below_share_reason": tc.below_share_reason,
    }


def _session(s: Any) -> dict[str, Any]:
    return {
        "id": s.pk,
        "activity_id": s.activity_id,
        "title": s.activity.title,
        "on": s.activity.on,
        "hours": s.activity.hours,
        "status": s.activity.status,
        "course": s.course.title if s.course else None,
    }


def detail_data(tc: TrainingClass) -> dict[str, Any]:
    share = actions.class_share(tc)
    return {
        **class_data(tc),
        "courses": [
            {
                "id": c.pk,
                "title": c.title,
                "lecturer": c.lecturer,
                "hours": c.hours,
                "category": c.category,
                "political": c.counts_political,
            }
            for c in tc.courses.all()
        ],
        "political_share": {
            "total_hours": share.total,
            "political_hours": share.political,
            "share": float(share.share) if share.share is not None else None,
            "required": float(share.required),
            "applies": share.applies,
            "below": share.below,
        },
        "sessions": [_session(s) for s in queries.class_sessions(tc)],
        "enrolled": tc.enrolments.count(),
    }


def _get(scope: Scope, class_id: int) -> TrainingClass:
    return get_scoped(
        scope, TrainingClass.objects.select_related("court", "organiser"), pk=class_id
    )


def _managed(scope: Scope, class_id: int) -> TrainingClass:
    tc = _get(scope, class_id)
    if not scope.covers_path(tc.organiser.path):
        raise PermissionDenied("learning.manage")
    return tc


@router.get("/classes", response=ClassPage, summary="培训班列表")
@requires("learning.view")
def list_classes(request: HttpRequest, filters: Query[ClassFilters]) -> dict[str, Any]:
    scope = scope_of(request)
    f = queries.ClassFilter(
        year=filters.year,
        kind=filters.kind or "",
        status=filters.status or "",
        q=filters.q,
    )
    result = page(queries.class_list(scope, f), filters)
    result["items"] = [class_data(tc) for tc in result["items"]]
    return result


@router.get(
    "/classes/{int:class_id}", response=ClassDetailOut, summary="培训班详情：方案、占比、课次"
)
@requires("learning.view")
def get_class(request: HttpRequest, class_id: Id) -> dict[str, Any]:
    return detail_data(_get(scope_of(request), class_id))


@router.post("/classes", response={201: ClassDetailOut}, summary="新建培训班（可同时给出课程）")
@requires("learning.manage")
def create_class(request: HttpRequest, payload: ClassIn) -> Status[dict[str, Any]]:
    scope = scope_of(request)
    organiser = find_org(scope, payload.organiser, "organiser")
    data = payload.model_dump(exclude={"organiser", "courses"})
    tc = actions.do_create_class(request.user, organiser, source=ClassSource.API, **data)
    if payload.courses:
        actions.do_save_plan(request.user, tc, [c.model_dump() for c in payload.courses])
    return Status(201, detail_data(_get(scope, tc.pk)))


@router.get("/classes/{int:class_id}/sessions", response=list[SessionOut], summary="培训班的课次")
@requires("learning.view")
def list_sessions(request: HttpRequest, class_id: Id) -> list[dict[str, Any]]:
    tc = _get(scope_of(request), class_id)
    return [_session(s) for s in queries.class_sessions(tc)]


@router.post(
    "/classes/{int:class_id}/sessions",
    response={201: SessionOut},
    summary="安排课次（一次“培训班”活动，出勤在活动接口中记录）",
)
@requires("learning.manage")
def add_session(request: HttpRequest, class_id: Id, payload: SessionIn) -> Status[dict[str, Any]]:
    tc = _managed(scope_of(request), class_id)
    data = payload.model_dump(exclude={"course_id"})
    course = None
    if payload.course_id is not None:
        course = tc.courses.filter(pk=payload.course_id).first()
        if course is None:
            raise ValidationError({"course_id": "课程不属于本培训班"})
    session = actions.do_add_session(request.user, tc, course=course, **data)
    return Status(201, _session(session))


def _enrolments(scope: Scope, tc: TrainingClass) -> list[dict[str, Any]]:
    visible = set(
        scoped(scope, Enrolment.objects.filter(training_class=tc)).values_list("pk", flat=True)
    )
    return [
        {
            "id": r.enrolment.pk,
            "person": r.enrolment.person,
            "enrolled_by_rule": r.enrolment.enrolled_by_rule,
            "result": r.enrolment.result,
            "grade": r.enrolment.grade,
            "hours": _hours(r.hours),
            "sessions_present": r.sessions_present,
            "certificate_code": r.enrolment.certificate_code,
        }
        for r in queries.class_enrolments(tc)
        if r.enrolment.pk in visible
    ]


@router.get(
    "/classes/{int:class_id}/enrolments",
    response=list[EnrolmentOut],
    summary="学员：参训记录、计入学时与结业结果",
)
@requires("learning.view")
def list_enrolments(request: HttpRequest, class_id: Id) -> list[dict[str, Any]]:
    scope = scope_of(request)
    return _enrolments(scope, _get(scope, class_id))


@router.post(
    "/classes/{int:class_id}/enrolments",
    response={201: list[EnrolmentOut]},
    summary="报名：逐人（工号）或按规则",
)
@requires("learning.manage")
def enrol(request: HttpRequest, class_id: Id, payload: EnrolIn) -> Status[list[dict[str, Any]]]:
    scope = scope_of(request)
    tc = _managed(scope, class_id)
    people: list[Person] = []
    rule_text = ""
    if payload.rule:
        chosen, rule_text = queries.rule_people(tc.court, payload.rule, payload.year)
        if not rule_text:
            raise ValidationError({"rule": "未知的报名规则，或按年选人时未给年度"})
        people = list(scoped(scope, chosen))
    if payload.employee_nos:
        numbers = set(payload.employee_nos)
        found = list(scoped(scope, Person.objects.filter(employee_no__in=numbers)))
        missing = numbers - {p.employee_no for p in found}
        if missing:
            raise ValidationError({"employee_nos": f"找不到工号：{'、'.join(sorted(missing))}"})
        people += found
    if not people and not payload.rule:
        raise ValidationError({"employee_nos": "请给出工号或报名规则"})
    actions.do_enrol(request.user, tc, people, rule_text)
    return Status(201, _enrolments(scope, tc))


@router.get(
    "/hours/{int:person_id}", response=PersonHoursOut, summary="一人一年的学时档案（按出勤计入）"
)
@requires("learning.view")
def person_hours(request: HttpRequest, person_id: Id, year: Year | None = None) -> dict[str, Any]:
    scope = scope_of(request)
    person = get_scoped(scope, Person.objects.all(), pk=person_id)
    record = queries.year_page(person, year or dt.date.today().year)
    requirement = record.requirement
    return {
        "person": person,
        "year": record.year,
        "hours": _hours(record.hours),
        "by_class": [
            {
                "training_class": line.training_class.name,
                "class_id": line.training_class.pk,
                "hours": _hours(line.hours),
            }
            for line in record.classes
        ],
        "by_category": dict(record.categories),
        "required_hours": requirement.hours if requirement else None,
        "required_political_hours": requirement.political_hours if requirement else None,
        "short": record.short,
    }


# ---------------------------------------------------------------------------------------
# Results, certificates and feedback. The public verification of a certificate by its
# code stays a web page (`learning:certificate_verify`): the API reads certificates only
# for those whose scope covers the enrolment.


class ResultIn(Schema):
    model_config = ConfigDict(extra="forbid")
    result: EnrolmentResult | Literal[""] = Field(
        ..., description="passed 合格 / failed 不合格 / 空串清除"
    )
    grade: Text = Field("", max_length=20, description="成绩（可选，如“优秀”或“92”）")


class ClassResultOut(Schema):
    id: int
    class_id: int
    person: PersonRef
    result: str = Field(description="passed 合格 / failed 不合格 / 空串未评定")
    grade: str
    certificate_code: str | None
    certificate_issued_on: dt.date | None


class ClassCertificateOut(Schema):
    enrolment_id: int
    class_id: int
    training_class: str
    starts_on: dt.date
    ends_on: dt.date
    person: PersonRef
    code: str = Field(description="证书验证码（公开核验页 /learning/certificates/<验证码>/）")
    issued_on: dt.date | None
    hours: HoursOut


class FeedbackIn(Schema):
    model_config = ConfigDict(extra="forbid")
    rating: int = Field(..., ge=1, le=5, description="总体评价，1至5分")
    comment: Text = Field("", max_length=2000)


class FeedbackOut(Schema):
    enrolment_id: int
    rating: int
    comment: str


class FeedbackSummaryOut(Schema):
    class_id: int
    count: int = Field(description="评价份数")
    attended: int = Field(description="至少出席一次课程的学员数（可评价的人数）")
    average: float | None = Field(description="平均分，无评价为 null")
    by_rating: dict[str, int] = Field(description='各分值的份数（"1"至"5"）')
    comments: list[str] = Field(description="意见建议（不署名，按提交先后）")


def _enrolment(scope: Scope, enrolment_id: int) -> Enrolment:
    return get_scoped(
        scope,
        Enrolment.objects.select_related("person", "training_class__court", "training_class"),
        pk=enrolment_id,
    )


def _result(e: Enrolment) -> dict[str, Any]:
    return {
        "id": e.pk,
        "class_id": e.training_class_id,
        "person": e.person,
        "result": e.result,
        "grade": e.grade,
        "certificate_code": e.certificate_code,
        "certificate_issued_on": e.certificate_issued_on,
    }


@router.get("/enrolments/{int:enrolment_id}", response=ClassResultOut, summary="参训记录的结业结果")
@requires("learning.view")
def get_result(request: HttpRequest, enrolment_id: Id) -> dict[str, Any]:
    return _result(_enrolment(scope_of(request), enrolment_id))


@router.patch(
    "/enrolments/{int:enrolment_id}/result", response=ClassResultOut, summary="记录结业结果与成绩"
)
@requires("learning.manage")
def set_result(request: HttpRequest, enrolment_id: Id, payload: ResultIn) -> dict[str, Any]:
    scope = scope_of(request)
    e = _enrolment(scope, enrolment_id)
    _managed(scope, e.training_class_id)
    stored = actions.do_set_result(request.user, e, str(payload.result), payload.grade)
    return _result(stored)


def _certificate(e: Enrolment, hours: Hours | None) -> dict[str, Any]:
    tc = e.training_class
    return {
        "enrolment_id": e.pk,
        "class_id": tc.pk,
        "training_class": tc.name,
        "starts_on": tc.starts_on,
        "ends_on": tc.ends_on,
        "person": e.person,
        "code": e.certificate_code,
        "issued_on": e.certificate_issued_on,
        "hours": _hours(hours or Hours()),
    }


@router.get(
    "/classes/{int:class_id}/certificates",
    response=list[ClassCertificateOut],
    summary="培训班已颁发的结业证书",
)
@requires("learning.view")
def list_certificates(request: HttpRequest, class_id: Id) -> list[dict[str, Any]]:
    scope = scope_of(request)
    tc = _get(scope, class_id)
    rows = scoped(
        scope,
        Enrolment.objects.filter(training_class=tc, certificate_code__isnull=False)
        .select_related("person", "training_class")
        .order_by("certificate_issued_on", "pk"),
    )
    hours = queries.class_hours(tc.pk)
    return [_certificate(e, hours.get(e.person_id)) for e in rows]


@router.get(
    "/enrolments/{int:enrolment_id}/certificate", response=ClassCertificateOut, summary="结业证书"
)
@requires("learning.view")
def get_certificate(request: HttpRequest, enrolment_id: Id) -> dict[str, Any]:
    e = _enrolment(scope_of(request), enrolment_id)
    if not e.certificate_code:
        raise Http404
    return _certificate(e, queries.class_hours(e.training_class_id).get(e.person_id))


@router.post(
    "/enrolments/{int:enrolment_id}/certificate",
    response={201: ClassCertificateOut},
    summary="颁发结业证书（须结业合格；已颁发的原样返回）",
)
@requires("learning.manage")
def issue_certificate(request: HttpRequest, enrolment_id: Id) -> Status[dict[str, Any]]:
    scope = scope_of(request)
    e = _enrolment(scope, enrolment_id)
    _managed(scope, e.training_class_id)
    stored = actions.do_issue_certificate(request.user, e)
    hours = queries.class_hours(stored.training_class_id).get(stored.person_id)
    return Status(201, _certificate(stored, hours))


@router.post(
    "/enrolments/{int:enrolment_id}/feedback",
    response=FeedbackOut,
    summary="本人评价培训班（出席过至少一次课程后）",
)
@requires("learning.view")
def give_feedback(request: HttpRequest, enrolment_id: Id, payload: FeedbackIn) -> dict[str, Any]:
    scope = scope_of(request)
    e = _enrolment(scope, enrolment_id)
    if e.person_id != scope.person_id:
        raise PermissionDenied("own enrolment only")
    feedback = actions.do_give_feedback(request.user, e, payload.rating, payload.comment)
    return {"enrolment_id": e.pk, "rating": feedback.rating, "comment": feedback.comment}


@router.get(
    "/classes/{int:class_id}/feedback",
    response=FeedbackSummaryOut,
    summary="培训班评价汇总（不署名）",
)
@requires("learning.manage")
def feedback_summary(request: HttpRequest, class_id: Id) -> dict[str, Any]:
    tc = _managed(scope_of(request), class_id)
    summary = queries.feedback_summary(tc)
    return {"class_id": tc.pk, **summary}
