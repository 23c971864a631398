"""Simplified/Traditional Chinese: the interface is written in Simplified and converted on request."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from django.http import HttpRequest, HttpResponse
from opencc import OpenCC

SCRIPT_COOKIE = "tianping_script"
SIMPLIFIED, TRADITIONAL = "hans", "hant"


@lru_cache(maxsize=2)
def _converter(config: str) -> OpenCC:
    return OpenCC(config)


def to_traditional(text: str) -> str:
    return _converter("s2t").convert(text)


def to_simplified(text: str) -> str:
    return _converter("t2s").convert(text)


class TraditionalScriptMiddleware:
    """Converts HTML pages to Traditional Chinese for users who chose it (cookie)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.COOKIES.get(SCRIPT_COOKIE) != TRADITIONAL:
            return response
        content_type = response.get("Content-Type", "")
        if getattr(response, "streaming", False) or not content_type.startswith("text/html"):
            return response
        charset = response.charset or "utf-8"
        response.content = to_traditional(response.content.decode(charset)).encode(charset)
        response["Content-Language"] = "zh-Hant"
        return response
