"""The audit log: who changed what and when. Append-only, in Python and in the database."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q

from tianping.orgs.models import Org


class AppendOnlyError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events cannot be changed")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError("audit events cannot be deleted")


class AuditEvent(models.Model):
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        # Accounts are deactivated, never deleted, while their history stands.
        on_delete=models.PROTECT,
        related_name="+",
    )
    user_label = models.CharField("操作人", max_length=150, blank=True)
    action = models.CharField("操作", max_length=60, db_index=True)
    object_type = models.CharField("对象类型", max_length=60)
    object_id = models.CharField("对象编号", max_length=60, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    # The organisation whose subtree the object belongs to: what scopes the audit page.
    org = models.ForeignKey(
        Org, verbose_name="所属组织", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    batch = models.CharField("批次", max_length=40, blank=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_label} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError("audit events cannot be deleted")

    @property
    def changes(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) for each field that differs."""
        before, after = self.before or {}, self.after or {}
        keys = list(dict.fromkeys([*before, *after]))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]

    @classmethod
    def scope_q(cls, scope) -> Q:
        if scope.is_global:
            return Q()
        if scope.self_only:
            return Q(pk__in=[])
        return Q(org__path__startswith=scope.root_path)
