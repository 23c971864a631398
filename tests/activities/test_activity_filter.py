"""One activity filter: the list page, its export and the API answer the same question alike."""

from __future__ import annotations

import io
import re
from html import unescape

import openpyxl
import pytest

from tests.api.conftest import ApiClient
from tests.api.test_activities_api import meetings  # noqa: F401 (a fixture)

# (page query, API query): the page's form names the organisation's subtree; the API may
# also ask for the organisation alone.
FILTERS = [
    ("", ""),
    ("org=BT-JY", "org=BT-JY"),
    ("status=held", "status=held"),
    ("start=2024-03-29&end=2024-04-30", "start=2024-03-29&end=2024-04-30"),
    ("q=大会", "q=大会"),
    # A 主题党日 held with a 党课 counts for both (R1.5), on the page as in the API.
    ("kind=party_lecture", "kind=party_lecture"),
]


def page_titles(client, query: str) -> list[str]:
    response = client.get(f"/activities/?{query}")
    assert response.status_code == 200
    return [
        unescape(t)
        for t in re.findall(
            r'<td><a href="/activities/\d+/">([^<]*)</a></td>', response.content.decode()
        )
    ]


def export_titles(client, query: str) -> list[str]:
    response = client.get(f"/activities/export/?{query}")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    at = header.index("标题")
    return [row[at] for row in sheet.iter_rows(min_row=2, values_only=True) if row[at]]


@pytest.mark.parametrize("page_query, api_query", FILTERS)
def test_the_page_the_export_and_the_api_list_the_same_activities(
    world,
    meetings,  # noqa: F811 (the fixture imported above)
    page_query,
    api_query,
):
    # The outsider cannot name our organisations (the API answers 422, the page's form
    # refuses the choice); every other filter is asked of them too.
    personas = ("alice", "bob") if "org=" in page_query else ("alice", "bob", "oscar")
    for persona in personas:
        client = world.client(persona)
        api = ApiClient(client).get(f"/activities?{api_query}")
        assert api.status_code == 200
        expected = [a["title"] for a in api.json()["items"]]
        assert page_titles(client, page_query) == expected, persona
        assert export_titles(client, page_query) == expected, persona
    # The filters do filter: something is listed for alice, and not everything every time.
    assert page_titles(world.client("alice"), page_query)


def test_only_the_api_can_ask_for_an_organisation_without_its_subtree(world, meetings):  # noqa: F811
    api = ApiClient(world.client("alice"))
    subtree = [a["title"] for a in api.get("/activities?org=BT-JY").json()["items"]]
    alone = [a["title"] for a in api.get("/activities?org=BT-JY&subtree=false").json()["items"]]
    assert subtree == ["二支部大会", "03月branch_committee"] and alone == []
