"""The roster import (花名册): all or nothing, messy values understood, upsert by 工号, audited."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from tests.conftest import World
from tests.people.sheets import ROSTER_HEADER, person, roster, xlsx
from tianping.audit.models import AuditEvent
from tianping.audit.recording import snapshot
from tianping.orgs.actions import do_create_org
from tianping.orgs.models import OrgKind
from tianping.people.actions import PERSON_FIELDS
from tianping.people.exporting import roster_workbook
from tianping.people.importing import import_roster, parse_roster
from tianping.people.models import Person, Placement

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int]:
    return Person.objects.count(), Placement.objects.count(), AuditEvent.objects.count()


def everyone() -> dict[str, dict[str, Any]]:
    return {p.employee_no: snapshot(p, PERSON_FIELDS) for p in Person.objects.all()}


def open_placements(no: str) -> dict[str, tuple[str, dt.date | None]]:
    return {
        p.kind: (p.org.code, p.since)
        for p in Placement.objects.filter(
            person__employee_no=no, until__isnull=True
        ).select_related("org")
    }


# --- rejected whole -------------------------------------------------------------------


def test_a_roster_with_bad_rows_is_rejected_whole(world: World) -> None:
    book = roster(
        person("JY0100", "新人甲", 出生日期="1990-01-01", 部门="民事审判庭"),
        person("JY0101", "新人乙", 出生日期="1985-13-01", 人员类别="员额法官"),
        person("JY0102", "新人丙", 人员类别="律师"),
        person("JY0100", "新人丁"),
        person("JY0103", "新人戊", 所在支部="第九党支部"),
        person("JY0001", "王芳", 出生日期="1985-03-02", 部门="民事审判庭", 所在支部="第一党支部"),
        title_rows=[["九原区人民法院花名册"]],
    )
    before, people_before = counts(), everyone()
    result = import_roster(book, world.org("BT-JY"), None)
    assert result.as_json() == {
        "ok": False,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "errors": [
            {
                "row": 4,
                "column": "出生日期",
                "value": "1985-13-01",
                "message": "不是有效的日期：没有13月",
            },
            {
                "row": 5,
                "column": "人员类别",
                "value": "律师",
                "message": "无法识别的人员类别，可填：员额法官、法官助理、书记员、司法警察、司法行政人员",
                # An unknown term carries the standard values it may be mapped to.
                "offered": ["员额法官", "法官助理", "书记员", "司法警察", "司法行政人员"],
            },
            {"row": 6, "column": "工号", "value": "JY0100", "message": "工号“JY0100”与第3行重复"},
            {
                "row": 7,
                "column": "所在支部",
                "value": "第九党支部",
                "message": "九原区人民法院没有代码或名称为“第九党支部”的支部",
            },
        ],
    }
    assert counts() == before
    assert everyone() == people_before
    assert not AuditEvent.objects.filter(action="people.import").exists()


def test_errors_name_the_column_as_the_sheet_writes_it(world: World) -> None:
    book = roster(
        {"人员编号": "JY0100", "姓名": "新人", "出生年月": "1985.13", "性 别": "男"},
        header=["人员编号", "姓名", "出生年月", "性 别"],
    )
    result = import_roster(book, world.org("BT-JY"), None)
    assert [e.as_dict() for e in result.errors] == [
        {"row": 2, "column": "出生年月", "value": "1985.13", "message": "不是有效的日期：没有13月"}
    ]


def test_a_blank_employee_number_or_name_is_an_error(world: World) -> None:
    result = import_roster(
        roster(person(None, "无号"), person("JY0200", None)), world.org("BT-JY"), None
    )
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (2, "工号", "工号不能为空"),
        (3, "姓名", "姓名不能为空"),
    ]


def test_party_dates_must_follow_each_other(world: World) -> None:
    result = import_roster(
        roster(
            person("JY0100", "甲", 出生日期="1990-01-01", 入党日期="1989-07-01"),
            person(
                "JY0101", "乙", 出生日期="1980-01-01", 入党日期="2010-07-01", 转正日期="2009-07-01"
            ),
        ),
        world.org("BT-JY"),
        None,
    )
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (2, "入党日期", "入党日期不能早于出生日期"),
        (3, "转正日期", "转正日期不能早于入党日期"),
    ]


def test_problems_found_by_comparing_with_the_roster_are_reported_with_the_rest(
    world: World,
) -> None:
    result = import_roster(
        roster(
            person("JY0100", "甲", 出生日期="1990-01-01", 入党日期="1989-07-01"),
            person("JY0101", "乙", 人员类别="律师"),
        ),
        world.org("BT-JY"),
        None,
    )
    assert [(e.row, e.column) for e in result.errors] == [(2, "入党日期"), (3, "人员类别")]


def test_a_department_of_another_court_is_not_found(world: World) -> None:
    # 民事审判庭 belongs to the basic court BT-JY, not to the mid court above it.
    result = import_roster(
        roster(person("BT0100", "新人", 部门="民事审判庭")), world.org("BT"), None
    )
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (2, "部门", "包头市中级人民法院没有代码或名称为“民事审判庭”的部门")
    ]


def test_a_branch_written_in_the_department_column_is_explained(world: World) -> None:
    result = import_roster(
        roster(person("JY0100", "新人", 部门="第一党支部")), world.org("BT-JY"), None
    )
    assert result.errors[0].message == "“第一党支部”是党支部，不是部门"


def test_a_group_must_be_under_the_named_branch(world: World) -> None:
    result = import_roster(
        roster(person("JY0100", "新人", 所在支部="第二党支部", 所在党小组="第一党小组")),
        world.org("BT-JY"),
        None,
    )
    assert [(e.row, e.column, e.value, e.message) for e in result.errors] == [
        (2, "所在党小组", "第一党小组", "“第一党小组”不属于第二党支部")
    ]


def test_a_sheet_that_is_not_a_roster_is_an_error(world: World) -> None:
    result = import_roster(xlsx([["序号", "备注"], [1, "x"]]), world.org("BT-JY"), None)
    assert not result.ok
    assert "找不到表头" in result.errors[0].message


# --- understood -----------------------------------------------------------------------


def test_messy_but_understandable_values_import_correctly(world: World) -> None:
    header = [
        "序号",
        "人员编号",
        "姓 名",
        "性别",
        "出生年月",
        "民族",
        "文化程度",
        "人员类别",
        "职务",
        "所在部门",
        "政治面貌",
        "入党时间",
        "转正时间",
        "党支部",
        "党小组",
        "人员状态",
    ]
    rows = [
        [
            1,
            "ＪＹ０１００",
            "王　小芳",
            "女",
            "1985年3月2日",
            "汉",
            "研究生",
            "員額法官",
            "副庭長",
            "BT-JY-MS",
            "党员",
            "2008.07",
            "2009/7/1",
            "第一党支部",
            "第一党小组",
            "在职",
        ],
        [
            2,
            "JY0101",
            "买买提•艾力",
            "男性",
            dt.datetime(1990, 5, 1),
            "维吾尔族",
            "本科",
            "法官助理",
            "一般干警",
            "政治部",
            "预备党员",
            dt.datetime(2023, 7, 1),
            None,
            "BT-JY-B02",
            None,
            None,
        ],
        [
            3,
            " JY0102 ",
            "李 四",
            "男",
            31108,
            "蒙族",
            "大专",
            "书记员",
            "科员",
            "民事审判庭",
            "民盟",
            None,
            None,
            None,
            None,
            "退休",
        ],
    ]
    book = xlsx([header, *rows], title_rows=[["九原区人民法院干警花名册"], ["截至2024年3月"]])
    result = import_roster(book, world.org("BT-JY"), None)
    assert result.as_json() == {
        "ok": True,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
    }
    got = {
        no: snapshot(Person.objects.get(employee_no=no), PERSON_FIELDS)
        for no in ("JY0100", "JY0101", "JY0102")
    }
    assert got["JY0100"] == {
        "employee_no": "JY0100",
        "name": "王小芳",
        "gender": "女",
        "birth_date": "1985-03-02",
        "ethnicity": "汉族",
        "education": "硕士研究生",
        "category": "员额法官",
        "post_level": "中层副职",
        "political_status": "中共党员",
        "party_joined_on": "2008-07-01",
        "full_member_on": "2009-07-01",
        "department": "民事审判庭",
        "party_org": "第一党支部",
        "party_group": "第一党小组",
        "status": "在职",
        # The older sheet's 职务 column is the title, and gives the level it names.
        "title": "副庭長",
        "judge_grade": None,
        "police_rank": None,
        "civil_rank": None,
        "work_started_on": None,
        "joined_court_on": None,
        "native_place": "",
        "degree": None,
        "phone": "",
    }
    # A cell that only names a level is no title.
    assert got["JY0101"]["title"] == "" and got["JY0101"]["post_level"] == "一般干警"
    assert got["JY0101"]["name"] == "买买提·艾力"
    assert got["JY0101"]["birth_date"] == "1990-05-01"
    assert got["JY0101"]["party_org"] == "第二党支部"
    assert got["JY0101"]["political_status"] == "中共预备党员"
    assert got["JY0102"]["name"] == "李四"
    assert got["JY0102"]["birth_date"] == "1985-03-02"
    assert got["JY0102"]["ethnicity"] == "蒙古族"
    assert got["JY0102"]["political_status"] == "民主党派"
    assert got["JY0102"]["status"] == "退休"
    assert got["JY0102"]["post_level"] == "一般干警"
    wang = Person.objects.get(employee_no="JY0100")
    assert (wang.name_pinyin, wang.name_initials) == ("wangxiaofang", "wxf")


def test_new_people_are_placed_from_an_unknown_start(world: World) -> None:
    import_roster(
        roster(
            person(
                "JY0100", "新人", 部门="民事审判庭", 所在支部="第一党支部", 所在党小组="第一党小组"
            )
        ),
        world.org("BT-JY"),
        None,
    )
    assert open_placements("JY0100") == {
        "department": ("BT-JY-MS", None),
        "party_org": ("BT-JY-B01", None),
        "party_group": ("BT-JY-B01-G1", None),
    }


def test_a_group_alone_implies_its_branch_when_the_sheet_has_no_branch_column(world: World) -> None:
    book = roster(
        person("JY0100", "新人", 所在党小组="BT-JY-B01-G1"), header=["工号", "姓名", "所在党小组"]
    )
    assert import_roster(book, world.org("BT-JY"), None).ok
    assert open_placements("JY0100") == {
        "party_org": ("BT-JY-B01", None),
        "party_group": ("BT-JY-B01-G1", None),
    }


def test_columns_the_sheet_leaves_out_are_left_alone(world: World) -> None:
    before = everyone()["JY0001"]
    result = import_roster(
        roster(person("JY0001", "王芳", 性别="女"), header=["工号", "姓名", "性别"]),
        world.org("BT-JY"),
        None,
    )
    assert result.as_json()["unchanged"] == 1
    assert everyone()["JY0001"] == before


def test_a_blank_status_keeps_the_persons_status(world: World) -> None:
    import_roster(
        roster(person("JY0004", "周强", 状态="退休"), header=["工号", "姓名", "状态"]),
        world.org("BT-JY"),
        None,
    )
    import_roster(
        roster(person("JY0004", "周强", 状态=None), header=["工号", "姓名", "状态"]),
        world.org("BT-JY"),
        None,
    )
    assert Person.objects.get(employee_no="JY0004").get_status_display() == "退休"


# --- upsert, history and audit --------------------------------------------------------


def _world_roster(world: World, **changes: dict[str, Any]) -> io.BytesIO:
    """The basic court's roster as exported, with some cells changed per 工号."""
    wb = load_workbook(roster_workbook(Person.objects.filter(court__code="BT-JY")))
    sheet = wb.active
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        no = row[0].value
        for column, value in changes.get(no, {}).items():
            row[header.index(column)].value = value
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def test_export_then_import_changes_nothing(world: World) -> None:
    before, people_before = counts(), everyone()
    result = import_roster(_world_roster(world), world.org("BT-JY"), None)
    assert result.as_json() == {
        "ok": True,
        "created": 0,
        "updated": 0,
        "unchanged": 4,
        "errors": [],
    }
    assert counts() == before
    assert everyone() == people_before


def test_reimporting_the_same_sheet_changes_nothing_and_writes_no_audit_rows(world: World) -> None:
    book = roster(
        person(
            "JY0100",
            "新人甲",
            性别="男",
            出生日期="1990-01-01",
            部门="民事审判庭",
            所在支部="第一党支部",
            所在党小组="第一党小组",
            政治面貌="中共党员",
        ),
        person("JY0101", "新人乙", 性别="女", 出生日期="1991.02", 部门="政治部", 人员类别="書記員"),
    )
    first = import_roster(book, world.org("BT-JY"), None)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    before, people_before = counts(), everyone()
    book.seek(0)
    second = import_roster(book, world.org("BT-JY"), None)
    assert second.as_json() == {
        "ok": True,
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "errors": [],
    }
    assert counts() == before
    assert everyone() == people_before


def test_a_changed_department_closes_the_old_placement_and_opens_a_new_one(world: World) -> None:
    today = timezone.localdate()
    result = import_roster(
        _world_roster(world, JY0001={"部门": "政治部"}), world.org("BT-JY"), None
    )
    assert (result.created, result.updated, result.unchanged) == (0, 1, 3)
    wang = Person.objects.get(employee_no="JY0001")
    assert wang.department.code == "BT-JY-ZZB"
    history = list(
        Placement.objects.filter(person=wang, kind="department")
        .order_by("id")
        .values_list("org__code", "since", "until")
    )
    assert history == [("BT-JY-MS", dt.date(2020, 1, 1), today), ("BT-JY-ZZB", today, None)]
    assert open_placements("JY0001")["party_org"] == ("BT-JY-B01", dt.date(2020, 1, 1))


def test_a_second_change_on_the_same_day_corrects_the_days_placement(world: World) -> None:
    court = world.org("BT-JY")
    import_roster(_world_roster(world, JY0001={"部门": "政治部"}), court, None)
    import_roster(_world_roster(world, JY0001={"部门": "BT-JY-MS"}), court, None)
    history = list(
        Placement.objects.filter(person__employee_no="JY0001", kind="department")
        .order_by("id")
        .values_list("org__code", "until")
    )
    today = timezone.localdate()
    assert history == [("BT-JY-MS", today), ("BT-JY-MS", None)]


def test_a_new_branch_ends_the_old_party_group(world: World) -> None:
    court = world.org("BT-JY")
    import_roster(_world_roster(world, JY0001={"所在党小组": "第一党小组"}), court, None)
    assert Person.objects.get(employee_no="JY0001").party_group.code == "BT-JY-B01-G1"
    book = roster(
        person("JY0001", "王芳", 所在支部="第二党支部"), header=["工号", "姓名", "所在支部"]
    )
    assert import_roster(book, court, None).updated == 1
    wang = Person.objects.get(employee_no="JY0001")
    assert (wang.party_org.code, wang.party_group) == ("BT-JY-B02", None)
    assert set(open_placements("JY0001")) == {"department", "party_org"}


def test_a_blank_branch_cell_ends_the_branch_placement(world: World) -> None:
    import_roster(_world_roster(world, JY0001={"所在支部": None}), world.org("BT-JY"), None)
    wang = Person.objects.get(employee_no="JY0001")
    assert wang.party_org is None
    assert Placement.objects.get(person=wang, kind="party_org").until == timezone.localdate()


def test_each_created_or_changed_person_has_one_audit_row_in_one_batch(world: World) -> None:
    wb = load_workbook(_world_roster(world, JY0002={"人员类别": "员额法官"}))
    wb.active.append(["JY0100", "新人", "男", "1990-01-01", None, None, None, None, "政治部"])
    book = io.BytesIO()
    wb.save(book)
    book.seek(0)
    user = world.users["alice"]
    result = import_roster(book, world.org("BT-JY"), user)
    assert (result.created, result.updated, result.unchanged) == (1, 1, 3)
    events = list(AuditEvent.objects.filter(action="people.import").order_by("id"))
    assert len(events) == 2
    assert len({e.batch for e in events}) == 1 and events[0].batch
    zhao = Person.objects.get(employee_no="JY0002")
    new = Person.objects.get(employee_no="JY0100")
    changed, created = (e for e in sorted(events, key=lambda e: e.object_id != str(zhao.pk)))
    assert (changed.object_type, changed.object_id, changed.object_repr) == (
        "people.person",
        str(zhao.pk),
        "赵磊（JY0002）",
    )
    assert changed.before["category"] == "书记员"
    assert changed.after == snapshot(zhao, PERSON_FIELDS)
    assert created.before is None
    assert created.after == snapshot(new, PERSON_FIELDS)
    assert created.org.code == changed.org.code == "BT-JY"
    assert created.user == user and created.user_label == "alice"


def test_a_mid_courts_export_reimports_with_its_basic_courts(world: World) -> None:
    bt = world.org("BT")
    book = roster_workbook(Person.objects.filter(court__path__startswith=bt.path))
    before, people_before = counts(), everyone()
    result = import_roster(book, bt, None)
    assert result.as_json() == {
        "ok": True,
        "created": 0,
        "updated": 0,
        "unchanged": 6,
        "errors": [],
    }
    assert counts() == before
    assert everyone() == people_before


def test_the_court_column_places_new_people_in_a_basic_court(world: World) -> None:
    header = [*ROSTER_HEADER, "所在法院"]
    book = roster(
        person("JY0100", "新人", 部门="民事审判庭", 所在法院="九原区人民法院"), header=header
    )
    assert import_roster(book, world.org("BT"), None).created == 1
    assert Person.objects.get(employee_no="JY0100").court.code == "BT-JY"


def test_a_shared_department_name_is_written_and_read_as_its_code(world: World) -> None:
    court = world.org("BT-JY")
    parent = world.org("BT-JY-MS")
    do_create_org(None, code="BT-JY-ZZB2", name="政治部", kind=OrgKind.DEPARTMENT, parent=parent)
    # 政治部 is now ambiguous in BT-JY: by name it is an error, by code it is found.
    result = import_roster(roster(person("JY0100", "新人", 部门="政治部")), court, None)
    assert "有多个名为“政治部”的部门" in result.errors[0].message
    before = everyone()
    assert import_roster(_world_roster(world), court, None).unchanged == 4
    assert everyone() == before


# --- dry run and the command ----------------------------------------------------------


def test_parse_and_dry_run_write_nothing(world: World) -> None:
    before = counts()
    book = roster(person("JY0100", "新人"), person("JY0001", "王芳芳"))
    plan = parse_roster(book, world.org("BT-JY"))
    assert (len(plan.new), len(plan.changed)) == (1, 1)
    book.seek(0)
    result = import_roster(book, world.org("BT-JY"), None, dry_run=True)
    assert result.as_json() == {
        "ok": True,
        "created": 1,
        "updated": 1,
        "unchanged": 0,
        "errors": [],
        "dry_run": True,
    }
    assert counts() == before


def _command(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("import_roster", *args, stdout=out, stderr=err)
    except CommandError as e:
        return e.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_the_command_prints_json_and_exits_1_on_bad_input(world: World, tmp_path: Path) -> None:
    path = roster(person("JY0100", "新人", 出生日期="1985-13-01"), path=tmp_path / "r.xlsx")
    before = counts()
    code, out, err = _command(str(path), "--court", "BT-JY", "--json")
    assert code == 1
    assert json.loads(out) == {
        "ok": False,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "errors": [
            {
                "row": 2,
                "column": "出生日期",
                "value": "1985-13-01",
                "message": "不是有效的日期：没有13月",
            }
        ],
    }
    assert "不是有效的日期" in out  # UTF-8, not \\u escapes
    assert counts() == before


def test_the_command_imports_and_exits_0(world: World, tmp_path: Path) -> None:
    path = roster(person("JY0100", "新人"), path=tmp_path / "r.xlsx")
    code, out, _ = _command(str(path), "--court", "BT-JY", "--json")
    assert code == 0
    assert json.loads(out) == {"ok": True, "created": 1, "updated": 0, "unchanged": 0, "errors": []}
    assert Person.objects.filter(employee_no="JY0100").exists()


def test_the_command_dry_run_writes_nothing(world: World, tmp_path: Path) -> None:
    path = roster(person("JY0100", "新人"), path=tmp_path / "r.xlsx")
    before = counts()
    code, out, _ = _command(str(path), "--court", "BT-JY", "--dry-run")
    assert code == 0
    assert "试运行" in out and "新增1人" in out
    assert counts() == before


def test_the_command_lists_each_problem_in_chinese(world: World, tmp_path: Path) -> None:
    path = roster(person("JY0100", "新人", 出生日期="1985-13-01"), path=tmp_path / "r.xlsx")
    code, out, _ = _command(str(path), "--court", "BT-JY")
    assert code == 1
    assert "第2行 出生日期「1985-13-01」：不是有效的日期：没有13月" in out


@pytest.mark.parametrize(
    ("court", "says"), [("NOPE", "找不到代码为“NOPE”的法院"), ("BT-JY-MS", "“民事审判庭”不是法院")]
)
def test_an_unknown_court_is_bad_input(world: World, tmp_path: Path, court: str, says: str) -> None:
    path = roster(person("JY0100", "新人"), path=tmp_path / "r.xlsx")
    code, out, _ = _command(str(path), "--court", court, "--json")
    assert code == 1
    assert json.loads(out)["errors"][0]["message"] == says


@pytest.mark.own_sqlite
def test_the_installed_command_keeps_stdout_to_json_and_its_exit_codes(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TIANPING_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "TIANPING_VAR": str(tmp_path),
    }
    tianping = [sys.executable, "-m", "tianping.cli"]
    orgs = xlsx(
        [
            ["代码", "名称", "类型", "上级代码"],
            ["HB", "包头市中级人民法院", "中级人民法院", None],
            ["HB-ZZB", "政治部", "部门", "HB"],
        ],
        path=tmp_path / "orgs.xlsx",
    )
    done = subprocess.run(
        [*tianping, "import-orgs", str(orgs), "--json"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["created"] == 2
    bad = roster(person("HB0001", "张三", 部门="不存在的庭"), path=tmp_path / "bad.xlsx")
    done = subprocess.run(
        [*tianping, "import-roster", str(bad), "--court", "HB", "--json"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert json.loads(done.stdout)["errors"][0]["column"] == "部门"
    good = roster(person("HB0001", "张三", 部门="政治部"), path=tmp_path / "good.xlsx")
    done = subprocess.run(
        [*tianping, "import-roster", str(good), "--court", "HB", "--json"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert (done.returncode, json.loads(done.stdout)["created"]) == (0, 1)
    out = tmp_path / "out.xlsx"
    done = subprocess.run(
        [*tianping, "export-roster", "--org", "HB", "-o", str(out)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [*tianping, "import-roster", str(out), "--court", "HB", "--json"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert json.loads(done.stdout) == {
        "ok": True,
        "created": 0,
        "updated": 0,
        "unchanged": 1,
        "errors": [],
    }
    done = subprocess.run(
        [*tianping, "import-roster", str(good)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 2
