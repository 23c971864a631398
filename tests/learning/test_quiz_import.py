"""The question-bank import through the one sheet pipeline: preview with every row error,
confirm, all-or-nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import World
from tianping.learning.models import Question, QuestionKind
from tianping.learning.quiz_import import QUESTION_COLUMNS, parse_questions
from tianping.lib.sheets import table_bytes

pytestmark = pytest.mark.django_db

URL = "/learning/quizzes/bank/import/"


def sheet(*rows: dict[str, Any]) -> Any:
    return table_bytes(QUESTION_COLUMNS, [[r.get(c, "") for c in QUESTION_COLUMNS] for r in rows])


GOOD = [
    {
        "题型": "单选题",
        "题目": "党的最高领导机关是？",
        "选项A": "全国代表大会",
        "选项B": "中央政治局",
        "答案": "A",
        "标签": "党章",
    },
    {
        "题型": "多选",
        "题目": "党的纪律处分有哪些？",
        "选项A": "警告",
        "选项B": "罚款",
        "选项C": "开除党籍",
        "答案": "A、C",
        "标签": "条例、纪律",
    },
    {"题型": "判断题", "题目": "预备期为一年。", "答案": "√"},
    {
        "题型": "填空题",
        "题目": "法官实行____制度。",
        "答案": "单独职务序列管理|单独职务序列",
        "解析": "《中华人民共和国法官法》",
    },
]


def upload(client: Any, book: Any) -> Any:
    return client.post(
        URL,
        {"court": "BT-JY", "file": SimpleUploadedFile("试题.xlsx", book.getvalue())},
        follow=True,
    )


def test_a_clean_sheet_is_previewed_then_added_on_confirm(world: World) -> None:
    bob = world.client("bob")
    preview = upload(bob, sheet(*GOOD))
    body = preview.content.decode()
    assert Question.objects.count() == 0, "the preview writes nothing"
    assert re.search(r'id="count-created">4<', body)
    token = re.search(r"/learning/quizzes/bank/import/([\w-]+)/confirm/", body).group(1)
    done = bob.post(f"/learning/quizzes/bank/import/{token}/confirm/", follow=True)
    assert done.status_code == 200
    assert Question.objects.filter(court__code="BT-JY").count() == 4
    multiple = Question.objects.get(kind=QuestionKind.MULTIPLE)
    assert multiple.answer == [0, 2] and multiple.tags == ["条例", "纪律"]
    assert Question.objects.get(kind=QuestionKind.TRUE_FALSE).answer == [True]
    # The same sheet again adds nothing.
    again = upload(bob, sheet(*GOOD)).content.decode()
    assert re.search(r'id="count-created">0<', again) and re.search(
        r'id="count-unchanged">4<', again
    )


def test_a_bad_sheet_is_rejected_whole_with_every_row_error(world: World) -> None:
    bad = sheet(
        GOOD[0],
        {"题型": "问答题", "题目": "何为党性？", "答案": "略"},
        {"题型": "单选题", "题目": "选哪个？", "选项A": "甲", "选项B": "乙", "答案": "D"},
        {"题型": "判断题", "题目": "对吗？", "答案": "也许"},
        {"题型": "多选题", "题目": "选哪些？", "选项A": "甲", "选项B": "乙", "答案": "A"},
        {
            "题型": "单选题",
            "题目": "党的最高领导机关是？",
            "选项A": "甲",
            "选项B": "乙",
            "答案": "A",
        },
    )
    plan = parse_questions(bad, world.org("BT-JY"))
    assert not plan.ok and plan.new == []
    found = {(e.row, e.column) for e in plan.errors}
    assert found == {(3, "题型"), (4, "答案"), (5, "答案"), (6, "答案"), (7, "题目")}
    body = upload(world.client("bob"), bad).content.decode()
    assert "发现 5 处问题，未写入任何数据" in body
    assert "问答题" in body and "confirm" not in body
    assert Question.objects.count() == 0


def test_the_template_has_the_columns_and_a_drop_down_of_the_kinds(world: World) -> None:
    import io

    import openpyxl

    response = world.client("bob").get(URL + "template/")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet_ = book.worksheets[0]
    assert [c.value for c in sheet_[1]] == QUESTION_COLUMNS
    assert sheet_.data_validations.dataValidation, "题型 offers a drop-down"
    assert parse_questions(
        io.BytesIO(b"".join(world.client("bob").get(URL + "template/").streaming_content)),
        world.org("BT-JY"),
    ).ok


def test_members_and_secretaries_cannot_reach_the_bank(world: World) -> None:
    for persona in ("dave", "carol", "erin"):
        assert world.client(persona).get(URL).status_code == 403
        assert world.client(persona).get("/learning/quizzes/bank/").status_code == 403


def test_an_officer_retires_a_question_it_is_drawn_no_more_and_comes_back(world: World) -> None:
    from tests.learning.quiz_factories import bank
    from tianping.audit.models import AuditEvent
    from tianping.learning.actions.quizzes import pick_questions
    from tianping.learning.models import Question

    questions = bank(world)
    wrong = questions[0]
    bob = world.client("bob")  # 机关党委 of BT-JY, who keeps its bank

    r = bob.post(f"/learning/quizzes/bank/{wrong.pk}/active/", {"active": "0"})
    assert r.status_code == 302
    assert not Question.objects.get(pk=wrong.pk).is_active
    drawn = pick_questions(world.org("BT-JY"), count=len(questions))
    assert wrong not in drawn and len(drawn) == len(questions) - 1
    page = bob.get("/learning/quizzes/bank/").content.decode()
    assert f'id="question-{wrong.pk}-state">' in page and "已停用" in page
    event = AuditEvent.objects.get(action="learning.question_retire")
    assert (event.before, event.after) == ({"is_active": True}, {"is_active": False})

    bob.post(f"/learning/quizzes/bank/{wrong.pk}/active/", {"active": "1"})
    assert Question.objects.get(pk=wrong.pk).is_active
    # Nobody outside the bank's court, and no member, retires it; a GET changes nothing.
    assert (
        world.client("dave")
        .post(f"/learning/quizzes/bank/{wrong.pk}/active/", {"active": "0"})
        .status_code
        == 403
    )
    assert world.client("oscar").post(
        f"/learning/quizzes/bank/{wrong.pk}/active/", {"active": "0"}
    ).status_code in (403, 404)
    assert bob.get(f"/learning/quizzes/bank/{wrong.pk}/active/").status_code == 302
    assert Question.objects.get(pk=wrong.pk).is_active
