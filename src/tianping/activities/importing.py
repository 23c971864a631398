"""The activity-ledger import (台账): a sheet of past activities with attendance, checked whole, then
recorded through the activity actions so points and audit follow.

The command line and the web page share it: `parse_ledger` reads and checks every row and
writes nothing; `apply_ledger` records a clean plan in one transaction. An activity is known
by its organisation, kind, date and title: a row that names one already recorded changes
nothing, or records only the attendance (and the filled-in details) that differ.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tianping.activities import kinds
from tianping.activities.actions import (
    BatchRefused,
    PastActivity,
    do_record_held,
    do_record_past_activities,
    do_update_activity,
)
from tianping.activities.models import (
    Activity,
    ActivitySource,
    ActivityStatus,
    Attendance,
    AttendanceStatus,
)
from tianping.lib.sheets import (
    CellError,
    Choices,
    Columns,
    ImportResult,
    SheetError,
    Source,
    ValueMap,
    clean_code,
    clean_name,
    clean_text,
    employee_key,
    match_key,
    parse_date,
    read_table,
    sort_errors,
    table_bytes,
)
from tianping.orgs.mappings import court_value_map
from tianping.orgs.models import COURT_KINDS, Org
from tianping.people.models import Person

# CONTRACT.md "Activity ledger columns", in order; the last four are compatible extensions.
LEDGER_COLUMNS = [
    "组织",
    "活动类型",
    "日期",
    "标题",
    "地点",
    "时长",
    "参加人员",
    "请假人员",
    "缺席人员",
    "内容摘要",
    "主持人",
    "记录人",
    "授课人",
    "外部参与人数",
]
HEADERS = Columns(
    synonyms={
        "组织": (
            "党组织",
            "组织名称",
            "支部",
            "党支部",
            "所在支部",
            "单位",
            "部门",
            "举办单位",
            "主办单位",
            "组织代码",
        ),
        "活动类型": ("类型", "活动类别", "活动种类", "会议类型", "会议类别", "类别", "活动形式"),
        "日期": (
            "活动日期",
            "会议日期",
            "召开日期",
            "时间",
            "活动时间",
            "会议时间",
            "召开时间",
            "开展时间",
        ),
        "标题": ("主题", "活动主题", "会议主题", "活动名称", "会议名称", "名称", "议题"),
        "地点": ("活动地点", "会议地点", "召开地点", "开展地点"),
        "时长": ("活动时长", "会议时长", "时长小时", "小时", "学时", "课时"),
        "参加人员": (
            "参会人员",
            "出席人员",
            "参加人",
            "出席",
            "参加",
            "实到人员",
            "到会人员",
            "参加党员",
        ),
        "请假人员": ("请假", "请假人", "请假党员"),
        "缺席人员": ("缺席", "缺席人", "无故缺席人员", "缺勤人员"),
        "内容摘要": (
            "内容",
            "摘要",
            "主要内容",
            "会议内容",
            "活动内容",
            "会议记录",
            "活动摘要",
            "内容简介",
        ),
        "主持人": ("主持",),
        "记录人": ("记录",),
        "授课人": ("主讲人", "讲课人", "授课", "主讲"),
        "外部参与人数": ("群众参与人数", "受众人数", "服务群众人数", "参与群众人数"),
    },
    required=("组织", "活动类型", "日期"),
)
ATTENDANCE_COLUMNS = {
    "参加人员": AttendanceStatus.PRESENT,
    "请假人员": AttendanceStatus.LEAVE,
    "缺席人员": AttendanceStatus.ABSENT,
}
PERSON_FIELD_COLUMNS = {"主持人": "host", "记录人": "recorder", "授课人": "lecturer"}
# CONTRACT.md: people in a cell are separated by 、 , ， ; ； or spaces. Spaces are tried last:
# clerks pad two-character names to line up with three-character ones (王　芳).
SEPARATORS = re.compile(r"[、,，;；\r\n\t]+")
KIND_CHOICES = Choices(
    "活动类型",
    {
        **{k.code: k.code for k in kinds.KINDS.values()},
        **{k.name: k.code for k in kinds.KINDS.values()},
        **{alias: k.code for k in kinds.KINDS.values() for alias in k.aliases},
    },
    [k.name for k in kinds.KINDS.values()],
)
_HOURS = re.compile(r"^(\d+(?:\.\d+)?)\s*(小时|个小时|学时|课时|h|hr|hrs|时)?$", re.IGNORECASE)
_MINUTES = re.compile(r"^(\d+(?:\.\d+)?)\s*(分钟|min|mins|分)$", re.IGNORECASE)
_HALF_DAY, _FULL_DAY = Decimal("3.5"), Decimal("7")
MAX_HOURS = Decimal("400")
CHUNK = 500


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def parse_hours(value: Any) -> Decimal | None:
    """时长 as a clerk writes it: 2, 1.5, 2小时, 90分钟, 半天; None for a blank cell."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError("无法识别的时长，请填写小时数，如2或1.5")
    if isinstance(value, int | float):
        hours = Decimal(str(value))
    else:
        text = clean_text(value).replace("．", ".")
        if not text:
            return None
        if text in ("半天", "半日"):
            hours = _HALF_DAY
        elif text in ("一天", "1天", "全天", "一日"):
            hours = _FULL_DAY
        elif m := _HOURS.match(text):
            hours = Decimal(m[1])
        elif m := _MINUTES.match(text):
            hours = Decimal(m[1]) / Decimal(60)
        else:
            raise CellError("无法识别的时长，请填写小时数，如2或1.5")
    try:
        hours = hours.quantize(Decimal("0.1"))
    except InvalidOperation:
        raise CellError("无法识别的时长，请填写小时数，如2或1.5") from None
    if not Decimal("0") < hours <= MAX_HOURS:
        raise CellError("时长应在0到400小时之间")
    return hours


def parse_count(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = clean_text(value).removesuffix("人").removesuffix("人次").strip()
        if not text:
            return None
        if not text.isdigit():
            raise CellError("请填写人数（整数）")
        number = int(text)
    if number < 0:
        raise CellError("人数不能为负数")
    return number


# ---------------------------------------------------------------------------------------
# Finding organisations and people by what a ledger writes


class LedgerOrgs:
    """The organisations of a court's subtree, found by code, or by name (the court's own first)."""

    def __init__(self, court: Org) -> None:
        self.court = court
        orgs = list(
            Org.objects.filter(path__startswith=court.path)
            .only("id", "code", "name", "kind", "path", "depth", "is_active", "dissolved_on")
            .order_by("path")
        )
        courts = {o.path: o for o in orgs if o.kind in COURT_KINDS}
        self.court_of: dict[int, Org] = {}
        self._by_code: dict[str, Org] = {}
        self._own: dict[str, list[Org]] = defaultdict(list)
        self._all: dict[str, list[Org]] = defaultdict(list)
        for org in orgs:
            owner = next(
                courts[org.path[: d * Org.steplen]]
                for d in range(org.depth, court.depth - 1, -1)
                if org.path[: d * Org.steplen] in courts
            )
            self.court_of[org.pk] = owner
            self._by_code[match_key(org.code)] = org
            self._all[match_key(org.name)].append(org)
            if owner.pk == court.pk:
                self._own[match_key(org.name)].append(org)
        self._found: dict[str, Org | CellError] = {}

    def find(self, text: str) -> Org:
        found = self._found.get(text)
        if found is None:
            try:
                found = self._find(text)
            except CellError as e:
                found = e
            self._found[text] = found
        if isinstance(found, CellError):
            raise found
        return found

    def _find(self, text: str) -> Org:
        key = match_key(text)
        if key in self._by_code:
            return self._by_code[key]
        candidates = self._own.get(key) or self._all.get(key, [])
        if not candidates:
            raise CellError(f"{self.court.name}没有代码或名称为“{text}”的组织")
        if len(candidates) > 1:
            codes = "、".join(o.code for o in candidates)
            raise CellError(f"{self.court.name}有多个名为“{text}”的组织（{codes}），请填写代码")
        return candidates[0]


@dataclass(frozen=True, slots=True)
class _Someone:
    pk: int
    court_id: int
    employee_no: str
    name: str


class LedgerPeople:
    """Everyone on the rosters of a court's subtree, loaded once, found by 工号 or by name.

    A person is looked for in the court that holds the activity first, then in the whole
    subtree (a mid court's training class has basic-court attendees); a name that fits
    several people at the first level where it fits anyone is ambiguous.
    """

    def __init__(self, court: Org) -> None:
        self.court = court
        self._no: dict[tuple[int, str], list[_Someone]] = defaultdict(list)
        self._no_any: dict[str, list[_Someone]] = defaultdict(list)
        self._name: dict[tuple[int, str], list[_Someone]] = defaultdict(list)
        self._name_any: dict[str, list[_Someone]] = defaultdict(list)
        self.by_pk: dict[int, _Someone] = {}
        name_keys: dict[str, str] = {}
        rows = Person.objects.filter(court__path__startswith=court.path).values_list(
            "id", "court_id", "employee_no", "name"
        )
        for pk, court_id, employee_no, name in rows.iterator(chunk_size=5000):
            someone = _Someone(pk, court_id, clean_code(employee_no), name)
            self.by_pk[pk] = someone
            self._no[(court_id, employee_key(employee_no))].append(someone)
            self._no_any[employee_key(employee_no)].append(someone)
            key = name_keys.get(name)
            if key is None:
                key = name_keys[name] = match_key(clean_name(name))
            self._name[(court_id, key)].append(someone)
            self._name_any[key].append(someone)
        self._found: dict[tuple[str, int], int | CellError] = {}

    def find(self, token: str, court: Org) -> int:
        key = (token, court.pk)
        found = self._found.get(key)
        if found is None:
            try:
                found = self._find(token, court)
            except CellError as e:
                found = e
            self._found[key] = found
        if isinstance(found, CellError):
            raise found
        return found

    def _find(self, token: str, court: Org) -> int:
        no_key = employee_key(token)
        name_key = match_key(clean_name(token))
        levels = [
            (
                court.name,
                self._no.get((court.pk, no_key), []),
                self._name.get((court.pk, name_key), []),
            ),
            (self.court.name, self._no_any.get(no_key, []), self._name_any.get(name_key, [])),
        ]
        for where, by_no, by_name in levels:
            if len(by_no) == 1:
                return by_no[0].pk
            if by_no:
                raise CellError(f"{where}有多人工号为“{token}”，请改填姓名")
            if len(by_name) == 1:
                return by_name[0].pk
            if by_name:
                numbers = "、".join(sorted(p.employee_no for p in by_name))
                raise CellError(
                    f"{where}有{len(by_name)}人名为“{token}”（工号{numbers}），请改填工号"
                )
        raise _Unknown(f"{self.court.name}没有工号或姓名为“{token}”的人员")

    def resolve(self, text: str, court: Org) -> list[tuple[str, int | CellError]]:
        """The people a piece of a cell names: 王　芳 as one name if it is one, else each word."""
        words = text.split()
        if len(words) > 1:
            try:
                return [(text, self.find(text, court))]
            except _Unknown:
                pass
            except CellError as e:
                return [(text, e)]
        found: list[tuple[str, int | CellError]] = []
        for word in dict.fromkeys(words):
            try:
                found.append((word, self.find(word, court)))
            except CellError as e:
                found.append((word, e))
        return found


class _Unknown(CellError):
    """Nobody has this 工号 or name (as against several people having it)."""


def split_people(value: Any) -> list[str]:
    """The pieces of a cell that name people, in order, each once (spaces are split later)."""
    text = clean_text(value)
    if not text:
        return []
    return list(dict.fromkeys(t.strip() for t in SEPARATORS.split(text) if t.strip()))


# ---------------------------------------------------------------------------------------
# The plan


@dataclass(slots=True)
class LedgerRow:
    """One clean ledger row: an activity as it should stand."""

    row: int
    org: Org
    kind: str
    on: dt.date
    title: str
    attendance: dict[int, str]
    # Editable activity fields the row fills in (a blank cell is not a value).
    details: dict[str, Any]

    @property
    def identity(self) -> tuple[int, str, dt.date, str]:
        return (self.org.pk, self.kind, self.on, match_key(self.title))


@dataclass(slots=True)
class LedgerChange:
    """An activity already recorded whose attendance or details the row changes."""

    row: LedgerRow
    activity: Activity
    attendance: dict[int, str]  # only the rows that differ
    details: dict[str, Any]  # only the fields that differ
    record_held: bool  # the activity was only planned


@dataclass
class LedgerPlan:
    """A checked ledger: activities to record, recorded ones to correct, or every problem."""

    court: Org
    new: list[LedgerRow] = field(default_factory=list)
    changed: list[LedgerChange] = field(default_factory=list)
    unchanged: int = 0
    errors: list[SheetError] = field(default_factory=list)
    values: ValueMap = field(default_factory=ValueMap)
    names: dict[int, str] = field(default_factory=dict)  # person id → name, for the preview

    @property
    def ok(self) -> bool:
        return not self.errors

    def result(self, *, dry_run: bool = False) -> ImportResult:
        return ImportResult(
            created=len(self.new),
            updated=len(self.changed),
            unchanged=self.unchanged,
            errors=list(self.errors),
            dry_run=dry_run,
        )


class _RowReader:
    """Turns one sheet row into a LedgerRow, collecting the row's problems."""

    def __init__(self, plan: LedgerPlan, index: dict[str, int], written: dict[str, str]) -> None:
        self.plan = plan
        self.index = index
        self.written = written
        self.orgs = LedgerOrgs(plan.court)
        self.people = LedgerPeople(plan.court)
        self.today = timezone.localdate()

    def raw(self, values: list[Any], column: str) -> Any:
        i = self.index.get(column)
        return values[i] if i is not None and i < len(values) else None

    def error(
        self, row: int, column: str, value: Any, message: str, offered: Sequence[str] = ()
    ) -> SheetError:
        return SheetError(
            row, self.written.get(column, column), value, message, offered, canonical=column
        )

    def read(self, number: int, values: list[Any], errors: list[SheetError]) -> LedgerRow | None:
        start = len(errors)
        org = self._org(number, values, errors)
        kind = self._kind(number, values, org, errors)
        on = self._date(number, values, org, errors)
        raw_title = self.raw(values, "标题")
        title = clean_text(raw_title)
        if not title and kind is not None:
            title = kinds.kind(kind).name  # a ledger without titles names each row by its kind
        if len(title) > 200:
            errors.append(self.error(number, "标题", raw_title, "标题不能超过200个字"))
        details = self._details(number, values, kind, org, errors)
        attendance = self._attendance(number, values, org, errors)
        lecturer = details.get("lecturer_id")
        if lecturer is not None and attendance.get(lecturer, AttendanceStatus.PRESENT) != (
            AttendanceStatus.PRESENT
        ):
            column = "请假人员" if attendance[lecturer] == AttendanceStatus.LEAVE else "缺席人员"
            errors.append(
                self.error(
                    number, "授课人", self.raw(values, "授课人"), f"授课人不能同时列在{column}中"
                )
            )
        if len(errors) > start or org is None or kind is None or on is None:
            return None
        return LedgerRow(number, org, kind, on, title, attendance, details)

    def _org(self, number: int, values: list[Any], errors: list[SheetError]) -> Org | None:
        raw = self.raw(values, "组织")
        text = clean_code(raw)
        if not text:
            errors.append(self.error(number, "组织", raw, "组织不能为空"))
            return None
        try:
            return self.orgs.find(text)
        except CellError as e:
            errors.append(self.error(number, "组织", raw, e.message))
            return None

    def _kind(
        self, number: int, values: list[Any], org: Org | None, errors: list[SheetError]
    ) -> str | None:
        raw = self.raw(values, "活动类型")
        mapped = self.plan.values
        try:
            code = KIND_CHOICES.match(mapped.apply("活动类型", raw) if mapped else raw)
        except CellError as e:
            errors.append(self.error(number, "活动类型", raw, e.message, e.offered))
            return None
        if not code:
            errors.append(self.error(number, "活动类型", raw, "活动类型不能为空"))
            return None
        info = kinds.kind(code)
        if org is not None and org.kind not in info.holders:
            errors.append(
                self.error(
                    number,
                    "活动类型",
                    raw,
                    f"{org.get_kind_display()}“{org.name}”不能开展“{info.name}”",
                )
            )
            return None
        return code

    def _date(
        self, number: int, values: list[Any], org: Org | None, errors: list[SheetError]
    ) -> dt.date | None:
        raw = self.raw(values, "日期")
        try:
            on = parse_date(raw)
        except CellError as e:
            errors.append(self.error(number, "日期", raw, e.message))
            return None
        if on is None:
            errors.append(self.error(number, "日期", raw, "日期不能为空"))
            return None
        if on > self.today:
            errors.append(self.error(number, "日期", raw, "日期晚于今天：台账只记录已开展的活动"))
            return None
        if org is not None and not org.is_active and org.dissolved_on and on >= org.dissolved_on:
            errors.append(
                self.error(number, "日期", raw, f"“{org.name}”已于{org.dissolved_on}撤销")
            )
            return None
        return on

    def _details(
        self,
        number: int,
        values: list[Any],
        kind: str | None,
        org: Org | None,
        errors: list[SheetError],
    ) -> dict[str, Any]:
        details: dict[str, Any] = {}
        raw = self.raw(values, "地点")
        if location := clean_text(raw):
            if len(location) > 200:
                errors.append(self.error(number, "地点", raw, "地点不能超过200个字"))
            details["location"] = location
        raw = self.raw(values, "时长")
        try:
            hours = parse_hours(raw)
        except CellError as e:
            errors.append(self.error(number, "时长", raw, e.message))
        else:
            if hours is not None:
                details["hours"] = hours
        raw = self.raw(values, "内容摘要")
        if summary := clean_text(raw):
            details["summary"] = summary
        info = kinds.kind(kind) if kind else None
        raw = self.raw(values, "外部参与人数")
        try:
            audience = parse_count(raw)
        except CellError as e:
            errors.append(self.error(number, "外部参与人数", raw, e.message))
        else:
            if audience is not None and info is not None:
                if info.has_external_audience:
                    details["external_audience"] = audience
                else:
                    errors.append(
                        self.error(number, "外部参与人数", raw, f"“{info.name}”不记录外部参与人数")
                    )
        for column, name in PERSON_FIELD_COLUMNS.items():
            raw = self.raw(values, column)
            pieces = split_people(raw)
            if not pieces:
                continue
            if name == "lecturer" and info is not None and not info.has_lecturer:
                errors.append(self.error(number, column, raw, f"“{info.name}”没有授课人"))
                continue
            if org is None:
                continue
            found = [
                hit
                for piece in pieces
                for hit in self.people.resolve(piece, self.orgs.court_of[org.pk])
            ]
            if len(found) > 1:
                errors.append(self.error(number, column, raw, f"{column}只能填写一人"))
                continue
            token, pk = found[0]
            if isinstance(pk, CellError):
                errors.append(self.error(number, column, token, pk.message))
            else:
                details[f"{name}_id"] = pk
        return details

    def _attendance(
        self, number: int, values: list[Any], org: Org | None, errors: list[SheetError]
    ) -> dict[int, str]:
        attendance: dict[int, str] = {}
        listed_in: dict[int, str] = {}
        if org is None:
            return attendance
        court = self.orgs.court_of[org.pk]
        for column, status in ATTENDANCE_COLUMNS.items():
            found = [
                hit
                for piece in split_people(self.raw(values, column))
                for hit in self.people.resolve(piece, court)
            ]
            for token, pk in found:
                if isinstance(pk, CellError):
                    errors.append(self.error(number, column, token, pk.message))
                    continue
                if pk in listed_in and listed_in[pk] != column:
                    name = self.people.by_pk[pk].name
                    errors.append(
                        self.error(
                            number,
                            column,
                            token,
                            f"{name}已列在{self.written.get(listed_in[pk], listed_in[pk])}中",
                        )
                    )
                    continue
                listed_in[pk] = column
                attendance[pk] = status
        return attendance


def parse_ledger(source: Source, court: Org, values: ValueMap | None = None) -> LedgerPlan:
    """Read and check a ledger for `court`: every row, every problem; writes nothing.

    A cell passes through the court's kept value mappings, and `values` over them.
    """
    plan = LedgerPlan(court=court)
    if court.kind not in COURT_KINDS:
        plan.errors.append(SheetError(None, "", court.code, f"“{court.name}”不是法院"))
        return plan
    plan.values = court_value_map(court, values)
    try:
        table = read_table(source, HEADERS)
    except SheetError as e:
        plan.errors.append(e)
        return plan
    with table:
        positions = {table.written.get(c, c): i for i, c in enumerate(LEDGER_COLUMNS)}
        reader = _RowReader(plan, table.index, table.written)
        errors: list[SheetError] = []
        rows: list[LedgerRow] = []
        first_row: dict[tuple[int, str, dt.date, str], int] = {}
        try:
            read = list(table)
        except SheetError as e:
            # A workbook found past the reader's bounds part-way through is refused whole.
            plan.errors.append(e)
            return plan
        for number, cells in read:
            row_errors: list[SheetError] = []
            row = reader.read(number, cells, row_errors)
            if row is not None:
                if row.identity in first_row:
                    row_errors.append(
                        reader.error(
                            number,
                            "标题",
                            reader.raw(cells, "标题") or row.title,
                            f"与第{first_row[row.identity]}行是同一活动（组织、类型、日期、标题均相同）",
                        )
                    )
                else:
                    first_row[row.identity] = number
            if row_errors:
                errors.extend(row_errors)
            elif row is not None:
                rows.append(row)
        if errors:
            plan.errors = sort_errors(errors, lambda c: positions.get(c, len(positions)))
            return plan
    _plan_changes(plan, rows, reader)
    if plan.errors:
        plan.errors = sort_errors(plan.errors, lambda c: positions.get(c, len(positions)))
        plan.new, plan.changed, plan.unchanged = [], [], 0
    else:
        listed = {pk for r in plan.new for pk in r.attendance} | {
            pk for c in plan.changed for pk in c.attendance
        }
        plan.names = {pk: reader.people.by_pk[pk].name for pk in listed}
    return plan


def _existing(rows: list[LedgerRow]) -> dict[tuple[int, str, dt.date, str], Activity]:
    """Activities already recorded under the identities the rows carry (the first of each)."""
    if not rows:
        return {}
    wanted = {r.identity for r in rows}
    start, end = min(r.on for r in rows), max(r.on for r in rows)
    org_ids = sorted({r.org.pk for r in rows})
    found: dict[tuple[int, str, dt.date, str], Activity] = {}
    for chunk in _chunks(org_ids):
        for activity in (
            Activity.objects.filter(org_id__in=chunk, on__gte=start, on__lte=end)
            .select_related("org")
            .order_by("pk")
        ):
            key = (activity.org_id, activity.kind, activity.on, match_key(activity.title))
            if key in wanted and key not in found:
                found[key] = activity
    return found


def _attendance_of(activity_ids: Iterable[int]) -> dict[int, dict[int, str]]:
    ids = list(activity_ids)
    out: dict[int, dict[int, str]] = defaultdict(dict)
    for chunk in _chunks(ids):
        for activity_id, person_id, status in Attendance.objects.filter(
            activity_id__in=chunk
        ).values_list("activity_id", "person_id", "status"):
            out[activity_id][person_id] = status
    return out


def _plan_changes(plan: LedgerPlan, rows: list[LedgerRow], reader: _RowReader) -> None:
    """Compare each clean row with the activity it names: new, changed or unchanged."""
    existing = _existing(rows)
    attendance = _attendance_of(a.pk for a in existing.values())
    for row in rows:
        activity = existing.get(row.identity)
        if activity is None:
            plan.new.append(row)
            continue
        if activity.status == ActivityStatus.CANCELLED:
            plan.errors.append(
                reader.error(
                    row.row,
                    "日期",
                    row.on.isoformat(),
                    f"“{activity.title}”已登记为取消（{activity.cancel_reason}），不能导入为已开展",
                )
            )
            continue
        have = attendance.get(activity.pk, {})
        changes = {pk: status for pk, status in row.attendance.items() if have.get(pk) != status}
        details = {
            name: value for name, value in row.details.items() if getattr(activity, name) != value
        }
        record_held = activity.status != ActivityStatus.HELD
        if changes or details or record_held:
            plan.changed.append(LedgerChange(row, activity, changes, details, record_held))
        else:
            plan.unchanged += 1


# ---------------------------------------------------------------------------------------
# Recording a plan


class _Refused(Exception):
    def __init__(self, error: SheetError) -> None:
        super().__init__(str(error))
        self.error = error


def _refusal(row: int, error: ValidationError) -> SheetError:
    """An action's refusal as a sheet error on the row (the checks above should have caught it)."""
    column = {"kind": "活动类型", "title": "标题", "hours": "时长", "org": "组织", "on": "日期"}
    if hasattr(error, "error_dict"):
        name, messages = next(iter(error.message_dict.items()))
        return SheetError(row, column.get(name, ""), "", "；".join(messages))
    return SheetError(row, "", "", "；".join(error.messages))


def apply_ledger(plan: LedgerPlan, user: Any) -> ImportResult:
    """Record a clean plan in one transaction: the new activities in one batch action, the
    changed ones each through the activity actions."""
    if not plan.ok:
        return plan.result()
    try:
        with transaction.atomic():
            try:
                do_record_past_activities(
                    user,
                    [
                        PastActivity(
                            row.org,
                            row.attendance,
                            {"kind": row.kind, "title": row.title, "on": row.on, **row.details},
                        )
                        for row in plan.new
                    ],
                    source=ActivitySource.IMPORT,
                )
            except BatchRefused as e:
                raise _Refused(_refusal(plan.new[e.index].row, e.error)) from e
            people = Person.objects.in_bulk(
                {v for c in plan.changed for k, v in c.details.items() if k.endswith("_id")}
            )
            for change in plan.changed:
                try:
                    activity = change.activity
                    if change.details:
                        fields = {
                            k.removesuffix("_id"): people[v] if k.endswith("_id") else v
                            for k, v in change.details.items()
                        }
                        activity = do_update_activity(user, activity, **fields)
                    if change.attendance or change.record_held:
                        do_record_held(user, activity, attendance=change.attendance)
                except ValidationError as e:
                    raise _Refused(_refusal(change.row.row, e)) from e
    except _Refused as refused:
        return ImportResult(errors=[refused.error])
    return plan.result()


def import_ledger(
    source: Source,
    court: Org,
    user: Any,
    *,
    dry_run: bool = False,
    values: ValueMap | None = None,
) -> ImportResult:
    plan = parse_ledger(source, court, values)
    if dry_run or not plan.ok:
        return plan.result(dry_run=dry_run)
    return apply_ledger(plan, user)


def ledger_template() -> Any:
    """An empty ledger to fill in: the header, one example row, a drop-down of the kinds."""
    example = {
        "组织": "第一党支部",
        "活动类型": kinds.KINDS["branch_committee"].name,
        "日期": "2024-03-05",
        "标题": "三月支部委员会会议",
        "地点": "党员活动室",
        "时长": 1.5,
        "参加人员": "FY0001、FY0002",
        "内容摘要": "学习传达有关会议精神，研究本月工作",
    }
    return table_bytes(
        LEDGER_COLUMNS,
        [[example.get(c, "") for c in LEDGER_COLUMNS]],
        title="活动台账",
        choices={"活动类型": [k.name for k in kinds.KINDS.values()]},
    )
