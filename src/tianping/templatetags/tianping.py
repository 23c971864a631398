"""Template filters every app's pages use."""

import json
from collections.abc import Iterable
from html import escape
from typing import Any

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from tianping.lib.citations import cited
from tianping.lib.pickers import PickerInput
from tianping.orgs.models import COURT_KINDS, Org, OrgKind

register = template.Library()


@register.filter
def percent(value: float | None, digits: int = 1) -> str:
    """0.3333 → "33.3%"; nothing to divide shows as a dash."""
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%"


@register.filter
def cite(value: str) -> str:
    """A rule id as the regulation a court names: R2.4 → 《中国共产党发展党员工作细则》第十三条."""
    return cited(str(value))


def _court_names(context: template.Context) -> list[tuple[str, str]]:
    """Every court's path and name, deepest first, read once per page render."""
    cache = context.render_context
    if "tianping_courts" not in cache:
        courts = Org.objects.filter(kind__in=COURT_KINDS).values_list("path", "name")
        cache["tianping_courts"] = sorted(courts, key=lambda c: len(c[0]), reverse=True)
    return cache["tianping_courts"]


def _covers_courts(scope: Any) -> bool:
    """A page whose scope reaches more than one court: a 中院 or 高院 with its courts, or all."""
    if scope is None:
        return False
    return bool(scope.is_global or scope.root_kind in (OrgKind.HIGH_COURT, OrgKind.MID_COURT))


@register.simple_tag(takes_context=True)
def org_label(context: template.Context, org: Org | None) -> str:
    """An organisation's name, with its court beside it where the page spans several courts.

    Every court has its 第一党支部; at a 中院's scope the name alone does not say which.
    """
    if org is None:
        return "—"
    if org.is_court or not _covers_courts(context.get("scope")):
        return org.name
    court = next((name for path, name in _court_names(context) if org.path.startswith(path)), None)
    return f"{org.name}（{court}）" if court else org.name


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


def _chip(c: Any) -> str:
    return (
        f'<a class="chip st-{escape(c.status)}" href="{escape(c.href)}" '
        f'title="{escape(c.title)}">{escape(c.text)}</a>'
    )


@register.filter
def chip_links(chips: Iterable[Any]) -> SafeString:
    """Compliance chips (status, href, title, text) as links coloured by status."""
    return mark_safe("".join(map(_chip, chips)))  # every piece is escaped by _chip


@register.simple_tag
def org_picker(name: str, org: Org | None, id: str, kinds: str = "", active: bool = False) -> str:
    """An organisation picker outside a form class: `{% org_picker "org" root "id_org" %}`.

    Its view reads the text back with `lib.pickers.picked_key`, through its scope.
    """
    params = {"kinds": kinds} if kinds else {}
    if active:
        params["active"] = "1"
    value = f"{org.name}（{org.code}）" if org is not None else ""
    return PickerInput("orgs:pick", params).render(name, value, attrs={"id": id})
