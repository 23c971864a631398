"""The training-ledger import (培训台账): two sheets checked whole, all or nothing, audited;
its hours are what `learning.hours` credits (R7.2)."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tianping.audit.models import AuditEvent
from tianping.learning.hours import person_hours
from tianping.learning.importing import import_training, parse_training, training_template
from tianping.learning.models import ClassStatus, Enrolment, TrainingClass
from tianping.learning.queries.stats import training_stats

CLASS_HEADER = ["编号", "名称", "类型", "主办单位", "开始日期", "结束日期", "地点", "承办机构"]
PEOPLE_HEADER = ["培训班编号", "工号", "姓名", "学时", "其中政治学时", "结果"]
GOOD_CLASSES = [
    [
        "JY-2024-01",
        "民事审判业务培训班",
        "业务培训",
        "民事审判庭",
        "2024-04-08",
        "2024-04-12",
        "本院",
        "",
    ],
    ["JY-2024-02", "政治轮训班", "政治轮训", "", "2024-05-06", "", "浙江大学", "浙江大学"],
]
GOOD_PEOPLE = [
    ["JY-2024-01", "JY0001", "王芳", 24, 6, "合格"],
    ["JY-2024-01", "JY0002", "", 24, 6, "合格"],
    ["JY-2024-01", "", "孙丽", "20", "4", "不合格"],
    ["JY-2024-02", "jy0001", "", 8, 8, ""],
]


def _book(classes, people, class_header=CLASS_HEADER, people_header=PEOPLE_HEADER) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "培训班"
    sheet.append(class_header)
    for row in classes:
        sheet.append(row)
    other = book.create_sheet("参训人员")
    other.append(people_header)
    for row in people:
        other.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def test_a_good_ledger_imports_and_its_hours_show_in_the_credited_hours(world):
    court = world.org("BT-JY")
    result = import_training(_book(GOOD_CLASSES, GOOD_PEOPLE), court, world.users["bob"])
    assert result.ok, result.as_json()
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    first = TrainingClass.objects.get(court=court, code="JY-2024-01")
    assert (first.source, first.status, first.kind) == ("import", ClassStatus.FINISHED, "business")
    assert first.organiser.code == "BT-JY-MS"
    second = TrainingClass.objects.get(court=court, code="JY-2024-02")
    assert second.organiser == court and second.ends_on == second.starts_on
    assert second.host_institution == "浙江大学"
    sun = Enrolment.objects.get(training_class=first, person=world.people["sun"])
    assert (sun.ledger_hours, sun.ledger_political_hours, sun.result) == (
        Decimal("20"),
        Decimal("4"),
        "failed",
    )
    wang = person_hours(world.people["wang"].pk, 2024)
    assert (wang.total, wang.political) == (Decimal("32"), Decimal("14"))
    stats = training_stats(court, 2024)
    assert stats.sentence == "2024年共组织各类培训2班次,参训4人次"
    events = AuditEvent.objects.filter(action="learning.import_training")
    assert events.count() == 2
    assert len({e.batch for e in events}) == 1
    assert {e.after["participants"] for e in events} == {3, 1}


def test_a_ledger_with_an_unknown_person_a_class_without_dates_and_hours_not_a_number_is_rejected_whole(
    world,
):
    classes = [
        *GOOD_CLASSES,
        ["JY-2024-03", "无日期的培训班", "业务培训", "", None, None, "", ""],
    ]
    people = [
        *GOOD_PEOPLE,
        ["JY-2024-01", "JY9999", "", 4, 0, "合格"],  # row 6: nobody has this 工号
        ["JY-2024-02", "JY0003", "", "四学时", 0, ""],  # row 7: hours that are not a number
        ["JY-2099", "JY0003", "", 4, 0, ""],  # row 8: no such class
        ["JY-2024-01", "JY0002", "", 4, 0, ""],  # row 9: 赵磊 already listed on row 3
    ]
    result = import_training(_book(classes, people), world.org("BT-JY"), world.users["bob"])
    assert not result.ok
    found = [(e.row, e.column, e.value) for e in result.errors]
    assert found == [
        (4, "开始日期", ""),
        (6, "工号", "JY9999"),
        (7, "学时", "四学时"),
        (8, "培训班编号", "JY-2099"),
        (9, "工号", "JY0002"),
    ]
    assert "培训班表" in result.errors[0].message and "日期" in result.errors[0].message
    assert all("参训人员表" in e.message for e in result.errors[1:])
    assert result.as_json()["created"] == 0
    assert not TrainingClass.objects.filter(code__startswith="JY-2024").exists()
    assert not Enrolment.objects.exists()
    assert not AuditEvent.objects.filter(action="learning.import_training").exists()


def test_re_importing_the_same_class_code_updates_it(world):
    court = world.org("BT-JY")
    assert import_training(_book(GOOD_CLASSES, GOOD_PEOPLE), court, None).ok
    again = import_training(_book(GOOD_CLASSES, GOOD_PEOPLE), court, None)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = [list(GOOD_CLASSES[0]), GOOD_CLASSES[1]]
    changed[0][1] = "民事审判业务培训班（第一期）"
    people = [list(r) for r in GOOD_PEOPLE]
    people[3][3] = 10
    third = import_training(_book(changed, people), court, None)
    assert (third.created, third.updated, third.unchanged) == (0, 2, 0)
    assert TrainingClass.objects.filter(court=court, code__startswith="JY-2024").count() == 2
    assert TrainingClass.objects.get(code="JY-2024-01").name == "民事审判业务培训班（第一期）"
    assert person_hours(world.people["wang"].pk, 2024).total == Decimal("34")


def test_a_sheet_without_the_people_columns_names_what_is_missing(world):
    result = parse_training(
        _book(GOOD_CLASSES, [["JY-2024-01", 4]], people_header=["培训班编号", "学时"]),
        world.org("BT-JY"),
    )
    assert not result.ok
    assert "工号" in result.errors[0].message


def _cli(*args):
    out, err = StringIO(), StringIO()
    call_command("import_training", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_the_command_imports_a_file_with_a_mapped_kind_and_a_dry_run_writes_nothing(
    world, tmp_path
):
    classes = [list(GOOD_CLASSES[0]), GOOD_CLASSES[1]]
    classes[0][2] = "审判业务培训"
    path = tmp_path / "培训台账.xlsx"
    path.write_bytes(_book(classes, GOOD_PEOPLE).getvalue())
    with pytest.raises(CommandError):
        _cli(str(path), "--court", "BT-JY", "--json")
    args = [str(path), "--court", "BT-JY", "--map", "类型:审判业务培训=业务培训", "--json"]
    dry = json.loads(_cli(*args, "--dry-run"))
    assert dry == {
        "ok": True,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
        "dry_run": True,
    }
    assert not TrainingClass.objects.filter(code="JY-2024-01").exists()
    doc = json.loads(_cli(*args))
    assert (doc["ok"], doc["created"]) == (True, 2)
    assert TrainingClass.objects.get(code="JY-2024-01").kind == "business"


def test_the_template_reads_back_as_a_ledger_with_its_example_rows(world):
    book = openpyxl.load_workbook(training_template())
    assert book.sheetnames[:2] == ["培训班", "参训人员"]
    assert [c.value for c in book["培训班"][1]] == CLASS_HEADER
    assert [c.value for c in book["参训人员"][1]] == PEOPLE_HEADER
    assert book["培训班"].data_validations.dataValidation
