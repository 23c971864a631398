"""Study (学习): yearly study plans and their topics, reflections (心得体会) and their 查重.

A plan belongs to a 理论学习中心组 (the court's 党组) or a branch; each topic names its month,
the texts to read and the activities that carried it out. A reflection is a member's own
text, read by their secretary; each is compared (advisory only) with the court's earlier
reflections and its reference corpus, through LSH band keys kept beside the texts
(`lib.similarity`), so a check reads an index instead of rebuilding one.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from tianping.activities.models import Activity, StudyRecord
from tianping.orgs.models import Org, subtree_q
from tianping.people.models import Person

REFLECTION_MAX_CHARS = 10_000


class StudyPlan(models.Model):
    org = models.ForeignKey(
        Org, verbose_name="学习组织", on_delete=models.PROTECT, related_name="study_plans"
    )
    year = models.PositiveSmallIntegerField(
        "年度", validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    title = models.CharField("计划名称", max_length=200)
    note = models.TextField("总体要求", max_length=4000, blank=True)
    # The center group's "六有" (R1.7) item 年度学习计划, recorded when the plan is made.
    study_record = models.OneToOneField(
        StudyRecord,
        verbose_name="“六有”记录",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="study_plan",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "学习计划"
        verbose_name_plural = "学习计划"
        ordering = ["-year", "org__path"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="study_plan_once_a_year")
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_q(cls, scope) -> Q:
        # A member sees the plans of the organisation they belong to.
        own = Q(org__party_members__pk=scope.person_id) if scope.person_id else None
        return subtree_q(scope, "org__path", own=own)


class PlanTopic(models.Model):
    plan = models.ForeignKey(
        StudyPlan, on_delete=models.CASCADE, related_name="topics", verbose_name="学习计划"
    )
    month = models.PositiveSmallIntegerField(
        "月份", validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    title = models.CharField("学习专题", max_length=200)
    # The texts to read, one a line (篇目).
    readings = models.TextField("学习篇目", max_length=4000, blank=True)
    activities = models.ManyToManyField(
        Activity, blank=True, related_name="plan_topics", verbose_name="落实的活动"
    )
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "学习专题"
        verbose_name_plural = "学习专题"
        ordering = ["month", "position", "id"]

    def __str__(self) -> str:
        return f"{self.month}月 {self.title}"

    @property
    def reading_list(self) -> list[str]:
        return [line.strip() for line in self.readings.splitlines() if line.strip()]

    @classmethod
    def scope_q(cls, scope) -> Q:
        own = Q(plan__org__party_members__pk=scope.person_id) if scope.person_id else None
        return subtree_q(scope, "plan__org__path", own=own)


class ReflectionStatus(models.TextChoices):
    SUBMITTED = "submitted", "待阅"
    READ = "read", "已阅"
    RETURNED = "returned", "退回修改"


class Reflection(models.Model):
    """A member's 心得体会: theirs to write and revise, their secretary's to read."""

    person = models.ForeignKey(
        Person, verbose_name="作者", on_delete=models.PROTECT, related_name="reflections"
    )
    court = models.ForeignKey(Org, verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    # The author's party organisation when they wrote it: whose secretary reads it.
    org = models.ForeignKey(
        Org, verbose_name="所在党组织", on_delete=models.PROTECT, related_name="reflections"
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文", max_length=REFLECTION_MAX_CHARS)
    activity = models.ForeignKey(
        Activity,
        verbose_name="参加的活动",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reflections",
    )
    topic = models.ForeignKey(
        PlanTopic,
        verbose_name="学习专题",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reflections",
    )
    status = models.CharField(
        "状态", max_length=20, choices=ReflectionStatus.choices, default=ReflectionStatus.SUBMITTED
    )
    review_comment = models.CharField("审阅意见", max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField("审阅时间", null=True, blank=True)
    # 查重: the normalised text and its MinHash signature, kept so checks never recompute them.
    normalised = models.TextField(blank=True, editable=False)
    signature = models.BinaryField(blank=True, editable=False)
    # The highest rate of the last check (advisory, never shown to other members).
    top_rate = models.FloatField("最高相似度", null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "心得体会"
        verbose_name_plural = "心得体会"
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["org", "status"]), models.Index(fields=["court"])]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_q(cls, scope) -> Q:
        return subtree_q(scope, "org__path", own=Q(person_id=scope.person_id))


class ReferenceText(models.Model):
    """A text of the court's reference corpus (published speeches, model texts) for 查重."""

    court = models.ForeignKey(
        Org, verbose_name="法院", on_delete=models.PROTECT, related_name="reference_texts"
    )
    title = models.CharField("标题", max_length=200)
    file_name = models.CharField("文件名", max_length=200, blank=True)
    body = models.TextField("正文")
    normalised = models.TextField(blank=True, editable=False)
    signature = models.BinaryField(blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "查重参考文本"
        verbose_name_plural = "查重参考文本"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_q(cls, scope) -> Q:
        return subtree_q(scope, "court__path")


class SimilarityBand(models.Model):
    """One LSH band key of a reflection's or a reference text's signature, per court."""

    court = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="+")
    key = models.BigIntegerField()
    reflection = models.ForeignKey(
        Reflection, null=True, blank=True, on_delete=models.CASCADE, related_name="bands"
    )
    reference = models.ForeignKey(
        ReferenceText, null=True, blank=True, on_delete=models.CASCADE, related_name="bands"
    )

    class Meta:
        verbose_name = "查重索引"
        verbose_name_plural = "查重索引"
        indexes = [models.Index(fields=["court", "key"])]

    def __str__(self) -> str:
        return f"{self.court_id}:{self.key}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return subtree_q(scope, "court__path")


class SimilarityMatch(models.Model):
    """A text found similar to a reflection when it was checked, with its rate."""

    reflection = models.ForeignKey(
        Reflection, on_delete=models.CASCADE, related_name="matches", verbose_name="心得体会"
    )
    source_reflection = models.ForeignKey(
        Reflection, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    source_reference = models.ForeignKey(
        ReferenceText, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    rate = models.FloatField("相似度")
    passages = models.PositiveIntegerField("相同段落数", default=0)

    class Meta:
        verbose_name = "查重结果"
        verbose_name_plural = "查重结果"
        ordering = ["-rate", "id"]

    def __str__(self) -> str:
        return f"{self.reflection}：{self.rate:.1%}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        # Only reviewers see a report; a member sees nothing of it (not even their own).
        if scope.self_only:
            return Q(pk__in=[])
        return subtree_q(scope, "reflection__org__path")
