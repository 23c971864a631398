"""View guards: a view declares the capability it needs, and the permission matrix reads it."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

PUBLIC = "public"
# A view keeps its own signature through the guards (its typed request, its file response).
View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def requires(capability: str) -> Callable[[View], View]:
    """Log-in, a current scope and the capability; else login redirect or 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            scope = request.scope  # type: ignore[attr-defined]
            if not scope or not scope.can(capability):
                raise PermissionDenied(capability)
            return view(request, *args, **kwargs)

        wrapped.required_capability = capability  # type: ignore[attr-defined]
        return cast(View, wrapped)

    return decorator


def public(view: View) -> View:
    """Mark a view as reachable without logging in (the login page, the language switch)."""
    view.required_capability = PUBLIC  # type: ignore[attr-defined]
    return view


def authenticated(view: View) -> View:
    """Any logged-in user, with or without a grant (their own account pages)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapped.required_capability = "authenticated"  # type: ignore[attr-defined]
    return cast(View, wrapped)


__all__ = ["PermissionDenied", "authenticated", "public", "requires"]
