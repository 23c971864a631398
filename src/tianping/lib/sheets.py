"""The sheet layer: reading .xlsx tables a clerk made, cleaning their values, writing .xlsx back."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import posixpath
import re
import time
import unicodedata
import zipfile
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, Protocol
from xml.etree.ElementTree import Element, ParseError, TreeBuilder, XMLParser

from django.db.models import Q
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from tianping.lib.script import to_simplified

Source = str | Path | IO[bytes]

# How far down a sheet the header row may sit below its title rows.
HEADER_SCAN_ROWS = 30


# ---------------------------------------------------------------------------------------
# Errors


class CellError(ValueError):
    """A value that cannot be understood; the caller knows the row and the column.

    `offered` lists the standard values when the value is an enumeration's unknown term,
    which an officer may map to one of them.
    """

    def __init__(self, message: str, offered: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.offered = tuple(offered)


class SheetError(Exception):
    """A problem in a sheet: the row as Excel numbers it, the header as the sheet writes it."""

    def __init__(
        self,
        row: int | None,
        column: str,
        value: Any,
        message: str,
        offered: Sequence[str] = (),
        canonical: str = "",
        *,
        declarable: bool = False,
        closed: str = "",
    ) -> None:
        super().__init__(message)
        self.row = row
        self.column = column
        self.value = display(value)
        self.message = message
        # For a value the column's enumeration does not know: the standard values it may be
        # mapped to, and the column's own name (the sheet may write a synonym).
        self.offered = tuple(offered)
        self.canonical = canonical or column
        # Whether the court may declare it its own term instead (an open column), or why not.
        self.declarable = declarable
        self.closed = closed

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
        data: dict[str, Any] = {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }
        if self.offered:
            data["offered"] = list(self.offered)
        return data

    @property
    def mappable(self) -> bool:
        return bool(self.offered)


class Shown(float):
    """A number cell's value with the number format it is shown in.

    A clerk who types 1985.10 into a cell formatted 0.00 sees 1985.10 and means October;
    the stored float is 1985.1. Dates and codes are read by the text the cell shows.
    """

    fmt: str

    def __new__(cls, value: float, fmt: str) -> Shown:
        number = super().__new__(cls, value)
        number.fmt = fmt
        return number

    @property
    def text(self) -> str:
        return shown_text(float(self), self.fmt)


_DECIMALS = re.compile(r"\.([0#?]+)")


def shown_text(value: float, fmt: str) -> str:
    """A number as a cell in format `fmt` shows it (its decimals and thousands separators)."""
    section = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", fmt.split(";")[0])
    m = _DECIMALS.search(section)
    places = len(m[1]) if m else 0
    if "%" in section:
        value *= 100
    text = f"{value:,.{places}f}" if "," in section.split(".")[0] else f"{value:.{places}f}"
    return text + ("%" if "%" in section else "")


def display(value: Any) -> str:
    """A cell value as a clerk would read it back in an error message."""
    if value is None:
        return ""
    if isinstance(value, Shown):
        return value.text
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
    if isinstance(value, Shown):
        return value.text
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


def employee_key(value: Any) -> str:
    """The form in which 工号 are compared everywhere (D9): full-width folded, case ignored.

    ｊｙ００１２, jy0012 and JY0012 are one number. Stored numbers keep their own spelling.
    """
    return clean_code(value).upper()


def employee_no_q(number: Any, prefix: str = "") -> Q:
    """A filter for the people whose 工号 is `number`, as D9 compares it.

    Stored numbers are ASCII after the roster's cleaning, so the database's
    case-insensitive match equals comparing keys.
    """
    return Q(**{f"{prefix}employee_no__iexact": employee_key(number)})


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
            # 1985.03 typed into a number cell: read it as the text it shows (D9); its
            # format decides that text: 1985.1 shows as 1985.10 in a 0.00 cell.
            if EARLIEST_YEAR <= value < LATEST_YEAR + 1:
                return _from_text(value.text if isinstance(value, Shown) else repr(value))
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
                raise CellError(
                    f"无法识别的{self.what}，可填：{'、'.join(self.offered)}", offered=self.offered
                )
        if cacheable:
            self._seen[(value, type(value))] = code
        return code


class ValueMap:
    """Words a court writes for standard values, by column: 正科 in 职务层级 → 中层正职.

    Filled from the court's kept mappings and from `--map 列名:原值=标准值`; an import
    passes a cell through `apply` before its enumeration reads it. It also holds the court's
    own terms of open columns (declared new, or `--declare 列名:值`): `own` gives the term
    a cell writes, which the import stores as it is.
    """

    def __init__(self, entries: Iterable[tuple[str, str, str]] = ()) -> None:
        self._by: dict[str, dict[str, str]] = {}
        self._own: dict[str, dict[str, str]] = {}
        for column, written, standard in entries:
            self.add(column, written, standard)

    def add(self, column: str, written: str, standard: str) -> None:
        self._by.setdefault(header_key(column), {})[match_key(clean_text(written))] = standard

    def declare(self, column: str, term: str) -> None:
        """Take `term` as a value of `column` of its own (the court's term)."""
        term = clean_text(term)
        self._own.setdefault(header_key(column), {})[match_key(term)] = term

    def own(self, column: str, value: Any) -> str:
        """The court's own term a cell writes (as declared), or "" when it writes none."""
        table = self._own.get(header_key(column))
        if not table or value is None:
            return ""
        return table.get(match_key(clean_text(value)), "")

    def update(self, other: ValueMap) -> None:
        for column, table in other._by.items():
            self._by.setdefault(column, {}).update(table)
        for column, terms in other._own.items():
            self._own.setdefault(column, {}).update(terms)

    def apply(self, column: str, value: Any) -> Any:
        table = self._by.get(header_key(column))
        if not table or value is None:
            return value
        return table.get(match_key(clean_text(value)), value)

    def __bool__(self) -> bool:
        return any(self._by.values()) or any(self._own.values())

    def __len__(self) -> int:
        return sum(len(t) for t in self._by.values()) + sum(len(t) for t in self._own.values())


MAP_OPTION = re.compile(r"^\s*([^:：=]+?)\s*[:：]\s*(.+?)\s*=\s*(.+?)\s*$")


def parse_map_option(text: str) -> tuple[str, str, str]:
    """`列名:原值=标准值` as (column, written, standard); ValueError in Chinese otherwise."""
    m = MAP_OPTION.match(text)
    if m is None:
        raise ValueError(
            f"--map 的写法应为 列名:原值=标准值，如 职务层级:正科=中层正职（收到“{text}”）"
        )
    return m[1], m[2], m[3]


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


# ---------------------------------------------------------------------------------------
# Progress: a long check or write tells whoever listens (the upload page polls it)

ProgressSink = Callable[[str, int], None]
_progress: ContextVar[ProgressSink | None] = ContextVar("sheet_progress", default=None)
PROGRESS_EVERY = 500  # rows between two reports while a sheet is read


def report_progress(phase: str, count: int = 0) -> None:
    """Tell the current listener, if any: ("check", rows read) or ("write", records)."""
    sink = _progress.get()
    if sink is not None:
        sink(phase, count)


@contextmanager
def progress_to(sink: ProgressSink) -> Iterator[None]:
    token = _progress.set(sink)
    try:
        yield
    finally:
        _progress.reset(token)


@dataclass(frozen=True)
class Limits:
    """How much of a workbook the reader will take before it refuses the file.

    An upload is untrusted: a 1.6 KB workbook can name a cell at column AAAAAAA, and a
    19 MB zip can inflate to gigabytes of XML. Every bound is checked while reading, so a
    hostile file is refused early and cheaply, with a message a clerk can act on.
    """

    uncompressed_bytes: int = 50 * 1024 * 1024  # all parts together, as inflated
    members: int = 500  # parts in the zip (a real workbook has a few dozen)
    ratio: int = 200  # inflated / compressed, for a part over ratio_floor bytes
    ratio_floor: int = 1024 * 1024
    columns: int = 200
    rows: int = 200_000
    shared_strings: int = 1_000_000
    held_elements: int = 200_000  # XML elements held at once (a row, a style list)
    seconds: float = 60.0


LIMITS = Limits()
_MB = 1024 * 1024


class SheetTooLarge(SheetError):
    """A workbook past one of the reader's bounds: refused whole, before or while reading."""

    def __init__(self, message: str, row: int | None = None) -> None:
        super().__init__(row, "", "", message)


# A DOCTYPE has no place in an .xlsx part; refusing it rules out entity expansion
# (billion laughs) and external entities before any is declared. The C parser offers no
# hook for it, so its bytes are looked for ahead of the root element, in each encoding
# an XML part may use.
_DOCTYPE_MARKS = tuple("<!DOCTYPE".encode(e) for e in ("utf-8", "utf-16-le", "utf-16-be"))


class _Budget:
    """The bytes and the time one workbook may still use, shared by every part read."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.left = limits.uncompressed_bytes
        self.deadline = time.monotonic() + limits.seconds

    def spend(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise SheetTooLarge(
                f"工作簿解压后超过{self.limits.uncompressed_bytes // _MB}MB，"
                "请删去无关的工作表或分成几个文件上传"
            )
        self.check_time()

    def check_time(self, row: int | None = None) -> None:
        if time.monotonic() > self.deadline:
            raise SheetTooLarge(
                f"工作簿读取超过{self.limits.seconds:g}秒仍未读完，请分成几个较小的文件上传", row
            )


_CHUNK = 64 * 1024


class _Feed:
    """A part's XML fed to the C parser a chunk at a time, each chunk's events in a queue.

    The bytes are counted as they inflate and the clock is checked per chunk; a DOCTYPE
    before the root element is refused.
    """

    def __init__(self, stream: IO[bytes], budget: _Budget, events: Sequence[str]) -> None:
        self.stream = stream
        self.budget = budget
        self.parser = XMLParser(target=TreeBuilder())
        self.queue: deque[tuple[str, Element]] = deque()
        self.done = False  # the last chunk has been fed and the parser closed
        self.parser._setevents(self.queue, tuple(events))  # type: ignore[attr-defined]

    def no_events(self) -> None:
        self.parser._setevents(self.queue, ())  # type: ignore[attr-defined]

    def __iter__(self) -> Iterator[deque[tuple[str, Element]]]:
        """The queue after each chunk; the consumer empties it."""
        prolog: bytes | None = b""  # the bytes before the root element, until it starts
        while data := self.stream.read(_CHUNK):
            self.budget.spend(len(data))
            if prolog is not None:
                prolog = prolog[-32:] + data
                if any(mark in prolog for mark in _DOCTYPE_MARKS):
                    raise SheetTooLarge(
                        "工作簿中含有不允许的XML声明（DOCTYPE），请在Excel中另存后再上传"
                    )
            self.parser.feed(data)
            if self.queue and prolog is not None:
                prolog = None
            yield self.queue
        self.parser.close()
        self.done = True
        yield self.queue


def _parse(
    stream: IO[bytes], budget: _Budget, events: Sequence[str] = ("end",)
) -> Iterator[tuple[str, Element]]:
    """iterparse with bounds, for the small parts (relationships, workbook, styles, strings):
    once an element directly under the root has been dealt with, the root forgets it, and
    no more than `held_elements` elements are held at once."""
    wanted_start = "start" in events
    wanted_end = "end" in events
    depth = 0
    held = 0
    most = budget.limits.held_elements
    root: Element | None = None
    for queue in _Feed(stream, budget, ("start", "end")):
        while queue:
            event, el = queue.popleft()
            if event == "start":
                depth += 1
                held += 1
                if held > most:
                    raise SheetTooLarge("工作簿中一处内容的结构过于庞大，不像Excel保存的文件")
                if root is None:
                    root = el
                if wanted_start:
                    yield event, el
                continue
            depth -= 1
            if wanted_end:
                yield event, el
            if depth == 1 and root is not None:
                root.clear()
                held = 1


def _check_archive(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse a zip whose own headers already say it is too big or a bomb."""
    infos = archive.infolist()
    if len(infos) > limits.members:
        raise SheetTooLarge(
            f"工作簿包含{len(infos)}个部件，超过{limits.members}个的上限，不像Excel保存的文件"
        )
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > limits.ratio_floor and info.file_size > limits.ratio * max(
            info.compress_size, 1
        ):
            raise SheetTooLarge("工作簿的压缩比异常（疑似“压缩炸弹”），已拒绝读取")
    if total > limits.uncompressed_bytes:
        raise SheetTooLarge(
            f"工作簿解压后约{total // _MB}MB，超过{limits.uncompressed_bytes // _MB}MB的上限，"
            "请删去无关的工作表或分成几个文件上传"
        )


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


_REF_COLUMN = re.compile(r"[A-Za-z]{1,4}")


_COLUMN_OF: dict[str, int] = {}  # "AB" → 27, filled as sheets are read (at most 26³ keys)
_DIGITS = "0123456789"


def _column_index(ref: str) -> int:
    """0-based column of a cell reference such as "AB12"; past column XFD it stops counting."""
    letters = ref.rstrip(_DIGITS)
    col = _COLUMN_OF.get(letters)
    if col is None:
        col = _column_of_reference(ref)
        if 0 < len(letters) <= 3 and letters.isascii() and letters.isalpha():
            _COLUMN_OF[letters] = col
    return col


def _column_of_reference(ref: str) -> int:
    m = _REF_COLUMN.match(ref)
    if m is None:
        return -1
    letters = m[0].upper()
    if len(letters) == 4 and len(ref) > 4 and ref[4].isalpha():
        return 26**4  # five or more letters: beyond any sheet
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _text_of(element: Element, ns: str) -> str:
    """The text of a shared or inline string: its <t>, or its runs' <t>, not phonetic hints."""
    if len(element) == 1 and element[0].tag == ns + "t":  # the usual case: one plain <t>
        return element[0].text or ""
    parts = []
    for child in element:
        tag = child.tag
        if tag == ns + "t":
            parts.append(child.text or "")
        elif tag == ns + "r":
            for t in child.iter(ns + "t"):
                parts.append(t.text or "")
    return "".join(parts)


def _rels(archive: zipfile.ZipFile, part: str, budget: _Budget) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, target path inside the archive) for one part."""
    folder, name = posixpath.split(part)
    rels_path = posixpath.join(folder, "_rels", name + ".rels")
    if rels_path not in archive.NameToInfo:
        return {}
    found: dict[str, tuple[str, str]] = {}
    with archive.open(rels_path) as f:
        for _, el in _parse(f, budget):
            if _local(el.tag) == "Relationship":
                target = el.get("Target", "")
                if target.startswith("/"):
                    path = target.lstrip("/")
                else:
                    path = posixpath.normpath(posixpath.join(folder, target))
                found[el.get("Id", "")] = (el.get("Type", ""), path)
    return found


# What a damaged or crafted workbook raises while it is read: zipfile answers an unknown
# compression method with NotImplementedError and an encrypted member with RuntimeError.
DAMAGED = (
    KeyError,
    IndexError,
    ParseError,
    ValueError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    zipfile.BadZipFile,
)


class XlsxReader:
    """The parts of an .xlsx a table reader needs: sheets, shared strings, date styles."""

    def __init__(self, source: Source, limits: Limits | None = None) -> None:
        self.limits = limits or LIMITS
        self.budget = _Budget(self.limits)
        try:
            self.archive = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
            raise SheetError(None, "", "", "文件不是有效的Excel工作簿（.xlsx）") from e
        try:
            _check_archive(self.archive, self.limits)
            self._load()
        except SheetError:
            self.archive.close()
            raise
        except DAMAGED as e:
            self.archive.close()
            raise SheetError(None, "", "", "Excel工作簿已损坏，无法读取") from e

    def _load(self) -> None:
        root_rels = _rels(self.archive, "", self.budget)
        book = next(
            (path for kind, path in root_rels.values() if kind.endswith("/officeDocument")),
            "xl/workbook.xml",
        )
        rels = _rels(self.archive, book, self.budget)
        self.sheets: list[tuple[str, str]] = []
        self.epoch = WINDOWS_EPOCH
        with self.archive.open(book) as f:
            for _, el in _parse(f, self.budget):
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
        self.shown_formats: dict[int, str] = {}
        for kind, path in rels.values():
            if kind.endswith("/sharedStrings"):
                self.shared = self._shared_strings(path)
            elif kind.endswith("/styles"):
                self.date_styles, self.shown_formats = self._styles(path)

    def _shared_strings(self, path: str) -> list[str]:
        strings: list[str] = []
        most = self.limits.shared_strings
        with self.archive.open(path) as f:
            ns = ""
            for _, el in _parse(f, self.budget):
                if _local(el.tag) == "si":
                    ns = el.tag[: -len("si")]
                    strings.append(_text_of(el, ns))
                    el.clear()
                    if len(strings) > most:
                        raise SheetTooLarge(f"工作簿的不同文字超过{most}条，超出上限")
        return strings

    def _styles(self, path: str) -> tuple[frozenset[int], dict[int, str]]:
        """The cell styles that show a date, and the number format of those that show a
        number some other way than General (0.00 shows 1985.1 as 1985.10)."""
        custom: dict[int, str] = {}
        xf_formats: list[int] = []
        with self.archive.open(path) as f:
            root = None
            for event, el in _parse(f, self.budget, ("start", "end")):
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
        shown: dict[int, str] = {}
        for index, fmt_id in enumerate(xf_formats):
            if fmt_id in custom:
                if _is_date_format(custom[fmt_id]):
                    dates.add(index)
                else:
                    shown[index] = custom[fmt_id]
            elif fmt_id in _DATE_FORMAT_IDS:
                dates.add(index)
            elif fmt_id and fmt_id in BUILTIN_FORMATS:
                shown[index] = BUILTIN_FORMATS[fmt_id]
        return frozenset(dates), {i: f for i, f in shown.items() if f not in ("General", "@")}

    def rows(self, path: str) -> Generator[tuple[int, list[Any]], None, None]:
        """(row number as Excel shows it, values by column) for each row that holds a cell.

        Raises SheetError if the file turns out to be damaged part-way through.
        """
        try:
            yield from self._rows(path)
        except DAMAGED as e:
            raise SheetError(None, "", "", "Excel工作簿已损坏，无法读完") from e

    def _rows(self, path: str) -> Iterator[tuple[int, list[Any]]]:
        """The rows of one sheet, harvested after each chunk the parser is fed.

        The C parser builds the tree with no events; Python looks only at each finished <row>
        (every child of <sheetData> but the last, which may still be growing, and all of
        them once the table has closed) and then forgets it, so no Python code runs per XML
        element. What is still held after a chunk (the growing row, an element beside the
        table that has not ended) is counted against `held_elements`.
        """
        budget, max_rows = self.budget, self.limits.rows
        ns = self._ns = self._namespace(path)
        row_tag = ns + "row"
        sheet_data_tag = ns + "sheetData"
        most = self.limits.held_elements
        with self.archive.open(path) as f:
            number = seen = 0
            root: Element | None = None
            holder: Element | None = None
            feed = _Feed(f, budget, ("start",))
            for queue in feed:
                if root is None and queue:
                    root = queue[0][1]  # the worksheet: no more events are needed
                    feed.no_events()
                queue.clear()
                if root is None:
                    continue
                if holder is None:
                    holder = next((c for c in root if c.tag == sheet_data_tag), None)
                # Once something follows the table (or the part has ended), every row is whole.
                closed = feed.done or (holder is not None and root[-1] is not holder)
                if holder is not None:
                    finished = len(holder) if closed else len(holder) - 1
                    for el in holder[:finished]:
                        if el.tag != row_tag:
                            continue
                        r = el.get("r")
                        number = int(r) if r else number + 1
                        seen += 1
                        if number > max_rows or seen > max_rows:
                            raise SheetTooLarge(
                                f"工作表超过{max_rows}行，请分成几个文件上传", number
                            )
                        if seen % PROGRESS_EVERY == 0:
                            budget.check_time(number)
                            report_progress("check", seen)
                        values = self._row(el, number)
                        if values:
                            yield number, values
                    # What has been read is forgotten: the tree never grows with the sheet.
                    del holder[:finished]
                # Whatever precedes the root's last child is whole and has been read; the
                # last (the table while it is open) stays. What is left must stay small: a
                # row or a stray element that never ends is refused.
                if len(root) > 1:
                    del root[:-1]
                if sum(1 for _ in root.iter()) > most:
                    raise SheetTooLarge(
                        "工作簿中一处内容的结构过于庞大，不像Excel保存的文件", number
                    )

    def _row(self, el: Element, number: int) -> list[Any]:
        """One <row>'s values by column."""
        shared, date_styles, epoch = self.shared, self.date_styles, self.epoch
        shown_formats, max_cols, ns = self.shown_formats, self.limits.columns, self._ns
        c_tag, v_tag, is_tag = ns + "c", ns + "v", ns + "is"
        values: list[Any] = []
        col = -1
        for c in el:
            if c.tag != c_tag:
                continue
            ref = c.get("r")
            col = _column_index(ref) if ref else col + 1
            if col >= max_cols:
                raise SheetTooLarge(
                    f"有单元格在第{max_cols}列之后，超出上限；请删去表格右侧无关的内容", number
                )
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
                    style = c.get("s")
                    if value.is_integer() and "E" not in raw and "e" not in raw:
                        value = int(raw.split(".")[0])
                    elif style and int(style) in shown_formats:
                        value = Shown(value, shown_formats[int(style)])
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
        return values

    def _namespace(self, path: str) -> str:
        """The worksheet's own namespace (transitional or strict), from its root element."""
        with self.archive.open(path) as f:
            for _, root in _parse(f, self.budget, ("start",)):
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
    choices: Mapping[str, Sequence[str]] | None = None,
    choice_rows: int = 2000,
) -> None:
    """Write one sheet: a bold, frozen header row and columns as wide as their contents.

    Streams (openpyxl write-only); the widths come from the first rows. `choices` gives a
    column (by header) a drop-down list of its values in the first `choice_rows` rows, the
    lists kept on a second sheet (可选值) so that long ones (56 民族) fit.
    """
    write_tables(target, [(title, headers, rows, choices)], choice_rows=choice_rows)


# One sheet of a workbook: its title, headers, rows and drop-down choices by header.
SheetSpec = tuple[str, Sequence[str], Iterable[Sequence[Any]], Mapping[str, Sequence[str]] | None]


def write_tables(
    target: str | Path | IO[bytes], sheets: Sequence[SheetSpec], *, choice_rows: int = 2000
) -> None:
    """Write several sheets as `write_table` writes one (a workbook of classes and of their
    participants); the drop-down lists of every sheet share the one hidden 可选值 sheet."""
    book = Workbook(write_only=True)
    made = [book.create_sheet(title=title[:31] or "Sheet1") for title, *_ in sheets]
    _add_choices(
        book,
        [(sheet, spec[1], spec[3] or {}) for sheet, spec in zip(made, sheets, strict=True)],
        choice_rows,
    )
    for sheet, (_, headers, rows, _) in zip(made, sheets, strict=True):
        _fill(sheet, headers, rows)
    book.save(target)


def _fill(sheet: Any, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
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


CHOICES_SHEET = "可选值"


def _add_choices(
    book: Workbook,
    sheets: Sequence[tuple[Any, Sequence[str], Mapping[str, Sequence[str]]]],
    rows: int,
) -> None:
    listed = [
        (sheet, headers, h, list(choices[h]))
        for sheet, headers, choices in sheets
        for h in headers
        if choices.get(h)
    ]
    if not listed:
        return
    lists = book.create_sheet(title=CHOICES_SHEET)
    lists.sheet_state = "hidden"
    longest = max(len(values) for *_, values in listed)
    lists.append([h for _, _, h, _ in listed])
    for i in range(longest):
        lists.append([_safe_cell(lists, v[i]) if i < len(v) else None for *_, v in listed])
    for n, (sheet, headers, header, values) in enumerate(listed, start=1):
        letter = get_column_letter(n)
        column = get_column_letter(list(headers).index(header) + 1)
        rule = DataValidation(
            type="list",
            formula1=f"'{CHOICES_SHEET}'!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="不在可选值中",
            error=f"请从下拉列表中选择{header}",
        )
        rule.add(f"{column}2:{column}{rows + 1}")
        sheet.data_validations.append(rule)


def table_bytes(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str = "Sheet1",
    choices: Mapping[str, Sequence[str]] | None = None,
) -> io.BytesIO:
    buffer = io.BytesIO()
    write_table(buffer, headers, rows, title=title, choices=choices)
    buffer.seek(0)
    return buffer


def tables_bytes(sheets: Sequence[SheetSpec]) -> io.BytesIO:
    """Several sheets in one workbook, in memory (formula-safe like `table_bytes`)."""
    buffer = io.BytesIO()
    write_tables(buffer, sheets)
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


@dataclass
class UnknownValue:
    """One word a sheet writes that a column's enumeration does not know, with its rows."""

    column: str  # the column's own name, as mappings are kept
    written: str  # the header as the sheet writes it
    value: str
    offered: tuple[str, ...]
    message: str = ""
    rows: list[int] = field(default_factory=list)
    declarable: bool = False  # the court may declare it its own term (an open column)
    closed: str = ""  # else why not, when the column says

    @property
    def key(self) -> str:
        return match_key(self.value)


def unknown_values(errors: Iterable[SheetError]) -> list[UnknownValue]:
    """The unknown words among the errors, each once with every row it is on."""
    found: dict[tuple[str, str], UnknownValue] = {}
    for e in errors:
        if not e.offered:
            continue
        key = (e.canonical, match_key(e.value))
        if key not in found:
            found[key] = UnknownValue(
                e.canonical,
                e.column,
                e.value,
                e.offered,
                e.message,
                declarable=e.declarable,
                closed=e.closed,
            )
        if e.row is not None:
            found[key].rows.append(e.row)
    return list(found.values())


def add_map_option(parser: Any) -> None:
    """The `--map 列名:原值=标准值` option every import command takes (repeatable)."""
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="列名:原值=标准值",
        help="a value the sheet writes its own way, e.g. 职务层级:正科=中层正职 (repeatable); "
        "the court's kept mappings apply too",
    )


def value_map_option(
    texts: Iterable[str],
    declares: Iterable[str] = (),
    closed: Callable[[str], str] | None = None,
) -> tuple[ValueMap, list[SheetError]]:
    """The --map (and --declare) options as a ValueMap, and an error for each one written
    wrongly; `closed(column)` says why a column takes no term of its own ("" if it does)."""
    found = ValueMap()
    errors = []
    for text in texts:
        try:
            found.add(*parse_map_option(text))
        except ValueError as e:
            errors.append(SheetError(None, "--map", text, str(e)))
    for text in declares:
        try:
            column, term = parse_declare_option(text)
        except ValueError as e:
            errors.append(SheetError(None, "--declare", text, str(e)))
            continue
        if why := (closed(column) if closed else "此列不能新增取值"):
            errors.append(SheetError(None, "--declare", text, why))
            continue
        found.declare(column, term)
    return found, errors


DECLARE_OPTION = re.compile(r"^\s*([^:：=]+?)\s*[:：]\s*([^=]+?)\s*$")
TERM_MAX = 20


def parse_declare_option(text: str) -> tuple[str, str]:
    """`列名:值` as (column, term); ValueError in Chinese otherwise."""
    m = DECLARE_OPTION.match(text)
    if m is None:
        raise ValueError(f"--declare 的写法应为 列名:值，如 职务层级:正科级（收到“{text}”）")
    if len(clean_text(m[2])) > TERM_MAX:
        raise ValueError(f"新增的取值不能超过{TERM_MAX}个字符")
    return m[1], m[2]


def add_declare_option(parser: Any) -> None:
    """`--declare 列名:值` (repeatable): a court's own term taken as a value of an open column."""
    parser.add_argument(
        "--declare",
        action="append",
        default=[],
        metavar="列名:值",
        help="a court's own term of an open column taken as it is, e.g. 职务层级:正科级 "
        "(repeatable); the court's declared terms apply too",
    )


class Writer(Protocol):
    """Where a command writes: a text stream, or a management command's OutputWrapper."""

    def write(self, text: str, /) -> Any: ...


def report_result(
    result: ImportResult, *, as_json: bool, stdout: Writer, stderr: Writer, unit: str = "条"
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
        unknown = {(e.canonical, e.value): e.offered for e in result.errors if e.offered}
        if unknown:
            stdout.write("不认识的取值可以对照为标准值后重新导入，例如：\n")
            for (column, value), offered in list(unknown.items())[:5]:
                stdout.write(f"  --map {column}:{value}={offered[0]}\n")
        own = dict.fromkeys((e.canonical, e.value) for e in result.errors if e.declarable)
        if own:
            stdout.write("若是本院自己的取值，也可新增为本院取值，例如：\n")
            for column, value in list(own)[:5]:
                stdout.write(f"  --declare {column}:{value}\n")
        return
    counts = f"新增{result.created}{unit}，更新{result.updated}{unit}，未变{result.unchanged}{unit}"
    if result.dry_run:
        stdout.write(f"检查通过（试运行，未写入）：将{counts}。\n")
    else:
        stdout.write(f"导入完成：{counts}。\n")
