"""Judge liaison (法官联系人): a judge assigned to a township, an enterprise, an association,
an NPC deputy or a CPPCC member; the visits (activities of the kind `liaison_visit`, with
their attendance) and the matters raised (诉求) with their handling and closing.

A visit is an activity: this module holds only what the activity lacks, the assignment it
belongs to and the matters. Handling steps are append-only; a matter is closed once, with a
result.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from tianping.activities.models import Activity
from tianping.orgs.models import COURT_KINDS, Org, subtree_q
from tianping.people.models import Person

VISIT_KIND = "liaison_visit"
# An open matter older than this many days is shown plainly as overdue (超期未办结).
OVERDUE_DAYS = 30


class ContactKind(models.TextChoices):
    TOWNSHIP = "township", "乡镇（街道）"
    ENTERPRISE = "enterprise", "企业"
    ASSOCIATION = "association", "商会（协会）"
    NPC_DEPUTY = "npc_deputy", "人大代表"
    CPPCC_MEMBER = "cppcc_member", "政协委员"


class MatterCategory(models.TextChoices):
    LEGAL_ADVICE = "legal_advice", "法律咨询"
    LITIGATION = "litigation", "诉讼服务"
    DISPUTE = "dispute", "矛盾纠纷化解"
    ENFORCEMENT = "enforcement", "执行问题"
    BUSINESS = "business", "营商环境"
    SUGGESTION = "suggestion", "意见建议"
    OTHER = "other", "其他"


def _judges_q(scope, prefix: str) -> Q:
    """What a scope sees of records kept about judges: a court's scope its subtree's; a
    member their own; a branch secretary (or a department) those of its people."""
    own = Q(**{f"{prefix}judge_id": scope.person_id})
    if scope.is_global or scope.self_only or scope.root_kind in COURT_KINDS:
        return subtree_q(scope, f"{prefix}court__path", own=own)
    return Q(**{f"{prefix}judge__in": Person.objects.filter(Person.scope_q(scope))})


class LiaisonAssignment(models.Model):
    """A judge is the liaison (联系人) of one contact from a day, until a day or for good."""

    court = models.ForeignKey(Org, verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    judge = models.ForeignKey(
        Person, verbose_name="联系法官", on_delete=models.PROTECT, related_name="liaisons"
    )
    contact_kind = models.CharField("联系对象类别", max_length=20, choices=ContactKind.choices)
    contact_name = models.CharField("联系对象", max_length=200)
    contact_person = models.CharField("对方联系人", max_length=100, blank=True)
    contact_phone = models.CharField("对方联系电话", max_length=30, blank=True)
    starts_on = models.DateField("联系起始日")
    ends_on = models.DateField("联系截止日", null=True, blank=True)
    note = models.CharField("备注", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "法官联系人"
        verbose_name_plural = "法官联系人"
        ordering = ["judge__name", "starts_on", "pk"]
        indexes = [models.Index(fields=["court", "starts_on"])]

    def __str__(self) -> str:
        return f"{self.judge.name}联系{self.contact_name}"

    def covers(self, day: dt.date) -> bool:
        """Whether the assignment is in force on `day` (both ends included)."""
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)

    @property
    def period(self) -> str:
        end = f"{self.ends_on:%Y-%m-%d}" if self.ends_on else "至今"
        return (
            f"{self.starts_on:%Y-%m-%d}至{end}" if self.ends_on else f"{self.starts_on:%Y-%m-%d}起"
        )

    @classmethod
    def scope_q(cls, scope) -> Q:
        return _judges_q(scope, "")


class LiaisonVisit(models.Model):
    """A visit: the activity (with its attendance) and the assignment it was made under."""

    assignment = models.ForeignKey(
        LiaisonAssignment, verbose_name="联系安排", on_delete=models.PROTECT, related_name="visits"
    )
    activity = models.OneToOneField(
        Activity, verbose_name="走访活动", on_delete=models.PROTECT, related_name="liaison_visit"
    )

    class Meta:
        verbose_name = "联系走访"
        verbose_name_plural = "联系走访"

    def __str__(self) -> str:
        return str(self.activity)

    @classmethod
    def scope_q(cls, scope) -> Q:
        return _judges_q(scope, "assignment__")


class Matter(models.Model):
    """A matter raised (诉求) with a liaison judge: open until closed with a result."""

    assignment = models.ForeignKey(
        LiaisonAssignment, verbose_name="联系安排", on_delete=models.PROTECT, related_name="matters"
    )
    visit = models.ForeignKey(
        LiaisonVisit,
        verbose_name="提出时的走访",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="matters",
    )
    text = models.TextField("诉求内容", max_length=2000)
    category = models.CharField("诉求类别", max_length=20, choices=MatterCategory.choices)
    raised_on = models.DateField("提出日期")
    raised_by = models.CharField("提出人", max_length=100)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    result = models.TextField("办理结果", max_length=2000, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "联系诉求"
        verbose_name_plural = "联系诉求"
        ordering = ["-raised_on", "-pk"]
        indexes = [models.Index(fields=["closed_on", "raised_on"])]
        constraints = [
            # Closing needs a result: a closed matter without one cannot be stored.
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | ~Q(result=""),
                name="matter_closed_has_result",
            )
        ]

    def __str__(self) -> str:
        return f"{self.raised_by}：{self.text[:30]}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    def age_on(self, day: dt.date) -> int:
        return ((self.closed_on or day) - self.raised_on).days

    def overdue_on(self, day: dt.date) -> bool:
        """Open and raised more than OVERDUE_DAYS days before `day` (flagged until closed)."""
        return self.closed_on is None and (day - self.raised_on).days > OVERDUE_DAYS

    @classmethod
    def scope_q(cls, scope) -> Q:
        return _judges_q(scope, "assignment__")


class MatterStep(models.Model):
    """One handling step of a matter (append-only): what was done on which day."""

    matter = models.ForeignKey(
        Matter, verbose_name="诉求", on_delete=models.PROTECT, related_name="steps"
    )
    on = models.DateField("办理日期")
    text = models.CharField("办理情况", max_length=1000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "诉求办理"
        verbose_name_plural = "诉求办理"
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.text[:30]}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return _judges_q(scope, "matter__assignment__")
