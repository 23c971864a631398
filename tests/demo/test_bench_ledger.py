"""`tianping bench`'s ledger-import case imports a generated sheet and leaves nothing behind."""

from __future__ import annotations

import io

from django.core.management import call_command

from tianping import benchmarks
from tianping.activities.models import Activity, Attendance
from tianping.audit.models import AuditEvent
from tianping.orgs.models import Org, OrgKind
from tianping.points.models import PointEntry


def _counts() -> tuple[int, int, int, int]:
    return (
        Activity.objects.count(),
        Attendance.objects.count(),
        PointEntry.objects.count(),
        AuditEvent.objects.count(),
    )


def test_the_ledger_import_case_times_a_first_import_and_rolls_it_back(empty_db) -> None:
    call_command(
        "generate", "--profile", "city", "--seed", "2", "--scale", "0.05", stdout=io.StringIO()
    )
    court = Org.objects.filter(kind=OrgKind.BASIC_COURT).order_by("path").first()
    before = _counts()

    result = benchmarks.bench_ledger_import(court, activities=40, attendance=200).as_dict()

    assert result["name"] == "ledger_import_40_activities"
    assert result["median_ms"] > 0 and result["floor_ms"] is None
    assert "40 activities, 200 attendance" in result["note"]
    assert "CPU" in result["note"]
    assert _counts() == before


def test_the_generated_ledger_names_each_activity_once_with_its_attendance(empty_db) -> None:
    call_command(
        "generate", "--profile", "city", "--seed", "2", "--scale", "0.05", stdout=io.StringIO()
    )
    court = Org.objects.filter(kind=OrgKind.BASIC_COURT).order_by("path").first()
    rows = benchmarks.ledger_rows(court, 25, 5, 2025)
    header = benchmarks.LEDGER_BENCH_HEADER
    assert len({(r[0], r[1], r[2], r[3]) for r in rows}) == 25
    for row in rows:
        people = [
            no
            for column in ("参加人员", "请假人员", "缺席人员")
            for no in row[header.index(column)].split("、")
        ]
        assert len(people) == len(set(people)) == 5


def test_the_web_roster_case_follows_the_tasks_through_the_pages_and_rolls_back(
    empty_db, settings, tmp_path
) -> None:
    """The sheet is big enough to be checked and written by tasks: the case follows the
    pages the officer sees (upload, check, preview, confirm, summary) and leaves nothing."""
    from tianping.people.models import Person

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TIANPING_TASK_ROWS = 10
    call_command(
        "generate", "--profile", "city", "--seed", "2", "--scale", "0.05", stdout=io.StringIO()
    )
    court = Org.objects.filter(kind=OrgKind.BASIC_COURT).order_by("path").first()
    people = Person.objects.count()

    result = benchmarks.bench_roster_import_web(court, 30).as_dict()

    assert result["name"] == "roster_import_web_30_rows" and result["median_ms"] > 0
    assert Person.objects.count() == people
