"""The question-bank import (试题导入): a sheet of questions, checked whole, then added in
one batch through `actions.quizzes.do_add_questions`.

It runs through the one sheet pipeline (lib/sheets.py, lib/uploads.py): `parse_questions`
reads and checks every row and writes nothing; `apply_questions` writes a clean plan, all
of it or nothing. A question whose text the court's bank already holds is left as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from tianping.learning.actions.quizzes import QuestionIn, check_question, do_add_questions
from tianping.learning.models import Question, QuestionKind
from tianping.lib.sheets import (
    CellError,
    Choices,
    Columns,
    ImportResult,
    SheetError,
    Source,
    cell,
    clean_text,
    read_table,
    sort_errors,
    table_bytes,
)
from tianping.orgs.models import COURT_KINDS, Org

OPTION_COLUMNS = [f"选项{letter}" for letter in "ABCDEF"]
QUESTION_COLUMNS = ["题型", "题目", *OPTION_COLUMNS, "答案", "标签", "解析"]
HEADERS = Columns(
    synonyms={
        "题型": ("题目类型", "类型", "试题类型"),
        "题目": ("题干", "试题", "问题", "题目内容"),
        **{c: (f"{c[-1]}选项", c[-1], f"选项{c[-1].lower()}") for c in OPTION_COLUMNS},
        "答案": ("正确答案", "参考答案", "标准答案"),
        "标签": ("知识点", "分类", "类别", "标记"),
        "解析": ("答案解析", "说明", "依据", "出处"),
    },
    required=("题型", "题目", "答案"),
)
KIND_CHOICES = Choices(
    "题型",
    {
        **{k.label: k.value for k in QuestionKind},
        **{k.value: k.value for k in QuestionKind},
        "单选": QuestionKind.SINGLE,
        "单项选择题": QuestionKind.SINGLE,
        "多选": QuestionKind.MULTIPLE,
        "多项选择题": QuestionKind.MULTIPLE,
        "判断": QuestionKind.TRUE_FALSE,
        "是非题": QuestionKind.TRUE_FALSE,
        "填空": QuestionKind.FILL_IN,
    },
    [k.label for k in QuestionKind],
)
TRUE_WORDS = {"正确", "对", "是", "√", "✓", "T", "TRUE", "Y"}
FALSE_WORDS = {"错误", "错", "否", "×", "✗", "X", "F", "FALSE", "N"}
SEPARATORS = re.compile(r"[、,，;；\s]+")
TAG_SEPARATORS = re.compile(r"[、,，;；/\s]+")
MAX_TEXT = 2000


@dataclass
class QuestionPlan:
    """A checked sheet: the questions to add, how many the bank already holds, or every problem."""

    court: Org
    new: list[QuestionIn] = field(default_factory=list)
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


def _answer(kind: str, text: str, options: list[str]) -> list[Any]:
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        letters = [c for c in SEPARATORS.sub("", text.upper())]
        if not letters or any(not "A" <= c <= "F" for c in letters):
            raise CellError("答案应为选项字母，如 AB、ACD")
        return sorted({ord(c) - ord("A") for c in letters})
    if kind == QuestionKind.TRUE_FALSE:
        word = text.strip().upper()
        if word in TRUE_WORDS:
            return [True]
        if word in FALSE_WORDS:
            return [False]
        raise CellError("判断题答案应为“正确”或“错误”")
    return [a.strip() for a in text.split("|") if a.strip()]


def _read_row(
    number: int, cells: list[Any], index: dict[str, int], written: dict[str, str]
) -> tuple[QuestionIn | None, list[SheetError]]:
    errors: list[SheetError] = []

    def raw(name: str) -> Any:
        return cell(cells, index.get(name))

    def error(name: str, message: str) -> None:
        errors.append(SheetError(number, written.get(name, name), raw(name), message))

    kind = ""
    try:
        kind = KIND_CHOICES.match(raw("题型"))
        if not kind:
            error("题型", "请填写题型")
    except CellError as e:
        error("题型", e.message)
    text = clean_text(raw("题目"))
    if len(text) > MAX_TEXT:
        error("题目", f"题目不超过{MAX_TEXT}字")
    options = [clean_text(raw(c)) for c in OPTION_COLUMNS]
    while options and not options[-1]:
        options.pop()
    if "" in options:
        error(OPTION_COLUMNS[options.index("")], "选项之间不能留空")
    if kind not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, ""):
        options = []
    answer: list[Any] = []
    answer_text = clean_text(raw("答案"))
    if not answer_text:
        error("答案", "请填写答案")
    elif kind:
        try:
            answer = _answer(kind, answer_text, options)
        except CellError as e:
            error("答案", e.message)
    tags = [t for t in TAG_SEPARATORS.split(clean_text(raw("标签"))) if t][:10]
    explanation = clean_text(raw("解析"))[:MAX_TEXT]
    if errors or not kind:
        return None, errors
    question = QuestionIn(
        kind=kind,
        text=text,
        options=options,
        answer=answer,
        tags=tags,
        explanation=explanation,
        row=number,
    )
    for column, message in check_question(question):
        if column == "选项":
            column = OPTION_COLUMNS[0]
        error(column, message)
    return (None if errors else question), errors


def parse_questions(source: Source, court: Org) -> QuestionPlan:
    """Read and check a question sheet for `court`: every row, every problem; writes nothing."""
    plan = QuestionPlan(court=court)
    if court.kind not in COURT_KINDS:
        plan.errors.append(SheetError(None, "", court.code, f"“{court.name}”不是法院"))
        return plan
    try:
        table = read_table(source, HEADERS)
    except SheetError as e:
        plan.errors.append(e)
        return plan
    positions = {table.written.get(c, c): i for i, c in enumerate(QUESTION_COLUMNS)}
    known = set(Question.objects.filter(court=court).values_list("text", flat=True))
    first_row: dict[str, int] = {}
    errors: list[SheetError] = []
    with table:
        try:
            rows = list(table)
        except SheetError as e:
            plan.errors.append(e)
            return plan
        for number, cells in rows:
            question, row_errors = _read_row(number, cells, table.index, table.written)
            errors += row_errors
            if question is None:
                continue
            if question.text in first_row:
                errors.append(
                    SheetError(
                        number,
                        table.written.get("题目", "题目"),
                        question.text,
                        f"与第{first_row[question.text]}行是同一道题",
                    )
                )
                continue
            first_row[question.text] = number
            if question.text in known:
                plan.unchanged += 1
            else:
                plan.new.append(question)
    if errors:
        plan.errors = sort_errors(errors, lambda c: positions.get(c, len(positions)))
        plan.new, plan.unchanged = [], 0
    return plan


def apply_questions(plan: QuestionPlan, user: Any) -> ImportResult:
    """Add a clean plan's questions in one transaction; a text added meanwhile is left."""
    if not plan.ok:
        return plan.result()
    with transaction.atomic():
        known = set(Question.objects.filter(court=plan.court).values_list("text", flat=True))
        fresh = [q for q in plan.new if q.text not in known]
        try:
            do_add_questions(user, plan.court, fresh)
        except ValidationError as e:
            return ImportResult(errors=[SheetError(None, "", "", "；".join(e.messages))])
    return ImportResult(created=len(fresh), unchanged=plan.unchanged + len(plan.new) - len(fresh))


def import_questions(
    source: Source, court: Org, user: Any, *, dry_run: bool = False
) -> ImportResult:
    plan = parse_questions(source, court)
    if dry_run or not plan.ok:
        return plan.result(dry_run=dry_run)
    return apply_questions(plan, user)


def question_template() -> Any:
    """A bank to fill in: the header, an example of each kind, a drop-down of the kinds."""
    examples = [
        [
            "单选题",
            "党的最高领导机关是？",
            "党的全国代表大会和它所产生的中央委员会",
            "中央政治局",
            "中央书记处",
            "",
            "",
            "",
            "A",
            "党章",
            "《中国共产党章程》第十条",
        ],
        [
            "多选题",
            "党员的权利包括哪些？",
            "参加党的有关会议",
            "在党的会议上参加讨论",
            "对党的工作提出建议",
            "",
            "",
            "",
            "ABC",
            "党章",
            "《中国共产党章程》第四条",
        ],
        [
            "判断题",
            "预备党员的预备期为一年。",
            "",
            "",
            "",
            "",
            "",
            "",
            "正确",
            "党章",
            "《中国共产党章程》第七条",
        ],
        [
            "填空题",
            "党的纪律处分有____种。",
            "",
            "",
            "",
            "",
            "",
            "",
            "五|5",
            "党章",
            "警告、严重警告、撤销党内职务、留党察看、开除党籍",
        ],
    ]
    return table_bytes(
        QUESTION_COLUMNS,
        examples,
        title="试题",
        choices={"题型": [k.label for k in QuestionKind]},
    )
