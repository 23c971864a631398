"""`tianping bench`'s floors answer what the pages show, on a generated city.

A floor is timed beside its page; it is only a fair floor if it computes the whole answer:
the page's rows, its pagination count, its filter options, every dashboard figure.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from typing import Any

from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from tianping import benchmarks, loadtest
from tianping.activities.compliance import compliance
from tianping.activities.models import Attendance
from tianping.management.commands.bench import Command
from tianping.orgs.models import Org, OrgKind
from tianping.people.models import PARTY_STATUSES, Person
from tianping.reports.queries import generation_of


def _page_answer(client: Client, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.context["page"]
    form = response.context["form"]
    return {
        "employee_nos": [p.employee_no for p in page],
        "count": page.paginator.count,
        "orgs": [o.code for o in form.fields["org"].queryset],
        "departments": [o.code for o in form.fields["department"].queryset],
    }


def _floor_answer(floor: benchmarks.Floor) -> dict[str, Any]:
    rows, count, options = benchmarks.run_floor(floor)
    return {
        "employee_nos": [r[1] for r in rows],
        "count": count[0][0],
        "orgs": [code for code, _, kind in options if kind != OrgKind.DEPARTMENT],
        "departments": [code for code, _, kind in options if kind == OrgKind.DEPARTMENT],
    }


def _client_of(court: Org) -> Client:
    return benchmarks._officer_client(court)


def test_the_list_floors_count_and_offer_what_the_roster_page_does(empty_db) -> None:
    call_command("generate", "--profile", "city", "--seed", "1", stdout=io.StringIO())
    court = benchmarks._busiest_court()
    mid = Org.objects.get_parent(court)
    assert mid.kind == OrgKind.MID_COURT
    client = _client_of(court)

    # The court's list: 50 rows of several hundred, the count and both pickers.
    page = _page_answer(client, f"/people/?org={court.code}")
    floor = _floor_answer(
        benchmarks.people_list_floor(mid, " AND c.path LIKE %s", [court.path + "%"])
    )
    assert page == floor
    assert page["count"] == Person.objects.filter(court=court).count() > 50
    assert len(page["employee_nos"]) == 50 and page["departments"]

    # A pinyin search over the 中院's subtree.
    initials = (
        Person.objects.filter(court=court)
        .exclude(name_initials="")
        .order_by("employee_no")
        .values_list("name_initials", flat=True)[0]
    )
    page = _page_answer(client, f"/people/?q={initials}")
    assert page == _floor_answer(benchmarks.people_search_floor(mid, initials))
    assert page["count"] >= 1

    # The department case: a department of typical size, not the smallest one.
    department, size = benchmarks.typical_department(mid)
    sizes = dict(
        Person.objects.filter(department__path__startswith=mid.path)
        .values_list("department")
        .annotate(n=Count("id"))
        .order_by()
    )
    assert size == sizes[department.pk]
    assert abs(size - 70) == min(abs(n - 70) for n in sizes.values())
    assert 60 <= size <= 80
    page = _page_answer(client, f"/people/?department={department.code}&category=judge")
    assert page == _floor_answer(benchmarks.people_department_floor(mid, department, "judge"))
    assert 0 < page["count"] < size

    results = {r.name: r for r in benchmarks.bench_pages(court)}
    assert results["people_list_department_filtered"].note == (
        f"{department.code} {department.name}: {size} people, {page['count']} of them judges"
    )
    assert results["people_list_court"].note == (
        f"{court.code}: {Person.objects.filter(court=court).count()} people, pages of 50"
    )
    assert all(r.floor_ms for r in results.values())

    # The dashboard: every figure of the workforce profile comes out of the floor.
    today = timezone.localdate()
    response = client.get("/")
    profile = response.context["profile"]
    workforce, *rest = benchmarks.run_floor(benchmarks.dashboard_floor(mid, today))
    by_column: dict[str, Counter[str]] = {}
    generations: Counter[str] = Counter()
    for column, value, year, n in workforce:
        if column == "birth_year":
            generations[generation_of(int(year) if year is not None else None)] += n
        else:
            by_column.setdefault(column, Counter())[value] += n
    assert sum(by_column["category"].values()) == profile.total
    assert sum(by_column["political_status"][s] for s in PARTY_STATUSES) == profile.party_members
    titles = ["category", "post_level", "political_status", "gender", "education"]
    for column, breakdown in zip(titles, profile.breakdowns, strict=True):
        assert sum(n for _, n in breakdown.rows) == sum(by_column[column].values())
        assert sorted(n for _, n in breakdown.rows if n) == sorted(
            n for n in by_column[column].values() if n
        )
    assert [(g, generations.get(g, 0)) for g, _ in profile.generations.rows] == (
        profile.generations.rows
    )
    # Organisational life: each idle branch's last held date is the floor's.
    last_held = {org_id: on for org_id, on in rest[-1]}
    paths = dict(Org.objects.filter(path__startswith=mid.path).values_list("pk", "path"))
    summary = response.context["compliance_summary"]
    assert summary is not None
    for idle in summary.idle:
        dates = [
            _as_date(on)
            for org_id, on in last_held.items()
            if paths[org_id] == idle.org.path or paths[org_id][: -Org.steplen] == idle.org.path
        ]
        assert (max(dates) if dates else None) == idle.last_held_on


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def test_the_compliance_floor_reads_the_reports_organisations_and_talks(empty_db) -> None:
    call_command(
        "generate", "--profile", "city", "--seed", "2", "--scale", "0.05", stdout=io.StringIO()
    )
    mid = Org.objects.get(kind=OrgKind.MID_COURT)
    year = benchmarks._last_full_year()
    as_of = dt.date(year, 12, 31)
    report = compliance(mid, year, as_of)
    orgs, members, _committees, held, talks = benchmarks.run_floor(
        benchmarks.compliance_floor(mid, year, as_of)
    )
    assert [row[0] for row in orgs] == [o.pk for o in report.orgs]
    branches = {o.pk for o in report.orgs if o.kind == OrgKind.BRANCH}
    assert {row[0] for row in members} <= branches and members
    assert {row[0] for row in held} <= {o.pk for o in report.orgs} and held
    assert len(talks) == (
        Attendance.objects.filter(
            activity__org__in=branches,
            activity__kind="heart_talk",
            activity__status="held",
            activity__on__year=year,
            status="present",
        ).count()
    )


def test_the_http_load_covers_the_list_the_dashboard_and_the_compliance_page(empty_db) -> None:
    call_command(
        "generate", "--profile", "city", "--seed", "2", "--scale", "0.05", stdout=io.StringIO()
    )
    court = benchmarks._busiest_court()
    pages = dict(loadtest.pages(court))
    assert set(pages) == {"people_list_court", "dashboard_workforce", "compliance_page_mid_court"}
    mid = Org.objects.get_parent(court)
    assert f"org={mid.code}" in pages["compliance_page_mid_court"]
    client = _client_of(court)
    for path in pages.values():
        assert client.get(path).status_code == 200, path
    options = Command().create_parser("tianping", "bench").parse_args(["--http"])
    assert options.concurrency == 16


def test_vacuum_tidies_the_database_without_touching_its_rows(transactional_db) -> None:
    call_command(
        "generate", "--profile", "city", "--seed", "2", "--scale", "0.05", stdout=io.StringIO()
    )
    before = Person.objects.count()
    statement = benchmarks.vacuum()
    assert statement == {"sqlite": "VACUUM", "postgresql": "VACUUM ANALYZE"}[connection.vendor]
    assert Person.objects.count() == before > 0
