"""Each import offers a template: its header, one example row, drop-down lists for enumerations."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import World
from tianping.people.importing import parse_roster

pytestmark = pytest.mark.django_db


def _download(world: World, user: str, route: str) -> io.BytesIO:
    response = world.client(user).get(reverse(route))
    assert response.status_code == 200
    return io.BytesIO(b"".join(response.streaming_content))


def _lists(book) -> dict[str, list[str]]:
    """Header → the values its drop-down offers."""
    sheet, lists = book.worksheets[0], book["可选值"]
    offered = {}
    for rule in sheet.data_validations.dataValidation:
        column = str(rule.sqref).split(":")[0].rstrip("0123456789")
        header = sheet[f"{column}1"].value
        ref = rule.formula1.split("!")[1].replace("$", "")
        offered[header] = [c.value for row in lists[ref] for c in row]
    return offered


@pytest.mark.parametrize(
    ("user", "route", "title", "listed"),
    [
        ("alice", "people:import_template", "花名册", {"人员类别": "员额法官", "民族": "汉族"}),
        ("bob", "activities:import_template", "活动台账", {"活动类型": "支部委员会会议"}),
        ("admin", "dues:upload_template", "工资表", {"人员状态": "离退休"}),
    ],
)
def test_a_template_has_an_example_row_and_drop_downs(
    world: World, user: str, route: str, title: str, listed: dict[str, str]
) -> None:
    book = load_workbook(_download(world, user, route))
    sheet = book.worksheets[0]
    assert sheet.title == title
    assert book["可选值"].sheet_state == "hidden"
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and all(rows[0]) and any(rows[1])
    offered = _lists(book)
    for header, value in listed.items():
        assert value in offered[header]


def test_the_roster_templates_example_row_imports_cleanly(world: World) -> None:
    plan = parse_roster(_download(world, "alice", "people:import_template"), world.org("BT-JY"))
    assert plan.ok, plan.errors
    assert [n.employee_no for n in plan.new] == ["FY0001"]
