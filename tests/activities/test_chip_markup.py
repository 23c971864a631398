"""The compliance chips' markup: every piece a court typed is escaped, the links kept whole."""

from __future__ import annotations

from django.template import engines

from tianping.activities.queries import Chip

HOSTILE = Chip(
    "met",
    '/activities/?org=BT&status=held&kind="><script>alert(1)</script>',
    '第一党支部 <img src=x onerror=alert(1)> "引号"',
    "党日 1/1 <b>",
)


def render(source: str, **context: object) -> str:
    return engines["django"].from_string("{% load tianping %}" + source).render(context)


def test_a_chip_in_a_matrix_cell_escapes_its_link_title_and_text():
    html = render("{{ cells|chip_cells }}", cells=[("cell group-start", [HOSTILE]), ("cell", [])])
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert html == (
        '<td class="cell group-start"><a class="chip st-met" '
        'href="/activities/?org=BT&amp;status=held&amp;kind=&quot;&gt;&lt;script&gt;'
        'alert(1)&lt;/script&gt;" '
        'title="第一党支部 &lt;img src=x onerror=alert(1)&gt; &quot;引号&quot;">'
        "党日 1/1 &lt;b&gt;</a></td>"
        '<td class="cell"></td>'
    )


def test_the_health_page_chips_are_the_same_links_without_cells():
    html = render("{{ chips|chip_links }}", chips=[HOSTILE, HOSTILE])
    one = render("{{ cells|chip_cells }}", cells=[("c", [HOSTILE])])
    assert html == 2 * one.removeprefix('<td class="c">').removesuffix("</td>")
