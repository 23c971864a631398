"""Pay sheets in, dues sheets out: the month's bases read from a court's pay sheet (R3).

The command line (`tianping dues-sheet`) and the upload page share it. `parse_pay_sheet`
reads and checks every row and writes nothing: a negative base, an unknown 工号 or an
unknown 人员状态 anywhere rejects the sheet whole, with every bad row named.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import IO, Any

from tianping.dues.actions import MAX_BASE_FEN, BaseLine, do_set_bases
from tianping.dues.models import BaseSource, DuesBase
from tianping.dues.queries import BaseInForce, DuesRow, MonthSheet, owes_in, rounding_for
from tianping.dues.rules import (
    FIXED_CATEGORIES,
    DuesCategory,
    rate_text,
    yuan,
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
    match_key,
    read_table,
    sort_errors,
    write_table,
)
from tianping.orgs.mappings import court_value_map
from tianping.orgs.models import Org
from tianping.people.lookup import NumberIndex
from tianping.people.models import Person

PAY_COLUMNS = ("工号", "姓名", "月基数", "人员状态")
HEADERS = Columns(
    synonyms={
        "工号": ("人员编号", "员工编号", "职工编号", "干警编号", "编号", "员工号", "职工号"),
        "姓名": ("人员姓名", "干警姓名", "职工姓名", "党员姓名"),
        "月基数": (
            "基数",
            "党费基数",
            "交纳基数",
            "缴纳基数",
            "计算基数",
            "党费计算基数",
            "月工资",
            "税后工资",
            "实发工资",
            "工资收入",
            "月收入",
            "税后收入",
        ),
        "人员状态": ("状态", "党员类别", "党员状态", "身份"),
    },
    required=("工号", "月基数"),
)
CATEGORIES = Choices(
    "人员状态",
    {
        **{c.label: c.value for c in DuesCategory},
        "在岗": DuesCategory.SERVING,
        "在编": DuesCategory.SERVING,
        "在职人员": DuesCategory.SERVING,
        "正常": DuesCategory.SERVING,
        "离休": DuesCategory.RETIRED,
        "退休": DuesCategory.RETIRED,
        "已退休": DuesCategory.RETIRED,
        "离退休人员": DuesCategory.RETIRED,
        "离退休干部": DuesCategory.RETIRED,
        "在校学生": DuesCategory.STUDENT,
        "学生党员": DuesCategory.STUDENT,
        "失业人员": DuesCategory.UNEMPLOYED,
        "下岗": DuesCategory.UNEMPLOYED,
        "下岗失业": DuesCategory.UNEMPLOYED,
        "低保户": DuesCategory.RELIEF,
        "享受低保": DuesCategory.RELIEF,
        "最低生活保障": DuesCategory.RELIEF,
        "低保对象": DuesCategory.RELIEF,
    },
    [c.label for c in DuesCategory],
)
MAX_BASE_YUAN = yuan(MAX_BASE_FEN).to_integral_value()
_MONEY_NOISE = re.compile(r"[,，\s元¥￥]")
DUES_HEADERS = [
    "工号",
    "姓名",
    "所在支部",
    "月基数（元）",
    "人员状态",
    "交纳比例",
    "应交党费（元）",
]


def parse_money(value: Any) -> int | None:
    """A base cell as fen, or None when blank; CellError when it is not an amount.

    6500, 6500.5, "6,500.00", "￥6500元" all read; more than two decimals (a formula's
    tail) round half up to the fen.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError("不是有效的金额")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        # repr is the shortest text that reads back as the same float: what the cell showed.
        amount = Decimal(repr(value))
    else:
        text = _MONEY_NOISE.sub("", clean_code(str(value)))
        if not text:
            return None
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise CellError("不是有效的金额，请填写数字，如6500.00") from None
    if not amount.is_finite():
        raise CellError("不是有效的金额，请填写数字，如6500.00")
    if amount < 0:
        raise CellError("月基数不能为负数")
    if amount > MAX_BASE_YUAN:
        raise CellError(f"月基数超过{MAX_BASE_YUAN}元，请核对是否填成了年收入")
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class PayLine:
    row: int
    person: Person
    base_fen: int
    category: str
    owes: bool  # a party member who owes dues this month (R3.3)


@dataclass
class PayPlan:
    """A checked pay sheet: each member's base for the month, or every problem in it."""

    court: Org
    month: dt.date
    lines: list[PayLine] = field(default_factory=list)
    # Rows of people who owe no dues this month (not party members, or not yet admitted).
    skipped: list[tuple[int, Person, str]] = field(default_factory=list)
    errors: list[SheetError] = field(default_factory=list)
    values: ValueMap = field(default_factory=ValueMap)
    # person id → the base on file for exactly this month, to show what confirming changes.
    current: dict[int, tuple[int, str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def base_lines(self) -> list[BaseLine]:
        """The bases to record: party members only (a base is a dues matter)."""
        return [
            BaseLine(line.person, line.base_fen, line.category)
            for line in self.lines
            if line.person.is_party_member
        ]

    def sheet(self) -> MonthSheet:
        """The month's dues of the members on the sheet, from the sheet's bases, by 工号."""
        roundings = rounding_for({line.person.court_id for line in self.lines})
        rows = [
            DuesRow(
                line.person,
                line.person.party_org,
                self.month,
                BaseInForce(self.month, line.base_fen, line.category),
                roundings[line.person.court_id],
            )
            for line in self.lines
            if line.owes
        ]
        rows.sort(key=lambda r: r.person.employee_no)
        return MonthSheet(self.court, self.month, rows)

    def result(self) -> ImportResult:
        """What confirming does to the members' bases, counted as the preview counts it."""
        counts = {"新增": 0, "修改": 0, "不变": 0}
        for line in self.lines:
            if line.person.is_party_member:
                counts[self.change(line)] += 1
        return ImportResult(
            created=counts["新增"],
            updated=counts["修改"],
            unchanged=counts["不变"],
            errors=list(self.errors),
        )

    def change(self, line: PayLine) -> str:
        """What confirming does to this member's base of the month: 新增, 修改 or 不变."""
        old = self.current.get(line.person.pk)
        if old is None:
            return "新增"
        return "不变" if old == (line.base_fen, line.category) else "修改"


def write_pay_sheet(plan: PayPlan, user: Any) -> ImportResult:
    """Confirm a kept pay sheet (the shared upload flow's writer): its members, as they are
    now, must still be the court's people; then every base is set, or none."""
    lines = plan.base_lines()
    rows = {line.person.pk: line.row for line in plan.lines}
    present = set(
        Person.objects.filter(court=plan.court, pk__in=list(rows)).values_list("pk", flat=True)
    )
    gone = [
        SheetError(rows[pk], "工号", line.person.employee_no, "此人已不在本院花名册中")
        for line in lines
        if (pk := line.person.pk) not in present
    ]
    if gone:
        return ImportResult(errors=sorted(gone, key=lambda e: e.row or 0))
    done = do_set_bases(user, plan.court, plan.month, lines, source=BaseSource.SHEET)
    return ImportResult(created=done.created, updated=done.updated, unchanged=done.unchanged)


def _people_of(court: Org) -> tuple[dict[str, Person], NumberIndex[Person]]:
    """The court's people by 工号 as stored, and by 工号 as D9 compares it."""
    exact: dict[str, Person] = {}
    folded: NumberIndex[Person] = NumberIndex()
    for person in Person.objects.filter(court=court).select_related("party_org"):
        exact[clean_code(person.employee_no)] = person
        folded.add(person.employee_no, person)
    return exact, folded


def parse_pay_sheet(
    source: Source | IO[bytes], court: Org, month: dt.date, values: ValueMap | None = None
) -> PayPlan:
    """Read and check a pay sheet for `court` and `month`; writes nothing.

    A cell passes through the court's kept value mappings, and `values` over them.
    """
    plan = PayPlan(court=court, month=month)
    if not court.is_court:
        plan.errors.append(SheetError(None, "", court.code, f"“{court.name}”不是法院"))
        return plan
    plan.values = court_value_map(court, values)
    try:
        with read_table(source, HEADERS) as table:
            written = table.written
            positions = {written.get(c, c): i for i, c in enumerate(PAY_COLUMNS)}
            exact, folded = _people_of(court)
            owing = set(
                Person.objects.filter(owes_in(month), court=court).values_list("pk", flat=True)
            )
            seen: dict[int, int] = {}

            def error(row: int, column: str, value: Any, message: str) -> SheetError:
                return SheetError(row, written.get(column, column), value, message)

            def raw(values: list[Any], column: str) -> Any:
                i = table.index.get(column)
                return values[i] if i is not None and i < len(values) else None

            for number, cells in table:
                problems: list[SheetError] = []
                raw_no = raw(cells, "工号")
                no = clean_code(raw_no)
                person: Person | None = None
                if not no:
                    problems.append(error(number, "工号", raw_no, "工号不能为空"))
                else:
                    person = exact.get(no)
                    if person is None:
                        person = folded.one(no)
                    if person is None:
                        problems.append(
                            error(number, "工号", raw_no, f"{court.name}没有工号为“{no}”的人员")
                        )
                    elif person.pk in seen:
                        problems.append(
                            error(number, "工号", raw_no, f"工号“{no}”与第{seen[person.pk]}行重复")
                        )
                        person = None
                    else:
                        seen[person.pk] = number
                raw_name = raw(cells, "姓名")
                name = clean_name(raw_name)
                if (
                    person is not None
                    and name
                    and match_key(name) != match_key(clean_name(person.name))
                ):
                    problems.append(
                        error(
                            number,
                            "姓名",
                            raw_name,
                            f"与工号不符：工号“{no}”在花名册中是{person.name}",
                        )
                    )
                category = DuesCategory.SERVING.value
                raw_status = raw(cells, "人员状态")
                try:
                    category = (
                        CATEGORIES.match(plan.values.apply("人员状态", raw_status))
                        or DuesCategory.SERVING.value
                    )
                except CellError as e:
                    problems.append(
                        SheetError(
                            number,
                            written.get("人员状态", "人员状态"),
                            raw_status,
                            e.message,
                            e.offered,
                            canonical="人员状态",
                        )
                    )
                raw_base = raw(cells, "月基数")
                base_fen: int | None = None
                try:
                    base_fen = parse_money(raw_base)
                except CellError as e:
                    problems.append(error(number, "月基数", raw_base, e.message))
                else:
                    if base_fen is None:
                        if category in FIXED_CATEGORIES:
                            base_fen = 0  # R3.2: a fixed amount, whatever the income
                        else:
                            problems.append(error(number, "月基数", raw_base, "月基数不能为空"))
                if problems:
                    plan.errors.extend(problems)
                    continue
                assert person is not None and base_fen is not None
                if not person.is_party_member:
                    plan.skipped.append((number, person, "非党员"))
                    continue
                owes = person.pk in owing
                if not owes:
                    plan.skipped.append(
                        (
                            number,
                            person,
                            f"{month:%Y年%m月}尚未入党，当月无需交纳（中共中央组织部《关于中国共产党党费收缴、使用和管理的规定》）",
                        )
                    )
                plan.lines.append(PayLine(number, person, base_fen, category, owes))
    except SheetError as e:
        plan.errors = [e]
        return plan
    if plan.errors:
        plan.errors = sort_errors(plan.errors, lambda c: positions.get(c, len(positions)))
        plan.lines, plan.skipped = [], []
        return plan
    plan.current = {
        person_id: (base_fen, category)
        for person_id, base_fen, category in DuesBase.objects.filter(
            since=month, person__court=court
        ).values_list("person_id", "base_fen", "category")
    }
    return plan


def _sheet_rows(sheet: MonthSheet) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for r in sheet.rows:
        rows.append(
            [
                r.person.employee_no,
                r.person.name,
                r.org.name if r.org else "",
                yuan(r.base.base_fen) if r.base else None,
                r.category_name,
                rate_text(r.rate) if r.base else "",
                yuan(r.dues_fen) if r.dues_fen is not None else "未核定基数",
            ]
        )
    rows.append(["合计", f"{len(sheet.rows)}人", "", None, "", "", yuan(sheet.total_fen)])
    return rows


def write_dues_sheet(target: Any, sheet: MonthSheet) -> None:
    """The dues sheet (党费收缴表) as .xlsx: one row per member and a total row."""
    write_table(
        target,
        DUES_HEADERS,
        _sheet_rows(sheet),
        title=f"{sheet.month:%Y年%m月}党费",
    )
