"""The sheet layer: reading .xlsx tables a clerk made, cleaning their values, writing .xlsx back."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import posixpath
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, TextIO
from xml.etree.ElementTree import Element, ParseError, iterparse

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel

from tianping.lib.script import to_simplified

Source = str | Path | IO[bytes]

# How far down a sheet the header row may sit below its title rows.
HEADER_SCAN_ROWS = 30


# ---------------------------------------------------------------------------------------
# Errors


class CellError(ValueError):
    """A value that cannot be understood; the caller knows the row and the column."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SheetError(Exception):
    """A problem in a sheet: the row as Excel numbers it, the header as the sheet writes it."""

    def __init__(self, row: int | None, column: str, value: Any, message: str) -> None:
        super().__init__(message)
        self.row = row
        self.column = column
        self.value = display(value)
        self.message = message

    def __repr__(self) -> str:
        return f"SheetError({self.row!r}, {self.column!r}, {self.value!r}, {self.message!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SheetError) and self.as_dict() == other.as_dict()

    def __hash__(self) -> int:
        return hash((self.row, self.column, self.value, self.message))

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row else ""
        if self.column:
            where = f"{where} {self.column}".strip()
        if self.value:
            where = f"{where}「{self.value}」"
        return f"{where}：{self.message}" if where else self.message

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


def display(value: Any) -> str:
    """A cell value as a clerk would read it back in an error message."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# ---------------------------------------------------------------------------------------
# Cleaning values

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
# Full-width letters and digits, and the ideographic space; other full-width punctuation
# (（）：) belongs to Chinese text and stays.
_WIDE_ALNUM = {
    **{c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)},
    **{c: c - 0xFEE0 for c in range(0xFF21, 0xFF3B)},
    **{c: c - 0xFEE0 for c in range(0xFF41, 0xFF5B)},
    0x3000: 0x20,
    **_ZERO_WIDTH,
}
# Codes are ASCII: every full-width form of an ASCII character becomes that character.
_WIDE_ASCII = {**{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}, 0x3000: 0x20, **_ZERO_WIDTH}
# Characters clerks type for the separator in names such as 买买提·艾力.
_NAME_DOTS = {ord(c): "·" for c in "•・‧･⋅∙\u0387\u2027\u30fb\uff65"}
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_PADDING_NEAR_CJK = re.compile(rf"(?<=[{_CJK}·])\s+|\s+(?=[{_CJK}·])")
_DOT_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[.．](?=[{_CJK}])")
_SPACES = re.compile(r"\s+")


def clean_text(value: Any) -> str:
    """A cell as text: surrounding spaces gone, full-width letters and digits made half-width."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.translate(_WIDE_ALNUM).strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return display(value)
    return str(value).strip()


def clean_code(value: Any) -> str:
    """A code or 工号: ＨＸ００２ → HX002, and a number cell 1001.0 → 1001."""
    if isinstance(value, str):
        return value.translate(_WIDE_ASCII).strip()
    return clean_text(value)


def clean_name(value: Any) -> str:
    """A person's name: 王　芳 and 王 芳 → 王芳; the · of 买买提·艾力 stays (its look-alikes become ·)."""
    text = clean_text(value)
    if not text:
        return ""
    text = text.translate(_NAME_DOTS)
    text = _DOT_BETWEEN_CJK.sub("·", text)
    text = _PADDING_NEAR_CJK.sub("", text)
    return _SPACES.sub(" ", text)


@lru_cache(maxsize=8192)
def match_key(text: str) -> str:
    """The form in which names, headers and enumerations are compared, not stored.

    NFKC folds full-width forms, spaces go, Traditional becomes Simplified, case is ignored.
    """
    text = unicodedata.normalize("NFKC", text.translate(_ZERO_WIDTH))
    text = _SPACES.sub("", text)
    return to_simplified(text).casefold() if text else ""


# ---------------------------------------------------------------------------------------
# Dates

_DATE_SEP = r"\s*[-/.年]\s*"
_FULL_DATE = re.compile(
    rf"^(\d{{4}}){_DATE_SEP}(\d{{1,2}})\s*[-/.月]\s*(\d{{1,2}})\s*[日号]?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_YEAR_MONTH = re.compile(rf"^(\d{{4}}){_DATE_SEP}(\d{{1,2}})\s*月?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")
_SERIAL = re.compile(r"^\d{5}(?:\.0+)?$")
DATE_HINT = "请写成1985-03-02、1985/3/2、1985.03.02、1985年3月2日或1985.03"
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100


def _make_date(year: int, month: int, day: int) -> dt.date:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise CellError(f"不是有效的日期：年份{year}超出{EARLIEST_YEAR}–{LATEST_YEAR}")
    if not 1 <= month <= 12:
        raise CellError(f"不是有效的日期：没有{month}月")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(f"不是有效的日期：{year}年{month}月没有{day}日") from None


def _from_serial(number: float) -> dt.date:
    try:
        value = from_excel(number)
    except (OverflowError, ValueError, TypeError):
        raise CellError(f"无法识别的日期，{DATE_HINT}") from None
    day = value.date() if isinstance(value, dt.datetime) else value
    if not isinstance(day, dt.date) or not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise CellError(f"无法识别的日期，{DATE_HINT}")
    return day


def _from_text(text: str) -> dt.date:
    if m := _FULL_DATE.match(text):
        return _make_date(int(m[1]), int(m[2]), int(m[3]))
    if m := _YEAR_MONTH.match(text):
        return _make_date(int(m[1]), int(m[2]), 1)
    if m := _COMPACT.match(text):
        return _make_date(int(m[1]), int(m[2]), int(m[3] or 1))
    if _SERIAL.match(text):
        return _from_serial(float(text))
    if re.fullmatch(r"\d{4}\s*年?", text):
        raise CellError("只有年份，请写出月份，如1985.03或1985-03-02")
    raise CellError(f"无法识别的日期，{DATE_HINT}")


def parse_date(value: Any) -> dt.date | None:
    """A date as clerks write it, or None for a blank cell; CellError when it is not one."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return _make_date(value.year, value.month, value.day)
    if isinstance(value, dt.date):
        return _make_date(value.year, value.month, value.day)
    if isinstance(value, bool):
        raise CellError(f"无法识别的日期，{DATE_HINT}")
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            # 1985.03 typed into a number cell: read it as the text it shows.
            if EARLIEST_YEAR <= value < LATEST_YEAR + 1:
                return _from_text(repr(value))
            return _from_serial(value)
        number = int(value)
        if EARLIEST_YEAR <= number <= LATEST_YEAR:
            raise CellError("只有年份，请写出月份，如1985.03或1985-03-02")
        if 10**5 <= number < 10**8:
            return _from_text(str(number))
        return _from_serial(number)
    text = clean_code(str(value))
    if not text:
        return None
    return _from_text(text)


# ---------------------------------------------------------------------------------------
# Enumerations


class Choices:
    """An enumeration as a sheet may write it: labels, synonyms, Traditional characters.

    `table` maps what a clerk writes to the stored code; matching ignores spaces, width,
    case and script. A blank cell is "".
    """

    def __init__(self, what: str, table: Mapping[str, str], offered: Iterable[str]) -> None:
        self.what = what
        self.offered = list(offered)
        self._table = {match_key(k): v for k, v in table.items()}
        self._seen: dict[tuple[Any, type], str] = {}

    def match(self, value: Any) -> str:
        # Cache by exact type too: True == 1 but they are not the same cell.
        cacheable = type(value) in (str, int, float)
        if cacheable and (value, type(value)) in self._seen:
            return self._seen[(value, type(value))]
        text = clean_text(value)
        if not text:
            code = ""
        else:
            code = self._table.get(match_key(text), "")
            if not code:
                raise CellError(f"无法识别的{self.what}，可填：{'、'.join(self.offered)}")
        if cacheable:
            self._seen[(value, type(value))] = code
        return code


# ---------------------------------------------------------------------------------------
# Headers


def header_key(text: Any) -> str:
    """A header as compared: 性 别 → 性别; "出生日期（必填）" and "*工号" lose their notes."""
    key = match_key(clean_text(text))
    key = re.sub(r"\(.*?\)|【.*?】|\[.*?\]", "", key)
    return key.strip("*※")


@dataclass(frozen=True)
class Columns:
    """The columns a sheet holds: canonical names with the synonyms clerks use for them."""

    synonyms: Mapping[str, Iterable[str]]
    required: Sequence[str] = ()

    def lookup(self) -> dict[str, tuple[str, bool]]:
        """header key → (canonical name, whether it is the canonical spelling)."""
        table: dict[str, tuple[str, bool]] = {}
        for canonical, names in self.synonyms.items():
            for name in names:
                table.setdefault(header_key(name), (canonical, False))
        for canonical in self.synonyms:
            table[header_key(canonical)] = (canonical, True)
        return table


# ---------------------------------------------------------------------------------------
# Reading .xlsx
#
# openpyxl's own read-only reader builds descriptor objects for every cell and costs about
# 3 s per 25,000 rows of inline strings (what openpyxl itself writes); reading the sheet XML
# here with the C parser is four times faster and still streams, one row at a time.

_DATE_FORMAT_IDS = frozenset(
    {*(k for k, v in BUILTIN_FORMATS.items() if is_date_format(v) and k < 45)}
    # The Chinese-locale built-ins Excel writes for 1985年3月2日 and friends.
    | {27, 28, 29, 30, 31, 36, 50, 51, 52, 53, 54, 57, 58}
)
_RELS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _is_date_format(code: str) -> bool:
    """A custom number format that shows a date (not only a time of day)."""
    if not is_date_format(code):
        return False
    bare = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code.split(";")[0])
    if re.search(r"[dDyYeE]", bare):
        return True
    return bool(re.search(r"[mM]", bare)) and not re.search(r"[hHsS]", bare)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _column_index(ref: str) -> int:
    """0-based column of a cell reference such as "AB12"."""
    n = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            n = n * 26 + ord(ch) - 64
        elif "a" <= ch <= "z":
            n = n * 26 + ord(ch) - 96
        else:
            break
    return n - 1


def _text_of(element: Element, ns: str) -> str:
    """The text of a shared or inline string: its <t>, or its runs' <t>, not phonetic hints."""
    parts = []
    for child in element:
        tag = child.tag
        if tag == ns + "t":
            parts.append(child.text or "")
        elif tag == ns + "r":
            for t in child.iter(ns + "t"):
                parts.append(t.text or "")
    return "".join(parts)


def _rels(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, target path inside the archive) for one part."""
    folder, name = posixpath.split(part)
    rels_path = posixpath.join(folder, "_rels", name + ".rels")
    if rels_path not in archive.NameToInfo:
        return {}
    found: dict[str, tuple[str, str]] = {}
    with archive.open(rels_path) as f:
        for _, el in iterparse(f):
            if _local(el.tag) == "Relationship":
                target = el.get("Target", "")
                if target.startswith("/"):
                    path = target.lstrip("/")
                else:
                    path = posixpath.normpath(posixpath.join(folder, target))
                found[el.get("Id", "")] = (el.get("Type", ""), path)
    return found


class XlsxReader:
    """The parts of an .xlsx a table reader needs: sheets, shared strings, date styles."""

    def __init__(self, source: Source) -> None:
        try:
            self.archive = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, OSError, ValueError) as e:
            raise SheetError(None, "", "", "文件不是有效的Excel工作簿（.xlsx）") from e
        try:
            self._load()
        except (KeyError, ParseError, ValueError, zipfile.BadZipFile) as e:
            self.archive.close()
            raise SheetError(None, "", "", "Excel工作簿已损坏，无法读取") from e

    def _load(self) -> None:
        root_rels = _rels(self.archive, "")
        book = next(
            (path for kind, path in root_rels.values() if kind.endswith("/officeDocument")),
            "xl/workbook.xml",
        )
        rels = _rels(self.archive, book)
        self.sheets: list[tuple[str, str]] = []
        self.epoch = WINDOWS_EPOCH
        with self.archive.open(book) as f:
            for _, el in iterparse(f):
                tag = _local(el.tag)
                if tag == "sheet":
                    rid = el.get(f"{{{_RELS_NS}}}id") or el.get(
                        "{http://purl.oclc.org/ooxml/officeDocument/relationships}id", ""
                    )
                    if rid in rels and el.get("state", "visible") == "visible":
                        self.sheets.append((el.get("name", ""), rels[rid][1]))
                elif tag == "workbookPr" and el.get("date1904") in ("1", "true"):
                    self.epoch = MAC_EPOCH
        self.shared: list[str] = []
        self.date_styles: frozenset[int] = frozenset()
        for kind, path in rels.values():
            if kind.endswith("/sharedStrings"):
                self.shared = self._shared_strings(path)
            elif kind.endswith("/styles"):
                self.date_styles = self._date_styles(path)

    def _shared_strings(self, path: str) -> list[str]:
        strings: list[str] = []
        with self.archive.open(path) as f:
            ns = ""
            for _, el in iterparse(f):
                if _local(el.tag) == "si":
                    ns = el.tag[: -len("si")]
                    strings.append(_text_of(el, ns))
                    el.clear()
        return strings

    def _date_styles(self, path: str) -> frozenset[int]:
        custom: dict[int, str] = {}
        xf_formats: list[int] = []
        with self.archive.open(path) as f:
            root = None
            for event, el in iterparse(f, events=("start", "end")):
                tag = _local(el.tag)
                if event == "start":
                    if root is None:
                        root = el
                    continue
                if tag == "numFmt":
                    custom[int(el.get("numFmtId", "0"))] = el.get("formatCode", "")
                elif tag == "cellXfs":
                    xf_formats = [
                        int(xf.get("numFmtId", "0")) for xf in el if _local(xf.tag) == "xf"
                    ]
        dates = set()
        for index, fmt_id in enumerate(xf_formats):
            if fmt_id in custom:
                if _is_date_format(custom[fmt_id]):
                    dates.add(index)
            elif fmt_id in _DATE_FORMAT_IDS:
                dates.add(index)
        return frozenset(dates)

    def rows(self, path: str) -> Iterator[tuple[int, list[Any]]]:
        """(row number as Excel shows it, values by column) for each row that holds a cell.

        Raises SheetError if the file turns out to be damaged part-way through.
        """
        try:
            yield from self._rows(path)
        except (ParseError, IndexError, KeyError, ValueError, EOFError, zipfile.BadZipFile) as e:
            raise SheetError(None, "", "", "Excel工作簿已损坏，无法读完") from e

    def _rows(self, path: str) -> Iterator[tuple[int, list[Any]]]:
        shared, date_styles, epoch = self.shared, self.date_styles, self.epoch
        ns = self._namespace(path)
        row_tag, c_tag, v_tag, is_tag = ns + "row", ns + "c", ns + "v", ns + "is"
        with self.archive.open(path) as f:
            number = 0
            for _, el in iterparse(f):
                if el.tag != row_tag:
                    continue
                r = el.get("r")
                number = int(r) if r else number + 1
                values: list[Any] = []
                col = -1
                for c in el:
                    if c.tag != c_tag:
                        continue
                    ref = c.get("r")
                    col = _column_index(ref) if ref else col + 1
                    kind = c.get("t", "n")
                    value: Any
                    if kind == "s":
                        raw = c.findtext(v_tag)
                        value = shared[int(raw)] if raw else None
                    elif kind == "inlineStr":
                        inline = c.find(is_tag)
                        value = _text_of(inline, ns) if inline is not None else None
                    else:
                        raw = c.findtext(v_tag)
                        if raw is None or raw == "":
                            value = None
                        elif kind == "n":
                            value = float(raw)
                            if value.is_integer() and "E" not in raw and "e" not in raw:
                                value = int(raw.split(".")[0])
                            style = c.get("s")
                            if style and int(style) in date_styles:
                                try:
                                    value = from_excel(value, epoch)
                                except (OverflowError, ValueError):
                                    pass
                        elif kind == "b":
                            value = raw == "1"
                        elif kind == "d":
                            try:
                                value = dt.datetime.fromisoformat(raw)
                            except ValueError:
                                value = raw
                        else:  # "str" (a formula's text) and "e" (an error such as #N/A)
                            value = raw
                    if value is None or value == "":
                        continue
                    if col >= len(values):
                        values.extend([None] * (col + 1 - len(values)))
                    values[col] = value
                el.clear()
                if values:
                    yield number, values

    def _namespace(self, path: str) -> str:
        """The worksheet's own namespace (transitional or strict), from its root element."""
        with self.archive.open(path) as f:
            for _, root in iterparse(f, events=("start",)):
                return root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
        return ""

    def close(self) -> None:
        self.archive.close()


@dataclass
class Table:
    """One sheet's table: where its header is, which column holds what, and its rows."""

    sheet: str
    header_row: int
    index: dict[str, int]  # canonical name → 0-based column
    written: dict[str, str]  # canonical name → the header as the sheet writes it
    _rows: Iterator[tuple[int, list[Any]]]
    _book: XlsxReader

    def __iter__(self) -> Iterator[tuple[int, list[Any]]]:
        """(row number, values) for every row below the header that is not blank."""
        for number, values in self._rows:
            if any(v is not None and (not isinstance(v, str) or v.strip()) for v in values):
                yield number, values

    def has(self, canonical: str) -> bool:
        return canonical in self.index

    def close(self) -> None:
        self._book.close()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class _Header:
    position: int  # in the rows scanned
    index: dict[str, int]
    written: dict[str, str]
    errors: list[SheetError]


def _find_header(
    rows: list[tuple[int, list[Any]]], lookup: dict[str, tuple[str, bool]], columns: Columns
) -> tuple[_Header | None, int, list[str]]:
    """The header among the first rows, else the likeliest row and the columns it lacks."""
    best_row, best_count, best_missing = 0, 0, list(columns.required)
    for position, (number, values) in enumerate(rows):
        found: dict[str, tuple[int, str, bool]] = {}
        errors: list[SheetError] = []
        for col, value in enumerate(values):
            if not isinstance(value, str):
                continue
            hit = lookup.get(header_key(value))
            if hit is None:
                continue
            canonical, exact = hit
            written = value.strip()
            if canonical in found:
                first_col, first_written, first_exact = found[canonical]
                # 工号 beside 编号: the canonical spelling wins over a synonym.
                if exact != first_exact:
                    if exact:
                        found[canonical] = (col, written, exact)
                    continue
                errors.append(
                    SheetError(
                        number, written, "", f"与“{first_written}”列重复，同一列只能出现一次"
                    )
                )
                continue
            found[canonical] = (col, written, exact)
        missing = [c for c in columns.required if c not in found]
        if not missing and len(found) >= min(2, len(columns.synonyms)):
            return (
                _Header(
                    position,
                    {k: v[0] for k, v in found.items()},
                    {k: v[1] for k, v in found.items()},
                    errors,
                ),
                number,
                [],
            )
        if len(found) > best_count:
            best_row, best_count, best_missing = number, len(found), missing
    return None, best_row, best_missing


def read_table(source: Source, columns: Columns) -> Table:
    """Open a workbook and find its table: the first visible sheet whose header row
    (below any title rows) names every required column. Raises SheetError."""
    book = XlsxReader(source)
    if not book.sheets:
        book.close()
        raise SheetError(None, "", "", "工作簿中没有可见的工作表")
    lookup = columns.lookup()
    best_row, best_missing = 0, list(columns.required)
    for name, path in book.sheets:
        rows = book.rows(path)
        head: list[tuple[int, list[Any]]] = []
        for item in rows:
            head.append(item)
            if len(head) >= HEADER_SCAN_ROWS:
                break
        header, likeliest, missing = _find_header(head, lookup, columns)
        if header is None:
            rows.close()
            if not best_row and likeliest:
                best_row, best_missing = likeliest, missing
            continue
        if header.errors:
            rows.close()
            book.close()
            raise header.errors[0]

        below = itertools.chain(head[header.position + 1 :], rows)
        return Table(name, head[header.position][0], header.index, header.written, below, book)
    book.close()
    wanted = "、".join(f"“{c}”" for c in best_missing)
    if best_row:
        raise SheetError(best_row, "", "", f"表头缺少{wanted}列")
    raise SheetError(None, "", "", f"找不到表头：前{HEADER_SCAN_ROWS}行中没有包含{wanted}的行")


def cell(values: Sequence[Any], index: int | None) -> Any:
    if index is None or index >= len(values):
        return None
    return values[index]


# ---------------------------------------------------------------------------------------
# Writing .xlsx


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# A text cell beginning with one of these is read by spreadsheet programs as a formula
# (=HYPERLINK(…), +cmd|…, -2+3, @SUM(…)); tab and carriage return start the same tricks.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(sheet: Any, value: Any) -> Any:
    """A value as the cell that shows it: text that looks like a formula stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        c = WriteOnlyCell(sheet, value=value)
        c.data_type = "s"  # stored as a string, never evaluated
        c.quotePrefix = True  # and shown by Excel as typed text
        return c
    return value


def write_table(
    target: str | Path | IO[bytes],
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str = "Sheet1",
) -> None:
    """Write one sheet: a bold, frozen header row and columns as wide as their contents.

    Streams (openpyxl write-only); the widths come from the first rows.
    """
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "Sheet1")
    iterator = iter(rows)
    sample: list[Sequence[Any]] = []
    for row in iterator:
        sample.append(row)
        if len(sample) >= 500:
            break
    for i, header in enumerate(headers):
        widest = max(
            [_display_width(header)] + [_display_width(display(r[i])) for r in sample if i < len(r)]
        )
        sheet.column_dimensions[get_column_letter(i + 1)].width = min(max(widest + 2, 8), 60)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        c = WriteOnlyCell(sheet, value=header)
        c.font = bold
        header_cells.append(c)
    sheet.append(header_cells)
    for row in sample:
        sheet.append([_safe_cell(sheet, v) for v in row])
    for row in iterator:
        sheet.append([_safe_cell(sheet, v) for v in row])
    book.save(target)


def table_bytes(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Sheet1"
) -> io.BytesIO:
    buffer = io.BytesIO()
    write_table(buffer, headers, rows, title=title)
    buffer.seek(0)
    return buffer


# ---------------------------------------------------------------------------------------
# Import outcomes, shared by every import command and page


@dataclass
class ImportResult:
    """What an import did (or, dry, would do): counts of the records the sheet holds."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[SheetError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "ok": self.ok,
            "created": self.created if self.ok else 0,
            "updated": self.updated if self.ok else 0,
            "unchanged": self.unchanged if self.ok else 0,
            "errors": [e.as_dict() for e in self.errors],
        }
        if self.dry_run:
            data["dry_run"] = True
        return data


def sort_errors(
    errors: Iterable[SheetError], order: Callable[[str], int] | None = None
) -> list[SheetError]:
    """Errors in sheet order: by row, then by column position."""
    return sorted(
        errors, key=lambda e: (e.row or 0, order(e.column) if order else 0, e.column, e.message)
    )


def report_result(
    result: ImportResult, *, as_json: bool, stdout: TextIO, stderr: TextIO, unit: str = "条"
) -> None:
    """Print an import's outcome: one JSON document on stdout, or a report a clerk can read."""
    if as_json:
        stdout.write(json.dumps(result.as_json(), ensure_ascii=False) + "\n")
        if not result.ok:
            stderr.write(f"发现{len(result.errors)}处问题，未写入任何数据。\n")
        return
    if not result.ok:
        stdout.write(f"发现{len(result.errors)}处问题，未写入任何数据：\n")
        for error in result.errors:
            stdout.write(f"  {error}\n")
        return
    counts = f"新增{result.created}{unit}，更新{result.updated}{unit}，未变{result.unchanged}{unit}"
    if result.dry_run:
        stdout.write(f"检查通过（试运行，未写入）：将{counts}。\n")
    else:
        stdout.write(f"导入完成：{counts}。\n")
