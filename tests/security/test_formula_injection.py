"""An attacker plants a formula in a text field; every export writes it as plain text.

A secretary titles a meeting =HYPERLINK("http://evil/", "点此查看"); the 政治部 exports the
ledger and opens it in Excel. The cell must show the text, never run it.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from tianping.activities import actions
from tianping.lib.sheets import table_bytes

PLANTED = [
    '=HYPERLINK("http://evil.example/","点此查看")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
]


@pytest.mark.parametrize("value", PLANTED)
def test_a_cell_that_begins_like_a_formula_is_written_as_text(value: str) -> None:
    book = openpyxl.load_workbook(table_bytes(["标题"], [[value], ["普通文本"], [3]]))
    sheet = book.active
    assert sheet["A2"].value == value and sheet["A2"].data_type == "s"
    assert sheet["A3"].value == "普通文本"
    assert sheet["A4"].value == 3 and sheet["A4"].data_type == "n"


def test_a_planted_activity_title_leaves_the_ledger_export_as_text(world) -> None:
    actions.do_plan_activity(
        world.users["carol"],
        world.org("BT-JY-B01"),
        kind="branch_committee",
        title=PLANTED[0],
        on=dt.date(2024, 3, 28),
    )
    response = world.client("alice").get("/activities/export/")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [c for row in book.active.iter_rows() for c in row if c.value == PLANTED[0]]
    assert cells and all(c.data_type == "s" for c in cells)
