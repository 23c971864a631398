"""The brands part in the JSON API: a court's brand matrix (支部一品), a brand's year, its
evaluation by the party office, the demonstration posts with their figures."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from pydantic import StringConstraints

from tianping.accounts.api import OrgRef, requires, scope_of
from tianping.accounts.scoping import get_scoped
from tianping.lib.inputs import NUL_FREE, Id, OrgCode, Year
from tianping.orgs.models import Org
from tianping.service.actions import brands as actions
from tianping.service.models.brands import Brand, BrandGrade, DemoPost, PostKind
from tianping.service.queries import brands as queries

router = Router()


class BrandRef(Schema):
    id: int
    name: str
    theme: str


class MatrixRowOut(Schema):
    branch: OrgRef
    brand: BrandRef | None
    plan_items: int
    activities: int = Field(description="本年度计入品牌的已开展活动")
    grade: BrandGrade | None


class MatrixOut(Schema):
    year: int
    branches: int
    branded: int
    rows: list[MatrixRowOut]


class BrandYearQuery(Schema):
    year: Year | None = None


class MatrixQuery(Schema):
    court: OrgCode = Field("", description="法院代码：其本身及下级法院")
    year: Year | None = None


def _year(year: int | None) -> int:
    return year or timezone.localdate().year


@router.get("/brands/matrix", response=MatrixOut, summary="支部品牌矩阵")
@requires("service.view")
def get_matrix(request: HttpRequest, query: Query[MatrixQuery]) -> dict[str, Any]:
    scope = scope_of(request)
    court = (
        get_scoped(scope, Org.objects.courts(), code=query.court.strip())
        if query.court.strip()
        else None
    )
    m = queries.matrix(scope, court, _year(query.year))
    return {
        "year": m.year,
        "branches": len(m.rows),
        "branded": m.branded,
        "rows": [
            {
                "branch": r.branch,
                "brand": r.brand,
                "plan_items": r.plan_items,
                "activities": r.activities,
                "grade": r.grade or None,
            }
            for r in m.rows
        ],
    }


class PostOut(Schema):
    id: int
    org: OrgRef
    kind: PostKind
    name: str
    place: str
    established_on: dt.date


class ShiftOut(Schema):
    person: str
    starts_on: dt.date
    ends_on: dt.date | None
    weekdays: str


class PostDetailOut(PostOut):
    year: int
    entries: int
    handled: int = Field(description="本年度办理事项件次")
    people: int
    by_month: list[int]
    roster: list[ShiftOut]


@router.get("/brands/posts", response=list[PostOut], summary="党员示范岗")
@requires("service.view")
def list_posts(request: HttpRequest) -> list[DemoPost]:
    return list(queries.posts(scope_of(request)))


@router.get("/brands/posts/{post_id}", response=PostDetailOut, summary="示范岗值岗安排与服务情况")
@requires("service.view")
def get_post(request: HttpRequest, post_id: Id, query: Query[BrandYearQuery]) -> dict[str, Any]:
    scope = scope_of(request)
    post = get_scoped(scope, DemoPost.objects.select_related("org").distinct(), pk=post_id)
    year = _year(query.year)
    f = queries.post_figures(post, year)
    return {
        "id": post.pk,
        "org": post.org,
        "kind": post.kind,
        "name": post.name,
        "place": post.place,
        "established_on": post.established_on,
        "year": year,
        "entries": f.entries,
        "handled": f.handled,
        "people": f.people,
        "by_month": f.by_month,
        "roster": [
            {
                "person": s.person.name,
                "starts_on": s.starts_on,
                "ends_on": s.ends_on,
                "weekdays": s.weekday_text,
            }
            for s in queries.roster(scope, post, timezone.localdate())
        ],
    }


class PlanItemOut(Schema):
    id: int
    month: int | None
    title: str
    done: bool


class LinkOut(Schema):
    activity_id: int
    on: dt.date
    title: str
    plan_item_id: int | None


class EvaluationOut(Schema):
    year: int
    grade: BrandGrade
    comment: str
    evaluated_on: dt.date


class BrandOut(BrandRef):
    branch: OrgRef
    aims: str
    started_on: dt.date
    year: int
    plan: list[PlanItemOut]
    activities: list[LinkOut]
    evaluations: list[EvaluationOut]


def _brand_out(scope: Any, brand: Brand, year: int) -> dict[str, Any]:
    found = queries.brand_year(scope, brand, year)
    return {
        "id": brand.pk,
        "name": brand.name,
        "theme": brand.theme,
        "branch": brand.branch,
        "aims": brand.aims,
        "started_on": brand.started_on,
        "year": year,
        "plan": [
            {"id": i.pk, "month": i.month, "title": i.title, "done": i.pk in found.done_items}
            for i in found.items
        ],
        "activities": [
            {
                "activity_id": link.activity_id,
                "on": link.activity.on,
                "title": link.activity.title,
                "plan_item_id": link.plan_item_id,
            }
            for link in found.links
        ],
        "evaluations": found.evaluations,
    }


@router.get("/brands/{brand_id}", response=BrandOut, summary="支部品牌的年度计划、活动与评定")
@requires("service.view")
def get_brand(request: HttpRequest, brand_id: Id, query: Query[BrandYearQuery]) -> dict[str, Any]:
    scope = scope_of(request)
    brand = get_scoped(scope, Brand.objects.select_related("branch"), pk=brand_id)
    return _brand_out(scope, brand, _year(query.year))


class EvaluateIn(Schema):
    year: Year | None = Field(None, description="年度，默认今年")
    grade: BrandGrade
    comment: Annotated[str, StringConstraints(max_length=1000, pattern=NUL_FREE)] = ""


@router.post(
    "/brands/{brand_id}/evaluations", response=BrandOut, summary="机关党委评定支部品牌年度等次"
)
@requires("service.manage")
def evaluate(request: HttpRequest, brand_id: Id, payload: EvaluateIn) -> dict[str, Any]:
    scope = scope_of(request)
    brand = get_scoped(scope, Brand.objects.select_related("branch"), pk=brand_id)
    year = _year(payload.year)
    actions.do_evaluate_brand(
        request.user, brand, year=year, grade=payload.grade, comment=payload.comment
    )
    return _brand_out(scope, brand, year)
