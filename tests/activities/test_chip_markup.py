"""The compliance chips' markup: every piece a court typed is escaped, the links kept whole."""

from __future__ import annotations

import re
from html import unescape

from django.template import engines
from django.template.loader import render_to_string

from tianping.activities.compliance import MET, MISSING, Due, spans
from tianping.activities.kinds import OBLIGATIONS, Period
from tianping.activities.queries import WHOLE_YEAR, Chip, MatrixRow, matrix_columns
from tianping.orgs.models import Org, OrgKind

HOSTILE = Chip(
    "met",
    '/activities/?org=BT&status=held&kind="><script>alert(1)</script>',
    '第一党支部 <img src=x onerror=alert(1)> "引号"',
    "党日 1/1 <b>",
)


def render(source: str, **context: object) -> str:
    return engines["django"].from_string("{% load tianping %}" + source).render(context)


def test_the_health_page_chips_escape_their_link_title_and_text():
    html = render("{{ chips|chip_links }}", chips=[HOSTILE, HOSTILE])
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert html == 2 * (
        '<a class="chip st-met" '
        'href="/activities/?org=BT&amp;status=held&amp;kind=&quot;&gt;&lt;script&gt;'
        'alert(1)&lt;/script&gt;" '
        'title="第一党支部 &lt;img src=x onerror=alert(1)&gt; &quot;引号&quot;">'
        "党日 1/1 &lt;b&gt;</a>"
    )


def test_a_matrix_row_escapes_what_a_court_typed_and_composes_each_link_whole():
    org = Org(code='B"><script>1', name="第一党支部 <img src=x onerror=alert(1)>")
    org.kind = OrgKind.BRANCH
    months = spans(2024, Period.MONTH)
    theme_day = OBLIGATIONS["theme_day"]
    columns = matrix_columns(WHOLE_YEAR, 2024)
    cells: list[tuple[object, list[Due]]] = [(c, []) for c in columns]
    cells[2][1].append(Due(org, theme_day, months[2], 1, 1, MET))
    cells[3][1].append(Due(org, theme_day, months[3], 1, 0, MISSING))
    row = MatrixRow(org, 1, section=False, cells=cells, owes=True, missing=1)  # type: ignore[arg-type]
    html = render_to_string(
        "activities/compliance_rows.html", {"rows": [row], "year": 2024, "span": 18}
    )
    assert "<script>" not in html and "<img" not in html
    links = [
        (cls, unescape(href), unescape(title), text)
        for cls, href, title, text in re.findall(
            r'<a class="chip st-(\w+)" href="([^"]+)" title="([^"]+)">([^<]+)</a>', html
        )
    ]
    assert links == [
        (
            "met",
            "/activities/?org=B%22%3E%3Cscript%3E1&status=held&kind=theme_day"
            "&start=2024-03-01&end=2024-03-31",
            "主题党日 2024-03：1/1 已完成",
            "党日 1/1",
        ),
        (
            "missing",
            "/activities/health/B%22%3E%3Cscript%3E1/?year=2024#obligations",
            "主题党日 2024-04：0/1 缺项",
            "党日 0/1",
        ),
    ]
    # One cell per column, the organisation's name escaped in its own cell.
    assert html.count('<td class="cell') == len(columns)
    assert "第一党支部 &lt;img src=x onerror=alert(1)&gt;" in html
