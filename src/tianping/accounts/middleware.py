"""Attach the user's current scope to every request."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from tianping.accounts.scoping import scope_for

SESSION_GRANT_KEY = "tianping_grant_id"


class ScopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not hasattr(request, "scope"):
            request.scope = SimpleLazyObject(  # type: ignore[attr-defined]
                lambda: scope_for(request.user, request.session.get(SESSION_GRANT_KEY))
            )
        return self.get_response(request)
