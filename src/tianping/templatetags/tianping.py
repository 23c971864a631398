"""Template filters every app's pages use."""

from django import template

register = template.Library()


@register.filter
def percent(value: float | None, digits: int = 1) -> str:
    """0.3333 → "33.3%"; nothing to divide shows as a dash."""
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%"
