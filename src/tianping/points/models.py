"""Member points (党员积分, R4): a court's rule set and the append-only ledger."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q

from tianping.activities.models import Activity, Attendance
from tianping.orgs.models import Org
from tianping.people.models import Person


class Trigger(models.TextChoices):
    """What earns or costs points. R4.2: never presence online, clicks or study duration."""

    ATTEND_ORG_LIFE = "attend_org_life", "参加三会一课、主题党日、组织生活会、民主评议"
    GIVE_LECTURE = "give_lecture", "讲党课"
    REFLECTION = "reflection", "撰写心得体会或理论文章"
    REFLECTION_COMMENDED = "reflection_commended", "心得文章获市级以上表扬"
    VOLUNTEER_HOURS = "volunteer_hours", "志愿服务（按时长）"
    UNEXCUSED_ABSENCE = "unexcused_absence", "无故缺席组织生活"
    REVIEW_EXCELLENT = "review_excellent", "民主评议优秀"
    REVIEW_UNQUALIFIED = "review_unqualified", "民主评议不合格"
    MANUAL = "manual", "人工加减分"
    VETO = "veto", "一票否决"


class PointScheme(models.Model):
    """A court's base score and settings; rankings are off unless the court turns them on (R4.2)."""

    court = models.OneToOneField(Org, on_delete=models.CASCADE, related_name="point_scheme")
    base = models.DecimalField("基础分", max_digits=6, decimal_places=2, default=Decimal("60"))
    rankings_for_secretaries = models.BooleanField("向支部书记显示排名", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "积分方案"
        verbose_name_plural = "积分方案"

    def __str__(self) -> str:
        return f"{self.court.name}积分方案"

    @classmethod
    def scope_q(cls, scope) -> Q:
        if scope.is_global:
            return Q()
        if scope.self_only:
            return Q(pk__in=[])
        return Q(court__path__startswith=scope.root_path) | Q(
            court__path__in=scope_ancestor_paths(scope)
        )


def scope_ancestor_paths(scope) -> list[str]:
    """A secretary's branch lies under its court: they read the court's rules."""
    path, step = scope.root_path, 4
    return [path[:i] for i in range(step, len(path), step)]


class PointRule(models.Model):
    court = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="point_rules")
    trigger = models.CharField("事项", max_length=30, choices=Trigger.choices)
    points = models.DecimalField("分值", max_digits=6, decimal_places=2)
    # For hour-based triggers: the points above are earned per this many hours.
    per_hours = models.DecimalField(
        "每多少小时", max_digits=5, decimal_places=1, null=True, blank=True
    )
    cap = models.DecimalField("上限", max_digits=6, decimal_places=2, null=True, blank=True)
    cap_period = models.CharField(
        "上限周期", max_length=10, choices=[("year", "每年"), ("month", "每月")], blank=True
    )
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "积分规则"
        verbose_name_plural = "积分规则"
        constraints = [models.UniqueConstraint(fields=["court", "trigger"], name="point_rule_once")]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} {self.points:+}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return PointScheme.scope_q(scope)


class AppendOnlyError(Exception):
    pass


class PointEntryQuerySet(models.QuerySet["PointEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("point entries are never changed: post a reversing entry")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("point entries are never deleted: post a reversing entry")


class PointEntry(models.Model):
    """One line of a member's ledger. A balance is a sum; a correction is a reversing entry."""

    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.PROTECT, related_name="point_entries"
    )
    on = models.DateField("日期")
    points = models.DecimalField("分值", max_digits=7, decimal_places=2)
    trigger = models.CharField("事项", max_length=30, choices=Trigger.choices)
    rule = models.ForeignKey(
        PointRule,
        verbose_name="积分规则",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # R4.3: every entry cites its source: the attendance, the activity, or a person and reason.
    activity = models.ForeignKey(
        Activity,
        verbose_name="活动",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="point_entries",
    )
    attendance = models.ForeignKey(
        Attendance,
        verbose_name="出勤",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="point_entries",
    )
    reason = models.CharField("事由", max_length=200, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name="冲销的记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PointEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "积分记录"
        verbose_name_plural = "积分记录"
        ordering = ["-on", "-id"]
        indexes = [
            models.Index(fields=["person", "on"]),
            models.Index(fields=["activity", "person", "trigger"]),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} {self.on:%Y-%m-%d} {self.points:+}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("point entries are never changed: post a reversing entry")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("point entries are never deleted: post a reversing entry")

    @classmethod
    def scope_q(cls, scope) -> Q:
        if scope.is_global:
            return Q()
        if scope.self_only:
            return Q(person_id=scope.person_id)
        return Q(person__in=Person.objects.filter(Person.scope_q(scope)))
