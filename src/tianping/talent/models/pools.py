"""Talent pools (人才库): a court's pools, each with its eligibility rules, its members and
their append-only history (nominated, admitted, reviewed, left).

A pool's rules are a list of criteria from the registry in `talent/eligibility.py`
(`{"criterion": "age_max", "value": 35}`); a member keeps the evidence it was admitted on,
and a member who no longer meets a rule is flagged on the pool page, never dropped.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tianping.orgs.models import COURT_KINDS, Org, subtree_q
from tianping.people.models import Person


class PoolKind(models.TextChoices):
    YOUNG_CADRE = "young_cadre", "优秀年轻干部"
    RESERVE_CADRE = "reserve_cadre", "后备干部"
    TRIAL_EXPERT = "trial_expert", "审判业务专家"
    EXPERT_JUDGE_RESERVE = "expert_judge_reserve", "专家型法官后备"
    SKILLED = "skilled", "业务能手"
    YOUTH_BACKBONE = "youth_backbone", "青年骨干"


class TalentPool(models.Model):
    court = models.ForeignKey(
        Org, verbose_name="所属法院", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("人才库类别", max_length=32, choices=PoolKind.choices)
    name = models.CharField("名称", max_length=100)
    description = models.CharField("说明", max_length=500, blank=True)
    # [{"criterion": code, "value": ...}, ...]: every rule must hold (and).
    rules = models.JSONField("入库条件", default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "人才库"
        verbose_name_plural = "人才库"
        ordering = ["court__path", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["court", "name"], name="talent_pool_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope) -> Q:
        """A court scope sees its subtree's pools; a member or a branch secretary sees the
        pools that hold them or their branch's people (the lists are for the 政治部)."""
        if scope.is_global or (scope.root_kind in COURT_KINDS and not scope.self_only):
            return subtree_q(scope, "court__path")
        return Q(pk__in=PoolMember.objects.filter(PoolMember.scope_q(scope)).values("pool_id"))


class MemberStatus(models.TextChoices):
    NOMINATED = "nominated", "已提名"
    ADMITTED = "admitted", "在库"
    LEFT = "left", "已出库"
    DECLINED = "declined", "未入库"


ACTIVE_STATUSES = (MemberStatus.NOMINATED, MemberStatus.ADMITTED)


class PoolMember(models.Model):
    """One person's place in a pool: its current state; how it got there is in the events."""

    pool = models.ForeignKey(
        TalentPool, verbose_name="人才库", on_delete=models.PROTECT, related_name="members"
    )
    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.PROTECT, related_name="talent_pools"
    )
    status = models.CharField("状态", max_length=16, choices=MemberStatus.choices)
    nominated_on = models.DateField("提名日期")
    admitted_on = models.DateField("入库日期", null=True, blank=True)
    reviewed_on = models.DateField("最近年度复核", null=True, blank=True)
    left_on = models.DateField("出库日期", null=True, blank=True)
    reason = models.CharField("出库或未入库理由", max_length=500, blank=True)
    # The evidence trail when nominated: [{"code", "label", "requirement", "value", "met", "source"}]
    evidence = models.JSONField("提名依据", default=list, blank=True)

    class Meta:
        verbose_name = "人才库成员"
        verbose_name_plural = "人才库成员"
        ordering = ["pool", "person__employee_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["pool", "person"],
                condition=Q(status__in=["nominated", "admitted"]),
                name="talent_pool_member_once",
            )
        ]
        indexes = [models.Index(fields=["pool", "status"])]

    def __str__(self) -> str:
        return f"{self.person.name} @ {self.pool.name}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @classmethod
    def scope_q(cls, scope) -> Q:
        own = Q(person_id=scope.person_id)
        if scope.is_global or scope.self_only or scope.root_kind in COURT_KINDS:
            return subtree_q(scope, "pool__court__path", own=own)
        return Q(person__in=Person.objects.filter(Person.scope_q(scope)))


class EventKind(models.TextChoices):
    NOMINATE = "nominate", "提名"
    ADMIT = "admit", "入库"
    DECLINE = "decline", "不予入库"
    REVIEW = "review", "年度复核"
    LEAVE = "leave", "出库"


class PoolEvent(models.Model):
    """The history of a pool member, append-only: never updated, never deleted."""

    member = models.ForeignKey(PoolMember, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("事项", max_length=16, choices=EventKind.choices)
    on = models.DateField("日期")
    note = models.CharField("说明", max_length=500, blank=True)
    evidence = models.JSONField("当时的条件核对", default=list, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "人才库记录"
        verbose_name_plural = "人才库记录"
        ordering = ["member", "on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on:%Y-%m-%d}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return Q(member__in=PoolMember.objects.filter(PoolMember.scope_q(scope)))
