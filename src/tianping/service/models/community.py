"""Community work (社区工作): 双报到 (each member's community and the services done there), 结对共建
(partner organisations, agreements with dates, joint activities) and 我为群众办实事 (promised
deeds with their owner, deadline, status history and the activities that delivered them).

A service done in a community, a joint activity or a deed's delivery may be an activity with
its attendance: these models hold only what an activity lacks and link to it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from tianping.activities import kinds
from tianping.activities.models import Activity
from tianping.orgs.models import Org, subtree_q
from tianping.people.models import Person

# The activity kinds a community service, a joint activity or a deed's delivery may link to:
# every kind that serves the public (志愿服务, 普法宣传, 法律咨询, 结对共建, 办实事 …).
SERVICE_KINDS = tuple(
    code for code, k in kinds.KINDS.items() if k.category == kinds.Category.SERVICE
)
VOLUNTEER_KIND = "volunteer_service"
CO_BUILDING_KIND = "co_building"
DEED_KIND = "practical_deed"


def _above(scope) -> list[str]:
    """The tree paths of the scope's root and every node above it: a branch secretary reads
    what its court keeps (the court's agreements, the court's list of deeds)."""
    step = Org.steplen
    return [scope.root_path[: i * step] for i in range(1, len(scope.root_path) // step + 1)]


def _org_scope(scope, path: str, court: str) -> Q:
    """Records held by an organisation: its subtree's, what lies above a branch or department
    scope, and for a member the records of their own court."""
    own = Q(**{f"{court}__in": Person.objects.filter(pk=scope.person_id).values("court")})
    found = subtree_q(scope, path, own=own)
    if scope.is_global or scope.self_only:
        return found
    return found | Q(**{f"{path}__in": _above(scope)})


def _people_scope(scope, prefix: str = "") -> Q:
    """A person's own records: the person, and whoever sees that person on the roster."""
    if scope.is_global:
        return Q()
    if scope.self_only:
        return Q(**{f"{prefix}person_id": scope.person_id})
    return Q(**{f"{prefix}person__in": Person.objects.filter(Person.scope_q(scope))})


# ---------------------------------------------------------------------------------------
# 双报到


class CommunityRegistration(models.Model):
    """A member's registration (报到) with the community where they live, from a day to a day.

    One member holds at most one registration at a time (a move ends the old one first).
    """

    person = models.ForeignKey(
        Person,
        verbose_name="党员",
        on_delete=models.PROTECT,
        related_name="community_registrations",
    )
    community = models.CharField("报到社区", max_length=100)
    district = models.CharField("所属街道/区", max_length=100, blank=True)
    registered_on = models.DateField("报到日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "双报到登记"
        verbose_name_plural = "双报到登记"
        constraints = [
            # The database backs the rule for the open registration; overlaps with past ones
            # are refused by the action.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(ended_on__isnull=True),
                name="community_registration_one_open",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("registered_on")),
                name="community_registration_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["person", "registered_on"])]

    def __str__(self) -> str:
        return f"{self.person.name}：{self.community}"

    def in_force_on(self, day: dt.date) -> bool:
        return self.registered_on <= day and (self.ended_on is None or self.ended_on >= day)

    @classmethod
    def scope_q(cls, scope) -> Q:
        return _people_scope(scope)


class CommunityService(models.Model):
    """One service a member did in the community of their registration: when, what, how long,
    and the activity it was part of, if any. Not edited: a wrong one is withdrawn."""

    registration = models.ForeignKey(
        CommunityRegistration,
        verbose_name="双报到登记",
        on_delete=models.PROTECT,
        related_name="services",
    )
    person = models.ForeignKey(
        Person, verbose_name="党员", on_delete=models.PROTECT, related_name="community_services"
    )
    on = models.DateField("服务日期", db_index=True)
    content = models.CharField("服务内容", max_length=200)
    hours = models.DecimalField("服务时长（小时）", max_digits=5, decimal_places=1)
    activity = models.ForeignKey(
        Activity,
        verbose_name="关联活动",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField("撤销时间", null=True, blank=True)
    withdraw_reason = models.CharField("撤销原因", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "社区服务记录"
        verbose_name_plural = "社区服务记录"
        indexes = [models.Index(fields=["person", "on"])]

    def __str__(self) -> str:
        return f"{self.person.name} {self.on:%Y-%m-%d} {self.content}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return _people_scope(scope)


# ---------------------------------------------------------------------------------------
# 结对共建


class PartnerKind(models.TextChoices):
    COMMUNITY = "community", "社区"
    VILLAGE = "village", "村"
    ENTERPRISE = "enterprise", "企业"
    SCHOOL = "school", "学校"
    AGENCY = "agency", "机关"
    OTHER = "other", "其他"


class Partner(models.Model):
    """A partner organisation (共建单位) of a court: a community, a village, an enterprise …"""

    court = models.ForeignKey(Org, verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("单位名称", max_length=100)
    kind = models.CharField("单位类型", max_length=20, choices=PartnerKind.choices)
    address = models.CharField("地址", max_length=200, blank=True)
    contact = models.CharField("联系人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "共建单位"
        verbose_name_plural = "共建单位"
        constraints = [
            models.UniqueConstraint(fields=["court", "name"], name="partner_once_per_court")
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope) -> Q:
        return _org_scope(scope, "court__path", "court")


class AgreementStatus(models.TextChoices):
    PENDING = "pending", "未生效"
    IN_FORCE = "in_force", "履行中"
    EXPIRED = "expired", "已到期"


class Agreement(models.Model):
    """A co-building agreement (共建协议) between one of the court's party organisations and a
    partner, in force from `starts_on` to `ends_on` inclusive."""

    partner = models.ForeignKey(
        Partner, verbose_name="共建单位", on_delete=models.PROTECT, related_name="agreements"
    )
    org = models.ForeignKey(
        Org, verbose_name="签约党组织", on_delete=models.PROTECT, related_name="+"
    )
    court = models.ForeignKey(Org, verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("协议名称", max_length=200)
    signed_on = models.DateField("签订日期")
    starts_on = models.DateField("起始日期")
    ends_on = models.DateField("截止日期")
    content = models.TextField("共建内容", max_length=5000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "共建协议"
        verbose_name_plural = "共建协议"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="agreement_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["court", "ends_on"])]

    def __str__(self) -> str:
        return self.title

    def status_on(self, day: dt.date) -> str:
        """未生效 before its first day, 履行中 through its last day, 已到期 the day after."""
        if day < self.starts_on:
            return AgreementStatus.PENDING
        if day > self.ends_on:
            return AgreementStatus.EXPIRED
        return AgreementStatus.IN_FORCE

    @classmethod
    def scope_q(cls, scope) -> Q:
        return _org_scope(scope, "org__path", "court")


class JointActivity(models.Model):
    """An activity held under an agreement (共建活动)."""

    agreement = models.ForeignKey(
        Agreement, verbose_name="共建协议", on_delete=models.PROTECT, related_name="joint"
    )
    activity = models.ForeignKey(
        Activity, verbose_name="活动", on_delete=models.PROTECT, related_name="+"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "共建活动"
        verbose_name_plural = "共建活动"
        constraints = [
            models.UniqueConstraint(fields=["agreement", "activity"], name="joint_activity_once")
        ]

    def __str__(self) -> str:
        return f"{self.agreement}：{self.activity}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return _org_scope(scope, "agreement__org__path", "agreement__court")


# ---------------------------------------------------------------------------------------
# 我为群众办实事


class DeedStatus(models.TextChoices):
    NOT_STARTED = "not_started", "未开始"
    IN_PROGRESS = "in_progress", "进行中"
    DONE = "done", "已完成"
    CANCELLED = "cancelled", "已取消"


# A deed still owed: overdue once its deadline has passed (a cancelled one is owed no more).
OPEN_STATUSES = (DeedStatus.NOT_STARTED, DeedStatus.IN_PROGRESS)


class Deed(models.Model):
    """A practical deed promised to the public (我为群众办实事) by a court or a branch."""

    org = models.ForeignKey(
        Org, verbose_name="承诺单位", on_delete=models.PROTECT, related_name="+"
    )
    court = models.ForeignKey(Org, verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField("年度")
    title = models.CharField("事项", max_length=200)
    description = models.TextField("具体内容", max_length=5000, blank=True)
    owner = models.ForeignKey(
        Person, verbose_name="责任人", on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateField("完成时限")
    status = models.CharField(
        "状态", max_length=20, choices=DeedStatus.choices, default=DeedStatus.NOT_STARTED
    )
    done_on = models.DateField("办结日期", null=True, blank=True)
    completion_note = models.TextField("办结情况", max_length=5000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "办实事事项"
        verbose_name_plural = "办实事事项"
        indexes = [
            models.Index(fields=["court", "year", "status"]),
            models.Index(fields=["status", "deadline"]),
        ]

    def __str__(self) -> str:
        return self.title

    def overdue_on(self, day: dt.date) -> bool:
        """Overdue: the deadline has passed (the deadline day itself is still in time) and the
        deed is neither done nor cancelled."""
        return self.status in OPEN_STATUSES and self.deadline < day

    @property
    def done_late(self) -> bool:
        return (
            self.status == DeedStatus.DONE
            and self.done_on is not None
            and self.done_on > self.deadline
        )

    @classmethod
    def scope_q(cls, scope) -> Q:
        found = _org_scope(scope, "org__path", "court")
        # Q() | X is X: a global scope's empty Q must not be OR-ed with anything.
        if scope.is_global or scope.person_id is None:
            return found
        return found | Q(owner_id=scope.person_id)


class DeedStep(models.Model):
    """One change of a deed's status (append-only): the deed's history."""

    deed = models.ForeignKey(
        Deed, verbose_name="事项", on_delete=models.CASCADE, related_name="steps"
    )
    from_status = models.CharField("原状态", max_length=20, choices=DeedStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=20, choices=DeedStatus.choices)
    on = models.DateField("日期")
    note = models.CharField("说明", max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "办实事进展"
        verbose_name_plural = "办实事进展"

    def __str__(self) -> str:
        return f"{self.deed}：{self.get_to_status_display()}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return Q(deed__in=Deed.objects.filter(Deed.scope_q(scope)))


class DeedActivity(models.Model):
    """An activity that delivered (part of) a deed."""

    deed = models.ForeignKey(
        Deed, verbose_name="事项", on_delete=models.PROTECT, related_name="deliveries"
    )
    activity = models.ForeignKey(
        Activity, verbose_name="活动", on_delete=models.PROTECT, related_name="+"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "办实事活动"
        verbose_name_plural = "办实事活动"
        constraints = [
            models.UniqueConstraint(fields=["deed", "activity"], name="deed_activity_once")
        ]

    def __str__(self) -> str:
        return f"{self.deed}：{self.activity}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return Q(deed__in=Deed.objects.filter(Deed.scope_q(scope)))
