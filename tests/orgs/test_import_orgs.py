"""`tianping import-orgs`: the organisation tree from a sheet, all or nothing, every write audited."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import World
from tests.people.sheets import xlsx
from tianping.audit.models import AuditEvent
from tianping.orgs.importing import import_orgs, parse_orgs
from tianping.orgs.models import Org, OrgKind

HEADER = ["代码", "名称", "类型", "上级代码"]


def sheet(
    *rows: list[Any], header: list[str] = HEADER, title_rows: list[list[Any]] | None = None
) -> Any:
    return xlsx([header, *rows], title_rows=title_rows or [])


def tree() -> dict[str, tuple[str, str, str | None]]:
    """code → (name, kind, parent code) for every organisation."""
    orgs = list(Org.objects.all())
    by_path = {o.path: o for o in orgs}
    return {
        o.code: (o.name, o.kind, by_path[o.path[: -Org.steplen]].code if o.depth > 1 else None)
        for o in orgs
    }


def test_a_tree_imports_even_when_children_come_before_their_parents(empty_db: None) -> None:
    result = import_orgs(
        sheet(
            ["HB-JY-B01-G1", "第一党小组", "党小组", "HB-JY-B01"],
            ["HB-JY-B01", "第一党支部", "党支部", "HB-JY-JGDW"],
            ["HB-JY-JGDW", "机关党委", "机关党委", "HB-JY"],
            ["HB-JY-MS", "民事审判庭", "部门", "HB-JY"],
            ["HB-JY", "九原区人民法院", "基层人民法院", "HB"],
            ["HB", "包头市中级人民法院", "中级人民法院", None],
            ["HB-DZ", "党组", "党组", "HB"],
        ),
        None,
    )
    assert result.as_json() == {
        "ok": True,
        "created": 7,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
    }
    assert tree() == {
        "HB": ("包头市中级人民法院", OrgKind.MID_COURT, None),
        "HB-DZ": ("党组", OrgKind.LEADING_GROUP, "HB"),
        "HB-JY": ("九原区人民法院", OrgKind.BASIC_COURT, "HB"),
        "HB-JY-MS": ("民事审判庭", OrgKind.DEPARTMENT, "HB-JY"),
        "HB-JY-JGDW": ("机关党委", OrgKind.PARTY_COMMITTEE, "HB-JY"),
        "HB-JY-B01": ("第一党支部", OrgKind.BRANCH, "HB-JY-JGDW"),
        "HB-JY-B01-G1": ("第一党小组", OrgKind.GROUP, "HB-JY-B01"),
    }


def test_every_created_organisation_is_audited(empty_db: None) -> None:
    import_orgs(
        sheet(
            ["HB", "包头市中级人民法院", "中级人民法院", None], ["HB-ZZB", "政治部", "部门", "HB"]
        ),
        None,
    )
    events = AuditEvent.objects.filter(action="orgs.create").order_by("id")
    assert [(e.object_repr, e.user_label) for e in events] == [
        ("包头市中级人民法院", "系统"),
        ("政治部", "系统"),
    ]


def test_messy_cells_and_title_rows_are_understood(empty_db: None) -> None:
    result = import_orgs(
        sheet(
            ["ＨＢ", " 包头市中级人民法院 ", "中院", None],
            ["HB-MS", "民事 审判庭", "庭室", "ＨＢ"],
            ["HB-JGDW", "機關黨委", "機關黨委", "HB"],
            header=["组织代码", "组织名称", "组织类型", "上级组织代码"],
            title_rows=[["包头市法院组织机构"]],
        ),
        None,
    )
    assert result.ok, result.errors
    assert tree() == {
        "HB": ("包头市中级人民法院", OrgKind.MID_COURT, None),
        "HB-MS": ("民事审判庭", OrgKind.DEPARTMENT, "HB"),
        "HB-JGDW": ("機關黨委", OrgKind.PARTY_COMMITTEE, "HB"),
    }


def test_reimporting_the_same_sheet_changes_nothing(world: World) -> None:
    rows = [
        ["BT", "包头市中级人民法院", "中级人民法院", None],
        ["BT-ZZB", "政治部", "部门", "BT"],
        ["BT-B01", "第一党支部", "党支部", "BT-JGDW"],
    ]
    before = AuditEvent.objects.count()
    result = import_orgs(sheet(*rows), None)
    assert result.as_json() == {
        "ok": True,
        "created": 0,
        "updated": 0,
        "unchanged": 3,
        "errors": [],
    }
    assert AuditEvent.objects.count() == before


def test_a_changed_name_renames_and_a_changed_parent_moves(world: World) -> None:
    result = import_orgs(
        sheet(
            ["BT-JY-MS", "民事审判第一庭", "部门", "BT-JY"],
            ["BT-JY-B02", "第二党支部", "党支部", "BT-JY-GB"],
            ["BT-JY-GB", "机关党总支", "党总支", "BT-JY-JGDW"],
        ),
        None,
    )
    assert result.as_json() == {
        "ok": True,
        "created": 1,
        "updated": 2,
        "unchanged": 0,
        "errors": [],
    }
    assert tree()["BT-JY-MS"] == ("民事审判第一庭", OrgKind.DEPARTMENT, "BT-JY")
    assert tree()["BT-JY-B02"] == ("第二党支部", OrgKind.BRANCH, "BT-JY-GB")
    assert AuditEvent.objects.filter(action="orgs.update", object_repr="民事审判第一庭").exists()
    assert AuditEvent.objects.filter(action="orgs.move", object_repr="第二党支部").exists()
    # The members of a moved branch go with it.
    assert world.people["sun"].party_org_id == Org.objects.get(code="BT-JY-B02").pk


def test_a_blank_parent_keeps_an_existing_organisation_where_it_is(world: World) -> None:
    result = import_orgs(sheet(["BT-JY-B01", "第一党支部", "党支部", None]), None)
    assert result.unchanged == 1
    assert tree()["BT-JY-B01"][2] == "BT-JY-JGDW"


def _rejected(book: Any) -> list[dict[str, Any]]:
    before = tree()
    audit_before = AuditEvent.objects.count()
    result = import_orgs(book, None)
    assert not result.ok
    assert result.as_json()["created"] == 0
    assert tree() == before, "nothing may be written"
    assert AuditEvent.objects.count() == audit_before
    return [e.as_dict() for e in result.errors]


def test_an_unknown_parent_is_rejected_and_nothing_is_written(world: World) -> None:
    errors = _rejected(sheet(["BT-XZ", "行政庭", "部门", "BT"], ["BT-XX", "某庭", "部门", "NOPE"]))
    assert errors == [
        {"row": 3, "column": "上级代码", "value": "NOPE", "message": "找不到代码为“NOPE”的上级组织"}
    ]


def test_a_cycle_is_rejected(world: World) -> None:
    errors = _rejected(
        sheet(
            ["X1", "甲庭", "部门", "X2"],
            ["X2", "乙庭", "部门", "X1"],
            ["BT-ZZB", "政治部", "部门", "BT-ZZB"],
        )
    )
    assert [(e["row"], e["column"]) for e in errors] == [
        (2, "上级代码"),
        (3, "上级代码"),
        (4, "上级代码"),
    ]
    assert "循环" in errors[0]["message"]
    assert errors[2]["message"] == "不能以自身为上级"


def test_moving_a_node_under_its_own_descendant_is_a_cycle(world: World) -> None:
    errors = _rejected(sheet(["BT-JY-JGDW", "机关党委", "机关党委", "BT-JY-B01"]))
    assert errors[0]["row"] == 2
    assert "循环" in errors[0]["message"] or "不能设在" in errors[0]["message"]


def test_duplicate_codes_in_the_sheet_are_rejected(empty_db: None) -> None:
    errors = _rejected(
        sheet(
            ["HB", "包头市中级人民法院", "中级人民法院", None],
            ["HB-ZZB", "政治部", "部门", "HB"],
            ["HB-ZZB", "政治处", "部门", "HB"],
        )
    )
    assert errors == [
        {"row": 4, "column": "代码", "value": "HB-ZZB", "message": "代码“HB-ZZB”与第3行重复"}
    ]


def test_a_kind_under_a_parent_it_may_not_sit_under_is_rejected(world: World) -> None:
    errors = _rejected(
        sheet(
            ["BT-JY-MS-G", "审判党小组", "党小组", "BT-JY-MS"], ["BT-NEW", "新部门", "部门", None]
        )
    )
    assert errors == [
        {
            "row": 2,
            "column": "上级代码",
            "value": "BT-JY-MS",
            "message": "党小组不能设在部门“民事审判庭”之下",
        },
        {"row": 3, "column": "类型", "value": "部门", "message": "部门必须有上级组织"},
    ]


def test_an_unknown_kind_and_blank_cells_are_rejected(empty_db: None) -> None:
    errors = _rejected(
        sheet(
            ["HB", "包头市中级人民法院", "法院", None],
            [None, "政治部", "部门", "HB"],
            ["HB-X", None, "部门", "HB"],
        )
    )
    assert [(e["row"], e["column"]) for e in errors] == [(2, "类型"), (3, "代码"), (4, "名称")]
    assert errors[0]["message"].startswith("无法识别的组织类型，可填：高级人民法院、中级人民法院")


def test_the_kind_of_an_existing_organisation_cannot_change(world: World) -> None:
    errors = _rejected(sheet(["BT-ZZB", "政治部", "党支部", "BT-JGDW"]))
    assert errors[0]["column"] == "类型"
    assert "不能修改组织类型" in errors[0]["message"]


def test_parse_orgs_writes_nothing(empty_db: None) -> None:
    plan = parse_orgs(sheet(["HB", "包头市中级人民法院", "中级人民法院", None]))
    assert plan.ok
    assert plan.result().created == 1
    assert not Org.objects.exists()


# --- the command ----------------------------------------------------------------------


def _run(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("import_orgs", *args, stdout=out, stderr=err)
    except CommandError as e:
        return e.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_the_command_prints_json_and_exits_0(empty_db: None, tmp_path: Path) -> None:
    path = sheet(["HB", "包头市中级人民法院", "中级人民法院", None])
    (tmp_path / "orgs.xlsx").write_bytes(path.getvalue())
    code, out, _ = _run(str(tmp_path / "orgs.xlsx"), "--json")
    assert code == 0
    assert json.loads(out) == {"ok": True, "created": 1, "updated": 0, "unchanged": 0, "errors": []}


def test_the_command_exits_1_on_bad_input_and_writes_nothing(
    empty_db: None, tmp_path: Path
) -> None:
    (tmp_path / "orgs.xlsx").write_bytes(
        sheet(["HB", "包头", "中级人民法院", None], ["HB-1", "某庭", "部门", "NOPE"]).getvalue()
    )
    code, out, err = _run(str(tmp_path / "orgs.xlsx"), "--json")
    assert code == 1
    data = json.loads(out)
    assert data["ok"] is False
    assert data["errors"][0]["row"] == 3
    assert "NOPE" in out  # UTF-8 JSON, no escapes
    assert "\\u" not in out
    assert not Org.objects.exists()


def test_the_command_reports_in_chinese_without_json(empty_db: None, tmp_path: Path) -> None:
    (tmp_path / "orgs.xlsx").write_bytes(
        sheet(["HB", "包头市中级人民法院", "中级人民法院", None]).getvalue()
    )
    code, out, _ = _run(str(tmp_path / "orgs.xlsx"), "--dry-run")
    assert code == 0
    assert "试运行" in out and "新增1个组织" in out
    assert not Org.objects.exists()


def test_a_missing_file_is_bad_input(empty_db: None, tmp_path: Path) -> None:
    code, out, _ = _run(str(tmp_path / "nope.xlsx"), "--json")
    assert code == 1
    assert json.loads(out)["errors"][0]["message"] == "找不到文件"


@pytest.mark.parametrize("kind", ["党组"])
def test_the_leading_group_kind_is_accepted(empty_db: None, kind: str) -> None:
    result = import_orgs(
        sheet(["HB", "包头市中级人民法院", "中级人民法院", None], ["HB-DZ", "党组", kind, "HB"]),
        None,
    )
    assert result.ok
    assert Org.objects.get(code="HB-DZ").kind == OrgKind.LEADING_GROUP
