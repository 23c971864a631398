"""An attacker with the database in reach tries to rewrite history: the ledgers refuse.

The audit log and the points ledger are append-only in the database itself, not only in
Python: DELETE (through the ORM's base manager or raw SQL), UPDATE, and on SQLite
INSERT OR REPLACE over an existing row are all refused.
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from tianping.audit.models import AuditEvent
from tianping.audit.recording import record
from tianping.points.actions import do_post_manual
from tianping.points.models import PointEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(world):
    return do_post_manual(world.users["bob"], world.people["wang"], 3, "撰写心得体会")


def refused(sql: str, params: list | None = None) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params or [])
    except DatabaseError:
        return True
    return False


def test_the_base_manager_cannot_delete_audit_events(world) -> None:
    event = record(world.users["admin"], "orgs.update", world.org("BT"), after={"name": "x"})
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent._base_manager.filter(pk=event.pk)._raw_delete(connection.alias)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize("table", ["audit_auditevent", "points_pointentry"])
def test_raw_delete_and_update_are_refused(world, entry, table) -> None:
    record(world.users["admin"], "orgs.update", world.org("BT"), after={"name": "x"})
    assert refused(f"DELETE FROM {table}")
    assert refused(f"UPDATE {table} SET id = id")


def test_insert_or_replace_cannot_rewrite_a_point_entry(world, entry) -> None:
    if connection.vendor != "sqlite":
        pytest.skip(
            "INSERT OR REPLACE is SQLite's; PostgreSQL's upsert is an UPDATE, refused above"
        )
    assert refused(
        "INSERT OR REPLACE INTO points_pointentry SELECT * FROM points_pointentry WHERE id = %s",
        [entry.pk],
    )
    assert PointEntry.objects.get(pk=entry.pk).points == entry.points
