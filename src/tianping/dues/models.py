"""党费 models: each member's base history, the payment register, excuses, a court's rounding.

Money is stored as integer fen (R3.3 "amounts are in fen"): SQLite keeps a DecimalField in
a column of numeric affinity that sums as floating point, whereas a sum of integers is
exact on every database. The models hand out Decimal 元 through properties.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from tianping.dues.rules import DuesCategory, Rounding, yuan
from tianping.orgs.models import Org, subtree_q
from tianping.people.models import Person


def _person_q(scope) -> Q:
    """Rows about a person the scope sees (a member: only their own)."""
    if scope.is_global:
        return Q()
    if scope.self_only:
        return Q(person_id=scope.person_id)
    return Q(person__in=Person.objects.filter(Person.scope_q(scope)))


class DuesSetting(models.Model):
    """A court's dues settings; a court without one inherits its nearest ancestor's."""

    court = models.OneToOneField(
        Org, verbose_name="法院", on_delete=models.CASCADE, related_name="dues_setting"
    )
    rounding = models.CharField(
        "分以下处理", max_length=20, choices=Rounding.choices, default=Rounding.HALF_UP
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "党费设置"
        verbose_name_plural = "党费设置"

    def __str__(self) -> str:
        return f"{self.court.name}党费设置"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return subtree_q(scope, "court__path")


class BaseSource(models.TextChoices):
    WEB = "web", "网页录入"
    SHEET = "sheet", "工资表导入"
    CLI = "cli", "命令行"
    API = "api", "接口"


class DuesBase(models.Model):
    """A member's monthly base (after-tax regular pay) and category from a month on (R3.3).

    The base in force in a month is the row with the latest `since` on or before it, so a
    pay change recorded for July leaves January to June on the old base.
    """

    person = models.ForeignKey(
        Person, verbose_name="党员", on_delete=models.CASCADE, related_name="dues_bases"
    )
    since = models.DateField("起始月份")  # always the first day of a month
    base_fen = models.BigIntegerField("月基数")  # in fen
    category = models.CharField(
        "人员状态", max_length=20, choices=DuesCategory.choices, default=DuesCategory.SERVING
    )
    source = models.CharField(
        "来源", max_length=20, choices=BaseSource.choices, default=BaseSource.WEB
    )
    note = models.CharField("备注", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "党费基数"
        verbose_name_plural = "党费基数"
        ordering = ["person_id", "since"]
        constraints = [
            models.UniqueConstraint(fields=["person", "since"], name="dues_base_one_per_month"),
            models.CheckConstraint(condition=Q(base_fen__gte=0), name="dues_base_not_negative"),
            models.CheckConstraint(condition=Q(since__day=1), name="dues_base_since_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} {self.since:%Y-%m}起 {self.base}元"

    @property
    def base(self) -> Decimal:
        return yuan(self.base_fen)

    @classmethod
    def scope_q(cls, scope) -> Q:
        return _person_q(scope)


class DuesPayment(models.Model):
    """One member's dues for one month, received.

    Corrections void a row (who, when, why; audited) and record a new one: a payment is a
    receipt for one person-month, not a running balance, so a reversing row would add
    nothing a sum needs, while a void flag keeps "is this month paid?" one filter and lets
    the database refuse two live payments for the same month.
    """

    person = models.ForeignKey(
        Person, verbose_name="党员", on_delete=models.PROTECT, related_name="dues_payments"
    )
    month = models.DateField("所属月份")  # the first day of the month paid for
    amount_fen = models.BigIntegerField("金额")  # in fen
    paid_on = models.DateField("交纳日期")
    # 代缴: another member handed the money in for this one (travel, illness).
    payer = models.ForeignKey(
        Person,
        verbose_name="代缴人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dues_paid_for_others",
    )
    back_paid = models.BooleanField("补交", default=False)
    # The party organisation that collected it: the register of that branch lists it.
    org = models.ForeignKey(
        Org,
        verbose_name="收缴组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField("备注", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    void_reason = models.CharField("作废原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "党费交纳记录"
        verbose_name_plural = "党费交纳记录"
        ordering = ["month", "person_id", "recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "month"],
                condition=Q(voided_at__isnull=True),
                name="dues_payment_one_live_per_month",
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="dues_payment_positive"),
            models.CheckConstraint(condition=Q(month__day=1), name="dues_payment_month_first_day"),
        ]
        indexes = [models.Index(fields=["month", "person"])]

    def __str__(self) -> str:
        return f"{self.person.name} {self.month:%Y-%m} {self.amount}元"

    @property
    def amount(self) -> Decimal:
        return yuan(self.amount_fen)

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None

    @property
    def paid_by_other(self) -> bool:
        return self.payer_id is not None and self.payer_id != self.person_id

    @classmethod
    def scope_q(cls, scope) -> Q:
        if scope.is_global or scope.self_only:
            return _person_q(scope)
        return Q(org__path__startswith=scope.root_path) | _person_q(scope)


class DuesExcuse(models.Model):
    """A reason the branch accepted for months unpaid (缓交/免交, 党章第九条 "without reason").

    Months it covers are not counted towards the six-month flag of R3.3.
    """

    person = models.ForeignKey(
        Person, verbose_name="党员", on_delete=models.PROTECT, related_name="dues_excuses"
    )
    first_month = models.DateField("起始月份")
    last_month = models.DateField("截止月份", null=True, blank=True)  # None: until withdrawn
    reason = models.CharField("原因", max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "缓交/免交原因"
        verbose_name_plural = "缓交/免交原因"
        ordering = ["person_id", "first_month"]

    def __str__(self) -> str:
        until = f"{self.last_month:%Y-%m}" if self.last_month else "今"
        return f"{self.person.name} {self.first_month:%Y-%m}至{until}：{self.reason}"

    def covers(self, month: dt.date) -> bool:
        return self.first_month <= month and (self.last_month is None or month <= self.last_month)

    @classmethod
    def scope_q(cls, scope) -> Q:
        return _person_q(scope)
