"""`tianping compliance` per CONTRACT.md: the JSON document exactly, a Chinese table, exit codes."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tianping.activities import actions


def _run(*args):
    out, err = StringIO(), StringIO()
    call_command("compliance", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _held(world, code, kind, on):
    return actions.do_record_past_activity(
        world.users["admin"], world.org(code), kind=kind, title="会议", on=on, attendance={}
    )


def test_the_json_document_has_exactly_the_contract_shape_R1_5(world):
    _held(world, "BT-JY-B02", "branch_congress", dt.date(2024, 3, 29))
    out, err = _run("--org", "BT-JY", "--year", "2024", "--as-of", "2024-12-31", "--json")
    doc = json.loads(out)
    assert list(doc) == ["org", "year", "as_of", "rows", "summary"]
    assert (doc["org"], doc["year"], doc["as_of"]) == ("BT-JY", 2024, "2024-12-31")
    assert list(doc["summary"]) == ["required", "met", "missing", "upcoming", "rate"]
    for row in doc["rows"]:
        assert list(row) == [
            "org",
            "org_name",
            "kind",
            "kind_name",
            "period",
            "required",
            "held",
            "status",
        ]
    q1 = [
        r
        for r in doc["rows"]
        if r["org"] == "BT-JY-B02" and r["period"] == "2024-Q1" and r["kind"] == "branch_congress"
    ]
    assert q1 == [
        {
            "org": "BT-JY-B02",
            "org_name": "第二党支部",
            "kind": "branch_congress",
            "kind_name": "支部党员大会",
            "period": "2024-Q1",
            "required": 1,
            "held": 1,
            "status": "met",
        }
    ]
    summary = doc["summary"]
    assert summary["required"] == len(doc["rows"])
    assert summary["required"] == summary["met"] + summary["missing"] + summary["upcoming"]
    assert summary["rate"] == round(summary["met"] / (summary["met"] + summary["missing"]), 4)
    # UTF-8, not \u escapes; nothing but the document on stdout.
    assert "第二党支部" in out and "\\u" not in out
    assert out.strip().startswith("{") and out.strip().endswith("}")
    assert err == ""


def test_the_secretary_lecture_row_uses_the_party_lecture_kind(world):
    out, _ = _run("--org", "BT-JY-JGDW", "--year", "2024", "--json")
    lecture = [r for r in json.loads(out)["rows"] if r["kind_name"] == "党委（党组）书记讲党课"]
    assert lecture == [
        {
            "org": "BT-JY-JGDW",
            "org_name": "机关党委",
            "kind": "party_lecture",
            "kind_name": "党委（党组）书记讲党课",
            "period": "2024",
            "required": 1,
            "held": 0,
            "status": "missing",
        }
    ]


def test_as_of_defaults_to_the_end_of_a_past_year(world):
    out, _ = _run("--org", "BT-JY-B01", "--year", "2024", "--json")
    doc = json.loads(out)
    assert doc["as_of"] == "2024-12-31"
    assert doc["summary"]["upcoming"] == 0


def test_as_of_makes_later_periods_upcoming(world):
    out, _ = _run("--org", "BT-JY-B01", "--year", "2024", "--as-of", "2024-03-15", "--json")
    rows = {(r["kind"], r["period"]): r["status"] for r in json.loads(out)["rows"]}
    assert rows[("theme_day", "2024-02")] == "missing"
    assert rows[("theme_day", "2024-03")] == "upcoming"
    assert rows[("branch_congress", "2024-Q1")] == "upcoming"


def test_nothing_due_gives_a_null_rate(world):
    out, _ = _run("--org", "BT-JY-MS", "--year", "2024", "--json")
    doc = json.loads(out)
    assert doc["rows"] == []
    assert doc["summary"] == {"required": 0, "met": 0, "missing": 0, "upcoming": 0, "rate": None}


def test_without_json_it_prints_a_readable_chinese_table(world):
    _held(world, "BT-JY-B02", "theme_day", dt.date(2024, 1, 9))
    out, _ = _run("--org", "BT-JY-B02", "--year", "2024")
    assert "第二党支部（BT-JY-B02）2024年度组织生活合规情况（截至2024-12-31）" in out
    assert "组织代码" in out and "状态" in out
    line = next(x for x in out.splitlines() if "2024-01" in x and "主题党日" in x)
    assert line.split()[-3:] == ["1", "1", "已完成"]
    assert any("2024-02" in x and "缺项" in x for x in out.splitlines())


def test_an_unknown_organisation_exits_1_with_a_chinese_message(world):
    with pytest.raises(CommandError) as caught:
        _run("--org", "NOPE", "--year", "2024", "--json")
    assert caught.value.returncode == 1
    assert "找不到代码为“NOPE”的组织" in str(caught.value)


def test_a_bad_year_and_a_bad_date_are_both_reported(world):
    with pytest.raises(CommandError) as caught:
        _run("--org", "BT", "--year", "24x", "--as-of", "2024-13-01")
    assert caught.value.returncode == 1
    assert "年度“24x”无效" in str(caught.value) and "日期“2024-13-01”无效" in str(caught.value)
