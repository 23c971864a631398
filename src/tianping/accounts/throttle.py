"""Per-address rate limits: log-in attempts, counted before the password hash runs, and bad API tokens.

Counts live in Django's cache (settings.CACHES: the database cache table, so every gunicorn
worker and every app server shares them) in fixed one-minute windows. The address is the
one django-axes locks by (`client_address`, its AXES_CLIENT_IP_CALLABLE). The cache's
increment is not atomic; concurrent requests may slip a few attempts past the limit, never
an unbounded number.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render

WINDOW_SECONDS = 60
LOGIN = "login"
TOKEN = "token"


def client_address(request: HttpRequest) -> str | None:
    """The connection's address; behind our own proxy, the address that proxy appended.

    Only the last X-Forwarded-For entry is the proxy's word: the ones before it are whatever
    the client sent. None when the request has no address at all (axes stores it so).
    """
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    if not settings.BEHIND_PROXY:
        return remote
    return _address(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1]) or remote


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def _key(bucket: str, request: HttpRequest) -> str:
    window = int(time.time() // WINDOW_SECONDS)
    return f"throttle:{bucket}:{client_address(request) or 'unknown'}:{window}"


def seconds_left() -> int:
    return max(1, math.ceil(WINDOW_SECONDS - time.time() % WINDOW_SECONDS))


def count(bucket: str, request: HttpRequest, by: int = 1) -> int:
    """Add `by` to this address's count in the current window and return the new count."""
    key = _key(bucket, request)
    cache.add(key, 0, timeout=2 * WINDOW_SECONDS)
    try:
        return cache.incr(key, by)
    except ValueError:  # expired between add and incr
        cache.set(key, max(by, 0), timeout=2 * WINDOW_SECONDS)
        return max(by, 0)


def reached(bucket: str, request: HttpRequest, limit: int) -> bool:
    return (cache.get(_key(bucket, request)) or 0) >= limit


def login_rate_limited(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Refuse a log-in POST with 429 once its address has tried too often this minute.

    Every attempt counts before the form is read, so a refused one never reaches argon2;
    a successful log-in gives its attempt back, so a courthouse behind one NAT address
    is not throttled by its own clerks signing in.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        if count(LOGIN, request) > settings.TIANPING_LOGIN_RATE_PER_MINUTE:
            wait = seconds_left()
            refused = render(request, "accounts/throttled.html", {"seconds": wait}, status=429)
            refused["Retry-After"] = str(wait)
            return refused
        response = view(request, *args, **kwargs)
        if response.status_code in (301, 302) and request.user.is_authenticated:
            count(LOGIN, request, by=-1)
        return response

    return wrapper
