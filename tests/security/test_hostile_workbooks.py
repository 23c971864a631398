"""An attacker uploads a workbook built to exhaust a worker; it is refused fast, cheaply, in Chinese.

Each file here is a few kilobytes on disk. Before the bounds, the first one (a cell at column
AAAAAAA) took 5 GB of memory for half a minute and a 19 MB zip bomb held a worker for over
twenty minutes. Now each is refused by the sheet reader with a message a clerk can act on,
through the web upload (a page, never a 500) and the command line (exit 1, JSON errors).
"""

from __future__ import annotations

import dataclasses
import io
import json
import time
import tracemalloc
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.conftest import World
from tests.security import hostile_workbooks as hostile
from tianping.lib import sheets
from tianping.lib.sheets import Columns, SheetError, read_table
from tianping.people.models import Person

COLUMNS = Columns(synonyms={"工号": (), "姓名": ()}, required=("工号", "姓名"))


def _read(book: io.BytesIO) -> str:
    book.seek(0)
    try:
        with read_table(book, COLUMNS) as table:
            for _ in table:
                pass
    except SheetError as e:
        return str(e)
    return ""


def refusal(book: io.BytesIO, *, measure: bool = True) -> tuple[str, float, float]:
    """(the message, seconds, peak MB) of reading the workbook to its end.

    Time is taken on a plain run, memory on a traced one (tracing slows Python down).
    """
    started = time.monotonic()
    message = _read(book)
    seconds = time.monotonic() - started
    peak = 0.0
    if measure:
        tracemalloc.start()
        assert _read(book) == message
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return message, seconds, peak


def limits(monkeypatch: pytest.MonkeyPatch, **changes: Any) -> None:
    monkeypatch.setattr(sheets, "LIMITS", dataclasses.replace(sheets.LIMITS, **changes))


CASES: dict[str, tuple[Callable[[], io.BytesIO], str]] = {
    "a cell at column AAAAAAA": (hostile.far_column, "第200列之后"),
    "a zip bomb of 60 MB of XML": (hostile.zip_bomb, "压缩炸弹"),
    "a zip whose headers understate the sheet": (hostile.lying_sizes, "损坏"),
    "billion laughs in the shared strings": (hostile.billion_laughs, "DOCTYPE"),
    "an external entity naming /etc/passwd": (hostile.external_entity, "DOCTYPE"),
    "a row numbered past 200,000": (
        lambda: hostile.workbook(
            hostile.sheet_xml('<row r="300000"><c t="inlineStr"><is><t>1</t></is></c></row>')
        ),
        "超过200000行",
    ),
    "a row of cells without references past column 200": (
        lambda: hostile.workbook(hostile.sheet_xml("<row>" + "<c><v>1</v></c>" * 300 + "</row>")),
        "第200列之后",
    ),
    "600 members in the zip": (
        lambda: hostile.workbook(
            hostile.sheet_xml(""), extra={f"xl/junk/{i}.xml": b"<a/>" for i in range(600)}
        ),
        "超过500个",
    ),
    "250,000 empty elements beside the table": (
        lambda: hostile.workbook(hostile.sheet_xml("", before="<x/>" * 250_000)),
        "",  # read and forgotten a chunk at a time: memory stays small
    ),
    "250,000 elements inside one cell": (
        lambda: hostile.workbook(
            hostile.sheet_xml('<row r="2"><c r="A2"><v>1</v>' + "<x/>" * 250_000 + "</c></row>")
        ),
        "结构过于庞大",
    ),
    "an element beside the table that never ends": (
        lambda: hostile.workbook(
            hostile.SHEET_HEAD
            + "<sheetData>"
            + hostile.HEADER_ROW
            + "</sheetData><x>"
            + "<y/>" * 250_000
        ),
        "结构过于庞大",
    ),
    "a lying dimension element": (
        lambda: hostile.workbook(
            hostile.sheet_xml(
                '<row r="2"><c r="A2" t="inlineStr"><is><t>A1</t></is></c>'
                '<c r="B2" t="inlineStr"><is><t>张三</t></is></c></row>',
                before='<dimension ref="A1:XFD1048576"/>',
            )
        ),
        "",  # read normally: the reader never trusts the dimension
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_workbook_is_refused_fast_and_with_little_memory(case: str) -> None:
    build, expected = CASES[case]
    book = build()
    assert len(book.getvalue()) < 400_000  # small on disk: the attack is in what it claims
    message, seconds, peak = refusal(book)
    if expected:
        assert expected in message
    else:
        assert message == ""
    assert seconds < 10  # on a loaded test machine; the report's bomb held a worker 20 minutes
    assert peak < 40  # megabytes, against the 5 GB of the report


def test_bytes_are_counted_as_they_inflate_even_when_the_headers_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Take the header checks away: the count of inflated bytes alone stops the bomb.
    monkeypatch.setattr(sheets, "_check_archive", lambda archive, limits: None)
    limits(monkeypatch, uncompressed_bytes=4 * 1024 * 1024)
    message, _, peak = refusal(hostile.zip_bomb(8))
    assert "解压后超过4MB" in message
    assert peak < 40


def test_a_workbook_over_the_total_size_is_refused_by_its_headers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    limits(monkeypatch, uncompressed_bytes=1024 * 1024, ratio=10_000)
    message, _, _ = refusal(hostile.zip_bomb(3), measure=False)
    assert "超过1MB的上限" in message


def test_too_many_shared_strings_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    limits(monkeypatch, shared_strings=100)
    shared = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + "".join(f"<si><t>{i}</t></si>" for i in range(101))
        + "</sst>"
    )
    message, _, _ = refusal(hostile.workbook(hostile.sheet_xml(""), shared=shared), measure=False)
    assert "不同文字超过100条" in message


def test_reading_past_the_time_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    limits(monkeypatch, seconds=0.0)
    message, _, _ = refusal(hostile.far_column(), measure=False)
    assert "读取超过0秒仍未读完" in message


def test_an_ordinary_workbook_still_reads() -> None:
    from tests.people.sheets import person, roster

    with read_table(roster(person("JY0100", "张三")), COLUMNS) as table:
        assert [v[:2] for _, v in table] == [["JY0100", "张三"]]


# --- through the doors an attacker uses ---------------------------------------------------


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.django_db
def test_the_roster_upload_answers_a_page_with_the_reason(world: World, media: Path) -> None:
    before = Person.objects.count()
    upload = SimpleUploadedFile("花名册.xlsx", hostile.far_column().getvalue())
    response = world.client("alice").post(
        reverse("people:import"), {"court": "BT-JY", "file": upload}
    )
    assert response.status_code == 200
    assert "第200列之后" in response.content.decode()
    assert Person.objects.count() == before
    assert not list((media / "imports").glob("*.xlsx"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "court"),
    [("activities:import", "BT-JY"), ("dues:upload", "BT-JY")],
)
def test_every_upload_page_refuses_the_bomb(
    world: World, media: Path, route: str, court: str | None
) -> None:
    client = world.client("admin")
    data: dict[str, Any] = {"file": SimpleUploadedFile("x.xlsx", hostile.zip_bomb().getvalue())}
    if court:
        data["court"] = court
    if route == "dues:upload":
        data["month"] = "2024-03"
    # The bomb declares a huge sheet, so a task checks it; the page it leads to refuses it.
    response = client.post(reverse(route), data, follow=True)
    assert response.status_code == 200
    assert "压缩炸弹" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "command",
    [
        ["import_roster", "--court", "BT-JY"],
        ["import_activities", "--court", "BT-JY"],
        ["import_orgs"],
    ],
)
def test_every_import_command_refuses_with_exit_1(
    world: World, tmp_path: Path, command: list[str]
) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(hostile.far_column().getvalue())
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(command[0], str(path), *command[1:], "--json", stdout=out, stderr=err)
    assert raised.value.returncode == 1
    document = json.loads(out.getvalue())
    assert document["ok"] is False
    assert "第200列之后" in document["errors"][0]["message"]


@pytest.mark.django_db
def test_the_dues_command_refuses_with_exit_1(world: World, tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(hostile.far_column().getvalue())
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(
            "dues_sheet",
            str(path),
            "--court",
            "BT-JY",
            "--month",
            "2024-03",
            "-o",
            str(tmp_path / "out.xlsx"),
            "--json",
            stdout=out,
            stderr=err,
        )
    assert raised.value.returncode == 1
    assert "第200列之后" in json.dumps(json.loads(out.getvalue()), ensure_ascii=False)
