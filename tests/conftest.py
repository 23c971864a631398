"""Personas shared by every app's tests, matching the roles in DESIGN.md.

One city: 包头市中级人民法院 (BT) with its 九原区人民法院 (BT-JY); and an outsider court,
鄂尔多斯市中级人民法院 (EH). State is set up through the actions, as the product does.

- admin: platform admin (信息中心), sees everything
- alice: 政治部 of the mid court BT (and so of BT-JY below it)
- bob: 机关党委 of the basic court BT-JY
- carol: secretary of branch BT-JY-B01
- dave: a member in BT-JY-B01, sees only himself
- erin: a leader of BT, read-only
- oscar: 政治部 of EH, an outsider who must see nothing of ours
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tianping.accounts import actions as account_actions
from tianping.accounts.models import Role, User
from tianping.orgs.actions import do_create_org
from tianping.orgs.models import Org, OrgKind
from tianping.people.actions import do_create_person
from tianping.people.models import Category, Person, PoliticalStatus

DATABASE_FIXTURES = frozenset({"db", "transactional_db", "live_server"})


def _touches_database(item: pytest.Item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    return bool(names & DATABASE_FIXTURES) or item.get_closest_marker("django_db") is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The PostgreSQL leg runs what depends on the database, once more.

    A test marked `own_sqlite` runs the installed command on a SQLite file of its own,
    whatever database the suite is on, and a test that asks for no database (a rule, a
    parser, a header) gives the same answer on either: the PostgreSQL leg would repeat them
    byte for byte, so it skips them."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        return
    own = pytest.mark.skip(reason="runs on its own SQLite file: once, on the SQLite leg")
    same = pytest.mark.skip(reason="uses no database: run once, on the SQLite leg")
    for item in items:
        if item.get_closest_marker("own_sqlite"):
            item.add_marker(own)
        elif not _touches_database(item):
            item.add_marker(same)


# Playwright's sync API runs an event loop in the test thread; the live server's database
# access happens in its own thread, so this only silences Django's guard in the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "Tianping-2024!"


@dataclass
class World:
    orgs: dict[str, Org]
    people: dict[str, Person]
    users: dict[str, User]

    def client(self, name: str | None) -> Client:
        client = Client()
        if name is not None:
            client.force_login(self.users[name])
        return client

    def org(self, code: str) -> Org:
        org = self.orgs[code]
        org.refresh_from_db()
        return org


TREE = [
    # code, name, kind, parent
    ("BT", "包头市中级人民法院", OrgKind.MID_COURT, None),
    ("BT-ZZB", "政治部", OrgKind.DEPARTMENT, "BT"),
    ("BT-MS1", "民事审判第一庭", OrgKind.DEPARTMENT, "BT"),
    ("BT-JGDW", "机关党委", OrgKind.PARTY_COMMITTEE, "BT"),
    ("BT-B01", "第一党支部", OrgKind.BRANCH, "BT-JGDW"),
    ("BT-B02", "第二党支部", OrgKind.BRANCH, "BT-JGDW"),
    ("BT-JY", "九原区人民法院", OrgKind.BASIC_COURT, "BT"),
    ("BT-JY-ZZB", "政治部", OrgKind.DEPARTMENT, "BT-JY"),
    ("BT-JY-MS", "民事审判庭", OrgKind.DEPARTMENT, "BT-JY"),
    ("BT-JY-JGDW", "机关党委", OrgKind.PARTY_COMMITTEE, "BT-JY"),
    ("BT-JY-B01", "第一党支部", OrgKind.BRANCH, "BT-JY-JGDW"),
    ("BT-JY-B01-G1", "第一党小组", OrgKind.GROUP, "BT-JY-B01"),
    ("BT-JY-B02", "第二党支部", OrgKind.BRANCH, "BT-JY-JGDW"),
    ("EH", "鄂尔多斯市中级人民法院", OrgKind.MID_COURT, None),
    ("EH-ZZB", "政治部", OrgKind.DEPARTMENT, "EH"),
    ("EH-JGDW", "机关党委", OrgKind.PARTY_COMMITTEE, "EH"),
    ("EH-B01", "第一党支部", OrgKind.BRANCH, "EH-JGDW"),
]

PEOPLE = [
    # key, court, employee_no, name, department, branch, category, political status
    ("zhang", "BT", "BT0001", "张华庆", "BT-MS1", "BT-B01", Category.JUDGE, PoliticalStatus.MEMBER),
    (
        "li",
        "BT",
        "BT0002",
        "李建国",
        "BT-ZZB",
        "BT-B02",
        Category.ADMIN_STAFF,
        PoliticalStatus.MEMBER,
    ),
    (
        "wang",
        "BT-JY",
        "JY0001",
        "王芳",
        "BT-JY-MS",
        "BT-JY-B01",
        Category.JUDGE,
        PoliticalStatus.MEMBER,
    ),
    (
        "zhao",
        "BT-JY",
        "JY0002",
        "赵磊",
        "BT-JY-MS",
        "BT-JY-B01",
        Category.CLERK,
        PoliticalStatus.PROBATIONARY,
    ),
    (
        "sun",
        "BT-JY",
        "JY0003",
        "孙丽",
        "BT-JY-ZZB",
        "BT-JY-B02",
        Category.JUDGE_ASSISTANT,
        PoliticalStatus.MEMBER,
    ),
    (
        "zhou",
        "BT-JY",
        "JY0004",
        "周强",
        "BT-JY-ZZB",
        None,
        Category.JUDICIAL_POLICE,
        PoliticalStatus.MASSES,
    ),
    ("hu", "EH", "EH0001", "胡敏", "EH-ZZB", "EH-B01", Category.JUDGE, PoliticalStatus.MEMBER),
]

PERSONAS = [
    # username, role, org, person key
    ("admin", Role.PLATFORM_ADMIN, "BT", None),
    ("alice", Role.POLITICAL_DEPT, "BT", None),
    ("bob", Role.PARTY_OFFICE, "BT-JY", None),
    ("carol", Role.BRANCH_SECRETARY, "BT-JY-B01", None),
    ("dave", Role.MEMBER, "BT-JY", "zhao"),
    ("erin", Role.LEADER, "BT", None),
    ("oscar", Role.POLITICAL_DEPT, "EH", None),
]


def build_world() -> World:
    orgs: dict[str, Org] = {}
    for code, name, kind, parent in TREE:
        parent_org = orgs[parent] if parent else None
        if parent_org is not None:
            parent_org.refresh_from_db()
        orgs[code] = do_create_org(None, code=code, name=name, kind=kind, parent=parent_org)
    for org in orgs.values():
        org.refresh_from_db()
    people: dict[str, Person] = {}
    for key, court, no, name, dept, branch, category, status in PEOPLE:
        people[key] = do_create_person(
            None,
            orgs[court],
            employee_no=no,
            name=name,
            gender="male" if name in ("张华庆", "李建国", "赵磊", "周强") else "female",
            birth_date=dt.date(1985, 3, 2),
            category=category,
            political_status=status,
            department=orgs[dept],
            party_org=orgs[branch] if branch else None,
            since=dt.date(2020, 1, 1),
        )
    users: dict[str, User] = {}
    for username, role, org_code, person_key in PERSONAS:
        user = account_actions.do_create_user(
            None,
            username,
            password=PASSWORD,
            person=people[person_key] if person_key else None,
            check_password=False,
        )
        account_actions.do_grant(None, user, role, orgs[org_code])
        users[username] = user
    # China's holiday table is seeded by a data migration; a transactional test's flush
    # empties it with the rest, so it comes back with the world (D6).
    from tianping.recruitment.workdays import seed

    seed()
    return World(orgs=orgs, people=people, users=users)


@pytest.fixture(scope="session", autouse=True)
def flush_past_the_append_only_ledgers() -> Any:
    """Transactional tests empty the database between tests with Django's flush.

    On SQLite the ledgers' delete triggers refuse that (as they should in production);
    the test harness lifts them around the flush, as `wipe` does for a reset.
    """
    from django.db import connection

    from tianping.audit.append_only import around_deletes

    if connection.vendor != "sqlite":
        yield
        return
    operations = type(connection.ops)
    original = operations.sql_flush

    def sql_flush(self: Any, style: Any, tables: Any, **kwargs: Any) -> list[str]:
        return around_deletes(original(self, style, tables, **kwargs), list(tables))

    operations.sql_flush = sql_flush  # type: ignore[method-assign]
    yield
    operations.sql_flush = original  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # Argon2 is slow on purpose; tests that check the hasher itself ask for it back.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Tasks run inside the call that starts them (ImmediateBackend). Set once here, before
# anything reads it, not per test through the `settings` fixture, whose signal on every
# test resets the task handler; tests of the queue and a worker run ask for the database
# backend with `settings.TASKS` (tests/people/test_import_tasks.py).
django_settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Any) -> None:
    # Uploaded files (evidence, import sheets) go to a throw-away folder per test.
    settings.MEDIA_ROOT = tmp_path / "media"


def load_world() -> World | None:
    """The world built once at database set-up, if a transactional test has not flushed it."""
    codes = [code for code, *_ in TREE]
    orgs = {o.code: o for o in Org.objects.filter(code__in=codes)}
    if len(orgs) != len(codes):
        return None
    numbers = {no: key for key, _, no, *_ in PEOPLE}
    people = {numbers[p.employee_no]: p for p in Person.objects.filter(employee_no__in=numbers)}
    users = {u.username: u for u in User.objects.filter(username__in=[p[0] for p in PERSONAS])}
    if len(people) != len(PEOPLE) or len(users) != len(PERSONAS):
        return None
    return World(orgs=orgs, people=people, users=users)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    # Build the shared world once per test database; each test runs in a transaction that
    # is rolled back, so every test starts from the same world.
    from django.db import connection

    with django_db_blocker.unblock():
        from django.test import override_settings

        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            build_world()
    name = str(connection.settings_dict["NAME"])
    on_file = connection.vendor == "sqlite" and not connection.is_in_memory_db()
    yield
    with django_db_blocker.unblock():
        from tests.demo_snapshot import drop_postgres_copy

        drop_postgres_copy()
    if on_file:
        # Django removes the SQLite file itself; its write-ahead log and index would stay.
        for leftover in (f"{name}-wal", f"{name}-shm"):
            Path(leftover).unlink(missing_ok=True)


@pytest.fixture(scope="module")
def demo_city(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    """The demo exactly as `tianping demo` loads it, in place of the shared test world,
    for the module that asks; built once per worker and copied in (tests/demo_snapshot.py)."""
    from tests.demo_snapshot import demo_loaded

    with django_db_blocker.unblock(), demo_loaded() as built:
        yield built


@pytest.fixture
def demo_db(demo_city: Any, db: Any) -> Any:
    """Database access for one test on the demo; what the test writes is rolled back."""
    return demo_city


@pytest.fixture
def world(db: Any) -> World:
    return load_world() or build_world()


@pytest.fixture
def transactional_world(transactional_db: Any) -> World:
    return load_world() or build_world()


@pytest.fixture
def empty_db(db: Any) -> None:
    """For tests of whole-database commands (demo, generate, backup): start from nothing.

    The shared world is wiped inside the test's transaction and comes back when it rolls back.
    """
    from tianping.backup.tables import wipe

    wipe()
