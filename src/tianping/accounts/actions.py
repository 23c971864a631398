"""Writes to accounts: users, role grants and API tokens, each audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tianping.accounts.models import (
    TOKEN_DEFAULT_DAYS,
    TOKEN_MAX_DAYS,
    ApiToken,
    Role,
    RoleGrant,
    User,
)
from tianping.audit.recording import jsonable, record
from tianping.orgs.models import Org
from tianping.people.models import Person


@transaction.atomic
def do_create_user(
    actor: Any,
    username: str,
    *,
    password: str | None,
    person: Person | None = None,
    full_name: str = "",
    check_password: bool = True,
) -> User:
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"用户名“{username}”已存在"})
    if person is not None:
        # One account per person: the link is one-to-one.
        existing = User.objects.filter(person=person).values_list("username", flat=True).first()
        if existing is not None:
            raise ValidationError({"person": f"{person.name}已有账户“{existing}”"})
    user = User(
        username=username, person=person, first_name=full_name or (person.name if person else "")
    )
    if password:
        if check_password:
            try:
                validate_password(password, user)
            except ValidationError as e:
                raise ValidationError({"password": e.messages}) from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    record(
        actor,
        "accounts.create_user",
        user,
        after={"username": username, "person": str(person) if person else None},
        org=person.court if person else None,
    )
    return user


@transaction.atomic
def do_grant(actor: Any, user: User, role: str, org: Org) -> RoleGrant:
    role = Role(role)
    if RoleGrant.objects.current().filter(user=user, role=role, org=org).exists():
        raise ValidationError({"role": "该用户在此组织已有此角色"})
    if role == Role.MEMBER and user.person_id is None:
        raise ValidationError({"role": "“干警”角色须先为账户关联人员"})
    grant = RoleGrant.objects.create(
        user=user, role=role, org=org, granted_by=actor if getattr(actor, "pk", None) else None
    )
    record(
        actor,
        "accounts.grant",
        grant,
        after={"user": user.username, "role": role.label, "org": org.name},
        org=org,
    )
    return grant


@transaction.atomic
def do_revoke(actor: Any, grant: RoleGrant) -> RoleGrant:
    if grant.revoked_at is not None:
        return grant
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor if getattr(actor, "pk", None) else None
    grant.save(update_fields=["revoked_at", "revoked_by"])
    record(
        actor,
        "accounts.revoke",
        grant,
        before={
            "user": grant.user.username,
            "role": grant.get_role_display(),
            "org": grant.org.name,
        },
        org=grant.org,
    )
    return grant


@transaction.atomic
def do_set_password(actor: Any, user: User, password: str) -> None:
    """Set a password (the user's own change, an administrator's reset, the CLI).

    Every API token of the user is revoked first: whoever knew the old password may have
    made one.
    """
    validate_password(password, user)
    revoke_tokens_on_password_change(actor, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    record(
        actor,
        "accounts.set_password",
        user,
        org=user.person.court if user.person is not None else None,
    )


def revoke_tokens_on_password_change(actor: Any, user: User) -> int:
    """Revoke the user's tokens still in force, each audited; also run by `User.save`."""
    now = timezone.now()
    tokens = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True))
    for token in tokens:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        record(
            actor,
            "accounts.revoke_token",
            token,
            before={"name": token.name},
            after={"reason": "密码已修改，令牌自动撤销"},
        )
    return len(tokens)


@transaction.atomic
def do_create_token(
    actor: Any, user: User, name: str, *, days: int = TOKEN_DEFAULT_DAYS
) -> tuple[ApiToken, str]:
    if not 1 <= days <= TOKEN_MAX_DAYS:
        raise ValidationError({"days": f"有效期须在 1 至 {TOKEN_MAX_DAYS} 天之间"})
    raw = ApiToken.new_raw()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        digest=ApiToken.hash(raw),
        prefix=raw[3:9],
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    record(
        actor,
        "accounts.create_token",
        token,
        after={"name": name, "expires_at": jsonable(token.expires_at)},
    )
    return token, raw


@transaction.atomic
def do_revoke_token(actor: Any, token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(actor, "accounts.revoke_token", token, before={"name": token.name})
