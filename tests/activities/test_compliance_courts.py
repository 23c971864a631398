"""The compliance matrix of a 中院 or a province: its courts first, each opened one at a time."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest

from tianping.activities.compliance import compliance
from tianping.orgs.actions import do_create_org
from tianping.orgs.models import OrgKind

YEAR = 2024
FOUNDED = dt.date(2020, 1, 1)
HTMX = {"HX-Request": "true"}


@pytest.fixture
def third_court(world):
    """A second basic court under the 中院, with a branch of its own, and one with no party."""
    court = do_create_org(
        None, code="BT-DS", name="东胜区人民法院", kind=OrgKind.BASIC_COURT, parent=world.org("BT")
    )
    office = do_create_org(
        None,
        code="BT-DS-JGDW",
        name="机关党委",
        kind=OrgKind.PARTY_COMMITTEE,
        parent=court,
        founded_on=FOUNDED,
    )
    do_create_org(
        None,
        code="BT-DS-B01",
        name="第一党支部",
        kind=OrgKind.BRANCH,
        parent=office,
        founded_on=FOUNDED,
    )
    do_create_org(
        None, code="BT-KB", name="空白区人民法院", kind=OrgKind.BASIC_COURT, parent=world.org("BT")
    )
    return court


def page(world, user, **params):
    response = world.client(user).get("/activities/compliance/", {"year": YEAR, **params})
    assert response.status_code == 200
    return response.content.decode()


def opened(world, user, court, **params):
    """What the page receives when a court's line is clicked: that court's rows alone."""
    response = world.client(user).get(
        "/activities/compliance/",
        {"year": YEAR, "court": court, **params},
        headers={**HTMX, "HX-Target": f"court-{court}"},
    )
    assert response.status_code == 200
    return response.content.decode()


def orgs_listed(html):
    return re.findall(r'<tr data-org="([^"]+)"', html)


def court_line(html, code):
    line = re.search(rf'<tr class="section court-row" data-court="{code}">(.*?)</tr>', html, re.S)
    assert line, f"no line for court {code}"
    return re.sub(r"<[^>]+>|\s+", "", line.group(1))


def test_a_mid_courts_page_lists_its_courts_with_their_figures_and_no_branch(world, third_court):
    html = page(world, "alice", org="BT")
    assert re.findall(r'data-court="([^"]+)"', html) == ["BT", "BT-JY", "BT-DS", "BT-KB"]
    assert orgs_listed(html) == []
    # Each court's own figures: the 九原 line says what 九原's own page says.
    jy = compliance(world.org("BT-JY"), YEAR).summary
    assert f"应开展{jy.required}项，已完成{jy.met}，缺项{jy.missing}" in court_line(html, "BT-JY")
    assert "本年度无应开展事项" in court_line(html, "BT-KB")
    # The cards above count the whole 中院.
    whole = compliance(world.org("BT"), YEAR).summary
    cards = re.search(r'id="summary">(.*?)</div>\s*<p', html, re.S).group(1)
    numbers = re.findall(r'class="stat[^"]*">([^<]+)<', cards)
    assert numbers[:3] == [str(whole.required), str(whole.met), str(whole.missing)]
    assert whole.required > jy.required


def test_opening_a_court_in_the_page_returns_its_own_branches_only(world, third_court):
    html = opened(world, "alice", "BT-JY", org="BT")
    assert html.lstrip().startswith('<tbody class="court open" id="court-BT-JY">')
    assert "<html" not in html and "<thead" not in html
    assert orgs_listed(html) == ["BT-JY-JGDW", "BT-JY-B01", "BT-JY-B01-G1", "BT-JY-B02"]
    assert re.findall(r'data-court="([^"]+)"', html) == ["BT-JY"]
    # The link that opened it now folds it, in the page and as a plain link.
    assert 'href="?org=BT&amp;year=2024#court-BT-JY"' in html
    assert 'hx-get="?org=BT&amp;year=2024&amp;court=BT-JY&amp;fold=1"' in html


def test_the_mid_courts_own_line_opens_to_its_own_branches_not_its_courts(world, third_court):
    html = opened(world, "alice", "BT", org="BT")
    assert orgs_listed(html) == ["BT-JGDW", "BT-B01", "BT-B02"]


def test_folding_a_court_in_the_page_leaves_its_line_with_its_figures(world, third_court):
    html = opened(world, "alice", "BT-DS", org="BT", fold="1")
    assert orgs_listed(html) == []
    assert '<tbody class="court" id="court-BT-DS">' in html
    assert "完成率" in court_line(html, "BT-DS")
    assert 'href="?org=BT&amp;year=2024&amp;court=BT-DS#court-BT-DS"' in html


def test_a_court_opened_as_a_plain_link_shows_the_page_with_that_court_open(world, third_court):
    html = page(world, "alice", org="BT", court="BT-DS")
    assert "<html" in html and 'id="summary"' in html
    assert re.findall(r'data-court="([^"]+)"', html) == ["BT", "BT-JY", "BT-DS", "BT-KB"]
    assert orgs_listed(html) == ["BT-DS-JGDW", "BT-DS-B01"]
    # Opened as a plain link or in the page, the court's rows are the same.
    rows = re.search(r'<tbody class="court open" id="court-BT-DS">.*?</tbody>', html, re.S)
    assert rows.group(0) == opened(world, "alice", "BT-DS", org="BT").strip()


def test_the_filters_travel_with_the_court_links(world, third_court):
    html = page(world, "alice", org="BT", period="Q2", problems="1")
    assert 'hx-get="?org=BT&amp;year=2024&amp;period=Q2&amp;problems=1&amp;court=BT-JY"' in html
    # Only courts with something missing are listed; the empty one has nothing missing.
    assert "BT-KB" not in re.findall(r'data-court="([^"]+)"', html)
    part = opened(world, "alice", "BT-JY", org="BT", period="Q2", problems="1")
    cells = re.findall(r'<tr data-org="BT-JY-B01">(.*?)</tr>', part, re.S)[0].count("<td")
    assert cells == 1 + 3 + 1  # the organisation, April to June, the quarter


def test_the_export_of_a_mid_court_keeps_every_row_of_every_court(world, third_court):
    response = world.client("alice").get(
        "/activities/compliance/export/", {"org": "BT", "year": YEAR}
    )
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))[1:]
    assert len(rows) == len(compliance(world.org("BT"), YEAR).rows)
    assert {r[0] for r in rows} >= {"BT-B01", "BT-JY-B01", "BT-JY-B02", "BT-DS-B01"}


def test_a_party_office_of_one_court_sees_its_own_court_and_nothing_above(world, third_court):
    html = page(world, "bob")
    assert 'data-court="' not in html  # one court: its rows straight away
    assert orgs_listed(html) == ["BT-JY-JGDW", "BT-JY-B01", "BT-JY-B01-G1", "BT-JY-B02"]
    bob = world.client("bob")
    assert bob.get("/activities/compliance/", {"court": "BT"}).status_code == 404
    assert bob.get("/activities/compliance/", {"court": "BT-DS"}).status_code == 404
    assert bob.get("/activities/compliance/", {"org": "BT", "court": "BT-JY"}).status_code == 404


def test_a_court_outside_the_page_or_the_scope_is_not_found(world, third_court):
    alice = world.client("alice")
    assert alice.get("/activities/compliance/", {"org": "BT", "court": "EH"}).status_code == 404
    assert alice.get("/activities/compliance/", {"org": "BT-JY", "court": "BT"}).status_code == 404
    # Not a court: a branch is reached from its court's rows.
    assert alice.get("/activities/compliance/", {"org": "BT", "court": "BT-B01"}).status_code == 404
    admin = world.client("admin")
    response = admin.get(
        "/activities/compliance/",
        {"org": "BT", "court": "EH"},
        headers={**HTMX, "HX-Target": "court-EH"},
    )
    assert response.status_code == 404
