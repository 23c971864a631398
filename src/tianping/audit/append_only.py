"""Append-only tables in the database itself: the audit log and the points ledger.

PostgreSQL refuses UPDATE and DELETE by row triggers (migrations 0002 of audit and points).
SQLite's own triggers, kept here, refuse UPDATE, DELETE (through any manager, or raw SQL)
and `INSERT OR REPLACE` over an existing row, which SQLite carries out as a delete that
fires no trigger unless recursive triggers are on: so the insert itself is refused when
its id is taken. Only `wipe` (an empty database for the demo, tests and restore) lifts the
delete trigger, inside its own transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# table → what the refusal says
APPEND_ONLY = {
    "audit_auditevent": "audit events are append-only",
    "points_pointentry": "point entries are append-only: post a reversing entry",
}


def _delete_trigger(table: str) -> tuple[str, str]:
    name = f"{table}_no_delete"
    create = (
        f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY[table]}'); END;"
    )
    return name, create


def _replace_trigger(table: str) -> tuple[str, str]:
    name = f"{table}_no_replace"
    create = (
        f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE INSERT ON {table} "
        f"WHEN EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id) "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY[table]}'); END;"
    )
    return name, create


def install_sqlite(schema_editor: Any, table: str) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    for _, create in (_delete_trigger(table), _replace_trigger(table)):
        schema_editor.execute(create)


def remove_sqlite(schema_editor: Any, table: str) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    for name, _ in (_delete_trigger(table), _replace_trigger(table)):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")


def around_deletes(statements: list[str], tables: list[str]) -> list[str]:
    """SQLite: `statements` (deletes of `tables`) with the delete triggers lifted around them."""
    guarded = [t for t in tables if t in APPEND_ONLY]
    drops = [f"DROP TRIGGER IF EXISTS {_delete_trigger(t)[0]};" for t in guarded]
    return [*drops, *statements, *(_delete_trigger(t)[1] for t in guarded)]


@contextmanager
def deletes_allowed(cursor: Any, tables: list[str]) -> Iterator[None]:
    """SQLite: the delete triggers of `tables` lifted for the block, then put back.

    The caller holds a transaction, so no other connection ever sees the tables open.
    """
    guarded = [t for t in tables if t in APPEND_ONLY]
    for table in guarded:
        cursor.execute(f"DROP TRIGGER IF EXISTS {_delete_trigger(table)[0]};")
    try:
        yield
    finally:
        for table in guarded:
            cursor.execute(_delete_trigger(table)[1])
