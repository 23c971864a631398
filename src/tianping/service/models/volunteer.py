"""Volunteer service (志愿服务): teams and their members, what a service activity adds to its
activity record (team, beneficiaries, place), a court's certificate rules and the
certificates they issue and revoke.

A person's hours are never stored here: they are read from the attendance of held
`volunteer_service` activities (`service.queries.volunteer.HOURS`), as points read them.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q

from tianping.activities.models import Activity
from tianping.orgs.models import Org, subtree_q
from tianping.people.models import Person
from tianping.points.models import scope_ancestor_paths

CERTIFICATE_CODE_LENGTH = 20


class VolunteerTeam(models.Model):
    """A court's 青年志愿服务队 or a branch's own team."""

    owner = models.ForeignKey(
        Org, verbose_name="所属组织", on_delete=models.PROTECT, related_name="volunteer_teams"
    )
    # The court of the owner: its figures and its certificate rules.
    court = models.ForeignKey(Org, verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("队伍名称", max_length=100)
    founded_on = models.DateField("成立日期", null=True, blank=True)
    description = models.TextField("简介", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "志愿服务队"
        verbose_name_plural = "志愿服务队"
        constraints = [
            models.UniqueConstraint(fields=["court", "name"], name="volunteer_team_name_once")
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope) -> Q:
        # A member sees the teams they serve in.
        return subtree_q(
            scope,
            "owner__path",
            own=Q(pk__in=TeamMember.objects.filter(person_id=scope.person_id).values("team_id")),
        )


class TeamMember(models.Model):
    """A stay in a team: joined and (once gone) left; a return is a new row."""

    team = models.ForeignKey(
        VolunteerTeam, verbose_name="志愿服务队", on_delete=models.CASCADE, related_name="members"
    )
    person = models.ForeignKey(
        Person, verbose_name="队员", on_delete=models.PROTECT, related_name="volunteer_stays"
    )
    joined_on = models.DateField("加入日期")
    left_on = models.DateField("退出日期", null=True, blank=True)
    left_reason = models.CharField("退出原因", max_length=100, blank=True)

    class Meta:
        verbose_name = "志愿服务队队员"
        verbose_name_plural = "志愿服务队队员"
        constraints = [
            models.UniqueConstraint(
                fields=["team", "person"],
                condition=Q(left_on__isnull=True),
                name="volunteer_member_once_at_a_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.team}：{self.person}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return subtree_q(scope, "team__owner__path", own=Q(person_id=scope.person_id))


class VolunteerService(models.Model):
    """What a volunteer service activity records beyond the activity: its team, the people
    it served (受益群众) and the community it went to. Hours stay on the attendance."""

    activity = models.OneToOneField(
        Activity,
        verbose_name="活动",
        on_delete=models.CASCADE,
        related_name="volunteer_service",
        primary_key=True,
    )
    team = models.ForeignKey(
        VolunteerTeam,
        verbose_name="志愿服务队",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="services",
    )
    beneficiaries = models.PositiveIntegerField("受益群众（人）", default=0)
    community = models.CharField("服务社区/地点", max_length=100, blank=True)

    class Meta:
        verbose_name = "志愿服务记录"
        verbose_name_plural = "志愿服务记录"

    def __str__(self) -> str:
        return str(self.activity)

    @classmethod
    def scope_q(cls, scope) -> Q:
        return Q(activity__in=Activity.objects.filter(Activity.scope_q(scope)))


class CertificateRule(models.Model):
    """A court's rule: a year's hours at or above `min_hours` earn the certificate `title`.

    Several tiers may stand side by side; a retired rule issues nothing new, and what it
    issued stays. A court without rules of its own follows the nearest court above it."""

    court = models.ForeignKey(
        Org, verbose_name="法院", on_delete=models.PROTECT, related_name="volunteer_rules"
    )
    title = models.CharField("证书名称", max_length=60)
    min_hours = models.DecimalField(
        "年度志愿服务时长不少于（小时）", max_digits=6, decimal_places=1
    )
    active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "志愿服务证书规则"
        verbose_name_plural = "志愿服务证书规则"
        constraints = [
            models.UniqueConstraint(
                fields=["court", "min_hours"],
                condition=Q(active=True),
                name="volunteer_rule_tier_once",
            )
        ]

    def __str__(self) -> str:
        return f"年度志愿服务满{self.min_hours:g}小时：{self.title}"

    @property
    def text(self) -> str:
        return f"年度志愿服务满{Decimal(self.min_hours).normalize():f}小时授予{self.title}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        if scope.self_only:
            return Q(pk__in=[])
        # An officer of a branch or a department reads the rules of their court.
        if scope.is_global:
            return Q()
        return Q(court__path__startswith=scope.root_path) | Q(
            court__path__in=scope_ancestor_paths(scope)
        )


class VolunteerCertificate(models.Model):
    """A certificate a rule issued for a person's year. Never deleted: when the year's hours
    fall below the rule (a correction), it is revoked with the date and the reason, and a
    later rise issues a new one."""

    rule = models.ForeignKey(
        CertificateRule, verbose_name="规则", on_delete=models.PROTECT, related_name="certificates"
    )
    person = models.ForeignKey(
        Person,
        verbose_name="志愿者",
        on_delete=models.PROTECT,
        related_name="volunteer_certificates",
    )
    year = models.PositiveSmallIntegerField("年度")
    hours = models.DecimalField("发证时服务时长", max_digits=7, decimal_places=1)
    code = models.CharField("证书验证码", max_length=CERTIFICATE_CODE_LENGTH, unique=True)
    issued_on = models.DateField("发证日期")
    revoked_on = models.DateField("撤销日期", null=True, blank=True)
    revoke_reason = models.CharField("撤销原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "志愿服务证书"
        verbose_name_plural = "志愿服务证书"
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "person", "year"],
                condition=Q(revoked_on__isnull=True),
                name="volunteer_certificate_valid_once",
            )
        ]
        indexes = [models.Index(fields=["person", "year"], name="volunteer_cert_person_year")]

    def __str__(self) -> str:
        return f"{self.person}：{self.year}年度{self.rule.title}"

    @property
    def valid(self) -> bool:
        return self.revoked_on is None

    @classmethod
    def scope_q(cls, scope) -> Q:
        return Q(person__in=Person.objects.filter(Person.scope_q(scope)))
