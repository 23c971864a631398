"""Every import command takes --map 列名:原值=标准值 and reads the court's kept mappings."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.activities.test_import_activities import ledger
from tests.conftest import World
from tests.dues.conftest import pay_sheet
from tests.people.sheets import xlsx
from tianping.activities.models import Activity
from tianping.dues.models import DuesBase
from tianping.orgs.actions import do_map_values
from tianping.orgs.models import Org, OrgKind

pytestmark = pytest.mark.django_db


def run(command: str, *args: str) -> tuple[int, dict]:
    out, err = StringIO(), StringIO()
    try:
        call_command(command, *args, "--json", stdout=out, stderr=err)
    except CommandError as e:
        return e.returncode, json.loads(out.getvalue())
    return 0, json.loads(out.getvalue())


def test_import_orgs_maps_a_type(world: World, tmp_path: Path) -> None:
    path = xlsx(
        [
            ["代码", "名称", "类型", "上级代码"],
            ["BT-JY-B09", "第九党支部", "基层支部", "BT-JY-JGDW"],
        ],
        path=tmp_path / "orgs.xlsx",
    )
    code, document = run("import_orgs", str(path))
    assert code == 1
    assert document["errors"][0]["value"] == "基层支部"
    assert "党支部" in document["errors"][0]["offered"]
    code, document = run("import_orgs", str(path), "--map", "类型:基层支部=党支部")
    assert code == 0, document
    assert Org.objects.get(code="BT-JY-B09").kind == OrgKind.BRANCH


def test_import_activities_maps_a_kind_and_reads_kept_mappings(
    world: World, tmp_path: Path
) -> None:
    row = {"组织": "BT-JY-B01", "活动类型": "支部会", "日期": "2024-03-05", "标题": "三月支委会"}
    path = ledger(row, path=tmp_path / "ledger.xlsx")
    code, document = run("import_activities", str(path), "--court", "BT-JY", "--dry-run")
    assert code == 1 and document["errors"][0]["offered"]
    code, document = run(
        "import_activities",
        str(path),
        "--court",
        "BT-JY",
        "--map",
        "活动类型:支部会=支部委员会会议",
    )
    assert code == 0, document
    assert Activity.objects.get(title="三月支委会").kind == "branch_committee"

    # Kept for the court, the next ledger needs no option.
    do_map_values(
        world.users["alice"], world.org("BT-JY"), [("活动类型", "支部会", "支部委员会会议")]
    )
    row = {**row, "日期": "2024-04-05", "标题": "四月支委会"}
    code, document = run(
        "import_activities", str(ledger(row, path=tmp_path / "l2.xlsx")), "--court", "BT-JY"
    )
    assert code == 0, document


def test_dues_sheet_maps_a_status(world: World, tmp_path: Path) -> None:
    path = tmp_path / "pay.xlsx"
    path.write_bytes(pay_sheet(["JY0001", "王芳", 6500, "退养"]).getvalue())
    args = [str(path), "--court", "BT-JY", "--month", "2024-03", "-o", str(tmp_path / "d.xlsx")]
    code, document = run("dues_sheet", *args)
    assert code == 1
    assert document["errors"][0]["value"] == "退养" and "离退休" in document["errors"][0]["offered"]
    code, document = run("dues_sheet", *args, "--map", "人员状态:退养=离退休")
    assert code == 0, document
    assert document["rows"][0]["category"] == "离退休"
    assert DuesBase.objects.filter(person=world.people["wang"]).exists()


@pytest.mark.parametrize(
    "command",
    [
        ["import_orgs"],
        ["import_roster", "--court", "BT-JY"],
        ["import_activities", "--court", "BT-JY"],
    ],
)
def test_a_map_option_without_its_column_is_refused(
    world: World, tmp_path: Path, command: list[str]
) -> None:
    path = xlsx([["代码"]], path=tmp_path / "x.xlsx")
    code, document = run(command[0], str(path), *command[1:], "--map", "正科中层正职")
    assert code == 1
    assert document["errors"][0]["column"] == "--map"
