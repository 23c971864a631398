"""Template filters every app's pages use."""

import json
from typing import Any

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def percent(value: float | None, digits: int = 1) -> str:
    """0.3333 → "33.3%"; nothing to divide shows as a dash."""
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%"


# The characters json_script escapes so that data cannot close its <script> element.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def chart_data(value: Any, element_id: str) -> SafeString:
    """Like json_script, but with Chinese kept as characters, not \\u escapes.

    The 繁/简 switch converts the page's text; escaped characters would stay Simplified in a
    Traditional page, and a chart's labels would no longer match the page around it.
    """
    data = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return format_html(
        '<script id="{}" type="application/json">{}</script>', element_id, mark_safe(data)
    )
