"""D9: 工号 compared as one, dates typed into number cells read as the cell shows them."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from tianping.lib.sheets import (
    Columns,
    Shown,
    employee_key,
    parse_date,
    read_table,
    shown_text,
)

COLUMNS = Columns(synonyms={"工号": (), "出生日期": ()}, required=("工号",))


@pytest.mark.parametrize(
    "written", ["JY0012", "jy0012", "ｊｙ００１２", "ＪＹ００１２", " Jy0012 "]
)
def test_every_spelling_of_a_number_is_one_key(written: str) -> None:
    assert employee_key(written) == "JY0012"


def test_a_number_cell_is_a_number_key() -> None:
    assert employee_key(1001.0) == employee_key("1001") == "1001"


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (1985.1, "0.00", "1985.10"),
        (1985.1, "0.0", "1985.1"),
        (1985.1, "0", "1985"),
        (1234567.891, "#,##0.00", "1,234,567.89"),
        (0.5, "0%", "50%"),
        (1985.1, '0.00"年"', "1985.10"),
    ],
)
def test_a_number_is_shown_as_its_format_shows_it(value: float, fmt: str, shown: str) -> None:
    assert shown_text(value, fmt) == shown


def test_a_date_typed_into_a_number_cell_is_read_as_shown() -> None:
    assert parse_date(Shown(1985.1, "0.00")) == dt.date(1985, 10, 1)
    assert parse_date(1985.1) == dt.date(1985, 1, 1)  # a General cell shows 1985.1
    assert parse_date(1985.03) == dt.date(1985, 3, 1)
    assert parse_date(Shown(1985.12, "0.00")) == dt.date(1985, 12, 1)


def _book(cells: list[tuple[object, str | None]]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(["工号", "出生日期"])
    for i, (value, fmt) in enumerate(cells, start=2):
        sheet.cell(row=i, column=1, value=f"JY{i:04}")
        c = sheet.cell(row=i, column=2, value=value)
        if fmt:
            c.number_format = fmt
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def test_the_reader_keeps_the_format_a_number_cell_is_shown_in() -> None:
    book = _book([(1985.1, "0.00"), (1985.1, None), (1985.03, "0.00"), (198510, None)])
    with read_table(book, COLUMNS) as table:
        dates = [parse_date(values[1]) for _, values in table]
    assert dates == [
        dt.date(1985, 10, 1),  # shows 1985.10
        dt.date(1985, 1, 1),  # General: shows 1985.1
        dt.date(1985, 3, 1),
        dt.date(1985, 10, 1),  # 198510 reads as 1985-10
    ]
