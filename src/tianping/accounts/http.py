"""The request a view behind `requires` receives, typed: its user, its scope, its HTMX details."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from tianping.accounts.models import User
from tianping.accounts.scoping import Scope


class AuthenticatedHttpRequest(HttpRequest):
    """For annotations only; Django builds the request.

    `requires` lets a view run only for a logged-in user with a scope that holds the
    capability, so `user` is a `User` and `scope` (set lazily by ScopeMiddleware) a `Scope`;
    django-htmx's middleware sets `htmx`.
    """

    user: User
    scope: Scope
    htmx: HtmxDetails
