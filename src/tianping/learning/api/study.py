"""Study in the JSON API: plans with their progress, reflections, their review and 查重 report."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import StringConstraints

from tianping.accounts.api import OrgRef, Paging, PersonRef, page, requires, scope_of
from tianping.accounts.scoping import get_scoped, scoped
from tianping.activities.models import Activity
from tianping.learning.actions import study as actions
from tianping.learning.models.study import (
    REFLECTION_MAX_CHARS,
    Reflection,
    ReflectionStatus,
    StudyPlan,
)
from tianping.learning.queries import study as queries
from tianping.lib.inputs import NUL_FREE, Id, Year
from tianping.people.models import Person

router = Router()

Title = Annotated[str, StringConstraints(max_length=200, pattern=NUL_FREE)]
Body = Annotated[str, StringConstraints(max_length=REFLECTION_MAX_CHARS, pattern=NUL_FREE)]
Comment = Annotated[str, StringConstraints(max_length=500, pattern=NUL_FREE)]


class PlanOut(Schema):
    id: int
    org: OrgRef
    year: int
    title: str


class PlanFilters(Paging):
    year: Year | None = None


class TopicOut(Schema):
    id: int
    month: int
    title: str
    readings: list[str]
    state: str = Field(description="done 已落实、overdue 逾期未落实、due 本月进行、planned 未开始")
    activity_ids: list[int]


class PlanDetailOut(PlanOut):
    done: int
    overdue: int
    total: int
    topics: list[TopicOut]


class PlanPage(Schema):
    count: int
    items: list[PlanOut]


@router.get("/study/plans", response=PlanPage, summary="学习计划")
@requires("learning.view")
def list_plans(request: HttpRequest, filters: Query[PlanFilters]) -> dict[str, Any]:
    return page(queries.plans(scope_of(request), filters.year), filters)


@router.get("/study/plans/{plan_id}", response=PlanDetailOut, summary="学习计划及落实进度")
@requires("learning.view")
def get_plan(request: HttpRequest, plan_id: Id) -> dict[str, Any]:
    plan = get_scoped(scope_of(request), StudyPlan.objects.select_related("org"), pk=plan_id)
    progress = queries.plan_progress(plan)
    topics = [
        {
            "id": t.topic.pk,
            "month": t.topic.month,
            "title": t.topic.title,
            "readings": t.topic.reading_list,
            "state": t.state,
            "activity_ids": [a.pk for a in t.held],
        }
        for m in progress.months
        for t in m.topics
    ]
    return {
        "id": plan.pk,
        "org": plan.org,
        "year": plan.year,
        "title": plan.title,
        "done": progress.done,
        "overdue": progress.overdue,
        "total": progress.total,
        "topics": topics,
    }


class ReflectionOut(Schema):
    id: int
    person: PersonRef
    org: OrgRef
    title: str
    status: ReflectionStatus
    review_comment: str
    activity_id: int | None
    topic_id: int | None
    submitted_at: dt.datetime
    reviewed_at: dt.datetime | None


class ReflectionDetailOut(ReflectionOut):
    body: str


class ReflectionPage(Schema):
    count: int
    items: list[ReflectionOut]


class ReflectionFilters(Paging):
    status: ReflectionStatus | None = None


@router.get(
    "/study/reflections",
    response=ReflectionPage,
    summary="心得体会：党员看到本人的，审阅人看到本组织的",
)
@requires("learning.view")
def list_reflections(request: HttpRequest, filters: Query[ReflectionFilters]) -> dict[str, Any]:
    scope = scope_of(request)
    if scope.can("learning.review"):
        qs = queries.reviewable(scope, filters.status or "")
    else:
        qs = queries.my_reflections(scope)
        if filters.status:
            qs = qs.filter(status=filters.status)
    return page(qs.select_related("person", "org"), filters)


@router.get("/study/reflections/{reflection_id}", response=ReflectionDetailOut, summary="心得体会")
@requires("learning.view")
def get_reflection(request: HttpRequest, reflection_id: Id) -> Reflection:
    scope = scope_of(request)
    reflection = get_scoped(
        scope, Reflection.objects.select_related("person", "org"), pk=reflection_id
    )
    if reflection.person_id != scope.person_id and not scope.can("learning.review"):
        raise PermissionDenied("learning.review")
    return reflection


class ReflectionIn(Schema):
    title: Title
    body: Body
    activity_id: Id | None = None
    topic_id: Id | None = None


@router.post(
    "/study/reflections",
    response={201: ReflectionDetailOut},
    summary="提交本人的心得体会（提交后自动查重，结果仅供审阅人参考）",
)
@requires("learning.view")
def submit_reflection(request: HttpRequest, payload: ReflectionIn) -> Status[Reflection]:
    scope = scope_of(request)
    person = Person.objects.filter(pk=scope.person_id).first() if scope.person_id else None
    if person is None:
        raise ValidationError({"person": "当前账户未关联人员档案"})
    activity = None
    if payload.activity_id is not None:
        activity = scoped(scope, Activity.objects.filter(pk=payload.activity_id)).first()
        if activity is None:
            raise ValidationError({"activity_id": f"找不到编号为{payload.activity_id}的活动"})
    topic = None
    if payload.topic_id is not None:
        topic = queries.plan_topics(person).filter(pk=payload.topic_id).first()
        if topic is None:
            raise ValidationError({"topic_id": f"找不到编号为{payload.topic_id}的学习专题"})
    reflection = actions.do_submit_reflection(
        request.user,
        person,
        title=payload.title,
        body=payload.body,
        activity=activity,
        topic=topic,
    )
    return Status(201, reflection)


class ReviewIn(Schema):
    status: ReflectionStatus = Field(description="read 已阅、returned 退回修改（须写意见）")
    comment: Comment = ""


@router.post(
    "/study/reflections/{reflection_id}/review",
    response=ReflectionOut,
    summary="审阅心得体会：已阅或退回修改",
)
@requires("learning.review")
def review_reflection(request: HttpRequest, reflection_id: Id, payload: ReviewIn) -> Reflection:
    scope = scope_of(request)
    reflection = get_scoped(
        scope, Reflection.objects.select_related("person", "org"), pk=reflection_id
    )
    if reflection.person_id == scope.person_id:
        raise ValidationError({"status": "不能审阅本人的心得体会"})
    return actions.do_review_reflection(
        request.user, reflection, status=payload.status, comment=payload.comment
    )


class PassageOut(Schema):
    text: str
    chars: int


class MatchOut(Schema):
    title: str
    author: str
    rate: float = Field(description="本文与对方相同段落（不少于8字）所占比例，0–1")
    passages: list[PassageOut]


class ReportOut(Schema):
    reflection_id: int
    matches: list[MatchOut]


@router.get(
    "/study/reflections/{reflection_id}/similarity",
    response=ReportOut,
    summary="心得体会查重报告（仅供审阅参考）",
)
@requires("learning.review")
def similarity_report(request: HttpRequest, reflection_id: Id) -> dict[str, Any]:
    scope = scope_of(request)
    reflection = get_scoped(scope, Reflection.objects.all(), pk=reflection_id)
    return {
        "reflection_id": reflection.pk,
        "matches": [
            {
                "title": side.title,
                "author": side.author,
                "rate": round(side.rate, 4),
                "passages": [{"text": p.text, "chars": p.chars} for p in side.passages],
            }
            for side in queries.report_for(scope, reflection)
        ],
    }
