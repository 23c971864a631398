"""The requests a guarded view receives, typed: its user, its scope, its HTMX details."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from tianping.accounts.models import User
from tianping.accounts.scoping import Scope


class LoggedInHttpRequest(HttpRequest):
    """For annotations only: a view behind `authenticated`, whose user may hold no grant."""

    user: User
    scope: Scope | None
    htmx: HtmxDetails


class AuthenticatedHttpRequest(HttpRequest):
    """For annotations only; Django builds the request.

    `requires` lets a view run only for a logged-in user with a scope that holds the
    capability, so `user` is a `User` and `scope` (set lazily by ScopeMiddleware) a `Scope`;
    django-htmx's middleware sets `htmx`.
    """

    user: User
    scope: Scope
    htmx: HtmxDetails
