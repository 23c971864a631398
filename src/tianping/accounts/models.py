"""Users, API tokens and role grants on nodes of the organisation tree."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django.db.models import Q

from tianping.orgs.models import Org, subtree_q
from tianping.people.models import Person


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", "平台管理员（信息中心）"
    POLITICAL_DEPT = "political_dept", "政治部"
    PARTY_OFFICE = "party_office", "机关党委"
    BRANCH_SECRETARY = "branch_secretary", "支部书记/组织委员"
    MEMBER = "member", "干警"
    LEADER = "leader", "院领导"


class User(AbstractUser):
    person = models.OneToOneField(
        Person,
        verbose_name="对应人员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs) -> None:
        # A new password by any path (Django's `changepassword` too) ends the user's API
        # tokens; `actions.do_set_password` revokes them first, naming who changed it.
        # A hash upgrade at log-in clears `_password` first, so it revokes nothing.
        # `_password` is AbstractBaseUser's record of a raw password set since loading.
        password_changed = self.pk is not None and self._password is not None  # type: ignore[attr-defined]
        with transaction.atomic():
            super().save(*args, **kwargs)
            if password_changed:
                from tianping.accounts.actions import revoke_tokens_on_password_change

                revoke_tokens_on_password_change(None, self)

    @classmethod
    def scope_q(cls, scope) -> Q:
        if scope.is_global:
            return Q()
        if scope.self_only:
            return Q(pk=scope.user_id)
        # Users whose person, or any of whose grants, lies in the subtree.
        granted_here = RoleGrant.objects.filter(org__path__startswith=scope.root_path)
        return Q(person__court__path__startswith=scope.root_path) | Q(
            pk__in=granted_here.values("user_id")
        )


class RoleGrantQuerySet(models.QuerySet["RoleGrant"]):
    def current(self) -> RoleGrantQuerySet:
        return self.filter(revoked_at__isnull=True)


class RoleGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField("角色", max_length=30, choices=Role.choices)
    org = models.ForeignKey(
        Org, verbose_name="授权组织", on_delete=models.PROTECT, related_name="grants"
    )
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField("授权时间", auto_now_add=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "org"],
                condition=Q(revoked_at__isnull=True),
                name="grant_unique_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} @ {self.org.name}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return subtree_q(scope, "org__path", own=Q(user_id=scope.user_id))


# How long a new API token lives: chosen when it is made, never longer than a year.
TOKEN_LIFETIME_DAYS = (7, 30, 90, 180, 365)
TOKEN_DEFAULT_DAYS = 90
TOKEN_MAX_DAYS = 365


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self, now: dt.datetime) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("名称", max_length=50)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("到期时间")
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "API令牌"
        verbose_name_plural = "API令牌"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def new_raw() -> str:
        return "tp_" + secrets.token_urlsafe(32)

    @classmethod
    def scope_q(cls, scope) -> Q:
        return Q(user_id=scope.user_id)
