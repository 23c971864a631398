"""Importing the organisation tree from a sheet (代码, 名称, 类型, 上级代码, 成立日期): all or nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tianping.lib.sheets import (
    CellError,
    Choices,
    Columns,
    ImportResult,
    SheetError,
    Source,
    Table,
    ValueMap,
    cell,
    clean_code,
    clean_name,
    parse_date,
    read_table,
    sort_errors,
)
from tianping.orgs.actions import (
    UNCHANGED,
    check_parent,
    do_create_org,
    do_move_org,
    do_update_org,
)
from tianping.orgs.models import ALLOWED_PARENTS, COURT_KINDS, Org, OrgKind, org_code_problem

CODE, NAME, KIND, PARENT, FOUNDED = "代码", "名称", "类型", "上级代码", "成立日期"
ORG_COLUMNS = Columns(
    synonyms={
        CODE: ("组织代码", "机构代码", "单位代码", "编码", "组织编码", "机构编码"),
        NAME: ("组织名称", "机构名称", "单位名称", "名字"),
        KIND: ("组织类型", "机构类型", "单位类型", "类别"),
        PARENT: (
            "上级组织代码",
            "上级机构代码",
            "上级单位代码",
            "上级编码",
            "父级代码",
            "上级组织",
            "上级",
        ),
        FOUNDED: ("成立时间", "建立日期", "建立时间", "组建日期", "组建时间", "成立年月"),
    },
    required=(CODE, NAME, KIND),
)
COLUMN_ORDER = [CODE, NAME, KIND, PARENT, FOUNDED]

KIND_NAMES: dict[str, str] = {
    **{kind.label: kind.value for kind in OrgKind},
    **{kind.value: kind.value for kind in OrgKind},
    "高院": OrgKind.HIGH_COURT,
    "高级法院": OrgKind.HIGH_COURT,
    "中院": OrgKind.MID_COURT,
    "中级法院": OrgKind.MID_COURT,
    "基层法院": OrgKind.BASIC_COURT,
    "基层院": OrgKind.BASIC_COURT,
    "内设机构": OrgKind.DEPARTMENT,
    "庭室": OrgKind.DEPARTMENT,
    "处室": OrgKind.DEPARTMENT,
    "科室": OrgKind.DEPARTMENT,
    "党组织": OrgKind.BRANCH,
    "党委": OrgKind.PARTY_COMMITTEE,
    "党总支部": OrgKind.GENERAL_BRANCH,
    "总支": OrgKind.GENERAL_BRANCH,
    "党总支部委员会": OrgKind.GENERAL_BRANCH,
    "支部": OrgKind.BRANCH,
    "党支部委员会": OrgKind.BRANCH,
    "小组": OrgKind.GROUP,
}
KINDS = Choices("组织类型", KIND_NAMES, [kind.label for kind in OrgKind])


@dataclass
class OrgRow:
    row: int
    code: str
    name: str
    kind: str  # "" keeps an existing organisation's kind
    parent_code: str  # "" keeps an existing organisation where it is; a new one is a root
    # D2: None (a blank cell or no column) keeps an existing organisation's founding date.
    founded_on: dt.date | None = None
    action: str = ""  # create, update or unchanged
    rename: bool = False
    move: bool = False
    redate: bool = False


@dataclass
class OrgPlan:
    """A checked sheet: what each row would do, or every problem found in it."""

    rows: list[OrgRow] = field(default_factory=list)
    errors: list[SheetError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def result(self, *, dry_run: bool = False) -> ImportResult:
        count = {
            a: sum(1 for r in self.rows if r.action == a) for a in ("create", "update", "unchanged")
        }
        return ImportResult(
            created=count["create"],
            updated=count["update"],
            unchanged=count["unchanged"],
            errors=list(self.errors),
            dry_run=dry_run,
        )


def _order(written: dict[str, str]) -> Callable[[str], int]:
    positions = {written.get(c, c): i for i, c in enumerate(COLUMN_ORDER)}
    return lambda column: positions.get(column, len(positions))


def parse_orgs(source: Source, values: ValueMap | None = None) -> OrgPlan:
    """Read and check an organisation sheet against the tree as it stands; writes nothing."""
    plan = OrgPlan()
    try:
        with read_table(source, ORG_COLUMNS) as table:
            written = {c: table.written.get(c, c) for c in COLUMN_ORDER}
            rows, errors, bad_rows = _read_rows(table, written, values)
    except SheetError as e:
        plan.errors.append(e)
        return plan
    errors.extend(_check_tree(rows, bad_rows, written))
    plan.errors = sort_errors(errors, _order(table.written))
    if plan.ok:
        plan.rows = rows
    return plan


def _read_rows(
    table: Table, written: dict[str, str], values_map: ValueMap | None = None
) -> tuple[list[OrgRow], list[SheetError], set[int]]:
    """Every row cleaned, with the problems found in single rows and the rows that have them."""
    errors: list[SheetError] = []
    seen: dict[str, int] = {}
    rows: list[OrgRow] = []
    bad_rows: set[int] = set()
    for number, values in table:
        raw = {c: cell(values, table.index.get(c)) for c in COLUMN_ORDER}
        code = clean_code(raw[CODE])
        name = clean_name(raw[NAME])
        row_errors: list[SheetError] = []
        problem = _collector(number, raw, written, row_errors)
        if code_problem := org_code_problem(code):
            problem(CODE, code_problem)
        elif code in seen:
            problem(CODE, f"代码“{code}”与第{seen[code]}行重复")
        if not name:
            problem(NAME, "名称不能为空")
        elif len(name) > 100:
            problem(NAME, "名称不能超过100个字符")
        try:
            kind = KINDS.match(values_map.apply(KIND, raw[KIND]) if values_map else raw[KIND])
        except CellError as e:
            kind = ""
            row_errors.append(
                SheetError(number, written[KIND], raw[KIND], e.message, e.offered, canonical=KIND)
            )
        founded_on = _founded_on(raw[FOUNDED], problem)
        if code and code not in seen:
            seen[code] = number
        if row_errors:
            errors.extend(row_errors)
            bad_rows.add(number)
        rows.append(OrgRow(number, code, name, kind, clean_code(raw[PARENT]), founded_on))
    return rows, errors, bad_rows


def _founded_on(value: Any, problem: Callable[[str, str], None]) -> dt.date | None:
    """D2: a founding date cleaned like every sheet date, and not a day still to come."""
    try:
        day = parse_date(value)
    except CellError as e:
        problem(FOUNDED, e.message)
        return None
    if day is not None and day > timezone.localdate():
        problem(FOUNDED, "成立日期晚于今天")
        return None
    return day


def _collector(
    number: int, raw: dict[str, Any], written: dict[str, str], into: list[SheetError]
) -> Callable[[str, str], None]:
    """problem(column, message) for one row: the error names the row, header and cell."""

    def problem(column: str, message: str) -> None:
        into.append(SheetError(number, written[column], raw[column], message))

    return problem


def _check_tree(
    rows: list[OrgRow], bad_rows: set[int], written: dict[str, str]
) -> list[SheetError]:
    """Parents exist, no cycles, each kind under a kind it may sit under; fills in actions."""
    errors: list[SheetError] = []
    existing = {
        o.code: o
        for o in Org.objects.only(
            "id", "code", "name", "kind", "path", "depth", "founded_on", "dissolved_on"
        )
    }
    by_path = {o.path: o for o in existing.values()}
    parent_of: dict[str, str | None] = {}
    kind_of: dict[str, str] = {}
    for org in existing.values():
        parent = by_path.get(org.path[: -Org.steplen]) if org.depth > 1 else None
        parent_of[org.code] = parent.code if parent else None
        kind_of[org.code] = org.kind
    sheet = {r.code: r for r in rows if r.code and r.row not in bad_rows}
    for r in sheet.values():
        old = existing.get(r.code)
        if old is None and not r.kind:
            errors.append(SheetError(r.row, written[KIND], "", "新组织必须填写类型"))
            bad_rows.add(r.row)
            continue
        if old is not None and r.kind and r.kind != old.kind:
            errors.append(
                SheetError(
                    r.row,
                    written[KIND],
                    OrgKind(r.kind).label,
                    f"“{old.name}”已是{old.get_kind_display()}，导入不能修改组织类型",
                )
            )
            bad_rows.add(r.row)
            continue
        if (
            old is not None
            and r.founded_on is not None
            and old.dissolved_on is not None
            and r.founded_on >= old.dissolved_on
        ):
            errors.append(
                SheetError(
                    r.row,
                    written[FOUNDED],
                    r.founded_on.isoformat(),
                    f"“{old.name}”已于{old.dissolved_on:%Y-%m-%d}撤销，成立日期应早于撤销日期",
                )
            )
            bad_rows.add(r.row)
            continue
        if r.parent_code and r.parent_code not in existing and r.parent_code not in sheet:
            errors.append(
                SheetError(
                    r.row,
                    written[PARENT],
                    r.parent_code,
                    f"找不到代码为“{r.parent_code}”的上级组织",
                )
            )
            bad_rows.add(r.row)
            continue
        kind_of[r.code] = r.kind or old.kind  # type: ignore[union-attr]
        if r.parent_code:
            parent_of[r.code] = r.parent_code
        elif old is None:
            parent_of[r.code] = None
    errors.extend(
        _cycles([r for r in sheet.values() if r.row not in bad_rows], parent_of, written, bad_rows)
    )
    for r in sheet.values():
        if r.row in bad_rows:
            continue
        parent_code = parent_of[r.code]
        kind = kind_of[r.code]
        message = _placement_problem(kind, parent_code, kind_of, existing, sheet)
        if message:
            column = written[PARENT] if r.parent_code else written[KIND]
            errors.append(SheetError(r.row, column, r.parent_code or OrgKind(kind).label, message))
            bad_rows.add(r.row)
            continue
        old = existing.get(r.code)
        if old is None:
            r.action = "create"
        else:
            r.rename = r.name != old.name
            r.move = parent_of[r.code] != _current_parent(old, by_path)
            r.redate = r.founded_on is not None and r.founded_on != old.founded_on
            r.action = "update" if (r.rename or r.move or r.redate) else "unchanged"
    if not errors:
        depth: dict[str, int] = {}

        def depth_of(code: str | None) -> int:
            if code is None:
                return 0
            if code not in depth:
                depth[code] = depth_of(parent_of.get(code)) + 1
            return depth[code]

        rows.sort(key=lambda r: (depth_of(r.code), r.row))
    return errors


def _current_parent(org: Org, by_path: dict[str, Org]) -> str | None:
    if org.depth <= 1:
        return None
    parent = by_path.get(org.path[: -Org.steplen])
    return parent.code if parent else None


def _cycles(
    rows: Iterable[OrgRow],
    parent_of: dict[str, str | None],
    written: dict[str, str],
    bad_rows: set[int],
) -> list[SheetError]:
    errors: list[SheetError] = []
    reported: set[str] = set()
    for r in rows:
        chain = [r.code]
        code = parent_of.get(r.code)
        while code is not None and code not in chain:
            chain.append(code)
            code = parent_of.get(code)
        if code is None or code != r.code or r.code in reported:
            continue
        reported.add(r.code)
        loop = " → ".join([*chain, r.code])
        message = "不能以自身为上级" if len(chain) == 1 else f"上级关系形成循环：{loop}"
        errors.append(SheetError(r.row, written[PARENT], r.parent_code, message))
        bad_rows.add(r.row)
    return errors


def _placement_problem(
    kind: str,
    parent_code: str | None,
    kind_of: dict[str, str],
    existing: dict[str, Org],
    sheet: dict[str, OrgRow],
) -> str:
    label = OrgKind(kind).label
    if parent_code is None:
        return "" if kind in COURT_KINDS else f"{label}必须有上级组织"
    parent_kind = kind_of.get(parent_code)
    if parent_kind is None:
        return ""  # the parent's own row is already reported
    if parent_kind in ALLOWED_PARENTS[OrgKind(kind)]:
        return ""
    parent_name = sheet[parent_code].name if parent_code in sheet else existing[parent_code].name
    return f"{label}不能设在{OrgKind(parent_kind).label}“{parent_name}”之下"


def apply_orgs(plan: OrgPlan, user: Any) -> ImportResult:
    """Write a checked plan through the audited actions, parents first, in one transaction."""
    if not plan.ok:
        return plan.result()
    try:
        with transaction.atomic():
            for r in plan.rows:
                if r.action == "create":
                    parent = Org.objects.get(code=r.parent_code) if r.parent_code else None
                    check_parent(r.kind, parent)
                    do_create_org(
                        user,
                        code=r.code,
                        name=r.name,
                        kind=r.kind,
                        parent=parent,
                        founded_on=r.founded_on,
                    )
                elif r.action == "update":
                    org = Org.objects.get(code=r.code)
                    if r.rename or r.redate:
                        org = do_update_org(
                            user,
                            org,
                            name=r.name if r.rename else None,
                            founded_on=r.founded_on if r.redate else UNCHANGED,
                        )
                    if r.move:
                        do_move_org(user, org, Org.objects.get(code=r.parent_code))
    except ValidationError as e:
        # The tree changed between checking and writing; nothing of this import stays.
        return ImportResult(errors=[SheetError(None, "", "", "；".join(e.messages))])
    return plan.result()


def import_orgs(
    source: Source, user: Any, *, dry_run: bool = False, values: ValueMap | None = None
) -> ImportResult:
    plan = parse_orgs(source, values)
    if dry_run or not plan.ok:
        return plan.result(dry_run=dry_run)
    return apply_orgs(plan, user)
