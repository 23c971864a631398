"""Writes of the brands part: a branch's brand (支部一品), its yearly plan and the activities
under it, the party office's yearly evaluation; demonstration posts, their duty roster and
what was handled on duty. Evaluations and duty entries are append-only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tianping.activities.models import Activity, ActivityStatus
from tianping.audit.recording import record, snapshot
from tianping.orgs.models import Org, OrgKind
from tianping.people.models import Person
from tianping.service.models.brands import (
    Brand,
    BrandActivity,
    BrandEvaluation,
    BrandGrade,
    BrandPlanItem,
    DemoPost,
    DutyEntry,
    DutyShift,
    PostKind,
)

BRAND_FIELDS = ("branch", "name", "theme", "aims", "started_on", "retired_on")
POST_FIELDS = ("org", "kind", "name", "place", "duties", "established_on")
MAX_ENTRY_COUNT = 10_000


def _by(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


def _text(errors: dict[str, str], field: str, label: str, value: str, limit: int) -> str:
    value = value.strip()
    if not value:
        errors[field] = f"请填写{label}"
    elif len(value) > limit:
        errors[field] = f"{label}不超过{limit}字"
    return value


@transaction.atomic
def do_create_brand(
    user: Any, branch: Org, *, name: str, theme: str, aims: str = "", started_on: dt.date
) -> Brand:
    """Give a branch its brand; a branch has one brand in force at a time."""
    errors: dict[str, str] = {}
    if branch.kind != OrgKind.BRANCH:
        errors["branch"] = f"{branch.name}不是党支部"
    name = _text(errors, "name", "品牌名称", name, 100)
    theme = _text(errors, "theme", "品牌主题", theme, 200)
    if len(aims) > 2000:
        errors["aims"] = "创建目标不超过2000字"
    if errors:
        raise ValidationError(errors)
    if Brand.objects.filter(branch=branch, retired_on__isnull=True).exists():
        raise ValidationError({"branch": f"{branch.name}已有在用的支部品牌"})
    try:
        with transaction.atomic():
            brand = Brand.objects.create(
                branch=branch,
                name=name.strip('“”"'),
                theme=theme,
                aims=aims.strip(),
                started_on=started_on,
                created_by=_by(user),
            )
    except IntegrityError as e:
        raise ValidationError({"branch": f"{branch.name}已有在用的支部品牌"}) from e
    record(user, "service.brand", brand, after=snapshot(brand, BRAND_FIELDS), org=branch)
    return brand


@transaction.atomic
def do_add_plan_item(
    user: Any, brand: Brand, *, year: int, title: str, month: int | None = None, note: str = ""
) -> BrandPlanItem:
    errors: dict[str, str] = {}
    title = _text(errors, "title", "计划事项", title, 200)
    if not 2000 <= year <= 2100:
        errors["year"] = "年度应在2000至2100之间"
    if month is not None and not 1 <= month <= 12:
        errors["month"] = "月份应在1至12之间"
    if errors:
        raise ValidationError(errors)
    item = BrandPlanItem.objects.create(
        brand=brand, year=year, month=month, title=title, note=note.strip()[:500]
    )
    record(
        user,
        "service.brand_plan",
        item,
        after=snapshot(item, ("brand", "year", "month", "title", "note")),
        org=brand.branch,
    )
    return item


@transaction.atomic
def do_link_activity(
    user: Any, brand: Brand, activity: Activity, plan_item: BrandPlanItem | None = None
) -> BrandActivity:
    """Count an activity of the brand's branch (or below it) as held under the brand."""
    if not activity.org.path.startswith(brand.branch.path):
        raise ValidationError({"activity": "只能关联本支部的活动"})
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError({"activity": "已取消的活动不能计入品牌活动"})
    if plan_item is not None and (
        plan_item.brand_id != brand.pk or plan_item.year != activity.on.year
    ):
        raise ValidationError({"plan_item": "计划事项应属于本品牌、与活动同一年度"})
    if BrandActivity.objects.filter(brand=brand, activity=activity).exists():
        raise ValidationError({"activity": "该活动已计入本品牌"})
    link = BrandActivity.objects.create(brand=brand, activity=activity, plan_item=plan_item)
    record(
        user,
        "service.brand_activity",
        link,
        after=snapshot(link, ("brand", "activity", "plan_item")),
        org=brand.branch,
    )
    return link


@transaction.atomic
def do_evaluate_brand(
    user: Any,
    brand: Brand,
    *,
    year: int,
    grade: str,
    comment: str = "",
    on: dt.date | None = None,
) -> BrandEvaluation:
    """The party office grades a brand for a year; a later grade of the year supersedes."""
    on = on or timezone.localdate()
    errors: dict[str, str] = {}
    if grade not in BrandGrade.values:
        errors["grade"] = f"无效的等次“{grade}”"
    if not brand.started_on.year <= year <= on.year:
        errors["year"] = f"只能评定{brand.started_on.year}年至{on.year}年的品牌创建"
    if len(comment) > 1000:
        errors["comment"] = "评语不超过1000字"
    if errors:
        raise ValidationError(errors)
    before = BrandEvaluation.objects.filter(brand=brand, year=year).order_by("-pk").first()
    evaluation = BrandEvaluation.objects.create(
        brand=brand,
        year=year,
        grade=grade,
        comment=comment.strip(),
        evaluated_on=on,
        evaluated_by=_by(user),
    )
    record(
        user,
        "service.brand_evaluate",
        evaluation,
        before=snapshot(before, ("year", "grade", "comment")) if before else None,
        after=snapshot(evaluation, ("year", "grade", "comment")),
        org=brand.branch,
    )
    return evaluation


@transaction.atomic
def do_create_post(
    user: Any,
    org: Org,
    *,
    kind: str,
    name: str,
    place: str,
    duties: str = "",
    established_on: dt.date,
) -> DemoPost:
    errors: dict[str, str] = {}
    if kind not in PostKind.values:
        errors["kind"] = f"无效的类别“{kind}”"
    name = _text(errors, "name", "岗位名称", name, 100)
    place = _text(errors, "place", "设岗地点", place, 200)
    if errors:
        raise ValidationError(errors)
    post = DemoPost.objects.create(
        org=org,
        kind=kind,
        name=name,
        place=place,
        duties=duties.strip()[:1000],
        established_on=established_on,
        created_by=_by(user),
    )
    record(user, "service.post", post, after=snapshot(post, POST_FIELDS), org=org)
    return post


@transaction.atomic
def do_add_shift(
    user: Any,
    post: DemoPost,
    person: Person,
    *,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    weekdays: list[int] | None = None,
) -> DutyShift:
    """Put a member on a post's duty roster for a period (every working day, or weekdays)."""
    errors: dict[str, str] = {}
    if person.court_id != post.org.court().pk:
        errors["person"] = f"{person.name}不是本院人员"
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = "下岗日期不能早于上岗日期"
    days = sorted(set(weekdays or []))
    if any(not 1 <= d <= 7 for d in days):
        errors["weekdays"] = "值岗日应为周一至周日"
    if errors:
        raise ValidationError(errors)
    shift = DutyShift.objects.create(
        post=post,
        person=person,
        starts_on=starts_on,
        ends_on=ends_on,
        weekdays=",".join(str(d) for d in days),
        created_by=_by(user),
    )
    record(
        user,
        "service.duty_shift",
        shift,
        after=snapshot(shift, ("post", "person", "starts_on", "ends_on", "weekdays")),
        org=post.org,
    )
    return shift


@transaction.atomic
def do_record_duty(
    user: Any, post: DemoPost, person: Person, *, on: dt.date, summary: str, count: int = 1
) -> DutyEntry:
    """What a member on the roster handled at the post on a day (append-only)."""
    errors: dict[str, str] = {}
    summary = _text(errors, "summary", "办理事项", summary, 500)
    if not 1 <= count <= MAX_ENTRY_COUNT:
        errors["count"] = f"件次应在1至{MAX_ENTRY_COUNT}之间"
    if on > timezone.localdate():
        errors["on"] = f"日期{on:%Y-%m-%d}尚未到来"
    if (
        not DutyShift.objects.filter(post=post, person=person, starts_on__lte=on)
        .exclude(ends_on__lt=on)
        .exists()
    ):
        errors["person"] = f"{person.name}在{on:%Y-%m-%d}不在本岗值岗名单内"
    if errors:
        raise ValidationError(errors)
    entry = DutyEntry.objects.create(
        post=post, person=person, on=on, summary=summary, count=count, recorded_by=_by(user)
    )
    record(
        user,
        "service.duty_entry",
        entry,
        after=snapshot(entry, ("post", "person", "on", "summary", "count")),
        org=post.org,
    )
    return entry
