"""`tianping dues-sheet` per CONTRACT.md: the JSON shape, the sheet, exit codes, all or nothing."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tianping.audit.models import AuditEvent
from tianping.dues.models import DuesBase
from tianping.dues.paysheet import parse_money
from tianping.lib.sheets import CellError
from tianping.people.models import PoliticalStatus

from .conftest import member, pay_sheet, xlsx

MARCH = dt.date(2024, 3, 1)


def run(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("dues_sheet", *args, stdout=out, stderr=err)
    except CommandError as e:
        return e.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def save(buffer, path: Path) -> Path:
    path.write_bytes(buffer.getvalue())
    return path


def good_sheet(tmp_path: Path) -> Path:
    return save(
        pay_sheet(
            ["JY0001", "王芳", 6500, "在职"],
            ["JY0002", "赵磊", "3,000.00", None],  # blank 人员状态 is 在职
            ["JY0003", "孙 丽", 5000.01, ""],  # the padding inside a name is cleaned
            ["JY0004", "周强", 4000, "在职"],  # 群众: on the pay sheet, no dues
            title_rows=[["九原区人民法院2024年3月工资表"], []],
        ),
        tmp_path / "pay.xlsx",
    )


def test_the_json_document_has_the_contract_shape_with_money_as_decimal_strings(world, tmp_path):
    code, out, err = run(
        str(good_sheet(tmp_path)),
        "--court",
        "BT-JY",
        "--month",
        "2024-03",
        "-o",
        str(tmp_path / "dues.xlsx"),
        "--json",
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc == {
        "court": "BT-JY",
        "month": "2024-03",
        "rows": [
            {
                "employee_no": "JY0001",
                "name": "王芳",
                "base": "6500.00",
                "category": "在职",
                "rate": "0.015",
                "dues": "97.50",
            },
            {
                "employee_no": "JY0002",
                "name": "赵磊",
                "base": "3000.00",
                "category": "在职",
                "rate": "0.005",
                "dues": "15.00",
            },
            {
                "employee_no": "JY0003",
                "name": "孙丽",
                "base": "5000.01",
                "category": "在职",
                "rate": "0.015",
                "dues": "75.00",
            },
        ],
        "total": "187.50",
    }
    assert "王芳" in out  # UTF-8, not \u escapes
    assert "周强" in err and "非党员" in err


def test_the_dues_sheet_is_written_with_a_row_per_member_and_a_total(world, tmp_path):
    target = tmp_path / "dues.xlsx"
    code, out, _ = run(
        str(good_sheet(tmp_path)), "--court", "BT-JY", "--month", "2024-03", "-o", str(target)
    )
    assert code == 0
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert rows[0] == (
        "工号",
        "姓名",
        "所在支部",
        "月基数（元）",
        "人员状态",
        "交纳比例",
        "应交党费（元）",
    )
    assert rows[1] == ("JY0001", "王芳", "第一党支部", 6500, "在职", "1.5%", 97.5)
    assert rows[-1][0] == "合计" and rows[-1][-1] == 187.5
    assert "97.50" in out and "187.50" in out


def test_the_months_bases_are_recorded_and_audited_from_that_month(world, tmp_path):
    code, _, _ = run(
        str(good_sheet(tmp_path)),
        "--court",
        "BT-JY",
        "--month",
        "2024-03",
        "-o",
        str(tmp_path / "d.xlsx"),
    )
    assert code == 0
    bases = {
        b.person.employee_no: (b.since, b.base_fen, b.category) for b in DuesBase.objects.all()
    }
    assert bases == {
        "JY0001": (MARCH, 650_000, "serving"),
        "JY0002": (MARCH, 300_000, "serving"),
        "JY0003": (MARCH, 500_001, "serving"),
    }
    events = AuditEvent.objects.filter(action="dues.base")
    assert events.count() == 3 and len({e.batch for e in events}) == 1
    # Running it again changes nothing.
    run(
        str(good_sheet(tmp_path)),
        "--court",
        "BT-JY",
        "--month",
        "2024-03",
        "-o",
        str(tmp_path / "d.xlsx"),
    )
    assert AuditEvent.objects.filter(action="dues.base").count() == 3


def test_dry_run_writes_the_sheet_but_records_no_base(world, tmp_path):
    target = tmp_path / "dues.xlsx"
    code, out, err = run(
        str(good_sheet(tmp_path)),
        "--court",
        "BT-JY",
        "--month",
        "2024-03",
        "-o",
        str(target),
        "--json",
        "--dry-run",
    )
    assert code == 0 and json.loads(out)["total"] == "187.50"
    assert target.is_file()
    assert not DuesBase.objects.exists() and "试运行" in err


def test_r3_2_retired_students_unemployed_and_relief_states_are_read(world, tmp_path):
    member(world, "JY0201", "老李")
    member(world, "JY0202", "小周")
    member(world, "JY0203", "小吴")
    member(world, "JY0204", "老赵")
    sheet = save(
        pay_sheet(
            ["JY0201", "老李", 5000, "离退休"],
            ["JY0202", "小周", None, "学生"],
            ["JY0203", "小吴", 0, "失业"],
            ["JY0204", "老赵", 5001, "退休"],
        ),
        tmp_path / "pay.xlsx",
    )
    code, out, _ = run(
        str(sheet),
        "--court",
        "BT-JY",
        "--month",
        "2024-03",
        "-o",
        str(tmp_path / "d.xlsx"),
        "--json",
    )
    assert code == 0
    got = {
        r["employee_no"]: (r["category"], r["base"], r["rate"], r["dues"])
        for r in json.loads(out)["rows"]
    }
    assert got == {
        "JY0201": ("离退休", "5000.00", "0.005", "25.00"),
        "JY0202": ("学生", "0.00", None, "0.20"),
        "JY0203": ("失业", "0.00", None, "0.20"),
        "JY0204": ("离退休", "5001.00", "0.01", "50.01"),
    }


def test_a_bad_pay_sheet_is_rejected_whole_with_every_bad_row_named(world, tmp_path):
    sheet = save(
        pay_sheet(
            ["JY0001", "王芳", 6500, "在职"],
            ["JY0002", "赵磊", -100, "在职"],
            ["JY9999", "查无此人", 4000, "在职"],
            ["JY0003", "孙丽", 5000, "病休"],
            ["BT0001", "张华庆", 9000, "在职"],  # 中院's member: not in the basic court
            ["JY0001", "王芳", 6500, "在职"],
            ["JY0001", "王芳", 6500, "在职"],
        ),
        tmp_path / "pay.xlsx",
    )
    target = tmp_path / "dues.xlsx"
    code, out, err = run(
        str(sheet), "--court", "BT-JY", "--month", "2024-03", "-o", str(target), "--json"
    )
    assert code == 1
    doc = json.loads(out)
    assert doc["ok"] is False
    assert doc["errors"] == [
        {"row": 3, "column": "月基数", "value": "-100", "message": "月基数不能为负数"},
        {
            "row": 4,
            "column": "工号",
            "value": "JY9999",
            "message": "九原区人民法院没有工号为“JY9999”的人员",
        },
        {
            "row": 5,
            "column": "人员状态",
            "value": "病休",
            "message": "无法识别的人员状态，可填：在职、离退休、学生、失业、低保",
            # An unknown status carries the standard values it may be mapped to (--map).
            "offered": ["在职", "离退休", "学生", "失业", "低保"],
        },
        {
            "row": 6,
            "column": "工号",
            "value": "BT0001",
            "message": "九原区人民法院没有工号为“BT0001”的人员",
        },
        {"row": 7, "column": "工号", "value": "JY0001", "message": "工号“JY0001”与第2行重复"},
        {"row": 8, "column": "工号", "value": "JY0001", "message": "工号“JY0001”与第2行重复"},
    ]
    assert not target.exists() and not list(tmp_path.glob(".dues-*"))
    assert not DuesBase.objects.exists() and not AuditEvent.objects.filter(action="dues.base")
    assert "未写入任何数据" in err


def test_without_json_the_problems_are_listed_in_chinese_on_stderr(world, tmp_path):
    sheet = save(pay_sheet(["JY0001", "王芳", "六千", "在职"]), tmp_path / "pay.xlsx")
    code, out, err = run(
        str(sheet), "--court", "BT-JY", "--month", "2024-03", "-o", str(tmp_path / "d.xlsx")
    )
    assert code == 1 and out == ""
    assert "第2行 月基数「六千」：不是有效的金额" in err


def test_a_name_that_does_not_match_the_number_is_an_error(world, tmp_path):
    sheet = save(pay_sheet(["JY0001", "王小芳", 6500, "在职"]), tmp_path / "pay.xlsx")
    code, out, _ = run(
        str(sheet),
        "--court",
        "BT-JY",
        "--month",
        "2024-03",
        "-o",
        str(tmp_path / "d.xlsx"),
        "--json",
    )
    assert code == 1
    assert json.loads(out)["errors"][0]["message"] == "与工号不符：工号“JY0001”在花名册中是王芳"


def test_a_missing_base_column_or_blank_serving_base_is_an_error(world, tmp_path):
    no_column = save(xlsx([["工号", "姓名"], ["JY0001", "王芳"]]), tmp_path / "a.xlsx")
    code, out, _ = run(
        str(no_column),
        "--court",
        "BT-JY",
        "--month",
        "2024-03",
        "-o",
        str(tmp_path / "d.xlsx"),
        "--json",
    )
    assert code == 1 and "月基数" in json.loads(out)["errors"][0]["message"]
    blank = save(pay_sheet(["JY0001", "王芳", None, "在职"]), tmp_path / "b.xlsx")
    code, out, _ = run(
        str(blank),
        "--court",
        "BT-JY",
        "--month",
        "2024-03",
        "-o",
        str(tmp_path / "d.xlsx"),
        "--json",
    )
    assert json.loads(out)["errors"][0]["message"] == "月基数不能为空"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--court", "NOPE", "--month", "2024-03"], "找不到代码为“NOPE”的法院"),
        (["--court", "BT-JY-B01", "--month", "2024-03"], "“第一党支部”不是法院"),
        (["--court", "BT-JY", "--month", "2024-13"], "月份“2024-13”无效"),
    ],
)
def test_a_bad_court_or_month_is_bad_input(world, tmp_path, args, says):
    code, out, _ = run(str(good_sheet(tmp_path)), *args, "-o", str(tmp_path / "d.xlsx"), "--json")
    assert code == 1
    assert says in json.loads(out)["errors"][0]["message"]
    assert not (tmp_path / "d.xlsx").exists()


def test_a_probationary_member_before_the_resolution_month_gets_a_base_but_no_dues(world, tmp_path):
    member(
        world, "JY0300", "新党员", status=PoliticalStatus.PROBATIONARY, joined=dt.date(2024, 4, 2)
    )
    sheet = save(pay_sheet(["JY0300", "新党员", 4000, "在职"]), tmp_path / "pay.xlsx")
    code, out, err = run(
        str(sheet),
        "--court",
        "BT-JY",
        "--month",
        "2024-03",
        "-o",
        str(tmp_path / "d.xlsx"),
        "--json",
    )
    assert code == 0 and json.loads(out)["rows"] == [] and json.loads(out)["total"] == "0.00"
    assert "尚未入党" in err
    assert DuesBase.objects.get().base_fen == 400_000


def test_amount_cells_read_the_way_clerks_write_them():
    assert parse_money(6500) == 650_000
    assert parse_money(6500.5) == 650_050
    assert parse_money("￥6,500.00元") == 650_000
    assert parse_money("６５００") == 650_000
    assert parse_money(3333.3349999) == 333_333
    assert parse_money(None) is None and parse_money("  ") is None
    for bad in ("abc", True, "1e999999", -0.01):
        with pytest.raises(CellError):
            parse_money(bad)


@pytest.mark.own_sqlite
def test_the_installed_command_keeps_stdout_to_json_and_its_exit_codes(tmp_path):
    env = {
        **os.environ,
        "TIANPING_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "TIANPING_VAR": str(tmp_path),
    }
    tianping = [sys.executable, "-m", "tianping.cli"]

    def call(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*tianping, *args], env=env, capture_output=True, text=True)

    orgs = save(
        xlsx(
            [
                ["代码", "名称", "类型", "上级代码"],
                ["HB", "包头市中级人民法院", "中级人民法院", None],
                ["HB-JGDW", "机关党委", "机关党委", "HB"],
                ["HB-B01", "第一党支部", "党支部", "HB-JGDW"],
            ]
        ),
        tmp_path / "orgs.xlsx",
    )
    assert call("import-orgs", str(orgs)).returncode == 0
    roster = save(
        xlsx(
            [["工号", "姓名", "政治面貌", "所在支部"], ["HB0001", "张三", "中共党员", "第一党支部"]]
        ),
        tmp_path / "roster.xlsx",
    )
    assert call("import-roster", str(roster), "--court", "HB").returncode == 0
    good = save(pay_sheet(["HB0001", "张三", 10000.01, "在职"]), tmp_path / "pay.xlsx")
    done = call(
        "dues-sheet",
        str(good),
        "--court",
        "HB",
        "--month",
        "2024-03",
        "-o",
        str(tmp_path / "dues.xlsx"),
        "--json",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "court": "HB",
        "month": "2024-03",
        "rows": [
            {
                "employee_no": "HB0001",
                "name": "张三",
                "base": "10000.01",
                "category": "在职",
                "rate": "0.02",
                "dues": "200.00",
            }
        ],
        "total": "200.00",
    }
    bad = save(pay_sheet(["HB0001", "张三", -1, "在职"]), tmp_path / "bad.xlsx")
    done = call(
        "dues-sheet",
        str(bad),
        "--court",
        "HB",
        "--month",
        "2024-03",
        "-o",
        str(tmp_path / "bad-dues.xlsx"),
        "--json",
    )
    assert done.returncode == 1
    assert json.loads(done.stdout)["errors"][0]["message"] == "月基数不能为负数"
    assert not (tmp_path / "bad-dues.xlsx").exists()
    # A usage error (no -o) is exit 2.
    assert call("dues-sheet", str(good), "--court", "HB", "--month", "2024-03").returncode == 2
