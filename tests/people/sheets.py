"""Workbooks built in code for the import tests: a roster or any table, with title rows if asked."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

ROSTER_HEADER = [
    "工号",
    "姓名",
    "性别",
    "出生日期",
    "民族",
    "学历",
    "人员类别",
    "职务层级",
    "部门",
    "政治面貌",
    "入党日期",
    "转正日期",
    "所在支部",
    "所在党小组",
    "状态",
]
# What the export and the template write: the older columns, then a 干部 record's.
CADRE_COLUMNS = [
    "职务",
    "法官等级",
    "警衔",
    "职级",
    "参加工作时间",
    "入院时间",
    "籍贯",
    "学位",
    "联系电话",
]
EXPORT_HEADER = [*ROSTER_HEADER, *CADRE_COLUMNS]


def xlsx(
    rows: Sequence[Sequence[Any]],
    *,
    title_rows: Sequence[Sequence[Any]] = (),
    path: Path | None = None,
    sheet_title: str = "Sheet1",
) -> Any:
    """An .xlsx holding `title_rows` then `rows`; in memory unless a path is given."""
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    for row in [*title_rows, *rows]:
        sheet.append(list(row))
    if path is not None:
        book.save(path)
        return path
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def person(no: str, name: str, **columns: Any) -> dict[str, Any]:
    """A roster row by column name; unnamed columns are blank."""
    return {"工号": no, "姓名": name, **columns}


def roster(
    *people: dict[str, Any],
    header: Sequence[str] = ROSTER_HEADER,
    title_rows: Sequence[Sequence[Any]] = (),
    path: Path | None = None,
) -> Any:
    rows = [list(header)] + [[p.get(column) for column in header] for p in people]
    return xlsx(rows, title_rows=title_rows, path=path)
