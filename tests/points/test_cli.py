"""`tianping points` per CONTRACT.md: every party member of the subtree, ranked 1, 1, 3, ties by 工号."""

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tianping.people.actions import do_create_person
from tianping.people.models import PoliticalStatus
from tianping.points import actions

from .conftest import held


def _run(*args):
    out, err = StringIO(), StringIO()
    call_command("points", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_json_document_has_the_contract_shape_and_ranks_ties_1_1_3(world):
    court = world.org("BT-JY")
    # 李雷 ties with 王芳; 工号 JY0000 lists first among them.
    li = do_create_person(
        None,
        court,
        employee_no="JY0000",
        name="李雷",
        political_status=PoliticalStatus.MEMBER,
        party_org=world.org("BT-JY-B02"),
        since=dt.date(2024, 6, 1),
    )
    held(world, wang="present", zhao="absent")
    actions.do_post_manual(None, li, "1", "志愿讲解", dt.date(2024, 7, 1))
    actions.do_post_manual(None, world.people["sun"], "0.5", "征文", dt.date(2024, 7, 1))
    out, _ = _run("--org", "BT-JY", "--year", "2024", "--json")
    doc = json.loads(out)
    assert set(doc) == {"org", "year", "rows"}
    assert doc["org"] == "BT-JY" and doc["year"] == 2024
    assert doc["rows"] == [
        {"rank": 1, "employee_no": "JY0000", "name": "李雷", "points": 61.0},
        {"rank": 1, "employee_no": "JY0001", "name": "王芳", "points": 61.0},
        {"rank": 3, "employee_no": "JY0003", "name": "孙丽", "points": 60.5},
        {"rank": 4, "employee_no": "JY0002", "name": "赵磊", "points": 58.0},
    ]
    assert "\\u" not in out and "李雷" in out
    # 周强 (群众) is no party member; BT's and EH's members are outside the subtree.
    assert "JY0004" not in out and "BT0001" not in out


def test_members_placed_in_the_subtree_during_the_year_count_and_others_do_not(world):
    do_create_person(
        None,
        world.org("BT-JY"),
        employee_no="JY0100",
        name="新党员",
        political_status=PoliticalStatus.PROBATIONARY,
        party_org=world.org("BT-JY-B01"),
        since=dt.date(2025, 3, 1),
    )
    doc = json.loads(_run("--org", "BT-JY-B01", "--year", "2024", "--json")[0])
    assert [r["employee_no"] for r in doc["rows"]] == ["JY0001", "JY0002"]
    doc = json.loads(_run("--org", "BT-JY-B01", "--year", "2025", "--json")[0])
    assert [r["employee_no"] for r in doc["rows"]] == ["JY0001", "JY0002", "JY0100"]


def test_the_list_prints_whatever_the_ranking_setting_and_a_veto_scores_zero_R4_1(world):
    actions.do_veto(None, world.people["wang"], 2024, "党纪处分")
    doc = json.loads(_run("--org", "BT-JY-B01", "--year", "2024", "--json")[0])
    assert doc["rows"] == [
        {"rank": 1, "employee_no": "JY0002", "name": "赵磊", "points": 60.0},
        {"rank": 2, "employee_no": "JY0001", "name": "王芳", "points": 0.0},
    ]


def test_top_keeps_the_rows_ranked_n_or_better(world):
    held(world, wang="present", zhao="present")
    doc = json.loads(_run("--org", "BT-JY", "--year", "2024", "--top", "1", "--json")[0])
    assert [r["rank"] for r in doc["rows"]] == [1, 1]


def test_the_text_report_lists_the_rows(world):
    out, _ = _run("--org", "BT-JY-B01", "--year", "2024")
    assert "第一党支部" in out and "王芳" in out and "60.00" in out


def test_an_unknown_organisation_is_bad_input(world):
    with pytest.raises(CommandError) as e:
        _run("--org", "NOPE", "--year", "2024", "--json")
    assert e.value.returncode == 1 and "NOPE" in str(e.value)


def test_the_cli_scores_equal_the_ledger_sum(world):
    held(world, wang="present")
    doc = json.loads(_run("--org", "BT", "--year", "2024", "--json")[0])
    by_no = {r["employee_no"]: Decimal(str(r["points"])) for r in doc["rows"]}
    assert by_no["JY0001"] == Decimal("61") and by_no["BT0001"] == Decimal("60")
