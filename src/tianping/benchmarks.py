"""`tianping bench`: the questions users ask, timed, each beside a hand-written SQL floor.

Every case runs through the Django test client (whole pages: middleware, scoping,
templates) or through the same engine the CLI uses, on the data already in the database.
Writes happen inside a transaction that is rolled back, so a bench leaves nothing behind.
"""

from __future__ import annotations

import io
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.test import Client

from tianping.accounts.models import Role, RoleGrant, User
from tianping.orgs.models import COURT_KINDS, Org, OrgKind
from tianping.people.models import Person

RUNS = 5


@dataclass
class Result:
    name: str
    median_ms: float
    p95_ms: float
    floor_ms: float | None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        ratio = round(self.median_ms / self.floor_ms, 1) if self.floor_ms else None
        data: dict[str, Any] = {
            "name": self.name,
            "median_ms": round(self.median_ms, 1),
            "p95_ms": round(self.p95_ms, 1),
            "floor_ms": round(self.floor_ms, 2) if self.floor_ms is not None else None,
            "ratio": ratio,
        }
        if self.note:
            data["note"] = self.note
        return data


class Rollback(Exception):
    pass


def _times(fn: Callable[[], Any], runs: int = RUNS, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _sql_floor(sql: str, params: list[Any]) -> float:
    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return statistics.median(_times(run, runs=RUNS * 2))


def _measure(
    name: str, fn: Callable[[], Any], floor_sql: str | None, params: list[Any], note: str = ""
) -> Result:
    samples = _times(fn)
    floor = _sql_floor(floor_sql, params) if floor_sql else None
    return Result(name, statistics.median(samples), _p95(samples), floor, note)


def dataset() -> dict[str, int]:
    counts = {
        "courts": Org.objects.filter(kind__in=COURT_KINDS).count(),
        "people": Person.objects.count(),
        "activities": 0,
        "attendance": 0,
        "point_entries": 0,
    }
    # Activities and points arrive with their apps; count them once they exist.
    for key, table in (
        ("activities", "activities_activity"),
        ("attendance", "activities_attendance"),
        ("point_entries", "points_pointentry"),
    ):
        if table in connection.introspection.table_names():
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - fixed table names
                counts[key] = cursor.fetchone()[0]
    return counts


def _busiest_court() -> Org:
    """The basic court with the most people: "the people list of one court"."""
    top = (
        Person.objects.filter(court__kind=OrgKind.BASIC_COURT)
        .values("court")
        .annotate(n=Count("id"))
        .order_by("-n", "court")
        .first()
    )
    if top is None:
        top = Person.objects.values("court").annotate(n=Count("id")).order_by("-n", "court").first()
    if top is None:
        raise SystemExit(
            "数据库中没有人员：请先运行 tianping generate --profile province 或 tianping demo"
        )
    return Org.objects.get(pk=top["court"])


def _officer_client(court: Org) -> Client:
    """A 政治部 officer of the court above the chosen one (so scoping is a real subtree)."""
    parent = Org.objects.get_parent(court) if court.depth > 1 else None
    scope_root = parent if parent is not None and parent.kind in COURT_KINDS else court
    user = User.objects.create(username=f"bench-{random.randrange(10**9)}")
    RoleGrant.objects.create(user=user, role=Role.POLITICAL_DEPT, org=scope_root)
    client = Client()
    client.force_login(user)
    return client


def _roster_rows(court: Org, n: int, seed: int = 7) -> list[list[Any]]:
    from tianping.demo.names import person_name

    rng = random.Random(seed)
    departments = list(
        Org.objects.filter(path__startswith=court.path, kind=OrgKind.DEPARTMENT).values_list(
            "name", flat=True
        )
    )
    branches = list(
        Org.objects.filter(
            path__startswith=court.path, kind=OrgKind.BRANCH, is_active=True
        ).values_list("name", flat=True)
    )
    rows = []
    for i in range(n):
        gender = rng.choice(["男", "女"])
        year = rng.randint(1965, 2001)
        name = person_name(rng, "male" if gender == "男" else "female", year, "汉族")
        member = rng.random() < 0.68 and branches
        rows.append(
            [
                f"BX{i:05d}",
                name,
                gender,
                f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "汉族",
                rng.choice(["大学本科", "硕士研究生"]),
                rng.choice(["员额法官", "法官助理", "书记员", "司法警察", "司法行政人员"]),
                "一般干警",
                rng.choice(departments) if departments else "",
                "中共党员" if member else "群众",
                "2010-07-01" if member else "",
                "2011-07-01" if member else "",
                rng.choice(branches) if member else "",
                "",
                "在职",
            ]
        )
    return rows


ROSTER_HEADER = [
    "工号",
    "姓名",
    "性别",
    "出生日期",
    "民族",
    "学历",
    "人员类别",
    "职务层级",
    "部门",
    "政治面貌",
    "入党日期",
    "转正日期",
    "所在支部",
    "所在党小组",
    "状态",
]


def roster_sheet(court: Org, n: int) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("花名册")
    sheet.append(ROSTER_HEADER)
    for row in _roster_rows(court, n):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def bench_roster_import_once(court: Org, rows: int, content: bytes | None = None) -> None:
    from tianping.people.importing import apply_roster, parse_roster

    content = content if content is not None else roster_sheet(court, rows)
    try:
        with transaction.atomic():
            plan = parse_roster(io.BytesIO(content), court)
            result = apply_roster(plan, None)
            assert result.created == rows, result
            raise Rollback
    except Rollback:
        pass


def bench_roster_import(court: Org, rows: int) -> Result:
    """A whole roster import, parse to the last write, rolled back after each run."""
    content = roster_sheet(court, rows)
    samples = _times(lambda: bench_roster_import_once(court, rows, content), runs=RUNS, warmup=0)
    return Result(
        f"roster_import_{rows}_rows",
        statistics.median(samples),
        _p95(samples),
        None,
        "parse + validate + write, rolled back",
    )


def bench_pages(court: Org) -> list[Result]:
    client = _officer_client(court)
    results: list[Result] = []

    def page(url: str) -> Callable[[], None]:
        def run() -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return run

    path = court.path
    list_sql = (
        "SELECT p.id, p.employee_no, p.name, p.gender, p.birth_date, c.name, d.name, p.category, "
        "p.post_level, p.political_status, b.name, p.status FROM people_person p "
        "JOIN orgs_org c ON c.id = p.court_id LEFT JOIN orgs_org d ON d.id = p.department_id "
        "LEFT JOIN orgs_org b ON b.id = p.party_org_id WHERE c.path LIKE %s "
        "ORDER BY c.path, p.employee_no LIMIT 50"
    )
    results.append(
        _measure("people_list_court", page(f"/people/?org={court.code}"), list_sql, [path + "%"])
    )

    sample = (
        Person.objects.filter(court=court).exclude(name_initials="").order_by("employee_no").first()
    )
    initials = sample.name_initials if sample else "zh"
    search_sql = (
        "SELECT p.id, p.employee_no, p.name FROM people_person p JOIN orgs_org c ON c.id = p.court_id "
        "WHERE c.path LIKE %s AND (p.name_initials LIKE %s OR p.name_pinyin LIKE %s OR p.name LIKE %s) "
        "ORDER BY c.path, p.employee_no LIMIT 50"
    )
    parent = Org.objects.get_parent(court) if court.depth > 1 else court
    results.append(
        _measure(
            "people_pinyin_search",
            page(f"/people/?q={initials}"),
            search_sql,
            [parent.path + "%", initials + "%", initials + "%", "%" + initials + "%"],
            note=f"q={initials}",
        )
    )

    department = (
        Org.objects.filter(path__startswith=path, kind=OrgKind.DEPARTMENT).order_by("path").first()
    )
    if department is not None:
        dept_sql = (
            "SELECT p.id, p.employee_no, p.name FROM people_person p JOIN orgs_org d ON d.id = p.department_id "
            "WHERE d.path LIKE %s AND p.category = %s ORDER BY p.employee_no LIMIT 50"
        )
        results.append(
            _measure(
                "people_list_department_filtered",
                page(f"/people/?department={department.code}&category=judge"),
                dept_sql,
                [department.path + "%", "judge"],
            )
        )
    dash_sql = (
        "SELECT p.category, COUNT(*) FROM people_person p JOIN orgs_org c ON c.id = p.court_id "
        "WHERE c.path LIKE %s AND p.status = 'serving' GROUP BY p.category"
    )
    results.append(_measure("dashboard_workforce", page("/"), dash_sql, [parent.path + "%"]))
    return results


def probe_import_memory(rows: int) -> dict[str, Any]:
    """One import in this process, for a parent to read its peak RSS."""
    import resource

    court = _busiest_court()
    bench_roster_import_once(court, rows)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"rows": rows, "peak_rss_mb": round(peak_kb / 1024, 1)}


def measure_import_memory(rows: int) -> float:
    """Peak resident memory (MB) of a fresh `tianping` process importing `rows` rows."""
    import json
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "tianping.cli", "bench", "--probe-import-memory", str(rows)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(json.loads(out.stdout)["peak_rss_mb"])


def run_all(roster_rows: int = 25_000, include_import: bool = True) -> dict[str, Any]:
    court = _busiest_court()
    results: list[Result] = []
    try:
        with transaction.atomic():
            results += bench_pages(court)
            raise Rollback
    except Rollback:
        pass
    if include_import:
        result = bench_roster_import(court, roster_rows)
        result.note += f"; peak RSS of a fresh process {measure_import_memory(roster_rows)} MB"
        results.append(result)
    return {
        "dataset": dataset(),
        "database": connection.vendor,
        "court": court.code,
        "results": [r.as_dict() for r in results],
    }
