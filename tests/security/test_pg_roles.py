"""An attacker who takes over the app's database connection tries to erase history on PostgreSQL.

`tianping pg-roles` makes an owner role own the schema and every table, and lets the app
role only read and write rows, only add to the audit log and the points ledger. So the app
role's ordinary writes go through, while TRUNCATE, DELETE, UPDATE and ALTER TABLE … DISABLE
TRIGGER on the ledgers are refused by PostgreSQL's permissions, before any trigger runs.

The roles are made inside the test's transaction (PostgreSQL's role and ownership changes
are transactional), so the rollback at the end undoes them.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from tianping.audit.models import AuditEvent
from tianping.audit.recording import record
from tianping.management.commands.pg_roles import apply_roles
from tianping.orgs.actions import do_create_org, do_update_org
from tianping.orgs.models import OrgKind
from tianping.points.actions import do_post_manual, do_reverse
from tianping.points.models import PointEntry

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL roles (SQLite has none)"
)
LEDGERS = ["audit_auditevent", "points_pointentry"]
OWNER, APP = f"tp_owner_{os.getpid()}", f"tp_app_{os.getpid()}"


def refusal(sql: str) -> str | None:
    """The database's refusal of `sql`, or None when it went through."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    except DatabaseError as e:
        return str(e)
    return None


@pytest.fixture
def as_app(world) -> Iterator[None]:
    with connection.cursor() as cursor:
        apply_roles(cursor, OWNER, APP)
        cursor.execute(f'SET ROLE "{APP}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


@postgres_only
def test_the_app_role_writes_as_the_app_does(world, as_app) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == APP
    org = do_create_org(
        world.users["admin"],
        code="BT-JY-B09",
        name="第九党支部",
        kind=OrgKind.BRANCH,
        parent=world.org("BT-JY-JGDW"),
    )
    do_update_org(world.users["admin"], org, name="第九党支部（新）")
    entry = do_post_manual(world.users["bob"], world.people["wang"], 3, "撰写心得体会")
    reversal = do_reverse(world.users["bob"], entry, "录入有误")
    assert PointEntry.objects.filter(pk__in=[entry.pk, reversal.pk]).count() == 2
    assert AuditEvent.objects.filter(action="orgs.update", object_id=str(org.pk)).exists()
    assert refusal("DELETE FROM django_session") is None


@postgres_only
@pytest.mark.parametrize("table", LEDGERS)
@pytest.mark.parametrize(
    "attack",
    [
        "TRUNCATE {table}",
        "DELETE FROM {table}",
        "UPDATE {table} SET id = id",
        "ALTER TABLE {table} DISABLE TRIGGER ALL",
        "DROP TABLE {table}",
    ],
)
def test_the_app_role_cannot_rewrite_the_ledgers(world, as_app, table, attack) -> None:
    record(world.users["admin"], "orgs.update", world.org("BT"), after={"name": "x"})
    do_post_manual(world.users["bob"], world.people["wang"], 3, "撰写心得体会")
    refused = refusal(attack.format(table=table))
    assert refused is not None, f"{attack.format(table=table)} went through"
    assert "permission denied" in refused or "must be owner" in refused, refused


@postgres_only
def test_the_app_role_cannot_change_the_schema(world, as_app) -> None:
    assert "permission denied" in refusal("CREATE TABLE evil (id int)")
    assert refusal("ALTER TABLE orgs_org ADD COLUMN evil int") is not None
    # Granting itself more is a no-op with a warning: it holds no grant option.
    assert refusal(f'GRANT ALL ON audit_auditevent TO "{APP}"') is None
    assert "permission denied" in refusal("DELETE FROM audit_auditevent")


@postgres_only
def test_the_owner_owns_every_table(world) -> None:
    with connection.cursor() as cursor:
        apply_roles(cursor, OWNER, APP)
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner <> %s",
            [OWNER],
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = %s AND table_name = 'audit_auditevent' ORDER BY 1",
            [APP],
        )
        assert [r[0] for r in cursor.fetchall()] == ["INSERT", "SELECT"]


@postgres_only
def test_the_command_reports_what_it_set_and_refuses_bad_names(world) -> None:
    out = io.StringIO()
    call_command("pg_roles", owner=OWNER, app=APP, stdout=out)
    assert f"{OWNER} 拥有模式 public" in out.getvalue() and "2 张只可追加" in out.getvalue()
    with pytest.raises(CommandError, match="不是可用的名称"):
        call_command("pg_roles", owner="owner; DROP TABLE x", app=APP)
    with pytest.raises(CommandError, match="两个不同的角色"):
        call_command("pg_roles", owner=APP, app=APP)
    with pytest.raises(CommandError, match="超级用户"):
        call_command("pg_roles", owner=OWNER, app="postgres")


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite answer")
def test_on_sqlite_the_command_says_it_is_for_postgresql(db) -> None:
    with pytest.raises(CommandError, match="只适用于 PostgreSQL"):
        call_command("pg_roles", owner="tianping_owner", app="tianping")


@postgres_only
def test_a_pending_migration_under_the_app_role_stops_with_a_chinese_reason(
    world, as_app, capsys
) -> None:
    """The app role cannot migrate: a command started with a migration pending says so and
    exits 1, instead of a traceback in English."""
    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader

    from tianping.cli import ensure_migrated

    # Forget a migration nothing depends on, so the history stays consistent and only pending.
    graph = MigrationLoader(connection).graph
    ours = {c.label for c in apps.get_app_configs() if c.name.startswith("tianping.")}
    app, name = next(
        node
        for node in sorted(graph.leaf_nodes(), reverse=True)
        if node[0] in ours and not graph.node_map[node].children
    )
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = %s AND name = %s", [app, name])
    with pytest.raises(SystemExit) as stopped:
        ensure_migrated()
    assert stopped.value.code == 1
    said = capsys.readouterr().err
    assert "尚未执行的迁移" in said and "tianping migrate" in said
