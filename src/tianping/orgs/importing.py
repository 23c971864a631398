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
    clean_text,
    parse_date,
    read_table,
    sort_errors,
    table_bytes,
)
from tianping.orgs.actions import (
    UNCHANGED,
    check_parent,
    do_create_org,
    do_move_org,
    do_update_org,
)
from tianping.orgs.mappings import court_value_map
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
# Why a court cannot declare a 类型 of its own: the tree's rules and obligations read it.
KIND_CLOSED = "组织类型决定组织机构的层级和组织生活要求，只能对照为规定的类型"


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
    kind_text: str = ""  # the 类型 cell as written, for a problem to name


@dataclass(frozen=True)
class Reach:
    """Where a sheet may write: inside one court (`within`, a code; "" for anywhere) and
    only the kinds the user may create or change (`kinds`; None for every kind)."""

    within: str = ""
    kinds: frozenset[str] | None = None

    def allows(self, kind: str) -> bool:
        return self.kinds is None or kind in self.kinds


@dataclass
class OrgPlan:
    """A checked sheet: what each row would do, or every problem found in it."""

    rows: list[OrgRow] = field(default_factory=list)
    errors: list[SheetError] = field(default_factory=list)
    reach: Reach = field(default_factory=Reach)

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


def parse_orgs(
    source: Source, values: ValueMap | None = None, reach: Reach | None = None
) -> OrgPlan:
    """Read and check an organisation sheet against the tree as it stands; writes nothing.

    With a `reach` (the web's upload), each row must also stay inside its court and create
    or change only the kinds the user may."""
    plan = OrgPlan(reach=reach or Reach())
    try:
        with read_table(source, ORG_COLUMNS) as table:
            written = {c: table.written.get(c, c) for c in COLUMN_ORDER}
            rows, errors, bad_rows = _read_rows(table, written, values)
    except SheetError as e:
        plan.errors.append(e)
        return plan
    errors.extend(_check_tree(rows, bad_rows, written, plan.reach))
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
                SheetError(
                    number,
                    written[KIND],
                    raw[KIND],
                    e.message,
                    e.offered,
                    canonical=KIND,
                    closed=KIND_CLOSED,
                )
            )
        founded_on = _founded_on(raw[FOUNDED], problem)
        if code and code not in seen:
            seen[code] = number
        if row_errors:
            errors.extend(row_errors)
            bad_rows.add(number)
        rows.append(
            OrgRow(
                number,
                code,
                name,
                kind,
                clean_code(raw[PARENT]),
                founded_on,
                kind_text=clean_text(raw[KIND]),
            )
        )
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
    rows: list[OrgRow], bad_rows: set[int], written: dict[str, str], reach: Reach
) -> list[SheetError]:
    """Parents exist, no cycles, each kind under a kind it may sit under, each row within
    the reach; fills in actions."""
    errors: list[SheetError] = []
    existing = {
        o.code: o
        for o in Org.objects.only(
            "id", "code", "name", "kind", "path", "depth", "founded_on", "dissolved_on"
        )
    }
    court = existing.get(reach.within) if reach.within else None
    if reach.within and court is None:
        return [SheetError(None, "", reach.within, "找不到所选法院")]

    def outside(code: str) -> bool:
        old = existing.get(code)
        return court is not None and old is not None and not old.path.startswith(court.path)

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
        if outside(r.code):
            # Codes are unique across the platform; whose it is stays unsaid.
            errors.append(SheetError(r.row, written[CODE], r.code, f"代码“{r.code}”已被使用"))
            bad_rows.add(r.row)
            continue
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
        if r.parent_code and (
            outside(r.parent_code) or (r.parent_code not in existing and r.parent_code not in sheet)
        ):
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
        if message := _reach_problem(r, kind, court, parent_of, reach):
            column = written[KIND] if message.startswith("无权") else written[PARENT]
            value = (
                (r.kind_text or OrgKind(kind).label) if column == written[KIND] else r.parent_code
            )
            errors.append(SheetError(r.row, column, value, message))
            bad_rows.add(r.row)
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


def _reach_problem(
    r: OrgRow, kind: str, court: Org | None, parent_of: dict[str, str | None], reach: Reach
) -> str:
    """Why a row goes beyond what the user may write: a kind they may not create or change,
    or a place outside their court. "" when it stays within."""
    if r.action != "unchanged" and not reach.allows(kind):
        return f"无权新建或修改{OrgKind(kind).label}"
    if court is None:
        return ""
    if r.code == court.code:
        return "不能移动所选法院本身" if r.move else ""
    code: str | None = parent_of.get(r.code)
    seen = {r.code}
    while code is not None and code not in seen:
        if code == court.code:
            return ""
        seen.add(code)
        code = parent_of.get(code)
    if r.parent_code:
        return f"上级组织“{r.parent_code}”不在{court.name}之内"
    return f"新组织须填写{court.name}之内的上级代码"


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
    reach = plan.reach
    try:
        with transaction.atomic():
            court = Org.objects.filter(code=reach.within).first() if reach.within else None
            if reach.within and court is None:
                raise ValidationError("找不到所选法院")
            for r in plan.rows:
                if r.action != "unchanged":
                    _still_within(r, reach, court)
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


def _still_within(r: OrgRow, reach: Reach, court: Org | None) -> None:
    """At write time, a checked row's kind and place are still the user's to write."""
    kind = r.kind or Org.objects.get(code=r.code).kind
    if not reach.allows(kind):
        raise ValidationError(f"无权新建或修改{OrgKind(kind).label}")
    if court is None:
        return
    if r.action == "create" or r.move:
        target = Org.objects.filter(code=r.parent_code).first() if r.parent_code else None
        if target is None or not target.path.startswith(court.path):
            raise ValidationError(f"“{r.name}”的上级组织不在{court.name}之内")
    elif not Org.objects.filter(code=r.code, path__startswith=court.path).exists():
        raise ValidationError(f"“{r.name}”不在{court.name}之内")


def import_orgs(
    source: Source, user: Any, *, dry_run: bool = False, values: ValueMap | None = None
) -> ImportResult:
    plan = parse_orgs(source, values)
    if dry_run or not plan.ok:
        return plan.result(dry_run=dry_run)
    return apply_orgs(plan, user)


def check_org_sheet(source: Source, court: Org | None, *, kinds: str = "") -> OrgPlan:
    """The web upload's check: the sheet read with the court's kept value mappings, every row
    inside `court` (None: anywhere, for a scope over the whole platform) and of the kinds
    the user may create or change (`kinds`, comma-separated codes, as the form gives them)."""
    reach = Reach(
        within=court.code if court else "",
        kinds=frozenset(k for k in kinds.split(",") if k in OrgKind.values),
    )
    return parse_orgs(source, court_value_map(court), reach)


TEMPLATE_EXAMPLE = {
    CODE: "BT-JY-B03",
    NAME: "第三党支部",
    KIND: OrgKind.BRANCH.label,
    PARENT: "BT-JY-JGDW",
    FOUNDED: "2021-07-01",
}


def org_template() -> Any:
    """An organisation sheet to fill in: the header, one example row, a drop-down of kinds."""
    example = [TEMPLATE_EXAMPLE[h] for h in COLUMN_ORDER]
    return table_bytes(
        COLUMN_ORDER, [example], title="组织机构", choices={KIND: [k.label for k in OrgKind]}
    )
