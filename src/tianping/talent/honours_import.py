"""The honours sheet (荣誉表彰台账导入): one honour per row, individual (by 工号) or collective
(by organisation code), checked whole, then recorded all together or not at all.

It runs through the one sheet pipeline (lib/sheets.py, lib/uploads.py): `parse_honours`
reads and checks every row and writes nothing; `apply_honours` records a clean plan through
`actions.honours.do_record_honour`. A row the ledger already holds (same holder, title and
date, not withdrawn) is left as it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tianping.audit.recording import record
from tianping.lib.sheets import (
    CellError,
    Choices,
    Columns,
    ImportResult,
    SheetError,
    Source,
    cell,
    clean_code,
    clean_name,
    clean_text,
    employee_key,
    parse_date,
    read_table,
    sort_errors,
    table_bytes,
)
from tianping.orgs.models import COURT_KINDS, Org
from tianping.people.models import Person
from tianping.talent.actions.honours import do_record_honour, honour_errors
from tianping.talent.models import Honour, HonourKind, HonourLevel, HonourSource

COLUMNS = [
    "工号",
    "姓名",
    "集体代码",
    "荣誉名称",
    "类别",
    "级别",
    "授予机关",
    "授予日期",
    "文号",
    "备注",
]
HEADERS = Columns(
    synonyms={
        "工号": ("人员工号", "编号"),
        "姓名": ("获奖人", "获得者", "人员姓名"),
        "集体代码": ("组织代码", "集体", "获奖集体代码", "单位代码"),
        "荣誉名称": ("荣誉", "奖项", "表彰名称", "荣誉称号"),
        "类别": ("荣誉类别", "奖励类别", "种类"),
        "级别": ("荣誉级别", "表彰级别", "层级"),
        "授予机关": ("授予单位", "表彰单位", "颁发单位", "发文机关"),
        "授予日期": ("表彰日期", "获奖日期", "日期", "时间"),
        "文号": ("表彰文号", "文件号"),
        "备注": ("说明",),
    },
    required=("荣誉名称", "类别", "级别", "授予机关", "授予日期"),
)
KIND_CHOICES = Choices(
    "类别",
    {
        **{k.label: k.value for k in HonourKind},
        "一等功": HonourKind.MERIT_FIRST,
        "个人一等功": HonourKind.MERIT_FIRST,
        "二等功": HonourKind.MERIT_SECOND,
        "个人二等功": HonourKind.MERIT_SECOND,
        "三等功": HonourKind.MERIT_THIRD,
        "个人三等功": HonourKind.MERIT_THIRD,
        "优秀党员": HonourKind.EXCELLENT_MEMBER,
        "百强支部": HonourKind.TOP_BRANCH,
        "先进党组织": HonourKind.ADVANCED_PARTY_ORG,
        "先进基层党组织": HonourKind.ADVANCED_PARTY_ORG,
    },
    [k.label for k in HonourKind],
)
LEVEL_CHOICES = Choices(
    "级别",
    {
        **{lv.label: lv.value for lv in HonourLevel},
        "国家": HonourLevel.NATIONAL,
        "全国": HonourLevel.NATIONAL,
        "部级": HonourLevel.NATIONAL,
        "省": HonourLevel.PROVINCE,
        "省部级": HonourLevel.PROVINCE,
        "自治区级": HonourLevel.PROVINCE,
        "市": HonourLevel.CITY,
        "地市级": HonourLevel.CITY,
        "盟市级": HonourLevel.CITY,
        "县": HonourLevel.COUNTY,
        "县区级": HonourLevel.COUNTY,
        "旗县级": HonourLevel.COUNTY,
        "院": HonourLevel.COURT,
        "本院": HonourLevel.COURT,
    },
    [lv.label for lv in HonourLevel],
)


@dataclass
class HonourRow:
    row: int
    person: Person | None
    org: Org | None
    title: str
    kind: str
    level: str
    awarded_by: str
    awarded_on: dt.date
    document_no: str
    note: str

    @property
    def holder(self) -> str:
        return self.person.name if self.person else self.org.name if self.org else ""

    def key(self) -> tuple[Any, ...]:
        return (
            self.person.pk if self.person else None,
            self.org.pk if self.org else None,
            self.title,
            self.awarded_on,
        )


@dataclass
class HonourPlan:
    court: Org
    new: list[HonourRow] = field(default_factory=list)
    unchanged: int = 0
    errors: list[SheetError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def result(self, *, dry_run: bool = False) -> ImportResult:
        return ImportResult(
            created=len(self.new),
            unchanged=self.unchanged,
            errors=list(self.errors),
            dry_run=dry_run,
        )


# Which sheet column an action's field complaint belongs to.
FIELD_COLUMNS = {
    "person": "工号",
    "title": "荣誉名称",
    "kind": "类别",
    "level": "级别",
    "awarded_by": "授予机关",
    "awarded_on": "授予日期",
}


def _existing(court: Org) -> set[tuple[Any, ...]]:
    return {
        (p, o, t, d)
        for p, o, t, d in Honour.objects.filter(
            court__path__startswith=court.path, withdrawn_on__isnull=True
        ).values_list("person_id", "org_id", "title", "awarded_on")
    }


def parse_honours(source: Source, court: Org, today: dt.date | None = None) -> HonourPlan:
    """Read and check an honours sheet for `court`: every row, every problem; writes nothing."""
    today = today or timezone.localdate()
    plan = HonourPlan(court=court)
    if court.kind not in COURT_KINDS:
        plan.errors.append(SheetError(None, "", court.code, f"“{court.name}”不是法院"))
        return plan
    try:
        table = read_table(source, HEADERS)
    except SheetError as e:
        plan.errors.append(e)
        return plan
    positions = {table.written.get(c, c): i for i, c in enumerate(COLUMNS)}
    people = {
        employee_key(no): (pk, name)
        for pk, no, name in Person.objects.filter(court__path__startswith=court.path).values_list(
            "pk", "employee_no", "name"
        )
    }
    orgs = {
        o.code.upper(): o
        for o in Org.objects.filter(path__startswith=court.path).only(
            "pk", "code", "name", "path", "kind", "depth"
        )
    }
    known = _existing(court)
    errors: list[SheetError] = []
    first: dict[tuple[Any, ...], int] = {}
    rows: list[HonourRow] = []
    with table:
        try:
            raw_rows = list(table)
        except SheetError as e:
            plan.errors.append(e)
            return plan
        for number, cells in raw_rows:

            def raw(name: str, cells: list[Any] = cells) -> Any:
                return cell(cells, table.index.get(name))

            def error(name: str, message: str, number: int = number) -> None:
                errors.append(SheetError(number, table.written.get(name, name), raw(name), message))

            before = len(errors)
            no, name, code = (
                clean_code(raw("工号")),
                clean_name(raw("姓名")),
                clean_code(raw("集体代码")),
            )
            person = org = None
            if no and code:
                error("集体代码", "工号与集体代码只填一项：个人荣誉填工号，集体荣誉填集体代码")
            elif no:
                found = people.get(employee_key(no))
                if found is None:
                    error("工号", f"{court.name}及下级法院没有工号为“{no}”的人员")
                elif name and name != found[1]:
                    error("姓名", f"工号{no}是{found[1]}，与所填姓名不符")
                else:
                    person = found[0]
            elif code:
                org = orgs.get(code.upper())
                if org is None:
                    error("集体代码", f"{court.name}及下级没有代码为“{code}”的组织")
            else:
                error("工号", "请填写工号（个人荣誉）或集体代码（集体荣誉）")
            kind = level = ""
            try:
                kind = KIND_CHOICES.match(raw("类别"))
            except CellError as e:
                error("类别", e.message)
            try:
                level = LEVEL_CHOICES.match(raw("级别"))
            except CellError as e:
                error("级别", e.message)
            awarded_on = None
            try:
                awarded_on = parse_date(raw("授予日期"))
                if awarded_on is None:
                    error("授予日期", "请填写授予日期")
            except CellError as e:
                error("授予日期", e.message)
            title = clean_text(raw("荣誉名称"))
            awarded_by = clean_text(raw("授予机关"))
            document_no = clean_text(raw("文号"))
            if len(document_no) > 100:
                error("文号", "文号不超过100字")
            note = clean_text(raw("备注"))[:500]
            if len(errors) > before or awarded_on is None:
                continue
            holder = Person(pk=person) if person is not None else None  # resolved below
            for f, messages in honour_errors(
                person=holder,
                org=org,
                title=title,
                kind=kind or "?",
                level=level or "?",
                awarded_by=awarded_by,
                awarded_on=awarded_on,
                today=today,
            ).items():
                column = FIELD_COLUMNS.get(f, "荣誉名称")
                if f == "person" and org is not None:
                    column = "集体代码"
                for m in messages:
                    error(column, m)
            if len(errors) > before:
                continue
            row = HonourRow(
                number, holder, org, title, kind, level, awarded_by, awarded_on, document_no, note
            )
            if row.key() in first:
                error("荣誉名称", f"与第{first[row.key()]}行是同一项荣誉")
                continue
            first[row.key()] = number
            if row.key() in known:
                plan.unchanged += 1
            else:
                rows.append(row)
    if errors:
        plan.errors = sort_errors(errors, lambda c: positions.get(c, len(positions)))
        plan.unchanged = 0
    else:
        holders = Person.objects.select_related("court").in_bulk(
            [r.person.pk for r in rows if r.person is not None]
        )
        for r in rows:
            if r.person is not None:
                r.person = holders[r.person.pk]
        plan.new = rows
    return plan


def apply_honours(plan: HonourPlan, user: Any) -> ImportResult:
    """Record a clean plan's honours in one transaction: all of them, or none."""
    if not plan.ok:
        return plan.result()
    created = 0
    with transaction.atomic():
        known = _existing(plan.court)
        fresh = [r for r in plan.new if r.key() not in known]
        try:
            for r in fresh:
                do_record_honour(
                    user,
                    person=r.person,
                    org=r.org,
                    title=r.title,
                    kind=r.kind,
                    level=r.level,
                    awarded_by=r.awarded_by,
                    awarded_on=r.awarded_on,
                    document_no=r.document_no,
                    note=r.note,
                    source=HonourSource.IMPORT,
                )
                created += 1
        except ValidationError as e:
            transaction.set_rollback(True)
            return ImportResult(errors=[SheetError(None, "", "", "；".join(e.messages))])
        record(
            user,
            "talent.honour_import",
            plan.court,
            after={"新增荣誉": created},
            org=plan.court,
            object_repr=f"{plan.court.name}荣誉表彰台账",
        )
    return ImportResult(created=created, unchanged=plan.unchanged + len(plan.new) - created)


def import_honours(
    source: Source, court: Org, user: Any, *, dry_run: bool = False, **_: Any
) -> ImportResult:
    plan = parse_honours(source, court)
    if dry_run or not plan.ok:
        return plan.result(dry_run=dry_run)
    return apply_honours(plan, user)


def honours_template() -> Any:
    examples = [
        [
            "JY0012",
            "刘晓燕",
            "",
            "全省法院先进个人",
            "先进个人",
            "省级",
            "内蒙古自治区高级人民法院",
            "2023-12-20",
            "内高法〔2023〕88号",
            "",
        ],
        [
            "JY0031",
            "",
            "",
            "个人二等功",
            "二等功",
            "市级",
            "包头市中级人民法院",
            "2024-01-15",
            "包中法〔2024〕6号",
            "",
        ],
        [
            "",
            "",
            "BT-JY-B01",
            "全区法院百强党支部",
            "百强党支部",
            "省级",
            "内蒙古自治区高级人民法院机关党委",
            "2023-06-28",
            "",
            "",
        ],
    ]
    return table_bytes(
        COLUMNS,
        examples,
        title="荣誉表彰",
        choices={"类别": [k.label for k in HonourKind], "级别": [lv.label for lv in HonourLevel]},
    )
