"""`tianping bench`: the questions users ask, timed, each beside a hand-written SQL floor.

Every case runs through the Django test client (whole pages: middleware, scoping,
templates) or through the same engine the CLI uses, on the data already in the database.

A floor is the fewest hand-written SQL statements that produce everything the page or
command shows: a list's page of rows *and* its count for the pagination *and* its filter
options; a dashboard's every figure; a compliance report's organisations, memberships,
committees and counts. The `*_floor` functions build them, so tests can check that a
floor's answer is the page's.

Writes happen inside a transaction that is rolled back, and the database is vacuumed
after the import cases (VACUUM on SQLite, VACUUM ANALYZE on PostgreSQL), so a bench
leaves neither rows nor dead rows behind; the read cases run before the imports.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.test import Client, override_settings
from django.utils import timezone

from tianping.accounts.models import Role, RoleGrant, User
from tianping.activities.importing import LEDGER_COLUMNS
from tianping.audit import generation
from tianping.orgs.models import COURT_KINDS, Org, OrgKind
from tianping.people.models import PARTY_STATUSES, Person

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


# A floor: SQL statements with their parameters, run one after the other.
Floor = list[tuple[str, list[Any]]]


def run_floor(floor: Floor) -> list[list[tuple[Any, ...]]]:
    """Every statement of the floor, a read fetched to its last row: the floor's answer."""
    out = []
    with connection.cursor() as cursor:
        for sql, params in floor:
            cursor.execute(sql, params)
            # A write answers nothing to fetch (PostgreSQL refuses to fetch from it).
            rows = cursor.fetchall() if cursor.description is not None else []
            out.append([tuple(row) for row in rows])
    return out


def _sql_floor(floor: Floor) -> float:
    return statistics.median(_times(lambda: run_floor(floor), runs=RUNS * 2))


def _measure(name: str, fn: Callable[[], Any], floor: Floor | None, note: str = "") -> Result:
    samples = _times(fn)
    floor_ms = _sql_floor(floor) if floor else None
    return Result(name, statistics.median(samples), _p95(samples), floor_ms, note)


def vacuum() -> str:
    """Reclaim what rolled-back writes leave, so the next timing reads a tidy database.

    PostgreSQL keeps every row a rolled-back import wrote as a dead row until a vacuum
    (≈770,000 after the import cases, doubling later scans); VACUUM ANALYZE removes them
    and refreshes the planner's statistics. SQLite gets VACUUM, which returns the free
    pages to the file; no ANALYZE, as the data builders leave it (demo.builder).
    """
    statement = {"postgresql": "VACUUM ANALYZE", "sqlite": "VACUUM"}.get(connection.vendor, "")
    if statement:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    return statement


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


# The roster list (people/views.person_list): a page of 50, its count, its filter options.

_PEOPLE_FROM = (
    "FROM people_person p JOIN orgs_org c ON c.id = p.court_id "
    "LEFT JOIN orgs_org d ON d.id = p.department_id "
    "LEFT JOIN orgs_org b ON b.id = p.party_org_id "
)
# The org picker offers courts and party organisations, the department picker live
# departments, both within the user's scope, in tree order (people/forms.PeopleFilterForm).
_PICKER_KINDS = (
    OrgKind.HIGH_COURT,
    OrgKind.MID_COURT,
    OrgKind.BASIC_COURT,
    OrgKind.PARTY_COMMITTEE,
    OrgKind.GENERAL_BRANCH,
    OrgKind.BRANCH,
)


def people_list_floor(scope_root: Org, where: str = "", params: list[Any] | None = None) -> Floor:
    """Everything the roster page shows for a 政治部 officer of `scope_root`, with the
    filters `where` (SQL over p, c, d, b): the first page of 50 in the page's order
    (serving first, then court, then 工号), the count for the pagination, and the options
    of the two organisation pickers."""
    params = params or []
    scope = [scope_root.path + "%"]
    rows = (
        "SELECT p.id, p.employee_no, p.name, p.gender, p.birth_date, c.name, d.name, "
        "p.category, p.post_level, p.title, p.political_status, b.name, p.status "
        f"{_PEOPLE_FROM}WHERE c.path LIKE %s{where} "
        "ORDER BY CASE WHEN p.status = 'serving' THEN 0 ELSE 1 END, c.path, p.employee_no "
        "LIMIT 50"
    )
    count = f"SELECT COUNT(*) {_PEOPLE_FROM}WHERE c.path LIKE %s{where}"
    kinds = ", ".join(["%s"] * len(_PICKER_KINDS))
    options = (
        "SELECT code, name, kind FROM orgs_org WHERE path LIKE %s "
        f"AND (kind IN ({kinds}) OR (kind = %s AND is_active = %s)) ORDER BY path"
    )
    return [
        (rows, scope + params),
        (count, scope + params),
        (options, [*scope, *_PICKER_KINDS, OrgKind.DEPARTMENT, True]),
    ]


def people_search_floor(scope_root: Org, q: str) -> Floor:
    """The roster searched for `q` as people.queries.search_q reads it: name, 工号, pinyin
    initials or full pinyin (`q` in lower-case Latin letters, as the bench asks it)."""
    where = (
        " AND (p.name LIKE %s OR LOWER(p.employee_no) = %s "
        "OR p.name_initials LIKE %s OR p.name_pinyin LIKE %s)"
    )
    return people_list_floor(scope_root, where, [f"%{q}%", q.lower(), q + "%", q + "%"])


def people_department_floor(scope_root: Org, department: Org, category: str) -> Floor:
    return people_list_floor(
        scope_root, " AND d.path LIKE %s AND p.category = %s", [department.path + "%", category]
    )


TYPICAL_DEPARTMENT = 70


def typical_department(root: Org, size: int = TYPICAL_DEPARTMENT) -> tuple[Org, int] | None:
    """The department under `root` whose headcount is closest to `size` (ties: tree order),
    with its headcount: a department like most, not the smallest one."""
    counts = (
        Person.objects.filter(
            department__path__startswith=root.path, department__kind=OrgKind.DEPARTMENT
        )
        .values_list("department__path", "department")
        .annotate(n=Count("id"))
        .order_by()
    )
    best = min(counts, key=lambda row: (abs(row[2] - size), row[0]), default=None)
    if best is None:
        return None
    return Org.objects.get(pk=best[1]), best[2]


# The dashboard (reports/views.dashboard): the workforce profile and organisational life.


def _year_sql(column: str) -> str:
    if connection.vendor == "sqlite":
        return f"CAST(strftime('%%Y', {column}) AS INTEGER)"
    return f"EXTRACT(YEAR FROM {column})::integer"


def dashboard_floor(scope_root: Org, today: dt.date) -> Floor:
    """Every figure the dashboard shows a 政治部 officer of `scope_root` on `today`: serving
    people counted by category, post level, political status (its party members are the
    sum of two of those rows), gender and education, and by post level and birth year (the
    age structure and the leaders' generations), in one statement; then organisational
    life this year as of today (the compliance floor) and each branch's last held
    activity (the idle branches)."""
    parts = []
    for column in ("category", "post_level", "political_status", "gender", "education"):
        parts.append(
            f"SELECT '{column}', p.{column}, CAST(NULL AS INTEGER), COUNT(*) FROM people_person p "
            "JOIN orgs_org c ON c.id = p.court_id WHERE c.path LIKE %s AND p.status = %s "
            f"GROUP BY p.{column}"
        )
    parts.append(
        f"SELECT 'birth_year', p.post_level, {_year_sql('p.birth_date')}, COUNT(*) "
        "FROM people_person p JOIN orgs_org c ON c.id = p.court_id "
        "WHERE c.path LIKE %s AND p.status = %s GROUP BY 2, 3"
    )
    workforce = " UNION ALL ".join(parts)
    # By organisation id, the organisations as a subquery: each group's last date comes
    # off the (org, status, on) index.
    idle = (
        'SELECT a.org_id, MAX(a."on") FROM activities_activity a '
        "WHERE a.org_id IN (SELECT id FROM orgs_org WHERE path LIKE %s AND kind IN (%s, %s)) "
        'AND a.status = %s AND a."on" <= %s GROUP BY a.org_id'
    )
    scope = scope_root.path + "%"
    return [
        (workforce, [scope, "serving"] * len(parts)),
        *compliance_floor(scope_root, today.year, today),
        (idle, [scope, OrgKind.BRANCH, OrgKind.GROUP, "held", today]),
    ]


def _count(floor: Floor) -> int:
    """A list floor's count: what the page's pagination says."""
    return int(run_floor(floor[1:2])[0][0][0])


def bench_pages(court: Org) -> list[Result]:
    client = _officer_client(court)
    results: list[Result] = []

    def page(url: str) -> Callable[[], None]:
        def run() -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return run

    # The officer's scope is the court's parent court (see _officer_client).
    parent = Org.objects.get_parent(court) if court.depth > 1 else court
    scope_root = parent if parent.kind in COURT_KINDS else court
    court_floor = people_list_floor(scope_root, " AND c.path LIKE %s", [court.path + "%"])
    results.append(
        _measure(
            "people_list_court",
            page(f"/people/?org={court.code}"),
            court_floor,
            note=f"{court.code}: {_count(court_floor)} people, pages of 50",
        )
    )

    sample = (
        Person.objects.filter(court=court).exclude(name_initials="").order_by("employee_no").first()
    )
    initials = sample.name_initials if sample else "zh"
    search_floor = people_search_floor(scope_root, initials)
    results.append(
        _measure(
            "people_pinyin_search",
            page(f"/people/?q={initials}"),
            search_floor,
            note=f"q={initials}, {_count(search_floor)} found",
        )
    )

    typical = typical_department(scope_root)
    if typical is not None:
        department, size = typical
        department_floor = people_department_floor(scope_root, department, "judge")
        results.append(
            _measure(
                "people_list_department_filtered",
                page(f"/people/?department={department.code}&category=judge"),
                department_floor,
                note=f"{department.code} {department.name}: {size} people, "
                f"{_count(department_floor)} of them judges",
            )
        )
    # Warm: the figures come from the cache (the warm-up view counted them).
    full_dashboard = dashboard_floor(scope_root, timezone.localdate())
    results.append(
        _measure("dashboard_workforce", page("/"), full_dashboard, note="from the cache")
    )
    dashboard = page("/")

    def dashboard_after_a_write() -> None:
        generation.bump()  # as any write does: nothing cached fits any more
        dashboard()

    results.append(
        _measure(
            "dashboard_after_write",
            dashboard_after_a_write,
            full_dashboard,
            note="counted afresh: head-counts and the year's compliance",
        )
    )
    return results


# Organisational life (issue 3) ---------------------------------------------------------


def _last_full_year() -> int:
    """Last calendar year, or the latest year the data holds records for if that is earlier."""
    from tianping.activities.models import Activity

    last = timezone.localdate().year - 1
    latest = Activity.objects.order_by("-on").values_list("on", flat=True).first()
    return min(last, latest.year) if latest else last


def _mid_court(court: Org) -> Org:
    """The 中院 above the busiest basic court (the court itself where it is one)."""
    node: Org | None = court
    while node is not None and node.kind != OrgKind.MID_COURT:
        node = Org.objects.get_parent(node) if node.depth > 1 else None
    return node or court


def _month_sql(column: str) -> str:
    if connection.vendor == "sqlite":
        return f"CAST(strftime('%%m', {column}) AS INTEGER)"
    return f"EXTRACT(MONTH FROM {column})"


def compliance_floor(root: Org, year: int, as_of: dt.date) -> Floor:
    """What a compliance report of `root`'s subtree for `year` is made of, read by hand:
    the party organisations, the branches' members through the year (who must have a
    committee, R1.3), the committees in office, the held activities counted by
    organisation, kind and month, and the 谈心谈话 attendance (whose pairs make D5)."""
    from tianping.activities.compliance import COUNTING_KINDS, HEART_TALK, HOLDER_KINDS

    scope = root.path + "%"
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    holders = sorted(HOLDER_KINDS)
    counted = sorted(COUNTING_KINDS)
    orgs = (
        "SELECT id, code, name, kind, path, is_active, dissolved_on, merged_into_id, founded_on "
        f"FROM orgs_org WHERE path LIKE %s AND kind IN ({', '.join(['%s'] * len(holders))}) "
        "AND NOT (is_active = %s AND dissolved_on IS NOT NULL AND dissolved_on <= %s) "
        "ORDER BY path"
    )
    members = (
        "SELECT pl.org_id, pl.since, pl.until, p.political_status, p.full_member_on, pl.person_id "
        "FROM people_placement pl JOIN orgs_org o ON o.id = pl.org_id "
        "JOIN people_person p ON p.id = pl.person_id "
        "WHERE o.path LIKE %s AND o.kind = %s AND pl.kind = %s AND p.political_status IN (%s, %s) "
        "AND (pl.since IS NULL OR pl.since <= %s) AND (pl.until IS NULL OR pl.until > %s)"
    )
    committees = (
        "SELECT t.branch_id, t.elected_on, t.ends_on, t.postponed_to, t.closed_on, "
        "m.person_id, m.posts FROM committees_term t JOIN orgs_org o ON o.id = t.branch_id "
        "LEFT JOIN committees_committeemember m ON m.term_id = t.id AND m.since <= %s "
        "AND (m.until IS NULL OR m.until > %s) "
        "WHERE o.path LIKE %s AND t.elected_on <= %s AND (t.closed_on IS NULL OR t.closed_on > %s)"
    )
    # The organisations as a subquery: the form that lets both databases read activities
    # through their (org, status, on) index.
    held = (
        "SELECT a.org_id, a.kind, a.also_counts_as, a.lecturer_is_secretary, "
        + _month_sql('a."on"')
        + ", COUNT(*) FROM activities_activity a "
        "WHERE a.org_id IN (SELECT id FROM orgs_org WHERE path LIKE %s) "
        f"AND a.kind IN ({', '.join(['%s'] * len(counted))}) "
        'AND a.status = %s AND a."on" BETWEEN %s AND %s '
        "GROUP BY 1, 2, 3, 4, 5"
    )
    talks = (
        'SELECT a.org_id, at.activity_id, at.person_id, at.role, a."on" '
        "FROM activities_attendance at JOIN activities_activity a ON a.id = at.activity_id "
        "WHERE a.org_id IN (SELECT id FROM orgs_org WHERE path LIKE %s AND kind = %s) "
        'AND a.kind = %s AND a.status = %s AND a."on" BETWEEN %s AND %s AND at.status = %s'
    )
    upto = min(as_of, end)
    roll_day = max(upto, start)
    return [
        (orgs, [scope, *holders, False, start]),
        (members, [scope, OrgKind.BRANCH, "party_org", "probationary", "member", end, start]),
        (committees, [roll_day, roll_day, scope, end, end]),
        (held, [scope, *counted, "held", start, upto]),
        (talks, [scope, OrgKind.BRANCH, HEART_TALK, "held", start, upto, "present"]),
    ]


def bench_compliance(mid: Org, year: int) -> Result:
    """The compliance question for one 中院 subtree over a year, as `tianping compliance` asks it."""
    from tianping.activities.compliance import compliance

    as_of = dt.date(year, 12, 31)

    def run() -> None:
        report = compliance(mid, year, as_of)
        report.as_json()

    report = compliance(mid, year, as_of)
    return _measure(
        "compliance_mid_court_year",
        run,
        compliance_floor(mid, year, as_of),
        note=f"{mid.code} {year}: {len(report.orgs)} organisations, {len(report.rows)} rows",
    )


def bench_compliance_page(mid: Org, year: int) -> Result:
    """The 中院's compliance matrix page for the year, as its 政治部 officer opens it."""
    client = _officer_client(mid)
    url = f"/activities/compliance/?org={mid.code}&year={year}"

    def run() -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return _measure(
        "compliance_page_mid_court",
        run,
        compliance_floor(mid, year, dt.date(year, 12, 31)),
        note=f"{mid.code} {year}",
    )


def _busiest_member(mid: Org, year: int) -> Person | None:
    """The party member of the subtree with the most ledger entries in the year, no account yet."""
    from tianping.points.models import PointEntry

    top = (
        PointEntry.objects.filter(
            on__year=year,
            person__court__path__startswith=mid.path,
            person__political_status__in=PARTY_STATUSES,
            person__user__isnull=True,
        )
        .values("person")
        .annotate(n=Count("id"))
        .order_by("-n", "person")
        .first()
    )
    return Person.objects.get(pk=top["person"]) if top else None


def bench_member_ledger(mid: Org, year: int) -> Result | None:
    """GET /points/me/ for a member with a year of entries: the whole page, as they see it."""
    person = _busiest_member(mid, year)
    if person is None:
        return None
    user = User.objects.create(username=f"bench-member-{random.randrange(10**9)}", person=person)
    RoleGrant.objects.create(user=user, role=Role.MEMBER, org=person.court)
    client = Client()
    client.force_login(user)
    url = f"/points/me/?year={year}"

    def run() -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    entries = person.point_entries.filter(on__year=year).count()
    return _measure(
        "member_ledger_page",
        run,
        member_ledger_floor(person, year),
        note=f"{person.employee_no}, {entries} entries in {year}",
    )


def member_ledger_floor(person: Person, year: int) -> Floor:
    """What a member's ledger page shows (points.queries.ledger): the year's entries with
    their activity, attendance, author and reversal, the years they have entries in, and
    the court's base score."""
    entries = (
        'SELECT e.id, e."on", e.points, e.trigger, e.reason, e.reverses_id, a.title, a.kind, '
        "at.status, u.username, r.id FROM points_pointentry e "
        "LEFT JOIN activities_activity a ON a.id = e.activity_id "
        "LEFT JOIN activities_attendance at ON at.id = e.attendance_id "
        "LEFT JOIN accounts_user u ON u.id = e.created_by_id "
        "LEFT JOIN points_pointentry r ON r.reverses_id = e.id "
        'WHERE e.person_id = %s AND e."on" BETWEEN %s AND %s ORDER BY e."on", e.id'
    )
    years = (
        "SELECT DISTINCT "
        + _year_sql('e."on"')
        + " FROM points_pointentry e WHERE e.person_id = %s"
    )
    base = "SELECT base FROM points_pointscheme WHERE court_id = %s"
    return [
        (entries, [person.pk, dt.date(year, 1, 1), dt.date(year, 12, 31)]),
        (years, [person.pk]),
        (base, [person.court_id]),
    ]


def _rolled_back(fn: Callable[[], Any]) -> Callable[[], None]:
    def run() -> None:
        try:
            with transaction.atomic():
                fn()
                raise Rollback
        except Rollback:
            pass

    return run


def record_activity_case(mid: Org, attendees: int = 50) -> tuple[Org, dict[int, str]] | None:
    """The branch with the most members under `mid`, and `attendees` party members (its
    own first) with their attendance: most present, three on leave, two absent."""
    from tianping.activities.models import AttendanceStatus

    branch = (
        Org.objects.filter(path__startswith=mid.path, kind=OrgKind.BRANCH, is_active=True)
        .annotate(n=Count("party_members"))
        .order_by("-n", "path")
        .first()
    )
    if branch is None:
        return None
    # The branch's own members, then other party members of its court, then of the 中院's
    # subtree (a small data set), up to the count.
    own = list(branch.party_members.order_by("employee_no").values_list("pk", flat=True))
    court = branch.court()
    members = Person.objects.filter(political_status__in=PARTY_STATUSES).exclude(party_org=branch)
    others = list(
        members.filter(court=court).order_by("employee_no").values_list("pk", flat=True)[:attendees]
    ) + list(
        members.filter(court__path__startswith=mid.path)
        .exclude(court=court)
        .order_by("employee_no")
        .values_list("pk", flat=True)[:attendees]
    )
    ids = (own + others)[:attendees]
    if len(ids) < attendees:
        return None
    statuses = (
        [AttendanceStatus.PRESENT] * (attendees - 5)
        + [AttendanceStatus.LEAVE] * 3
        + [AttendanceStatus.ABSENT] * 2
    )
    return branch, dict(zip(ids, statuses, strict=True))


def bench_record_activity(mid: Org, year: int, attendees: int = 50) -> Result | None:
    """A branch's 主题党日 recorded as held with 50 attendees, points posted; rolled back."""
    from tianping.activities.actions import do_record_past_activity

    case = record_activity_case(mid, attendees)
    if case is None:
        return None
    branch, attendance = case
    user = User.objects.filter(username__startswith="bench-").order_by("pk").first()
    on = dt.date(year, 12, 15)

    def record() -> None:
        activity = do_record_past_activity(
            user,
            branch,
            attendance=attendance,
            kind="theme_day",
            title=f"{on:%m}月主题党日（基准测试）",
            on=on,
            hours=None,
        )
        assert activity.point_entries.count() == attendees - 3

    floor = record_activity_floor(branch, on, attendance)

    def floor_insert() -> None:
        run_floor(floor)

    samples = _times(_rolled_back(record))
    floor_ms = statistics.median(_times(_rolled_back(floor_insert), runs=RUNS * 2))
    return Result(
        "record_activity_50_attendees",
        statistics.median(samples),
        _p95(samples),
        floor_ms,
        f"{branch.code}: plan + held + {attendees} attendance + points, rolled back",
    )


def record_activity_floor(branch: Org, on: dt.date, attendance: dict[int, str]) -> Floor:
    """Every row recording a held activity writes, by hand: the activity, its attendance,
    a point entry for each attendee present or absent (R4: leave earns nothing) and one
    audit event. The new activity is the table's latest; it is rolled back with the rest."""
    now = timezone.now()
    latest = "(SELECT MAX(id) FROM activities_activity)"
    activity = (
        'INSERT INTO activities_activity (kind, also_counts_as, title, "on", location, agenda, '
        "summary, lecturer_is_secretary, status, cancel_reason, source, created_at, updated_at, "
        "org_id) VALUES (%s, %s, %s, %s, '', '', '', %s, %s, '', %s, %s, %s, %s)"
    )
    rows = ", ".join([f"({latest}, %s, %s, %s, '', '', '', %s)"] * len(attendance))
    people = (
        "INSERT INTO activities_attendance (activity_id, person_id, status, role, note, reason, "
        f"makeup_method, updated_at) VALUES {rows}"
    )
    params: list[Any] = []
    for pk, status in attendance.items():
        params += [pk, status, "participant", now]
    points = (
        'INSERT INTO points_pointentry ("on", points, trigger, reason, created_at, activity_id, '
        "attendance_id, person_id) SELECT %s, CASE WHEN at.status = %s THEN %s ELSE %s END, "
        "%s, %s, %s, at.activity_id, at.id, at.person_id FROM activities_attendance at "
        f"WHERE at.activity_id = {latest} AND at.status IN (%s, %s)"
    )
    audit = (
        "INSERT INTO audit_auditevent (at, user_label, action, object_type, object_id, "
        f"object_repr, batch, org_id) SELECT %s, %s, %s, %s, {latest}, %s, '', %s"
    )
    title = f"{on:%m}月主题党日（基准测试）"
    return [
        (activity, ["theme_day", "[]", title, on, False, "held", "web", now, now, branch.pk]),
        (people, params),
        (
            points,
            [on, "present", 1, -1, "attend_org_life", "参加主题党日", now, "present", "absent"],
        ),
        (audit, [now, "基准测试", "activities.record", "activities.activity", title, branch.pk]),
    ]


def bench_life(court: Org) -> list[Result]:
    mid = _mid_court(court)
    year = _last_full_year()
    results = [bench_compliance(mid, year), bench_compliance_page(mid, year)]
    for result in (bench_member_ledger(mid, year), bench_record_activity(mid, year)):
        if result is not None:
            results.append(result)
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


def bench_roster_import_web(court: Org, rows: int) -> Result:
    """The same import as an officer does it: upload and preview, then confirm, through the
    Django test client (every request, template and session write included), rolled back."""
    import re

    content = roster_sheet(court, rows)

    # A big sheet is checked and written by a task; here the task runs in the request that
    # queues it (the immediate backend), so the pages and the work are timed together.
    immediate = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    def run() -> None:
        try:
            with transaction.atomic(), override_settings(TASKS=immediate):
                client = _officer_client(court)
                upload = io.BytesIO(content)
                upload.name = "花名册.xlsx"
                preview = client.post(
                    "/people/import/", {"court": court.code, "file": upload}, follow=True
                )
                found = re.search(r"/people/import/([-\w]+)/confirm/", preview.content.decode())
                assert preview.status_code == 200 and found, preview.status_code
                done = client.post(f"/people/import/{found.group(1)}/confirm/", follow=True)
                assert done.status_code == 200, done.status_code
                assert Person.objects.filter(court=court, employee_no="BX00000").exists()
                raise Rollback
        except Rollback:
            pass

    samples = _times(run, runs=RUNS, warmup=0)
    return Result(
        f"roster_import_web_{rows}_rows",
        statistics.median(samples),
        _p95(samples),
        None,
        "upload + check + preview + confirm + write through the test client (tasks run "
        "in the request), rolled back",
    )


# The activity ledger import (issue 8) ------------------------------------------------

# The contract's ten ledger columns (activities.importing) and the lecturer of a 党课.
LEDGER_BENCH_HEADER = [*LEDGER_COLUMNS[:10], "授课人"]
# (kind as a clerk writes it, 时长, whether it has a 授课人): organisational life, a 党课 with
# its lecturer and volunteer service, whose points are capped over the year (D8).
LEDGER_BENCH_KINDS = [
    ("支部党员大会", "2", False),
    ("支部委员会会议", "1.5", False),
    ("主题党日", "半天", False),
    ("党课", "2小时", True),
    ("志愿服务", "4", False),
]


def ledger_rows(court: Org, activities: int, per_activity: int, year: int) -> list[list[Any]]:
    """A ledger of `activities` new activities of the court's branches in `year`, each with
    `per_activity` people named by 工号: most present, two on leave, one absent."""
    branches = list(
        Org.objects.filter(path__startswith=court.path, kind=OrgKind.BRANCH, is_active=True)
        .order_by("path")
        .values_list("pk", "code")
    )
    members = list(
        Person.objects.filter(court=court, political_status__in=PARTY_STATUSES)
        .order_by("employee_no")
        .values_list("party_org_id", "employee_no")
    )
    if not branches or len(members) < per_activity:
        raise SystemExit(
            f"{court.name}的党支部或党员太少，无法生成台账：请先运行 tianping generate --profile city"
        )
    own: dict[int, list[str]] = {}
    for branch_id, employee_no in members:
        own.setdefault(branch_id, []).append(employee_no)
    everyone = [no for _, no in members]
    rng = random.Random(11)
    last_day = min(dt.date(year, 12, 31), timezone.localdate())
    days = (last_day - dt.date(year, 1, 1)).days + 1
    rows = []
    for i in range(activities):
        branch_id, code = branches[i % len(branches)]
        kind, hours, lectured = LEDGER_BENCH_KINDS[i % len(LEDGER_BENCH_KINDS)]
        pool = own.get(branch_id, [])
        people = pool[:per_activity] if len(pool) >= per_activity else []
        if not people:
            people = list(dict.fromkeys([*pool, *rng.sample(everyone, per_activity)]))
            people = people[:per_activity]
        rng.shuffle(people)
        present, leave, absent = people[3:], people[1:3], people[:1]
        on = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(days))
        rows.append(
            [
                code,
                kind,
                on.isoformat(),
                f"{kind}（台账导入基准第{i + 1}条）",
                "党员活动室",
                hours,
                "、".join(present),
                "、".join(leave),
                "、".join(absent),
                f"{kind}：学习传达上级精神，讨论本支部工作。",
                present[0] if lectured else None,
            ]
        )
    return rows


def ledger_sheet(court: Org, activities: int, per_activity: int, year: int) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("组织生活台账")
    sheet.append(LEDGER_BENCH_HEADER)
    for row in ledger_rows(court, activities, per_activity, year):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def bench_ledger_import(court: Org, activities: int = 2000, attendance: int = 40_000) -> Result:
    """A first ledger import: a generated sheet in a temporary file, read, checked and written
    with its attendance, audit rows and points, rolled back after each run."""
    import tempfile
    from pathlib import Path

    from tianping.activities.importing import import_ledger

    per_activity = attendance // activities
    year = _last_full_year()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "台账.xlsx"
        path.write_bytes(ledger_sheet(court, activities, per_activity, year))

        cpu: list[float] = []

        def run() -> None:
            start = time.process_time()
            try:
                with transaction.atomic():
                    result = import_ledger(path, court, None)
                    assert result.ok and result.created == activities, result.as_json()
                    raise Rollback
            except Rollback:
                pass
            cpu.append((time.process_time() - start) * 1000)

        samples = _times(run, runs=3, warmup=0)
    # The CPU time of this process beside the wall time: on a shared machine the wall time
    # also counts the time spent waiting for a core.
    return Result(
        f"ledger_import_{activities}_activities",
        statistics.median(samples),
        _p95(samples),
        None,
        f"{court.code} {year}: {activities} activities, {per_activity * activities} attendance, "
        "read + check + write + audit + points, rolled back; "
        f"median CPU of this process {statistics.median(cpu):.0f} ms",
    )


# Training (issue 10) -------------------------------------------------------------------


def _top_court() -> Org | None:
    """The topmost court with training classes in its subtree (a province's 高院)."""
    from tianping.learning.models import TrainingClass

    for court in Org.objects.filter(kind__in=COURT_KINDS).order_by("depth", "path"):
        if TrainingClass.objects.filter(court__path__startswith=court.path).exists():
            return court
    return None


def _training_year(court: Org) -> int:
    """The last full year with classes in the subtree."""
    from tianping.learning.queries.stats import years_with_classes

    last = timezone.localdate().year - 1
    years = [y for y in years_with_classes(court) if y <= last]
    return years[0] if years else last


def training_stats_floor(root: Org, year: int) -> Floor:
    """What the statistics page shows (learning.queries.stats): the year's classes with
    their kind and court, each class's credited people with their line and hours from
    attendance and from ledgers, and the hours by course category."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    where = (
        "c.court_id IN (SELECT id FROM orgs_org WHERE path LIKE %s) "
        "AND c.starts_on BETWEEN %s AND %s AND c.status <> 'cancelled'"
    )
    scope = [root.path + "%", start, end]
    classes = (
        "SELECT c.id, c.kind, o.path FROM learning_trainingclass c "
        f"JOIN orgs_org o ON o.id = c.court_id WHERE {where}"
    )
    ledger = (
        "SELECT e.training_class_id, e.person_id, p.category, e.ledger_hours, "
        "COALESCE(e.ledger_political_hours, 0) FROM learning_enrolment e "
        "JOIN learning_trainingclass c ON c.id = e.training_class_id "
        "JOIN people_person p ON p.id = e.person_id "
        f"WHERE e.ledger_hours IS NOT NULL AND {where}"
    )
    hours = "COALESCE(at.hours, a.hours, 0)"
    political = "(cr.political OR cr.category = 'political')"
    sessions = (
        f"SELECT s.training_class_id, at.person_id, p.category, SUM({hours}), "
        f"SUM(CASE WHEN {political} THEN {hours} ELSE 0 END) FROM activities_attendance at "
        "JOIN activities_activity a ON a.id = at.activity_id "
        "JOIN learning_classsession s ON s.activity_id = a.id "
        "LEFT JOIN learning_course cr ON cr.id = s.course_id "
        "JOIN learning_trainingclass c ON c.id = s.training_class_id "
        "JOIN people_person p ON p.id = at.person_id "
        f"WHERE at.status = 'present' AND a.status = 'held' AND {where} "
        "GROUP BY s.training_class_id, at.person_id, p.category"
    )
    categories = (
        f"SELECT cr.category, SUM({hours}) FROM activities_attendance at "
        "JOIN activities_activity a ON a.id = at.activity_id "
        "JOIN learning_classsession s ON s.activity_id = a.id "
        "LEFT JOIN learning_course cr ON cr.id = s.course_id "
        "JOIN learning_trainingclass c ON c.id = s.training_class_id "
        f"WHERE at.status = 'present' AND a.status = 'held' AND {where} GROUP BY cr.category"
    )
    return [(classes, scope), (ledger, scope), (sessions, scope), (categories, scope)]


def person_hours_floor(person: Person, year: int) -> Floor:
    """A person's credited hours of a year: attended sessions (the year's held sessions of
    live classes, as a subquery, so the person's attendance is read by its index), and
    ledger classes started in the year."""
    hours = "COALESCE(at.hours, a.hours, 0)"
    sessions = (
        f"SELECT SUM({hours}), SUM(CASE WHEN cr.political OR cr.category = 'political' "
        f"THEN {hours} ELSE 0 END) FROM activities_attendance at "
        "JOIN activities_activity a ON a.id = at.activity_id "
        "JOIN learning_classsession s ON s.activity_id = a.id "
        "LEFT JOIN learning_course cr ON cr.id = s.course_id "
        "WHERE at.person_id = %s AND at.status = 'present' AND at.activity_id IN ("
        "SELECT s2.activity_id FROM learning_classsession s2 "
        "JOIN activities_activity a2 ON a2.id = s2.activity_id "
        "JOIN learning_trainingclass c2 ON c2.id = s2.training_class_id "
        "WHERE a2.status = 'held' AND c2.status <> 'cancelled' "
        'AND a2."on" BETWEEN %s AND %s)'
    )
    ledger = (
        "SELECT SUM(e.ledger_hours), SUM(COALESCE(e.ledger_political_hours, 0)) "
        "FROM learning_enrolment e JOIN learning_trainingclass c ON c.id = e.training_class_id "
        "WHERE e.person_id = %s AND e.ledger_hours IS NOT NULL AND c.status <> 'cancelled' "
        "AND c.starts_on BETWEEN %s AND %s"
    )
    span = [person.pk, dt.date(year, 1, 1), dt.date(year, 12, 31)]
    return [(sessions, span), (ledger, span)]


def bench_training(court: Org | None = None) -> list[Result]:
    """The training statistics of the top court's year (page and command) and a person's
    yearly hours."""
    from tianping.learning.hours import person_hours
    from tianping.learning.models import Enrolment
    from tianping.learning.queries.stats import shortfalls, training_stats

    top = court or _top_court()
    if top is None:
        return []
    year = _training_year(top)
    floor = training_stats_floor(top, year)
    stats = training_stats(top, year)
    results = []
    client = _officer_client(top)
    url = f"/learning/stats/?org={top.code}&year={year}"

    def page() -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    note = f"{top.code} {year}: {stats.total.classes} classes, {stats.total.participations} participations"
    results.append(
        _measure(
            "training_stats_top_court",
            lambda: training_stats(top, year),
            floor,
            note=f"{note}; computed afresh (learning.queries.stats.training_stats)",
        )
    )
    results.append(
        _measure(
            "training_stats_page_top_court",
            page,
            floor,
            note=f"{note}; the whole page, its figures cached per data generation after the first",
        )
    )

    def command() -> None:
        training_stats(top, year).as_json(shortfalls(top, year))

    results.append(
        _measure(
            "training_stats_cli_top_court",
            command,
            floor,
            note=f"{note}; with the shortfalls of every serving person (floor without them)",
        )
    )
    busiest = (
        Enrolment.objects.filter(
            training_class__starts_on__year=year, person__court__path__startswith=top.path
        )
        .values("person")
        .annotate(n=Count("id"))
        .order_by("-n", "person")
        .first()
    )
    if busiest is not None:
        person = Person.objects.get(pk=busiest["person"])
        results.append(
            _measure(
                "person_yearly_hours",
                lambda: person_hours(person.pk, year),
                person_hours_floor(person, year),
                note=f"{person.employee_no} {year}: {busiest['n']} classes (learning.hours)",
            )
        )
    return results


def training_ledger_sheet(court: Org, classes: int, per_class: int, year: int) -> bytes:
    """A training ledger of `classes` new classes of `year`, each with `per_class` people
    of the court's subtree named by 工号 with their hours."""
    from tianping.learning.importing import CLASS_COLUMNS, PEOPLE_COLUMNS

    numbers = list(
        Person.objects.filter(court__path__startswith=court.path)
        .order_by("employee_no")
        .values_list("employee_no", flat=True)
    )
    if len(numbers) < per_class:
        raise SystemExit(f"{court.name}的人员太少，无法生成培训台账")
    rng = random.Random(13)
    kinds = ["政治轮训", "业务培训", "岗位练兵", "新任职培训", "异地培训"]
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("培训班")
    sheet.append(CLASS_COLUMNS)
    people = book.create_sheet("参训人员")
    people.append(PEOPLE_COLUMNS)
    for i in range(classes):
        code = f"BENCH-{year}-{i + 1:04d}"
        starts = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(360))
        sheet.append(
            [
                code,
                f"台账导入基准培训班第{i + 1}期",
                kinds[i % len(kinds)],
                "",
                starts.isoformat(),
                (starts + dt.timedelta(days=2)).isoformat(),
                "本院培训中心",
                "",
            ]
        )
        for no in rng.sample(numbers, per_class):
            people.append([code, no, None, 18, 6, "合格"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def bench_training_import(court: Org, participations: int = 10_000, per_class: int = 50) -> Result:
    """A first training-ledger import: read, check and write classes, enrolments and audit,
    rolled back after each run (target ≤ 10 s for 10,000 participations)."""
    import tempfile
    from pathlib import Path

    from tianping.learning.importing import import_training

    classes = participations // per_class
    year = _training_year(court)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "培训台账.xlsx"
        path.write_bytes(training_ledger_sheet(court, classes, per_class, year))
        cpu: list[float] = []

        def run() -> None:
            start = time.process_time()
            try:
                with transaction.atomic():
                    result = import_training(path, court, None)
                    assert result.ok and result.created == classes, result.as_json()
                    raise Rollback
            except Rollback:
                pass
            cpu.append((time.process_time() - start) * 1000)

        samples = _times(run, runs=3, warmup=0)
    return Result(
        f"training_import_{participations}_participations",
        statistics.median(samples),
        _p95(samples),
        None,
        f"{court.code} {year}: {classes} classes × {per_class}, read + check + write + audit, "
        f"rolled back; median CPU of this process {statistics.median(cpu):.0f} ms",
    )


def run_all(roster_rows: int = 25_000, include_import: bool = True) -> dict[str, Any]:
    # A tidy database first: an earlier bench, or an import rolled back, may have left dead
    # rows (PostgreSQL) or free pages (SQLite) behind.
    tidied = [vacuum()]
    court = _busiest_court()
    results: list[Result] = []
    # The reads first, then the writes: no read case is timed over what an import left.
    try:
        with transaction.atomic():
            results += bench_pages(court)
            results += bench_life(court)
            results += bench_training()
            results += bench_volunteer()
            results += bench_community()
            results += bench_liaison()
            results += bench_talent_pools()
            results += bench_competitions()
            results += bench_typing()
            raise Rollback
    except Rollback:
        pass
    if include_import:
        result = bench_roster_import(court, roster_rows)
        result.note += f"; peak RSS of a fresh process {measure_import_memory(roster_rows)} MB"
        results.append(result)
        results.append(bench_roster_import_web(court, roster_rows))
        results.append(bench_ledger_import(court))
        top = _top_court()
        if top is not None:
            results.append(bench_training_import(top))
        # What the rolled-back imports left goes too, before the next bench or --http.
        tidied.append(vacuum())
    return {
        "dataset": dataset(),
        "database": connection.vendor,
        "court": court.code,
        "vacuum": [t for t in tidied if t],
        "results": [r.as_dict() for r in results],
    }


def volunteer_hours_floor(root: Org, year: int) -> Floor:
    """The hours ledger of a year (service.queries.volunteer.hours_ledger, whole): each
    person's services and hours at held volunteer services of the subtree, and the totals."""
    hours = "COALESCE(at.hours, a.hours, 0)"
    where = (
        "at.status = 'present' AND a.kind = 'volunteer_service' AND a.status = 'held' "
        'AND a."on" BETWEEN %s AND %s AND o.path LIKE %s'
    )
    rows = (
        "FROM activities_attendance at JOIN activities_activity a ON a.id = at.activity_id "
        f"JOIN orgs_org o ON o.id = a.org_id WHERE {where}"
    )
    span = [dt.date(year, 1, 1), dt.date(year, 12, 31), root.path + "%"]
    return [
        (
            f"SELECT at.person_id, COUNT(DISTINCT at.activity_id), SUM({hours}) {rows} "
            f"GROUP BY at.person_id ORDER BY SUM({hours}) DESC",
            span,
        ),
        (
            f"SELECT COUNT(DISTINCT at.person_id), COUNT(DISTINCT at.activity_id), SUM({hours}) {rows}",
            span,
        ),
    ]


def bench_volunteer(court: Org | None = None) -> list[Result]:
    """Volunteer hours of a province's year: the whole ledger (every person), the first page
    with its points, and the courts' yearly figures (活动次数, 参与人次, 服务时长, 受益群众)."""
    from tianping.accounts.scoping import scope_for
    from tianping.activities.models import Activity
    from tianping.service.queries import volunteer as queries

    top = court or _top_court() or _busiest_court()
    # The last full year with services (else the latest): a province's whole year.
    held = Activity.objects.filter(
        kind="volunteer_service", status="held", org__path__startswith=top.path
    )
    years = sorted({d.year for d in held.dates("on", "year")})
    full = [y for y in years if y < timezone.localdate().year]
    year = (full or years or [timezone.localdate().year - 1])[-1]
    user = User.objects.create(username=f"bench-{random.randrange(10**9)}")
    RoleGrant.objects.create(user=user, role=Role.POLITICAL_DEPT, org=top)
    scope = scope_for(user)
    whole = queries.hours_ledger(scope, top, year, limit=None)
    note = (
        f"{top.code} {year}: {whole.people} people, {whole.services} services, {whole.hours} hours"
    )
    floor = volunteer_hours_floor(top, year)
    return [
        _measure(
            "volunteer_hours_province_year",
            lambda: queries.hours_ledger(scope, top, year, limit=None),
            floor,
            note=f"{note}; every person's line (service.queries.volunteer.hours_ledger)",
        ),
        _measure(
            "volunteer_hours_page",
            lambda: queries.hours_ledger(scope, top, year, limit=100),
            floor,
            note=f"{note}; the first 100 lines with their R4.1 points, as the page shows them",
        ),
        _measure(
            "volunteer_figures_province_year",
            lambda: queries.court_figures(scope, top, year),
            None,
            note=f"{note}; each court's and team's yearly figures",
        ),
    ]


def bench_community(top: Org | None = None) -> list[Result]:
    """Community work over a province: every serving party member registered with a community
    and three services each in the year, ten deeds per court; the 双报到 overview of the top
    court (counts and first page), its page, and the 办实事 counts per court. Seeded in bulk
    and rolled back."""
    import datetime as dt
    from decimal import Decimal

    from tianping.accounts.scoping import scope_from_grant
    from tianping.people.models import PARTY_STATUSES, PersonStatus
    from tianping.service.models import CommunityRegistration, CommunityService, Deed
    from tianping.service.queries import community as queries

    top = top or _top_court()
    if top is None:
        return []
    year = _last_full_year()
    results: list[Result] = []
    try:
        with transaction.atomic():
            members = list(
                Person.objects.filter(
                    court__path__startswith=top.path,
                    status=PersonStatus.SERVING,
                    political_status__in=PARTY_STATUSES,
                ).values_list("pk", "court_id")
            )
            registered = set(CommunityRegistration.objects.values_list("person_id", flat=True))
            registrations = CommunityRegistration.objects.bulk_create(
                CommunityRegistration(
                    person_id=pk,
                    community=f"第{pk % 97}社区",
                    district="街道",
                    registered_on=dt.date(year - 1, 3, 1),
                )
                for pk, _ in members
                if pk % 10 and pk not in registered
            )
            CommunityService.objects.bulk_create(
                CommunityService(
                    registration=r,
                    person_id=r.person_id,
                    on=dt.date(year, 1 + (r.person_id + n) % 12, 10),
                    content="社区服务",
                    hours=Decimal("2.0"),
                )
                for r in registrations
                for n in range(3)
            )
            courts = list(Org.objects.courts().filter(path__startswith=top.path))
            owner = {court_id: pk for pk, court_id in members}
            Deed.objects.bulk_create(
                Deed(
                    org=c,
                    court=c,
                    year=year,
                    title=f"办实事{n}",
                    owner_id=owner[c.pk],
                    deadline=dt.date(year, 1 + n, 1),
                    status=("not_started", "in_progress", "done")[n % 3],
                )
                for c in courts
                if c.pk in owner
                for n in range(10)
            )
            user = User.objects.create(username=f"bench-{random.randrange(10**9)}")
            grant = RoleGrant.objects.create(user=user, role=Role.POLITICAL_DEPT, org=top)
            scope = scope_from_grant(grant)
            f = queries.MemberFilter(year=year)
            note = (
                f"{top.code} {year}: {len(members)} party members, {len(registrations)} "
                f"registered, {3 * len(registrations)} services, {10 * len(courts)} deeds"
            )

            def overview() -> None:
                people = queries.member_overview(scope, f)
                queries.overview_totals(people, f.year)
                list(people[:50])

            floor: Floor = [
                (
                    "SELECT COUNT(*), COUNT(r.id), SUM(s.n), SUM(s.h) FROM people_person p "
                    "JOIN orgs_org c ON c.id = p.court_id "
                    "LEFT JOIN service_communityregistration r ON r.person_id = p.id "
                    "AND r.registered_on <= %s AND (r.ended_on IS NULL OR r.ended_on >= %s) "
                    "LEFT JOIN (SELECT person_id, COUNT(*) n, SUM(hours) h "
                    'FROM service_communityservice WHERE "on" BETWEEN %s AND %s '
                    "AND withdrawn_at IS NULL GROUP BY person_id) s ON s.person_id = p.id "
                    "WHERE c.path LIKE %s AND p.status = 'serving' "
                    "AND p.political_status IN ('member', 'probationary')",
                    [
                        dt.date(year, 12, 31),
                        dt.date(year, 12, 31),
                        dt.date(year, 1, 1),
                        dt.date(year, 12, 31),
                        top.path + "%",
                    ],
                )
            ]
            results.append(
                _measure(
                    "community_registrations_overview",
                    overview,
                    floor,
                    note=f"{note}; totals and the first page (service.queries.community)",
                )
            )
            client = Client()
            client.force_login(user)
            url = f"/service/community/?year={year}"

            def page() -> None:
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)

            results.append(
                _measure("community_registrations_page", page, floor, note=f"{note}; the page")
            )
            deed_floor: Floor = [
                (
                    "SELECT d.court_id, COUNT(*), SUM(CASE WHEN d.status = 'done' THEN 1 ELSE 0 END), "
                    "SUM(CASE WHEN d.status IN ('not_started', 'in_progress') AND d.deadline < %s "
                    "THEN 1 ELSE 0 END) FROM service_deed d JOIN orgs_org c ON c.id = d.court_id "
                    "WHERE d.year = %s AND c.path LIKE %s GROUP BY d.court_id",
                    [dt.date.today(), year, top.path + "%"],
                )
            ]
            results.append(
                _measure(
                    "community_deed_counts",
                    lambda: queries.deed_counts(scope, year),
                    deed_floor,
                    note=f"{note}; 承诺/已办结/逾期 per court",
                )
            )
            raise Rollback
    except Rollback:
        pass
    return results


def bench_liaison(court: Org | None = None) -> list[Result]:
    """法官联系人: the ledger of the top court's subtree (assignments with their visits, open
    and overdue matters) with its figures, and the matters page, over whatever liaison
    records the data set holds (the demo's; `tianping generate` adds none). The floor: the
    open matters of the subtree counted per assignment in one hand-written statement."""
    from tianping.accounts.scoping import CAPABILITIES, Scope
    from tianping.service.models import LiaisonAssignment, Matter
    from tianping.service.queries import liaison as queries

    top = court or _top_court()
    if top is None:
        return []
    scope = Scope(
        user_id=0,
        role=Role.POLITICAL_DEPT,
        root_path=top.path,
        root_kind=top.kind,
        caps=CAPABILITIES[Role.POLITICAL_DEPT],
    )
    client = _officer_client(top)
    assignments = LiaisonAssignment.objects.filter(court__path__startswith=top.path).count()
    matters = Matter.objects.filter(assignment__court__path__startswith=top.path).count()
    note = f"{top.code}: {assignments} assignments, {matters} matters"
    floor: Floor = [
        (
            "SELECT a.id, COUNT(m.id) FROM service_liaisonassignment a"
            " JOIN orgs_org o ON o.id = a.court_id"
            " LEFT JOIN service_matter m ON m.assignment_id = a.id AND m.closed_on IS NULL"
            " WHERE o.path LIKE %s GROUP BY a.id",
            [top.path + "%"],
        )
    ]

    def ledger() -> None:
        list(queries.assignments(scope, top))
        queries.figures(scope, top)

    def page() -> None:
        response = client.get(f"/service/liaison/matters/?court={top.code}")
        assert response.status_code == 200, response.status_code

    return [
        _measure("liaison_ledger_and_figures", ledger, floor, note=note),
        _measure("liaison_matters_page", page, None, note=f"{note}; the whole page, as an officer"),
    ]


# Talent pools (issue 11) ---------------------------------------------------------------


def _talent_court() -> Org | None:
    """The topmost court (a province's 高院, or the city's 中院)."""
    return Org.objects.filter(kind__in=COURT_KINDS).order_by("depth", "path").first()


def talent_pool_floor(court: Org, on: dt.date) -> Floor:
    """What an eligibility run must read at least: the people the narrowing rules keep, and
    each one's best honour in force."""
    born_after = dt.date(on.year - 41, on.month, min(on.day, 28)) - dt.timedelta(days=2)
    return [
        (
            "SELECT p.id, p.name, p.birth_date, p.category, p.education, p.political_status "
            "FROM people_person p JOIN orgs_org o ON o.id = p.court_id "
            "WHERE o.path LIKE %s AND p.status = 'serving' AND p.birth_date > %s "
            "AND p.political_status IN ('member', 'probationary') "
            "AND p.category IN ('judge', 'judge_assistant') "
            "AND p.education IN ('doctorate', 'master', 'bachelor')",
            [court.path + "%", born_after],
        ),
        (
            "SELECT h.person_id, MIN(h.level) FROM talent_honour h "
            "JOIN people_person p ON p.id = h.person_id JOIN orgs_org o ON o.id = p.court_id "
            "WHERE o.path LIKE %s AND h.withdrawn_on IS NULL AND h.awarded_on <= %s "
            "GROUP BY h.person_id",
            [court.path + "%", on],
        ),
    ]


def bench_talent_pools() -> list[Result]:
    """An eligibility run over a province's people (talent.eligibility): a 后备干部 pool with
    age, political status, line, education and honour rules, and the same with training
    hours. Honours for one person in twenty are added first, inside the rolled-back
    transaction the read cases run in."""
    from tianping.talent.eligibility import eligibility_run
    from tianping.talent.models import Honour, HonourKind, HonourLevel, TalentPool

    court = _talent_court()
    if court is None:
        return []
    on = timezone.localdate()
    ids = list(
        Person.objects.filter(court__path__startswith=court.path)
        .serving()
        .values_list("id", "court_id")
    )
    levels = HonourLevel.values
    Honour.objects.bulk_create(
        [
            Honour(
                court_id=court_id,
                person_id=pid,
                title="测试荣誉",
                kind=HonourKind.ADVANCED_PERSON,
                level=levels[i % len(levels)],
                awarded_by="测试机关",
                awarded_on=on - dt.timedelta(days=30 + i % 1500),
            )
            for i, (pid, court_id) in enumerate(ids[::20])
        ],
        batch_size=2000,
    )
    rules = [
        {"criterion": "age_max", "value": 40},
        {"criterion": "party_member", "value": True},
        {"criterion": "categories", "value": ["judge", "judge_assistant"]},
        {"criterion": "education_min", "value": "bachelor"},
        {"criterion": "honour_level", "value": "court"},
    ]
    pool = TalentPool(court=court, kind="reserve_cadre", name="测试", rules=rules)
    eligible = len(eligibility_run(pool, on))
    results = [
        _measure(
            "talent pool eligibility run",
            lambda: eligibility_run(pool, on),
            talent_pool_floor(court, on),
            f"{court.name}: {len(ids)} serving people, {eligible} eligible, 5 rules",
        )
    ]
    hours_pool = TalentPool(
        court=court,
        kind="reserve_cadre",
        name="测试",
        rules=[*rules, {"criterion": "training_hours_min", "value": "20"}],
    )
    results.append(
        _measure(
            "talent pool eligibility run with training hours",
            lambda: eligibility_run(hours_pool, on),
            None,
            f"{court.name}: the 5 rules and the last year's credited hours (learning.hours)",
        )
    )
    return results


def bench_competitions(court: Org | None = None) -> list[Result]:
    """A city-wide competition round (60 entrants, 7 judges, 5 criteria: 2,100 cells): its
    ranking with dropped extremes, its results page, and one judge's cell saved. Built here,
    inside `run_all`'s rolled-back transaction."""
    from decimal import Decimal

    from tianping.talent.actions import competitions as contest
    from tianping.talent.models import Criterion, Judge, Round, Score
    from tianping.talent.queries.competitions import participants, round_standings

    top = court or _top_court()
    if top is None:
        return []
    people = list(
        Person.objects.serving().filter(court__path__startswith=top.path).order_by("pk")[:67]
    )
    if len(people) < 67:
        return []
    rng = random.Random(11)
    today = dt.date.today()
    comp = contest.do_create_competition(
        None, top, name="基准测试竞赛", year=today.year, starts_on=today, ends_on=today
    )
    track = contest.do_add_track(None, comp, name="基准项目", specialty="综合")
    for n in range(5):
        contest.do_add_criterion(None, track, name=f"评分项{n + 1}", max_points="20")
    rnd = contest.do_add_round(None, track, stage="final")
    contest.do_add_judges(None, rnd, people[60:67])
    contest.do_enrol(None, track, people[:60])
    contest.do_set_status(None, comp, "open")
    contest.do_set_status(None, comp, "scoring")
    criteria = list(Criterion.objects.filter(track=track))
    entrants = participants(rnd)
    for judge in Judge.objects.filter(round=rnd):
        contest.do_score_sheet(
            None,
            judge,
            [(e, c, Decimal(rng.randrange(20, 41)) / 2) for e in entrants for c in criteria],
        )
    rnd = Round.objects.select_related("track__competition").get(pk=rnd.pk)
    scores = Score.objects.filter(judge__round=rnd)
    floor: Floor = [
        (
            "SELECT s.entrant_id, s.judge_id, SUM(s.points * c.weight) FROM talent_score s "
            "JOIN talent_criterion c ON c.id = s.criterion_id JOIN talent_judge j ON j.id = s.judge_id "
            "WHERE j.round_id = %s GROUP BY s.entrant_id, s.judge_id",
            [rnd.pk],
        )
    ]
    note = f"{len(entrants)} entrants, 7 judges, {len(criteria)} criteria, {scores.count()} cells"
    client = _officer_client(top)
    results = [
        _measure(
            "competition_round_ranking",
            lambda: round_standings(rnd),
            floor,
            note=f"{note}; drop highest and lowest, ranks with ties (talent.queries.competitions)",
        )
    ]
    url = f"/talent/competitions/rounds/{rnd.pk}/results/"

    def page() -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    results.append(
        _measure("competition_results_page", page, floor, note=f"{note}; the whole page")
    )
    seat = Judge.objects.filter(round=rnd).first()
    assert seat is not None
    cell = (entrants[0], criteria[0])
    results.append(
        _measure(
            "competition_score_cell",
            lambda: contest.do_score(None, seat, cell[0], cell[1], str(rng.randrange(0, 21))),
            None,
            note="one judge's cell saved with its bounds checked and audited",
        )
    )
    return results


def bench_typing() -> list[Result]:
    """Scoring a 10-minute stenography test (R6): about 2,500 typed characters against a
    3,000-character reference (target ≤ 200 ms), alone and with the text rebuilt from its
    input log as the server does at hand-in. Pure computation: no SQL floor."""
    import random

    from tianping.demo.typing import simulated_log
    from tianping.talent import typing
    from tianping.talent.actions.typing import rebuild
    from tianping.talent.typing_texts import HEARING, JUDGMENT

    source = typing.normalise(JUDGMENT + HEARING)
    reference = (source * (3000 // len(source) + 1))[:3000]
    rng = random.Random(2024)
    # 255 a minute for ten minutes: about 2,500 characters typed, slips and all.
    log = simulated_log(rng, reference, 600, cpm=255)
    typed = rebuild(log)
    result = typing.score(reference, typed, 600)
    note = (
        f"{result.alignment.reference_chars} reference vs {result.alignment.typed_chars} typed, "
        f"{len(log)} log events; numpy row-wise DP (talent.typing.align)"
    )

    def timed(fn: Callable[[], Any], name: str) -> Result:
        # CPU time beside the wall clock: on a shared machine the wall clock waits for a core.
        cpu: list[float] = []

        def run() -> None:
            start = time.process_time()
            fn()
            cpu.append((time.process_time() - start) * 1000)

        measured = _measure(name, run, None, note)
        measured.note += f"; median CPU {statistics.median(cpu):.0f} ms"
        return measured

    return [
        timed(lambda: typing.score(reference, typed, 600), "typing_score_10min"),
        timed(lambda: typing.score(reference, rebuild(log), 600), "typing_rebuild_and_score_10min"),
    ]
