"""`tianping bench`'s organisational-life cases run on generated data and leave nothing behind."""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.management import call_command

from tianping import benchmarks
from tianping.accounts.models import User
from tianping.activities.models import Activity, Attendance
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
