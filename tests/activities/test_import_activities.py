"""The activity-ledger import (台账): all or nothing, recorded through the actions, re-import is a no-op."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import World
from tests.people.sheets import xlsx
from tianping.activities import actions
from tianping.activities.importing import KIND_CHOICES, import_ledger, parse_hours, parse_ledger
from tianping.activities.models import Activity, ActivitySource, Attendance
from tianping.audit.models import AuditEvent
from tianping.lib.sheets import CellError
from tianping.orgs.actions import do_create_org
from tianping.orgs.models import OrgKind
from tianping.people.actions import do_create_person
from tianping.points.models import PointEntry

pytestmark = pytest.mark.django_db

LEDGER_HEADER = [
    "组织",
    "活动类型",
    "日期",
    "标题",
    "地点",
    "时长",
    "参加人员",
    "请假人员",
    "缺席人员",
    "内容摘要",
]


def row(org: str, kind: str, on: Any, title: str | None = None, **columns: Any) -> dict[str, Any]:
    """A ledger row by column name; unnamed columns are blank."""
    return {"组织": org, "活动类型": kind, "日期": on, "标题": title, **columns}


def ledger(
    *rows: dict[str, Any],
    header: list[str] = LEDGER_HEADER,
    title_rows: list[list[Any]] | None = None,
    path: Path | None = None,
) -> Any:
    extra = [c for r in rows for c in r if c not in header]
    header = [*header, *dict.fromkeys(extra)]
    return xlsx(
        [header, *([r.get(c) for c in header] for r in rows)],
        title_rows=title_rows or [],
        path=path,
    )


def counts() -> tuple[int, int, int, int]:
    return (
        Activity.objects.count(),
        Attendance.objects.count(),
        PointEntry.objects.count(),
        AuditEvent.objects.count(),
    )


def attendance_of(activity: Activity) -> dict[str, str]:
    return {
        a.person.name: a.status
        for a in Attendance.objects.filter(activity=activity).select_related("person")
    }


def ledger_points() -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for entry in PointEntry.objects.select_related("person"):
        totals[entry.person.name] = totals.get(entry.person.name, Decimal(0)) + entry.points
    return totals


@pytest.fixture
def second_wang(world: World) -> Any:
    """Another 王芳 in 九原区人民法院: the name alone no longer says who."""
    return do_create_person(
        None,
        world.org("BT-JY"),
        employee_no="JY0107",
        name="王芳",
        political_status="member",
        party_org=world.org("BT-JY-B02"),
        since=dt.date(2020, 1, 1),
    )


# --- rejected whole -------------------------------------------------------------------


def test_a_ledger_with_bad_rows_is_rejected_whole_and_writes_nothing(
    world: World, second_wang: Any
) -> None:
    book = ledger(
        row("第一党支部", "支部委员会会议", "2024-03-28", "三月支委会", 参加人员="JY0001"),
        row("第一党支部", "支部联欢会", "2024-04-02", "联欢"),
        row("第一党支部", "主题党日", "2024-04-10", "四月主题党日", 参加人员="王芳、赵磊"),
        row("第一党支部", "党课", "2024-04-15", "专题党课", 参加人员="JY0001", 缺席人员="王小明"),
        row("第一党支部", "支部党员大会", "2024-13-01", "党员大会", 参加人员="赵磊"),
        title_rows=[["九原区人民法院2024年组织生活台账"]],
    )
    before = counts()
    result = import_ledger(book, world.org("BT-JY"), None)
    assert result.as_json() == {
        "ok": False,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "errors": [
            {
                "row": 4,
                "column": "活动类型",
                "value": "支部联欢会",
                "message": "无法识别的活动类型，可填：支部党员大会、支部委员会会议、党小组会、党课、"
                "主题党日、组织生活会、民主评议党员、谈心谈话、理论学习中心组学习、培训班、读书活动、"
                "读书推荐、志愿服务、普法宣传、法律咨询、结对共建、走访慰问、法官联系走访、办实事、"
                "演讲比赛、听我断案、文体活动、政治生日、技能竞赛、庭审观摩、调研活动",
                # An unknown kind carries the kinds it may be mapped to (--map 活动类型:…=…).
                "offered": KIND_CHOICES.offered,
            },
            {
                "row": 5,
                "column": "参加人员",
                "value": "王芳",
                "message": "九原区人民法院有2人名为“王芳”（工号JY0001、JY0107），请改填工号",
            },
            {
                "row": 6,
                "column": "缺席人员",
                "value": "王小明",
                "message": "九原区人民法院没有工号或姓名为“王小明”的人员",
            },
            {
                "row": 7,
                "column": "日期",
                "value": "2024-13-01",
                "message": "不是有效的日期：没有13月",
            },
        ],
    }
    # Row 3 was good, and still nothing was written: no activity, attendance, points or audit.
    assert counts() == before


def test_a_kind_the_organisation_cannot_hold_is_an_error(world: World) -> None:
    result = import_ledger(
        ledger(
            row("民事审判庭", "支委会", "2024-03-28", "支委会"),
            row("第一党支部", "党小组会", "2024-03-28", "小组会"),
        ),
        world.org("BT-JY"),
        None,
    )
    assert [(e.row, e.column, e.value, e.message) for e in result.errors] == [
        (2, "活动类型", "支委会", "部门“民事审判庭”不能开展“支部委员会会议”"),
        (3, "活动类型", "党小组会", "党支部“第一党支部”不能开展“党小组会”"),
    ]


@pytest.mark.parametrize(
    ("cell", "column", "message"),
    [
        ({"日期": None}, "日期", "日期不能为空"),
        ({"日期": "2099-01-01"}, "日期", "日期晚于今天：台账只记录已开展的活动"),
        ({"组织": "第九党支部"}, "组织", "九原区人民法院没有代码或名称为“第九党支部”的组织"),
        ({"时长": "一会儿"}, "时长", "无法识别的时长，请填写小时数，如2或1.5"),
        ({"时长": "500"}, "时长", "时长应在0到400小时之间"),
        ({"授课人": "王芳"}, "授课人", "“支部委员会会议”没有授课人"),
        ({"外部参与人数": "30"}, "外部参与人数", "“支部委员会会议”不记录外部参与人数"),
    ],
)
def test_each_bad_cell_is_named_with_its_column(
    world: World, cell: dict[str, Any], column: str, message: str
) -> None:
    good = row("第一党支部", "支委会", "2024-03-28", "三月支委会", 参加人员="王芳")
    result = import_ledger(ledger({**good, **cell}), world.org("BT-JY"), None)
    assert [(e.row, e.column, e.message) for e in result.errors] == [(2, column, message)]
    assert Activity.objects.count() == 0


def test_a_person_in_two_attendance_columns_is_an_error(world: World) -> None:
    result = import_ledger(
        ledger(
            row("第一党支部", "支委会", "2024-03-28", "支委会", 参加人员="王芳", 缺席人员="JY0001")
        ),
        world.org("BT-JY"),
        None,
    )
    assert [(e.column, e.value, e.message) for e in result.errors] == [
        ("缺席人员", "JY0001", "王芳已列在参加人员中")
    ]


def test_the_same_activity_twice_in_one_sheet_is_an_error(world: World) -> None:
    result = import_ledger(
        ledger(
            row("第一党支部", "支委会", "2024-03-28", "三月支委会"),
            row("BT-JY-B01", "支部委员会会议", "2024/3/28", "三月支委会"),
        ),
        world.org("BT-JY"),
        None,
    )
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (3, "标题", "与第2行是同一活动（组织、类型、日期、标题均相同）")
    ]


def test_an_organisation_name_is_looked_up_in_the_importing_court_first(world: World) -> None:
    # 第一党支部 exists in the mid court and in its basic court: the name means the mid court's
    # own branch; the basic court's branch is reached by its code.
    result = import_ledger(
        ledger(
            row("第一党支部", "支委会", "2024-03-28", "支委会", 参加人员="张华庆"),
            row("BT-JY-B01", "支委会", "2024-03-28", "支委会", 参加人员="王芳"),
        ),
        world.org("BT"),
        None,
    )
    assert result.ok, result.errors
    assert sorted(Activity.objects.values_list("org__code", flat=True)) == ["BT-B01", "BT-JY-B01"]


def test_a_name_two_organisations_share_needs_a_code(world: World) -> None:
    do_create_org(
        None,
        code="BT-JY-B09",
        name="第一党支部",
        kind=OrgKind.BRANCH,
        parent=world.org("BT-JY-JGDW"),
    )
    result = import_ledger(
        ledger(row("第一党支部", "支委会", "2024-03-28", "支委会")), world.org("BT-JY"), None
    )
    assert [(e.column, e.message) for e in result.errors] == [
        ("组织", "九原区人民法院有多个名为“第一党支部”的组织（BT-JY-B01、BT-JY-B09），请填写代码")
    ]


def test_a_sheet_that_is_not_a_ledger_is_an_error(world: World) -> None:
    result = import_ledger(xlsx([["工号", "姓名"], ["JY0001", "王芳"]]), world.org("BT-JY"), None)
    assert [e.message for e in result.errors] == [
        "找不到表头：前30行中没有包含“组织”、“活动类型”、“日期”的行"
    ]


# --- recorded ---------------------------------------------------------------------------


def test_a_good_ledger_records_activities_attendance_and_points(world: World) -> None:
    book = ledger(
        row(
            "第一党支部",
            "支部委员会会议",
            "2024年3月28日",
            "三月支委会",
            地点="三楼会议室",
            时长="1.5小时",
            参加人员="王芳",
            缺席人员="JY0002",
            内容摘要="传达学习全会精神",
        ),
        row("BT-JY-B01", "主题党日", "2024.04.10", None, 参加人员="王芳，赵磊"),
        title_rows=[["九原区人民法院台账"], []],
    )
    result = import_ledger(book, world.org("BT-JY"), world.users["bob"])
    assert result.as_json() == {
        "ok": True,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
    }
    meeting = Activity.objects.get(kind="branch_committee")
    assert (meeting.org.code, meeting.on, meeting.title) == (
        "BT-JY-B01",
        dt.date(2024, 3, 28),
        "三月支委会",
    )
    assert (meeting.status, meeting.source, meeting.location, meeting.hours, meeting.summary) == (
        "held",
        ActivitySource.IMPORT,
        "三楼会议室",
        Decimal("1.5"),
        "传达学习全会精神",
    )
    assert attendance_of(meeting) == {"王芳": "present", "赵磊": "absent"}
    # A ledger row without a title is named by its kind.
    theme_day = Activity.objects.get(kind="theme_day")
    assert theme_day.title == "主题党日"
    assert attendance_of(theme_day) == {"王芳": "present", "赵磊": "present"}
    # R4.1: +1 for each attended meeting, −2 for the unexcused absence.
    assert ledger_points() == {"王芳": Decimal("2"), "赵磊": Decimal("-1")}
    # Each activity is audited once, as imported under the importing user, with the
    # attendance it was recorded with; one batch id ties the import's rows together.
    events = AuditEvent.objects.filter(object_type="activities.activity").order_by("id")
    assert [(e.action, e.user_label, e.object_id) for e in events] == [
        ("activities.import", "bob", str(meeting.pk)),
        ("activities.import", "bob", str(theme_day.pk)),
    ]
    assert events[0].batch and events[0].batch == events[1].batch
    assert events[0].org == meeting.org
    assert events[0].before is None
    assert (events[0].after["status"], events[0].after["attendance"]) == (
        "已召开",
        {"王芳": "出席", "赵磊": "缺席"},
    )


def test_reimporting_the_same_ledger_changes_nothing(world: World, tmp_path: Path) -> None:
    path = ledger(
        row("第一党支部", "支委会", "2024-03-28", "三月支委会", 参加人员="王芳", 缺席人员="赵磊"),
        row("第一党支部", "党课", "2024-03-30", "专题党课", 参加人员="王芳 赵磊", 时长=2),
        path=tmp_path / "ledger.xlsx",
    )
    first = import_ledger(path, world.org("BT-JY"), None)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    before, points = counts(), ledger_points()
    again = import_ledger(path, world.org("BT-JY"), None)
    assert again.as_json() == {"ok": True, "created": 0, "updated": 0, "unchanged": 2, "errors": []}
    assert counts() == before
    assert ledger_points() == points


def test_a_corrected_attendance_updates_only_the_changed_rows_and_reverses_points(
    world: World,
) -> None:
    court = world.org("BT-JY")
    import_ledger(
        ledger(
            row(
                "第一党支部", "支委会", "2024-03-28", "三月支委会", 参加人员="王芳", 缺席人员="赵磊"
            )
        ),
        court,
        None,
    )
    wang_row = Attendance.objects.get(person=world.people["wang"])
    result = import_ledger(
        ledger(
            row(
                "第一党支部", "支委会", "2024-03-28", "三月支委会", 参加人员="王芳", 请假人员="赵磊"
            )
        ),
        court,
        None,
    )
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert Activity.objects.count() == 1
    assert attendance_of(Activity.objects.get()) == {"王芳": "present", "赵磊": "leave"}
    # Only 赵磊's row was touched; the correction reversed his absence (R4.3).
    held = AuditEvent.objects.filter(action="activities.held").order_by("id").last()
    assert held.after["attendance"] == {"赵磊": "请假"}
    assert Attendance.objects.get(pk=wang_row.pk).updated_at == wang_row.updated_at
    zhao = list(PointEntry.objects.filter(person=world.people["zhao"]).order_by("id"))
    assert [e.points for e in zhao] == [Decimal("-2"), Decimal("2")]
    assert zhao[1].reverses == zhao[0]


def test_a_planned_activity_in_the_ledger_is_recorded_as_held(world: World) -> None:
    planned = actions.do_plan_activity(
        world.users["carol"],
        world.org("BT-JY-B01"),
        kind="branch_committee",
        title="三月支委会",
        on=dt.date(2024, 3, 28),
    )
    result = import_ledger(
        ledger(
            row("第一党支部", "支委会", "2024-03-28", "三月支委会", 参加人员="王芳", 地点="二楼")
        ),
        world.org("BT-JY"),
        None,
    )
    assert (result.created, result.updated) == (0, 1)
    planned.refresh_from_db()
    assert (planned.status, planned.location) == ("held", "二楼")
    assert attendance_of(planned) == {"王芳": "present"}


def test_a_cancelled_activity_cannot_be_imported_as_held(world: World) -> None:
    planned = actions.do_plan_activity(
        None,
        world.org("BT-JY-B01"),
        kind="branch_committee",
        title="三月支委会",
        on=dt.date(2024, 3, 28),
    )
    actions.do_cancel(None, planned, "改期")
    before = counts()
    result = import_ledger(
        ledger(row("第一党支部", "支委会", "2024-03-28", "三月支委会", 参加人员="王芳")),
        world.org("BT-JY"),
        None,
    )
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (2, "日期", "“三月支委会”已登记为取消（改期），不能导入为已开展")
    ]
    assert counts() == before


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("支部委員會會議", "branch_committee"),
        ("支委会", "branch_committee"),
        ("支委會", "branch_committee"),
        (" 支部 委员会 会议 ", "branch_committee"),
        ("黨課", "party_lecture"),
        ("主题党日活动", "theme_day"),
        ("民主評議", "democratic_review"),
        ("组织生活会", "life_meeting"),
    ],
)
def test_kinds_are_read_in_traditional_chinese_and_by_their_aliases(
    world: World, written: str, code: str
) -> None:
    result = import_ledger(
        ledger(row("第一党支部", written, "2024-03-28", "会议", 参加人员="王芳")),
        world.org("BT-JY"),
        None,
    )
    assert result.ok, result.errors
    assert Activity.objects.get().kind == code


def test_people_are_named_by_number_or_name_with_any_separator(world: World) -> None:
    book = ledger(
        row("第一党支部", "主题党日", "2024-03-28", "a", 参加人员="JY0001；赵磊"),
        row("第一党支部", "主题党日", "2024-03-29", "b", 参加人员="王　芳,JY0002"),
        row("第一党支部", "主题党日", "2024-03-30", "c", 参加人员="ＪＹ０００１\n趙磊"),
        row("第一党支部", "主题党日", "2024-03-31", "d", 参加人员="王芳;赵磊"),
    )
    result = import_ledger(book, world.org("BT-JY"), None)
    assert result.ok, result.errors
    for activity in Activity.objects.all():
        assert attendance_of(activity) == {"王芳": "present", "赵磊": "present"}


def test_an_ambiguous_name_is_accepted_by_its_employee_number(
    world: World, second_wang: Any
) -> None:
    result = import_ledger(
        ledger(
            row(
                "第一党支部", "支委会", "2024-03-28", "支委会", 参加人员="JY0001", 缺席人员="JY0107"
            )
        ),
        world.org("BT-JY"),
        None,
    )
    assert result.ok, result.errors
    assert Attendance.objects.get(status="absent").person == second_wang


def test_a_lecturer_column_records_the_lecturer(world: World) -> None:
    result = import_ledger(
        ledger(row("第一党支部", "党课", "2024-03-28", "专题党课", 参加人员="赵磊", 授课人="王芳")),
        world.org("BT-JY"),
        None,
    )
    assert result.ok, result.errors
    lecture = Activity.objects.get()
    assert lecture.lecturer == world.people["wang"]
    assert Attendance.objects.get(person=world.people["wang"]).role == "lecturer"
    # R4.1: attending +1 and giving the lecture +5.
    assert ledger_points()["王芳"] == Decimal("6")


def test_header_synonyms_are_understood(world: World) -> None:
    book = xlsx(
        [
            ["党支部", "会议类型", "会议时间", "会议主题", "参会人员"],
            ["第一党支部", "支委会", dt.datetime(2024, 3, 28), "三月支委会", "王芳"],
        ]
    )
    result = import_ledger(book, world.org("BT-JY"), None)
    assert result.ok, result.errors
    assert Activity.objects.get().on == dt.date(2024, 3, 28)


@pytest.mark.parametrize(
    ("written", "hours"),
    [
        (2, "2.0"),
        ("1.5", "1.5"),
        ("2小时", "2.0"),
        ("90分钟", "1.5"),
        ("半天", "3.5"),
        ("２", "2.0"),
    ],
)
def test_hours_are_read_as_a_clerk_writes_them(written: Any, hours: str) -> None:
    assert parse_hours(written) == Decimal(hours)


def test_hours_that_are_not_hours_are_refused() -> None:
    with pytest.raises(CellError):
        parse_hours("两个钟")


def test_parse_and_dry_run_write_nothing(world: World) -> None:
    before = counts()
    book = ledger(row("第一党支部", "支委会", "2024-03-28", "支委会", 参加人员="王芳"))
    plan = parse_ledger(book, world.org("BT-JY"))
    assert (len(plan.new), len(plan.changed), plan.unchanged) == (1, 0, 0)
    book.seek(0)
    result = import_ledger(book, world.org("BT-JY"), None, dry_run=True)
    assert result.as_json() == {
        "ok": True,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
        "dry_run": True,
    }
    assert counts() == before


# --- the command --------------------------------------------------------------------------


def _command(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("import_activities", *args, stdout=out, stderr=err)
    except CommandError as e:
        return e.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_the_command_prints_json_and_exits_1_on_bad_input(world: World, tmp_path: Path) -> None:
    path = ledger(row("第一党支部", "支委会", "2024-13-01", "支委会"), path=tmp_path / "l.xlsx")
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
                "column": "日期",
                "value": "2024-13-01",
                "message": "不是有效的日期：没有13月",
            }
        ],
    }
    assert "不是有效的日期" in out  # UTF-8, not \\u escapes
    assert "未写入任何数据" in err
    assert counts() == before


def test_the_command_imports_and_exits_0(world: World, tmp_path: Path) -> None:
    path = ledger(
        row("第一党支部", "支委会", "2024-03-28", "支委会", 参加人员="王芳"),
        path=tmp_path / "l.xlsx",
    )
    code, out, _ = _command(str(path), "--court", "BT-JY", "--json")
    assert code == 0
    assert json.loads(out) == {"ok": True, "created": 1, "updated": 0, "unchanged": 0, "errors": []}
    code, out, _ = _command(str(path), "--court", "BT-JY")
    assert code == 0
    assert "导入完成：新增0项活动，更新0项活动，未变1项活动。" in out


def test_the_command_dry_run_writes_nothing(world: World, tmp_path: Path) -> None:
    path = ledger(row("第一党支部", "支委会", "2024-03-28", "支委会"), path=tmp_path / "l.xlsx")
    before = counts()
    code, out, _ = _command(str(path), "--court", "BT-JY", "--dry-run")
    assert code == 0
    assert "试运行" in out and "新增1项活动" in out
    assert counts() == before


@pytest.mark.parametrize(
    ("court", "says"),
    [("NOPE", "找不到代码为“NOPE”的法院"), ("BT-JY-B01", "“第一党支部”不是法院")],
)
def test_an_unknown_court_is_bad_input(world: World, tmp_path: Path, court: str, says: str) -> None:
    path = ledger(row("第一党支部", "支委会", "2024-03-28", "支委会"), path=tmp_path / "l.xlsx")
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

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*tianping, *args], env=env, capture_output=True, text=True)

    orgs = xlsx(
        [
            ["代码", "名称", "类型", "上级代码"],
            ["HB", "包头市中级人民法院", "中级人民法院", None],
            ["HB-JGDW", "机关党委", "机关党委", "HB"],
            ["HB-B01", "第一党支部", "党支部", "HB-JGDW"],
        ],
        path=tmp_path / "orgs.xlsx",
    )
    assert run("import-orgs", str(orgs), "--json").returncode == 0
    people = xlsx(
        [["工号", "姓名", "所在支部"], ["HB0001", "张三", "第一党支部"]], path=tmp_path / "r.xlsx"
    )
    assert run("import-roster", str(people), "--court", "HB", "--json").returncode == 0
    bad = ledger(
        row("第一党支部", "支委会", "2024-03-28", "支委会", 参加人员="李四"),
        path=tmp_path / "bad.xlsx",
    )
    done = run("import-activities", str(bad), "--court", "HB", "--json")
    assert done.returncode == 1
    assert json.loads(done.stdout)["errors"][0]["column"] == "参加人员"
    good = ledger(
        row("第一党支部", "支委会", "2024-03-28", "支委会", 参加人员="张三"),
        path=tmp_path / "good.xlsx",
    )
    done = run("import-activities", str(good), "--court", "HB", "--json")
    assert (done.returncode, json.loads(done.stdout)["created"]) == (0, 1), done.stderr
    done = run("import-activities", str(good), "--court", "HB", "--json")
    assert json.loads(done.stdout) == {
        "ok": True,
        "created": 0,
        "updated": 0,
        "unchanged": 1,
        "errors": [],
    }
    assert run("import-activities", str(good)).returncode == 2
