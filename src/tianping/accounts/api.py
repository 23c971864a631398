"""API access: bearer-token and session authentication, capability marks, paging, and /me."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.decorators import decorate_view
from ninja.errors import AuthenticationError, HttpError
from ninja.operation import Operation
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth
from ninja.utils import check_csrf, contribute_operation_callback

from tianping.accounts import throttle
from tianping.accounts.middleware import SESSION_GRANT_KEY
from tianping.accounts.models import ApiToken, RoleGrant, User
from tianping.accounts.scoping import Scope, grants_for, scope_from_grant
from tianping.lib.inputs import MAX_LIMIT, MAX_OFFSET, Limit, Offset

GRANT_HEADER = "X-Tianping-Grant"
# The capability of operations any signed-in user may call, with or without a grant.
AUTHENTICATED = "authenticated"
# Where an operation's required capability is recorded in the OpenAPI schema.
CAPABILITY_KEY = "x-capability"
# A token's last use is a hint for its owner, not a log: one write a minute is enough.
TOKEN_TOUCH_INTERVAL = dt.timedelta(minutes=1)

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound=models.Model)


def current_scope(request: HttpRequest) -> Scope | None:
    return getattr(request, "scope", None)


def scope_of(request: HttpRequest) -> Scope:
    """The scope of a request that passed `requires` with a real capability."""
    scope = current_scope(request)
    if scope is None:
        raise PermissionDenied("no grant")
    return scope


def _check_capability(request: HttpRequest, capability: str | None) -> None:
    if capability is None:
        # An operation nobody marked is closed to everyone rather than open to all.
        raise PermissionDenied("operation without a capability mark")
    if capability == AUTHENTICATED:
        return
    scope = current_scope(request)
    if scope is None or not scope.can(capability):
        raise PermissionDenied(capability)


def _attach_scope(request: HttpRequest, user: User, session_grant: int | None = None) -> User:
    """Set `request.scope` from the grant the client chose, or refuse a grant not theirs."""
    grants = grants_for(user)
    chosen: RoleGrant | None = grants[0] if grants else None
    raw = request.headers.get(GRANT_HEADER)
    if raw is not None:
        chosen = next((g for g in grants if str(g.pk) == raw.strip()), None)
        if chosen is None:
            raise HttpError(403, f"{GRANT_HEADER} 所指的授权不存在、已撤销或不属于您")
    elif session_grant is not None:
        # The web's scope switcher: a session client sees what the page beside it sees.
        chosen = next((g for g in grants if g.pk == session_grant), chosen)
    request.user = user
    request.scope = scope_from_grant(chosen) if chosen else None  # type: ignore[attr-defined]
    _check_capability(request, getattr(request, "tianping_capability", None))
    return user


class TokenExpired(AuthenticationError):
    """A token past its expiry: refused like any bad token, but the caller is told why."""

    def __init__(self, token: ApiToken) -> None:
        expired = timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M")
        super().__init__(
            401, f"API令牌“{token.name}”已于 {expired} 过期：请在“我的账户”中创建新令牌"
        )


class TokenAuth(HttpBearer):
    """`Authorization: Bearer tp_…`: a current, unexpired token of an active user."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if throttle.reached(throttle.TOKEN, request, settings.TIANPING_TOKEN_FAILURES_PER_MINUTE):
            raise HttpError(
                429, f"API令牌验证失败次数过多：请在 {throttle.seconds_left()} 秒后再试"
            )
        token = token.strip()
        found = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.hash(token), revoked_at__isnull=True, user__is_active=True)
            .first()
            if token
            else None
        )
        if found is None:
            # A client that presents a bad token is told so, even if it also has a session.
            throttle.count(throttle.TOKEN, request)
            raise AuthenticationError()
        now = timezone.now()
        if found.expires_at <= now:
            throttle.count(throttle.TOKEN, request)
            raise TokenExpired(found)
        if found.last_used_at is None or now - found.last_used_at >= TOKEN_TOUCH_INTERVAL:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        return _attach_scope(request, found.user)


class SessionAuth(NinjaSessionAuth):
    """The web session, with Django's CSRF check on unsafe methods."""

    def __call__(self, request: HttpRequest) -> User | None:
        # Anonymous callers get 401 before any CSRF check could turn it into a 403.
        if not request.user.is_authenticated:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, "CSRF 校验失败：请在请求头 X-CSRFToken 中附上 csrftoken")
        return self.authenticate(request, None)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if not isinstance(user, User) or not user.is_active:
            return None
        return _attach_scope(request, user, request.session.get(SESSION_GRANT_KEY))


class ErrorOut(Schema):
    detail: str = Field(description="中文说明")


class InvalidOut(ErrorOut):
    errors: dict[str, list[str]] = Field(
        description='按字段列出的错误，如 {"limit": ["不能大于200"]}；整体错误在 __all__ 下'
    )


# What any operation may answer besides its result: not signed in, no capability, not found
# or out of scope, invalid input. Declared in the schema so a client (and schemathesis) knows.
ERROR_RESPONSES: dict[int, type[Schema]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: InvalidOut,
}


def declare_errors(operation: Operation) -> None:
    """Add the error answers to an operation's responses, keeping any it declared itself."""
    for status, model in ERROR_RESPONSES.items():
        if status not in operation.response_models:
            operation.response_models[status] = operation._create_response_model(model)


def requires(capability: str) -> Callable[[F], F]:
    """Mark an operation with the capability it needs, and enforce it.

    Put it below the router decorator. The mark lands in the OpenAPI schema as
    `x-capability`, which the permission matrix reads. The check runs as part of
    authentication, before the parameters are read, so a caller without the capability
    gets 403 whatever they sent and whether or not the object exists; it runs again
    before the view, for an operation that opts out of authentication.
    """

    def mark_request(run: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(run)
        def marked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            request.tianping_capability = capability  # type: ignore[attr-defined]
            return run(request, *args, **kwargs)

        return marked

    def contribute(operation: Operation) -> None:
        operation.openapi_extra = {**(operation.openapi_extra or {}), CAPABILITY_KEY: capability}
        declare_errors(operation)
        view = operation.view_func

        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            _check_capability(request, capability)
            return view(request, *args, **kwargs)

        operation.view_func = checked

    def decorator(view: F) -> F:
        operation = getattr(view, "_ninja_operation", None)
        if operation is not None:
            # Placed above the router decorator: the operation already exists.
            contribute(operation)
        else:
            contribute_operation_callback(view, contribute)
        # Ninja's own hook for wrapping an operation's run; it survives mounting.
        return decorate_view(mark_request)(view)

    return decorator


class Paging(Schema):
    limit: Limit = Field(50, description=f"每页条数，1–{MAX_LIMIT}")
    offset: Offset = Field(0, description=f"跳过的条数，0–{MAX_OFFSET}")


def page(queryset: models.QuerySet[M], paging: Paging) -> dict[str, Any]:
    """The envelope every list answers with: `{"count": n, "items": [...]}`."""
    return {
        "count": queryset.count(),
        "items": list(queryset[paging.offset : paging.offset + paging.limit]),
    }


class OrgRef(Schema):
    code: str
    name: str


class PersonRef(Schema):
    id: int
    employee_no: str
    name: str


class GrantOut(Schema):
    id: int
    role: str
    role_name: str
    org: OrgRef


class ScopeOut(Schema):
    grant_id: int | None
    role: str
    role_name: str
    org: OrgRef | None = Field(description="授权所在组织；平台管理员在根节点时可见全部")
    is_global: bool
    self_only: bool
    capabilities: list[str]


class MeOut(Schema):
    username: str
    full_name: str
    person: PersonRef | None
    grants: list[GrantOut]
    scope: ScopeOut | None


router = Router(tags=["账户"])


@router.get("/me", response=MeOut, summary="当前用户、授权与范围")
@requires(AUTHENTICATED)
def me(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    assert isinstance(user, User)
    scope = current_scope(request)
    person = user.person if user.person_id else None
    grants = grants_for(user)
    scope_out = None
    if scope is not None:
        scope_out = {
            "grant_id": scope.grant_id,
            "role": scope.role,
            "role_name": scope.role_name,
            "org": next((g.org for g in grants if g.pk == scope.grant_id), None),
            "is_global": scope.is_global,
            "self_only": scope.self_only,
            "capabilities": sorted(scope.caps),
        }
    return {
        "username": user.username,
        "full_name": user.get_full_name(),
        "person": person,
        "grants": [
            {"id": g.pk, "role": g.role, "role_name": g.get_role_display(), "org": g.org}
            for g in grants
        ],
        "scope": scope_out,
    }
