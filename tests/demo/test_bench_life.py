"""`tianping bench`'s organisational-life cases run on generated data and leave nothing behind."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.core.management import call_command
from django.db import transaction

from tianping import benchmarks
from tianping.accounts.models import Role, RoleGrant, User
from tianping.activities.actions import do_record_past_activity
from tianping.activities.models import Activity, Attendance
from tianping.audit.models import AuditEvent
from tianping.orgs.models import Org, OrgKind
from tianping.points.models import PointEntry
from tianping.points.queries import ledger


def test_the_compliance_ledger_and_recording_cases_report_times_beside_their_floors(
    empty_db, monkeypatch
):
    call_command(
        "generate", "--profile", "city", "--seed", "2", "--scale", "0.05", stdout=io.StringIO()
    )
    monkeypatch.setattr(benchmarks, "RUNS", 2)
    before = (Activity.objects.count(), Attendance.objects.count(), PointEntry.objects.count())
    court = Org.objects.filter(kind=OrgKind.BASIC_COURT).order_by("path").first()

    results = {r.name: r.as_dict() for r in benchmarks.bench_life(court)}

    assert set(results) == {
        "compliance_mid_court_year",
        "compliance_page_mid_court",
        "member_ledger_page",
        "record_activity_50_attendees",
    }
    for result in results.values():
        assert result["median_ms"] > 0 and result["floor_ms"] > 0
        # The ratio is of the unrounded times.
        assert abs(result["ratio"] / (result["median_ms"] / result["floor_ms"]) - 1) < 0.1
    assert "2025" in results["compliance_mid_court_year"]["note"]
    # Recording is rolled back every time: the data is as generated.
    assert (
        Activity.objects.count(),
        Attendance.objects.count(),
        PointEntry.objects.count(),
    ) == before
    assert benchmarks.dataset()["activities"] == before[0]
    assert User.objects.filter(username__startswith="bench-member-").count() == 1


def test_the_member_ledger_floor_reads_every_entry_year_and_base_the_page_shows(empty_db) -> None:
    call_command(
        "generate", "--profile", "city", "--seed", "2", "--scale", "0.05", stdout=io.StringIO()
    )
    mid = Org.objects.get(kind=OrgKind.MID_COURT)
    year = benchmarks._last_full_year()
    person = benchmarks._busiest_member(mid, year)
    assert person is not None
    page = ledger(person, year)

    entries, years, base = benchmarks.run_floor(benchmarks.member_ledger_floor(person, year))

    assert [row[0] for row in entries] == [e.pk for e in page.entries] and entries
    assert sorted({int(y) for (y,) in years} | {year}, reverse=True) == page.years
    assert Decimal(str(base[0][0])) == page.base


def _written(fn) -> tuple[int, int, int, bool]:
    """Rows `fn` adds: activities, attendance, point entries, and whether it audits."""
    before = (
        Activity.objects.count(),
        Attendance.objects.count(),
        PointEntry.objects.count(),
        AuditEvent.objects.count(),
    )
    with transaction.atomic():
        fn()
        after = (
            Activity.objects.count(),
            Attendance.objects.count(),
            PointEntry.objects.count(),
            AuditEvent.objects.count(),
        )
        transaction.set_rollback(True)
    return after[0] - before[0], after[1] - before[1], after[2] - before[2], after[3] > before[3]


def test_the_recording_floor_writes_the_rows_recording_writes(empty_db) -> None:
    call_command(
        "generate", "--profile", "city", "--seed", "2", "--scale", "0.05", stdout=io.StringIO()
    )
    mid = Org.objects.get(kind=OrgKind.MID_COURT)
    case = benchmarks.record_activity_case(mid)
    assert case is not None
    branch, attendance = case
    on = dt.date(benchmarks._last_full_year(), 12, 15)
    user = User.objects.create(username="bench-floor")
    RoleGrant.objects.create(user=user, role=Role.POLITICAL_DEPT, org=mid)

    by_action = _written(
        lambda: do_record_past_activity(
            user, branch, attendance=attendance, kind="theme_day", title="主题党日", on=on
        )
    )
    by_floor = _written(
        lambda: benchmarks.run_floor(benchmarks.record_activity_floor(branch, on, attendance))
    )

    assert by_floor == by_action == (1, 50, 47, True)
