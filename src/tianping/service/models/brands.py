"""Branch brands (支部一品) with their yearly plans, the activities under them and the party
office's yearly evaluation; demonstration posts (党员示范岗 / 先锋岗) with their duty roster and
what the members on duty handled.

The activities under a brand are ordinary activities of its branch: this module only links
them. Evaluations and duty entries are append-only: a later evaluation of the same year
supersedes the earlier one, which stays.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from tianping.activities.models import Activity
from tianping.orgs.models import Org, subtree_q
from tianping.people.models import Person


class BrandGrade(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    GOOD = "good", "良好"
    FAIR = "fair", "一般"
    POOR = "poor", "较差"


def _own_branch(scope, prefix: str) -> Q:
    # A member sees their own branch's brand.
    return Q(
        **{f"{prefix}branch__in": Person.objects.filter(pk=scope.person_id).values("party_org")}
    )


class Brand(models.Model):
    """A branch's brand (支部一品): its name, theme and aims."""

    branch = models.ForeignKey(
        Org, verbose_name="党支部", on_delete=models.PROTECT, related_name="brands"
    )
    name = models.CharField("品牌名称", max_length=100)
    theme = models.CharField("品牌主题", max_length=200)
    aims = models.TextField("创建目标", max_length=2000, blank=True)
    started_on = models.DateField("创建日期")
    retired_on = models.DateField("停用日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "支部品牌"
        verbose_name_plural = "支部品牌"
        constraints = [
            # One brand in force per branch (支部一品).
            models.UniqueConstraint(
                fields=["branch"],
                condition=Q(retired_on__isnull=True),
                name="brand_one_current_per_branch",
            )
        ]

    def __str__(self) -> str:
        return f"“{self.name}”"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return subtree_q(scope, "branch__path", own=_own_branch(scope, ""))


class BrandPlanItem(models.Model):
    """One item of a brand's yearly plan (年度创建计划)."""

    brand = models.ForeignKey(
        Brand, verbose_name="支部品牌", on_delete=models.PROTECT, related_name="plan_items"
    )
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("计划月份", null=True, blank=True)
    title = models.CharField("计划事项", max_length=200)
    note = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "品牌年度计划"
        verbose_name_plural = "品牌年度计划"
        ordering = ["year", "month", "pk"]

    def __str__(self) -> str:
        return f"{self.year}年 {self.title}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return subtree_q(scope, "brand__branch__path", own=_own_branch(scope, "brand__"))


class BrandActivity(models.Model):
    """An activity of the branch held under its brand (and under a plan item, if named)."""

    brand = models.ForeignKey(
        Brand, verbose_name="支部品牌", on_delete=models.PROTECT, related_name="links"
    )
    activity = models.ForeignKey(
        Activity, verbose_name="活动", on_delete=models.PROTECT, related_name="+"
    )
    plan_item = models.ForeignKey(
        BrandPlanItem,
        verbose_name="计划事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="links",
    )

    class Meta:
        verbose_name = "品牌活动"
        verbose_name_plural = "品牌活动"
        constraints = [
            models.UniqueConstraint(fields=["brand", "activity"], name="brand_activity_once")
        ]

    def __str__(self) -> str:
        return f"{self.brand}：{self.activity}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return subtree_q(scope, "brand__branch__path", own=_own_branch(scope, "brand__"))


class BrandEvaluation(models.Model):
    """The party office's evaluation of a brand for a year (append-only, the latest counts)."""

    brand = models.ForeignKey(
        Brand, verbose_name="支部品牌", on_delete=models.PROTECT, related_name="evaluations"
    )
    year = models.PositiveSmallIntegerField("年度")
    grade = models.CharField("评定等次", max_length=16, choices=BrandGrade.choices)
    comment = models.CharField("评语", max_length=1000, blank=True)
    evaluated_on = models.DateField("评定日期")
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "品牌评定"
        verbose_name_plural = "品牌评定"
        ordering = ["-year", "-created_at", "-pk"]
        indexes = [models.Index(fields=["brand", "year"])]

    def __str__(self) -> str:
        return f"{self.brand}{self.year}年：{self.get_grade_display()}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return subtree_q(scope, "brand__branch__path", own=_own_branch(scope, "brand__"))


class PostKind(models.TextChoices):
    MODEL = "model", "党员示范岗"
    VANGUARD = "vanguard", "党员先锋岗"


class DemoPost(models.Model):
    """A demonstration post (党员示范岗 / 先锋岗) at a place, kept by an organisation."""

    org = models.ForeignKey(
        Org, verbose_name="所属单位", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("类别", max_length=16, choices=PostKind.choices)
    name = models.CharField("岗位名称", max_length=100)
    place = models.CharField("设岗地点", max_length=200)
    duties = models.CharField("岗位职责", max_length=1000, blank=True)
    established_on = models.DateField("设岗日期")
    retired_on = models.DateField("撤岗日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "党员示范岗"
        verbose_name_plural = "党员示范岗"
        ordering = ["org__path", "name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope) -> Q:
        # A member sees the posts they are on the roster of.
        return subtree_q(scope, "org__path", own=Q(shifts__person_id=scope.person_id))


# Weekdays as the roster writes them: 1 = Monday … 7 = Sunday.
WEEKDAY_NAMES = {1: "周一", 2: "周二", 3: "周三", 4: "周四", 5: "周五", 6: "周六", 7: "周日"}


class DutyShift(models.Model):
    """A member on duty at a post from a day to a day, every day or on the weekdays named."""

    post = models.ForeignKey(
        DemoPost, verbose_name="示范岗", on_delete=models.PROTECT, related_name="shifts"
    )
    person = models.ForeignKey(
        Person, verbose_name="在岗党员", on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField("上岗日期")
    ends_on = models.DateField("下岗日期", null=True, blank=True)
    # "1,3,5": Monday, Wednesday, Friday; empty: every working day of the period.
    weekdays = models.CharField("值岗日", max_length=20, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "值岗安排"
        verbose_name_plural = "值岗安排"
        ordering = ["starts_on", "pk"]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.post}）"

    @property
    def weekday_list(self) -> list[int]:
        return [int(d) for d in self.weekdays.split(",") if d.strip().isdigit()]

    @property
    def weekday_text(self) -> str:
        days = self.weekday_list
        return "、".join(WEEKDAY_NAMES[d] for d in days) if days else "每个工作日"

    def on_duty(self, day: dt.date) -> bool:
        if day < self.starts_on or (self.ends_on is not None and day > self.ends_on):
            return False
        days = self.weekday_list
        return day.isoweekday() in days if days else day.isoweekday() <= 5

    @classmethod
    def scope_q(cls, scope) -> Q:
        return subtree_q(scope, "post__org__path", own=Q(person_id=scope.person_id))


class DutyEntry(models.Model):
    """What a member on duty handled on a day (append-only): a summary and a count."""

    post = models.ForeignKey(
        DemoPost, verbose_name="示范岗", on_delete=models.PROTECT, related_name="entries"
    )
    person = models.ForeignKey(
        Person, verbose_name="在岗党员", on_delete=models.PROTECT, related_name="+"
    )
    on = models.DateField("日期")
    summary = models.CharField("办理事项", max_length=500)
    count = models.PositiveIntegerField("件次", default=1)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "示范岗服务记录"
        verbose_name_plural = "示范岗服务记录"
        ordering = ["-on", "-pk"]
        indexes = [models.Index(fields=["post", "on"])]

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.person.name}：{self.summary[:30]}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return subtree_q(scope, "post__org__path", own=Q(person_id=scope.person_id))
