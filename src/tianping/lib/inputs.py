"""Bounded, NUL-free input types for the JSON API: every parameter and body field uses them.

What a client sends ends up in SQL, in date arithmetic and in Python slices. Each type here
says what a value may be, so a value that no court could mean (an offset past 2^63, the year
999999, a day before 1900, a NUL byte that PostgreSQL refuses to store) is refused with 422
at the door instead of failing deep inside as a 500. The error types name Chinese messages in
`tianping.api` (`_PYDANTIC_MESSAGES`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

# The years a record of ours can fall in: a birth date, a party date, an activity, a dues month.
FIRST_YEAR = 1900
LAST_YEAR = 2100
FIRST_DAY = dt.date(FIRST_YEAR, 1, 1)
LAST_DAY = dt.date(LAST_YEAR, 12, 31)
# Paging: far more rows than any list holds, far less than SQL's 64-bit OFFSET.
MAX_LIMIT = 200
MAX_OFFSET = 1_000_000
# A row id: PostgreSQL's bigint.
MAX_ID = 2**63 - 1
# Head counts (votes, attendance, audience): more than any court's party has members.
MAX_COUNT = 100_000
# Long free text (minutes, notes): about ten pages of Chinese.
LONG_TEXT = 20_000
SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY_LIKE = dt.date(2024, 1, 1)

NUL = "\x00"
# A string constraint rather than a validator, so it sits in the schema beside max_length and
# a client (or schemathesis) can read it; `tianping.api` words its mismatch as a NUL message.
NUL_FREE = r"^[^\x00]*$"
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def contains_nul(value: Any) -> str | None:
    """The dotted path of the first string holding a NUL byte in a parsed JSON value, if any.

    The empty path means the value itself (a bare string body).
    """
    if isinstance(value, str):
        return "" if NUL in value else None
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and NUL in key:
            return str(key)
        inner = contains_nul(item)
        if inner is not None:
            return f"{key}.{inner}" if inner else str(key)
    return None


def _iso_day(value: Any) -> Any:
    # Pydantic would also read 0 or "0" as 1970-01-01 (a Unix timestamp): nobody means that.
    if isinstance(value, dt.datetime):
        raise PydanticCustomError("date_type", "日期格式应为 YYYY-MM-DD")
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("date_type", "日期格式应为 YYYY-MM-DD")
    if not _ISO_DAY.fullmatch(value):
        raise PydanticCustomError("date_parsing", "日期格式应为 YYYY-MM-DD")
    return value


def _day_in_range(value: dt.date) -> dt.date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise PydanticCustomError(
            "date_out_of_range",
            "日期应在{first}至{last}之间",
            {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
        )
    return value


def _plain_time(value: Any) -> Any:
    # Pydantic would read a number as seconds after midnight.
    if isinstance(value, dt.time | str):
        return value
    raise PydanticCustomError("time_type", "时间格式应为 HH:MM")


def _beijing_time(value: dt.time) -> dt.time:
    """A time sent with a UTC offset, as the wall-clock time in Beijing (stored without a zone)."""
    if value.tzinfo is None:
        return value
    # Any day since 1991 will do: Beijing has kept UTC+8 without summer time since then.
    moment = dt.datetime.combine(TODAY_LIKE, value)
    return moment.astimezone(SHANGHAI).time().replace(tzinfo=None)


def _month(value: str) -> str:
    if not value:
        return value
    m = _MONTH.fullmatch(value)
    assert m is not None  # the pattern has been checked
    year, month = int(m[1]), int(m[2])
    if not FIRST_YEAR <= year <= LAST_YEAR or not 1 <= month <= 12:
        raise PydanticCustomError(
            "month_out_of_range",
            "月份应在{first}-01至{last}-12之间",
            {"first": FIRST_YEAR, "last": LAST_YEAR},
        )
    return value


# Any text: no NUL byte (PostgreSQL cannot store one); give it a `max_length` where declared.
Text = Annotated[str, StringConstraints(pattern=NUL_FREE)]
# An organisation code (BT-JY-B01) in a path, a filter or a body.
OrgCode = Annotated[str, StringConstraints(max_length=40, pattern=NUL_FREE)]
# A person's 工号.
EmployeeNo = Annotated[str, StringConstraints(max_length=30, pattern=NUL_FREE)]
# A search box.
Search = Annotated[str, StringConstraints(max_length=100, pattern=NUL_FREE)]
# Minutes, notes, agendas.
LongText = Annotated[str, StringConstraints(max_length=LONG_TEXT, pattern=NUL_FREE)]
# A calendar day, written YYYY-MM-DD, between 1900-01-01 and 2100-12-31.
Day = Annotated[
    dt.date,
    BeforeValidator(_iso_day),
    AfterValidator(_day_in_range),
]
# A time of day, HH:MM[:SS]; one with a UTC offset (09:00Z) is read as Beijing time (17:00).
Time = Annotated[dt.time, BeforeValidator(_plain_time), AfterValidator(_beijing_time)]
# A month, YYYY-MM (or empty for "this month").
Month = Annotated[
    str,
    StringConstraints(pattern=r"^(\d{4}-\d{2})?$", max_length=7),
    AfterValidator(_month),
]
Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Headcount = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]
