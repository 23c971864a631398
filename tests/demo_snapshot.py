"""The demo city, built once per test database and copied in for each module that reads it.

Building the demo is the slowest thing the suite does (a minute on PostgreSQL). Nine
modules read it; each used to build it afresh inside a transaction rolled back after.
Now the first module of a worker builds it and keeps a copy of the database; later
modules copy that in, and every module puts back the shared test world when it ends.

The copy is the database's own: SQLite's online backup between connections, and on
PostgreSQL a database created from another as its template. Tests inside a module still
run in a transaction rolled back after each (`db`), so what one writes never reaches the
next.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.test import override_settings

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# What the first build gave, and the copy of the database it left, per worker process.
_built: dict[str, Any] = {}


def _build() -> Any:
    from tianping.backup.tables import wipe
    from tianping.demo.builder import build
    from tianping.demo.city import DEMO_STEPS
    from tianping.demo.plans import demo_plan

    with override_settings(PASSWORD_HASHERS=FAST_HASHER):
        wipe()
        return build(demo_plan(), action="demo.load", steps=DEMO_STEPS)


def _forget_caches() -> None:
    """What the process remembers of the database it had (cached counts, generations)."""
    from django.core.cache import caches

    for cache in caches.all(initialized_only=True):
        cache.clear()


# SQLite ---------------------------------------------------------------------------------


def _sqlite_raw() -> sqlite3.Connection:
    connection.ensure_connection()
    raw = connection.connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


def _sqlite_copy() -> sqlite3.Connection:
    copy = sqlite3.connect(":memory:", check_same_thread=False)
    _sqlite_raw().backup(copy)
    return copy


@contextmanager
def _sqlite_demo() -> Iterator[Any]:
    world = _sqlite_copy()
    try:
        if "sqlite" in _built:
            result, copy = _built["sqlite"]
            copy.backup(_sqlite_raw())
        else:
            result = _build()
            _built["sqlite"] = (result, _sqlite_copy())
        _forget_caches()
        yield result
    finally:
        world.backup(_sqlite_raw())
        world.close()
        _forget_caches()


# PostgreSQL -----------------------------------------------------------------------------


def _pg_admin() -> Any:
    import psycopg

    s = connection.settings_dict
    return psycopg.connect(
        host=s.get("HOST") or None,
        port=s.get("PORT") or None,
        user=s.get("USER") or None,
        password=s.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )


def _pg(*statements: str) -> None:
    # CREATE DATABASE … TEMPLATE wants no one connected to the template: this process's
    # connection closes, and what an earlier test left open (a live server's thread, a
    # second connection) is ended; the other workers have test databases of their own.
    connection.close()
    with _pg_admin() as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [connection.settings_dict["NAME"]],
        )
        for sql in statements:
            admin.execute(sql)


@contextmanager
def _postgres_demo() -> Iterator[Any]:
    name = connection.settings_dict["NAME"]
    world, demo = f'"{name}_world"', f'"{name}_demo"'
    here = f'"{name}"'
    _pg(f"DROP DATABASE IF EXISTS {world}", f"CREATE DATABASE {world} TEMPLATE {here}")
    try:
        if "postgres" in _built:
            result = _built["postgres"]
            _pg(f"DROP DATABASE {here} WITH (FORCE)", f"CREATE DATABASE {here} TEMPLATE {demo}")
        else:
            result = _build()
            _pg(f"DROP DATABASE IF EXISTS {demo}", f"CREATE DATABASE {demo} TEMPLATE {here}")
            _built["postgres"] = result
        _forget_caches()
        yield result
    finally:
        _pg(f"DROP DATABASE {here} WITH (FORCE)", f"ALTER DATABASE {world} RENAME TO {here}")
        _forget_caches()


def drop_postgres_copy() -> None:
    """At the end of the session: the demo copy goes with the test database."""
    if "postgres" in _built and connection.vendor == "postgresql":
        name = connection.settings_dict["NAME"]
        _pg(f'DROP DATABASE IF EXISTS "{name}_demo"')


@contextmanager
def demo_loaded() -> Iterator[Any]:
    """The demo in the test database for the length of the block, then the world back."""
    if connection.vendor == "postgresql":
        with _postgres_demo() as result:
            yield result
    else:
        with _sqlite_demo() as result:
            yield result
