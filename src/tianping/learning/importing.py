"""The training-ledger import (培训台账): past classes and their participants, checked whole,
then written in bulk and audited (DOMAIN.md R7.2).

A workbook holds two sheets (CONTRACT.md `import-training`): 培训班 (编号, 名称, 类型, 主办单位,
开始日期, 结束日期, 地点, 承办机构) and 参训人员 (培训班编号, 工号 or 姓名, 学时, 其中政治学时,
结果). The command line and the web page share it: `parse_training` reads and checks every
row of both and writes nothing; `apply_training` writes a clean plan in one transaction.

Decisions:
- A class belongs to the court whose organisation runs it (主办单位, the importing court when
  blank) and is known by that court and its 编号: importing the same 编号 again updates the
  class (its details, and its participants' hours and results); participants the sheet no
  longer lists are kept, never deleted. A 编号 the court already uses for a class entered on
  the platform (not imported) is refused: its hours come from attendance, not a ledger.
- Imported classes are finished (已结业), `source=import`; each participant is an Enrolment
  whose `ledger_hours` / `ledger_political_hours` are what `learning.hours` credits.
- A participant row may name a class of the sheet or one the court imported before.
- 结束日期 left blank is the 开始日期 (a one-day class); 开始日期 left blank is an error.
- The counts of the result are of classes: created, updated, unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from tianping.activities.importing import LedgerOrgs, LedgerPeople, parse_hours
from tianping.audit.models import AuditEvent
from tianping.audit.recording import bulk, event, new_batch, snapshot_values
from tianping.learning.actions.summary import refresh_classes
from tianping.learning.models import (
    ClassStatus,
    Enrolment,
    EnrolmentResult,
    TrainingClass,
    TrainingKind,
)
from tianping.learning.models.training import ClassSource
from tianping.lib.bulk import insert, insert_values, update_values
from tianping.lib.sheets import (
    CellError,
    Choices,
    Columns,
    ImportResult,
    SheetError,
    Source,
    ValueMap,
    clean_code,
    clean_text,
    match_key,
    parse_date,
    read_table,
    sort_errors,
    tables_bytes,
)
from tianping.orgs.mappings import court_value_map
from tianping.orgs.models import COURT_KINDS, Org

CLASS_SHEET = "培训班"
PEOPLE_SHEET = "参训人员"
CLASS_COLUMNS = ["编号", "名称", "类型", "主办单位", "开始日期", "结束日期", "地点", "承办机构"]
PEOPLE_COLUMNS = ["培训班编号", "工号", "姓名", "学时", "其中政治学时", "结果"]
CLASS_HEADERS = Columns(
    synonyms={
        "编号": ("班次编号", "培训编号", "序号编号"),
        "名称": ("培训班名称", "班次名称", "培训名称", "培训项目"),
        "类型": ("培训类型", "培训类别", "类别"),
        "主办单位": ("主办部门", "举办单位", "组织单位"),
        "开始日期": ("开班日期", "开始时间", "起始日期"),
        "结束日期": ("结业日期", "结束时间", "截止日期"),
        "地点": ("培训地点", "举办地点"),
        "承办机构": ("承办单位", "培训机构", "合作院校"),
    },
    required=("编号", "名称"),
)
PEOPLE_HEADERS = Columns(
    synonyms={
        "培训班编号": ("班次编号", "培训编号"),
        "工号": ("人员编号", "编号工号"),
        "姓名": ("学员", "学员姓名", "参训人员"),
        "学时": ("培训学时", "获得学时", "课时"),
        "其中政治学时": ("政治学时", "政治理论学时", "其中政治理论学时"),
        "结果": ("结业结果", "考核结果", "结业情况"),
    },
    required=("培训班编号", "学时"),
)
KIND_CHOICES = Choices(
    "培训类型",
    {
        **{code: code for code, _ in TrainingKind.choices},
        **{str(label): code for code, label in TrainingKind.choices},
        "新任职": TrainingKind.NEW_POST,
        "调训": TrainingKind.DISPATCHED,
        "轮训": TrainingKind.POLITICAL_ROTATION,
        "业务": TrainingKind.BUSINESS,
        "练兵": TrainingKind.SKILL_DRILL,
        "异地": TrainingKind.OFF_SITE,
    },
    [str(label) for _, label in TrainingKind.choices],
)
RESULT_CHOICES = Choices(
    "结业结果",
    {
        **{str(label): code for code, label in EnrolmentResult.choices},
        "通过": EnrolmentResult.PASSED,
        "结业": EnrolmentResult.PASSED,
        "未通过": EnrolmentResult.FAILED,
    },
    [str(label) for _, label in EnrolmentResult.choices],
)
CLASS_FIELDS = (
    "court",
    "organiser",
    "code",
    "name",
    "kind",
    "host_institution",
    "starts_on",
    "ends_on",
    "place",
)
AUDIT_ACTION = "learning.import_training"
CHUNK = 500


# ---------------------------------------------------------------------------------------
# The plan


@dataclass(slots=True)
class ClassRow:
    row: int
    court: Org
    values: dict[str, Any]  # by attname: organiser_id, name, kind, dates, place, host

    @property
    def code(self) -> str:
        return str(self.values["code"])


@dataclass(slots=True)
class PersonRow:
    row: int
    code: str  # match_key of the class's 编号
    person_id: int
    hours: Decimal
    political: Decimal
    result: str


@dataclass
class TrainingPlan:
    """A checked ledger: classes to create or update with their participants, or every problem."""

    court: Org
    classes: list[ClassRow] = field(default_factory=list)
    participants: list[PersonRow] = field(default_factory=list)
    # Of the classes the sheet names: the existing ones (by code key) and what changes.
    existing: dict[str, dict[str, Any]] = field(default_factory=dict)
    enrolled: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[SheetError] = field(default_factory=list)
    values: ValueMap = field(default_factory=ValueMap)
    names: dict[int, str] = field(default_factory=dict)
    org_names: dict[int, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def result(self, *, dry_run: bool = False) -> ImportResult:
        return ImportResult(
            created=self.created,
            updated=self.updated,
            unchanged=self.unchanged,
            errors=list(self.errors),
            dry_run=dry_run,
        )

    def participants_of(self) -> dict[str, list[PersonRow]]:
        found: dict[str, list[PersonRow]] = defaultdict(list)
        for p in self.participants:
            found[p.code].append(p)
        return found


class _Reader:
    """Reads one sheet's rows, collecting each row's problems named by the sheet's header."""

    def __init__(self, sheet: str, index: dict[str, int], written: dict[str, str]) -> None:
        self.sheet = sheet
        self.index = index
        self.written = written

    def raw(self, values: list[Any], column: str) -> Any:
        i = self.index.get(column)
        return values[i] if i is not None and i < len(values) else None

    def error(
        self, row: int, column: str, value: Any, message: str, offered: Sequence[str] = ()
    ) -> SheetError:
        return SheetError(
            row,
            self.written.get(column, column),
            value,
            f"{self.sheet}表：{message}",
            offered,
            canonical=column,
        )


def _read_classes(
    source: Source, plan: TrainingPlan, orgs: LedgerOrgs, errors: list[SheetError]
) -> tuple[dict[str, ClassRow], set[str]]:
    """The clean rows of the classes sheet by code key, and the keys of every row's code."""
    table = read_table(source, CLASS_HEADERS)
    found: dict[str, ClassRow] = {}
    first: dict[str, int] = {}
    with table:
        r = _Reader(table.sheet, table.index, table.written)
        for number, cells in list(table):
            start = len(errors)
            raw_code = r.raw(cells, "编号")
            code = clean_code(raw_code)
            if not code:
                errors.append(r.error(number, "编号", raw_code, "编号不能为空"))
            elif len(code) > 30:
                errors.append(r.error(number, "编号", raw_code, "编号不能超过30个字符"))
            elif match_key(code) in first:
                errors.append(
                    r.error(number, "编号", raw_code, f"与第{first[match_key(code)]}行编号重复")
                )
            raw = r.raw(cells, "名称")
            name = clean_text(raw)
            if not name:
                errors.append(r.error(number, "名称", raw, "名称不能为空"))
            elif len(name) > 200:
                errors.append(r.error(number, "名称", raw, "名称不能超过200个字"))
            raw = r.raw(cells, "类型")
            kind = ""
            try:
                kind = KIND_CHOICES.match(plan.values.apply("类型", raw))
            except CellError as e:
                errors.append(r.error(number, "类型", raw, e.message, e.offered))
            else:
                if not kind:
                    errors.append(r.error(number, "类型", raw, "培训类型不能为空"))
            raw = r.raw(cells, "主办单位")
            organiser: Org | None = plan.court
            if text := clean_code(raw):
                try:
                    organiser = orgs.find(text)
                except CellError as e:
                    errors.append(r.error(number, "主办单位", raw, e.message))
                    organiser = None
            starts = _date(r, number, cells, "开始日期", errors, required=True)
            ends = _date(r, number, cells, "结束日期", errors, required=False)
            if starts and ends and ends < starts:
                errors.append(
                    r.error(number, "结束日期", r.raw(cells, "结束日期"), "结束日期早于开始日期")
                )
            details = {}
            for column, attname in (("地点", "place"), ("承办机构", "host_institution")):
                raw = r.raw(cells, column)
                text = clean_text(raw)
                if len(text) > 200:
                    errors.append(r.error(number, column, raw, f"{column}不能超过200个字"))
                details[attname] = text
            if code and match_key(code) not in first:
                first[match_key(code)] = number
            if len(errors) > start or organiser is None or starts is None:
                continue
            court = orgs.court_of[organiser.pk]
            found[match_key(code)] = ClassRow(
                number,
                court,
                {
                    "court_id": court.pk,
                    "organiser_id": organiser.pk,
                    "code": code,
                    "name": name,
                    "kind": kind,
                    "starts_on": starts,
                    "ends_on": ends or starts,
                    **details,
                },
            )
            plan.org_names[court.pk] = str(court)
            plan.org_names[organiser.pk] = str(organiser)
    return found, set(first)


def _date(
    r: _Reader,
    number: int,
    cells: list[Any],
    column: str,
    errors: list[SheetError],
    *,
    required: bool,
) -> dt.date | None:
    raw = r.raw(cells, column)
    try:
        on = parse_date(raw)
    except CellError as e:
        errors.append(r.error(number, column, raw, e.message))
        return None
    if on is None and required:
        errors.append(r.error(number, column, raw, f"{column}不能为空：培训班须有日期"))
    return on


def _read_people(
    r: _Reader,
    rows: list[tuple[int, list[Any]]],
    plan: TrainingPlan,
    classes: dict[str, ClassRow],
    earlier: dict[str, dict[str, Any]],
    class_keys: set[str],
    people: LedgerPeople,
    errors: list[SheetError],
) -> None:
    first: dict[tuple[str, int], int] = {}
    for number, cells in rows:
        start = len(errors)
        raw_code = r.raw(cells, "培训班编号")
        key = match_key(clean_code(raw_code))
        court: Org | None = None
        if not key:
            errors.append(r.error(number, "培训班编号", raw_code, "培训班编号不能为空"))
        elif key in classes:
            court = classes[key].court
        elif key in earlier:
            court = earlier[key]["court"]
        elif key not in class_keys:
            errors.append(
                r.error(
                    number,
                    "培训班编号",
                    raw_code,
                    f"培训班表和{plan.court.name}已导入的培训班中都没有这个编号",
                )
            )
        person_id = _person(r, number, cells, people, court or plan.court, errors)
        hours = _hours(r, number, cells, "学时", errors, required=True)
        political = _hours(r, number, cells, "其中政治学时", errors, required=False)
        if hours is not None and political is not None and political > hours:
            errors.append(
                r.error(number, "其中政治学时", r.raw(cells, "其中政治学时"), "政治学时多于学时")
            )
        raw = r.raw(cells, "结果")
        result = ""
        try:
            result = RESULT_CHOICES.match(plan.values.apply("结果", raw))
        except CellError as e:
            errors.append(r.error(number, "结果", raw, e.message, e.offered))
        if key and person_id is not None:
            if (key, person_id) in first:
                column = "工号" if "工号" in r.index else "姓名"
                errors.append(
                    r.error(
                        number,
                        column,
                        r.raw(cells, column),
                        f"{people.by_pk[person_id].name}已在第{first[(key, person_id)]}行"
                        "列为该班学员",
                    )
                )
            else:
                first[(key, person_id)] = number
        if len(errors) > start or person_id is None or hours is None:
            continue
        plan.participants.append(
            PersonRow(number, key, person_id, hours, political or Decimal("0"), result)
        )


def _person(
    r: _Reader,
    number: int,
    cells: list[Any],
    people: LedgerPeople,
    court: Org,
    errors: list[SheetError],
) -> int | None:
    raw_no, raw_name = r.raw(cells, "工号"), r.raw(cells, "姓名")
    no, name = clean_code(raw_no), clean_text(raw_name)
    if not no and not name:
        column = "工号" if "工号" in r.index else "姓名"
        errors.append(r.error(number, column, None, "工号和姓名不能都为空"))
        return None
    column, token = ("工号", no) if no else ("姓名", name)
    try:
        pk = people.find(token, court)
    except CellError as e:
        errors.append(r.error(number, column, r.raw(cells, column), e.message))
        return None
    if no and name and match_key(people.by_pk[pk].name) != match_key(name.replace(" ", "")):
        errors.append(
            r.error(number, "姓名", raw_name, f"工号{no}是{people.by_pk[pk].name}，与姓名不符")
        )
        return None
    return pk


def _hours(
    r: _Reader,
    number: int,
    cells: list[Any],
    column: str,
    errors: list[SheetError],
    *,
    required: bool,
) -> Decimal | None:
    raw = r.raw(cells, column)
    if isinstance(raw, int | float) and not isinstance(raw, bool) and raw == 0 and not required:
        return Decimal("0")
    try:
        hours = parse_hours(raw)
    except CellError:
        errors.append(r.error(number, column, raw, f"{column}应为数字（小时），如4或1.5"))
        return None
    if hours is None and required:
        errors.append(r.error(number, column, raw, f"{column}不能为空"))
    return hours


def _earlier(court: Org, keys: set[str]) -> dict[str, dict[str, Any]]:
    """The classes the court's subtree already holds under codes the sheet uses, by key."""
    found: dict[str, dict[str, Any]] = {}
    if not keys:
        return found
    rows = TrainingClass.objects.filter(court__path__startswith=court.path).values(
        "id",
        "source",
        "court_id",
        "organiser_id",
        "code",
        "name",
        "kind",
        "host_institution",
        "starts_on",
        "ends_on",
        "place",
    )
    courts: dict[int, Org] = {}
    for row in rows.iterator(chunk_size=2000):
        key = match_key(row["code"])
        if key in keys:
            if row["court_id"] not in courts:
                courts[row["court_id"]] = Org.objects.get(pk=row["court_id"])
            found.setdefault(key, {**row, "court": courts[row["court_id"]]})
    return found


def parse_training(source: Source, court: Org, values: ValueMap | None = None) -> TrainingPlan:
    """Read and check a training ledger for `court`: every row of both sheets, every
    problem; writes nothing."""
    plan = TrainingPlan(court=court)
    if court.kind not in COURT_KINDS:
        plan.errors.append(SheetError(None, "", court.code, f"“{court.name}”不是法院"))
        return plan
    plan.values = court_value_map(court, values)
    orgs = LedgerOrgs(court)
    errors: list[SheetError] = []
    try:
        classes, class_keys = _read_classes(source, plan, orgs, errors)
    except SheetError as e:
        plan.errors.append(SheetError(e.row, e.column, e.value, f"{CLASS_SHEET}表：{e.message}"))
        return plan
    try:
        table = read_table(source, PEOPLE_HEADERS)
    except SheetError as e:
        plan.errors.append(SheetError(e.row, e.column, e.value, f"{PEOPLE_SHEET}表：{e.message}"))
        return plan
    with table:
        reader = _Reader(table.sheet, table.index, table.written)
        if not (table.has("工号") or table.has("姓名")):
            plan.errors.append(
                SheetError(table.header_row, "", "", f"{table.sheet}表：表头缺少“工号”或“姓名”列")
            )
            return plan
        try:
            rows = list(table)
        except SheetError as e:
            plan.errors.append(e)
            return plan
    i = reader.index["培训班编号"]
    named = {match_key(clean_code(c[i])) for _, c in rows if i < len(c) and clean_code(c[i])}
    # The classes the court holds under the codes either sheet uses: updated, or (named
    # only by a participant) added to.
    stored = _earlier(court, set(classes) | (named - class_keys))
    earlier = {k: v for k, v in stored.items() if k not in classes}
    people = LedgerPeople(court)
    people_errors: list[SheetError] = []
    _read_people(reader, rows, plan, classes, earlier, class_keys, people, people_errors)
    for key, row in classes.items():
        before = stored.get(key)
        if before is not None and before["source"] != ClassSource.IMPORT:
            errors.append(
                SheetError(
                    row.row,
                    "编号",
                    row.code,
                    f"{CLASS_SHEET}表：{before['court'].name}已在平台上建立编号为“{row.code}”的"
                    "培训班（按出勤计算学时），台账不能覆盖，请改用其他编号",
                )
            )
        elif before is not None and before["court_id"] != row.court.pk:
            errors.append(
                SheetError(
                    row.row,
                    "编号",
                    row.code,
                    f"{CLASS_SHEET}表：编号“{row.code}”已是{before['court'].name}的培训班",
                )
            )
    for key, before in earlier.items():
        if before["source"] != ClassSource.IMPORT:
            for p in [p for p in plan.participants if p.code == key]:
                people_errors.append(
                    SheetError(
                        p.row,
                        reader.written.get("培训班编号", "培训班编号"),
                        before["code"],
                        f"{PEOPLE_SHEET}表：“{before['name']}”是在平台上建立的培训班，"
                        "学时按出勤计算，不能由台账导入",
                    )
                )
    if errors or people_errors:
        # The classes sheet's problems first, then the participants', each in row order.
        plan.errors = sort_errors(errors) + sort_errors(people_errors)
        plan.participants = []
        return plan
    plan.classes = list(classes.values())
    plan.existing = stored
    _plan_changes(plan)
    plan.names = {p.person_id: people.by_pk[p.person_id].name for p in plan.participants}
    return plan


def _plan_changes(plan: TrainingPlan) -> None:
    """Which classes are new, changed or unchanged, against what is stored."""
    existing_ids = [v["id"] for v in plan.existing.values()]
    for chunk in _chunks(existing_ids):
        for class_id, person_id, hours, political, result, pk in Enrolment.objects.filter(
            training_class_id__in=chunk
        ).values_list(
            "training_class_id",
            "person_id",
            "ledger_hours",
            "ledger_political_hours",
            "result",
            "id",
        ):
            plan.enrolled[(class_id, person_id)] = {
                "id": pk,
                "ledger_hours": hours,
                "ledger_political_hours": political,
                "result": result,
            }
    by_class = plan.participants_of()
    changed_classes: set[str] = set()
    for p in plan.participants:
        before = plan.existing.get(p.code)
        if before is None:
            continue
        had = plan.enrolled.get((before["id"], p.person_id))
        if had is None or (
            had["ledger_hours"] != p.hours
            or (had["ledger_political_hours"] or Decimal("0")) != p.political
            or had["result"] != p.result
        ):
            changed_classes.add(p.code)
    for row in plan.classes:
        key = match_key(row.code)
        before = plan.existing.get(key)
        if before is None:
            plan.created += 1
        elif key in changed_classes or any(
            before[name] != value for name, value in row.values.items()
        ):
            plan.updated += 1
        else:
            plan.unchanged += 1
    # Classes imported earlier that only the participants sheet names.
    for key in by_class:
        if key in plan.existing and not any(match_key(r.code) == key for r in plan.classes):
            if key in changed_classes:
                plan.updated += 1
            else:
                plan.unchanged += 1


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ---------------------------------------------------------------------------------------
# Writing a plan: classes, enrolments and one audit row per class, in bulk


@transaction.atomic
def apply_training(plan: TrainingPlan, user: Any) -> ImportResult:
    """Write a clean plan in one transaction: the classes, their participants as enrolments
    with ledger hours, and one audit row per class written (`learning.import_training`)."""
    if not plan.ok:
        return plan.result()
    batch = new_batch()
    by_class = plan.participants_of()
    names = {"court": plan.org_names, "organiser": plan.org_names}
    new_rows = [r for r in plan.classes if match_key(r.code) not in plan.existing]
    new = [
        TrainingClass(
            **row.values,
            status=ClassStatus.FINISHED,
            source=ClassSource.IMPORT,
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        for row in new_rows
    ]
    insert(new, returning=True)
    ids = {match_key(c.code): c.pk for c in new}
    ids.update({k: v["id"] for k, v in plan.existing.items()})
    courts = {r.court.pk: r.court for r in plan.classes}
    courts.update({v["court"].pk: v["court"] for v in plan.existing.values()})
    events: list[AuditEvent] = []
    changed_class_rows: list[dict[str, Any]] = []
    for row in plan.classes:
        key = match_key(row.code)
        before = plan.existing.get(key)
        if before is not None and any(before[n] != v for n, v in row.values.items()):
            changed_class_rows.append({"id": before["id"], **row.values})
    update_values(
        TrainingClass, [f for f in _class_attnames() if f != "court_id"], changed_class_rows
    )
    enrol_new: list[dict[str, Any]] = []
    enrol_changed: list[dict[str, Any]] = []
    touched: dict[str, int] = defaultdict(int)
    for key, rows in by_class.items():
        class_id = ids[key]
        for p in rows:
            values = {
                "training_class_id": class_id,
                "person_id": p.person_id,
                "ledger_hours": p.hours,
                "ledger_political_hours": p.political,
                "result": p.result,
            }
            had = plan.enrolled.get((class_id, p.person_id))
            if had is None:
                enrol_new.append(values)
                touched[key] += 1
            elif (
                had["ledger_hours"] != p.hours
                or (had["ledger_political_hours"] or Decimal("0")) != p.political
                or had["result"] != p.result
            ):
                enrol_changed.append({"id": had["id"], **values})
                touched[key] += 1
    for chunk in _chunks(enrol_new, 5000):
        insert_values(Enrolment, chunk)
    update_values(Enrolment, ["ledger_hours", "ledger_political_hours", "result"], enrol_changed)
    refresh_classes({ids[match_key(r.code)] for r in plan.classes} | {ids[k] for k in by_class})
    changed_ids = {r["id"] for r in changed_class_rows}
    for row in plan.classes:
        key = match_key(row.code)
        before = plan.existing.get(key)
        if before is not None and before["id"] not in changed_ids and not touched[key]:
            continue
        events.append(_audit(user, batch, ids[key], row, before, names, courts, by_class, touched))
    for key in by_class:
        before = plan.existing.get(key)
        if (
            before is None
            or not touched[key]
            or any(match_key(r.code) == key for r in plan.classes)
        ):
            continue
        events.append(
            event(
                user,
                AUDIT_ACTION,
                object_type=TrainingClass._meta.label_lower,
                object_id=str(before["id"]),
                object_repr=f"{before['name']}（{before['code']}）",
                org=before["court"],
                after={"participants": touched[key]},
                batch=batch,
            )
        )
    bulk(events)
    return plan.result()


def _class_attnames() -> list[str]:
    return [f"{f}_id" if f in ("court", "organiser") else f for f in CLASS_FIELDS]


def _audit(
    user: Any,
    batch: str,
    class_id: int,
    row: ClassRow,
    before: dict[str, Any] | None,
    names: dict[str, dict[Any, str]],
    courts: dict[int, Org],
    by_class: dict[str, list[PersonRow]],
    touched: dict[str, int],
) -> AuditEvent:
    key = match_key(row.code)
    after = snapshot_values(TrainingClass, CLASS_FIELDS, row.values, names)
    after["participants"] = touched[key]
    return event(
        user,
        AUDIT_ACTION,
        object_type=TrainingClass._meta.label_lower,
        object_id=str(class_id),
        object_repr=f"{row.values['name']}（{row.code}）",
        org=courts[row.court.pk],
        before=(
            snapshot_values(
                TrainingClass,
                CLASS_FIELDS,
                before,
                {
                    "court": {before["court_id"]: str(before["court"])},
                    "organiser": names["organiser"],
                },
            )
            if before is not None
            else None
        ),
        after=after,
        batch=batch,
    )


def import_training(
    source: Source,
    court: Org,
    user: Any,
    *,
    dry_run: bool = False,
    values: ValueMap | None = None,
) -> ImportResult:
    plan = parse_training(source, court, values)
    if dry_run or not plan.ok:
        return plan.result(dry_run=dry_run)
    return apply_training(plan, user)


def training_template() -> Any:
    """A ledger to fill in: both sheets with their headers, an example row each, and
    drop-downs of the kinds and results."""
    year = timezone.localdate().year - 1
    classes = [
        "PX2024-01".replace("2024", str(year)),
        "全院干警政治轮训班",
        TrainingKind.POLITICAL_ROTATION.label,
        "政治部",
        f"{year}-03-11",
        f"{year}-03-15",
        "本院培训中心",
        "",
    ]
    people = [classes[0], "FY0001", "李明", 24, 8, EnrolmentResult.PASSED.label]
    return tables_bytes(
        [
            (
                CLASS_SHEET,
                CLASS_COLUMNS,
                [classes],
                {"类型": [str(label) for _, label in TrainingKind.choices]},
            ),
            (
                PEOPLE_SHEET,
                PEOPLE_COLUMNS,
                [people],
                {"结果": [str(label) for _, label in EnrolmentResult.choices]},
            ),
        ]
    )
