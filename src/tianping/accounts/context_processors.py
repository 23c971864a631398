"""Template context: the current scope and the grants a user may switch between."""

from typing import Any

from django.http import HttpRequest

from tianping.accounts.scoping import grants_for


def scope(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    current = getattr(request, "scope", None)
    return {
        "scope": current if current else None,
        "user_grants": grants_for(user),
    }
