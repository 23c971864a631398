"""Which tables hold the project's data: their dependency order, whether any has rows, wiping them.

`demo --reset` and `generate --reset` wipe; `generate`, `demo` and `restore` refuse a
database that is not empty; `backup` and `restore` copy the same tables in the same order.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

from tianping.audit import generation
from tianping.audit.append_only import deletes_allowed

ModelType = type[models.Model]

# Made by `migrate` itself, so present in every migrated database; a backup still carries
# them, because a generic relation or a permission grant stores their ids.
REFERENCE_APPS = ("contenttypes",)
REFERENCE_MODELS = ("auth.permission",)
# Project tables a data migration seeds, so present in every migrated database as well;
# people edit them afterwards (China's holiday table, D6), so a backup carries them, a
# restore replaces the seeded rows with the backup's, and a reset keeps them.
SEEDED_MODELS = ("recruitment.calendarday",)
# Django's own tables that hold data people made (groups and their permissions).
EXTRA_DOMAIN_MODELS = ("auth.group", "auth.group_permissions")
# Runtime state nobody needs back after a restore, cleared by a reset: log-ins in progress
# and failed-login counters.
EPHEMERAL_APPS = ("sessions", "axes")
# Runtime state of the project's own: the marks of the data generation cached figures are
# keyed by (audit.generation). Not data: they neither make a database "not empty" nor go
# into a backup; a reset or a restore clears them and the cache with them.
EPHEMERAL_MODELS = ("audit.datageneration",)


def _storable(model: ModelType) -> bool:
    opts = model._meta
    return opts.managed and not opts.proxy and not opts.swapped


def _project_models() -> list[ModelType]:
    found: list[ModelType] = []
    for config in apps.get_app_configs():
        if config.name == "tianping" or config.name.startswith("tianping."):
            found.extend(
                m
                for m in config.get_models(include_auto_created=True)
                if _storable(m)
                and m._meta.label_lower not in SEEDED_MODELS
                and m._meta.label_lower not in EPHEMERAL_MODELS
            )
    return found


def _seeded_models() -> list[ModelType]:
    return [apps.get_model(label) for label in SEEDED_MODELS]


def _labelled(labels: tuple[str, ...]) -> list[ModelType]:
    found: list[ModelType] = []
    for label in labels:
        app_label, model_name = label.split(".")
        if apps.is_installed(f"django.contrib.{app_label}"):
            found.append(apps.get_model(app_label, model_name))
    return found


def _app_models(app_labels: tuple[str, ...]) -> list[ModelType]:
    found: list[ModelType] = []
    for config in apps.get_app_configs():
        if config.label in app_labels:
            found.extend(m for m in config.get_models(include_auto_created=True) if _storable(m))
    return found


def dependency_order(candidates: list[ModelType]) -> list[ModelType]:
    """Referenced tables before the tables that point at them; ties by label, so stable.

    Self-references and cycles are harmless here: the project's foreign keys are deferred
    to commit on both SQLite and PostgreSQL.
    """
    pending = {m._meta.label_lower: m for m in candidates}
    needs: dict[str, set[str]] = {}
    for label, model in pending.items():
        needs[label] = {
            f.related_model._meta.label_lower
            for f in model._meta.concrete_fields
            # Django resolves a relation to "self" to the model class itself.
            if f.is_relation and isinstance(f.related_model, type)
        } & set(pending) - {label}
    ordered: list[ModelType] = []
    done: set[str] = set()
    while pending:
        ready = sorted(label for label in pending if needs[label] <= done) or sorted(pending)[:1]
        for label in ready:
            ordered.append(pending.pop(label))
            done.add(label)
    return ordered


def domain_models() -> list[ModelType]:
    """Tables whose rows someone made: every project app, and auth groups."""
    return dependency_order(_project_models() + _labelled(EXTRA_DOMAIN_MODELS))


def backup_models() -> list[ModelType]:
    """Everything a backup carries, in the order a restore loads it."""
    return dependency_order(
        _app_models(REFERENCE_APPS)
        + _labelled(REFERENCE_MODELS)
        + _seeded_models()
        + _project_models()
        + _labelled(EXTRA_DOMAIN_MODELS)
    )


def reference_models() -> list[ModelType]:
    return _app_models(REFERENCE_APPS) + _labelled(REFERENCE_MODELS) + _seeded_models()


def ephemeral_models() -> list[ModelType]:
    return _app_models(EPHEMERAL_APPS) + [apps.get_model(label) for label in EPHEMERAL_MODELS]


def existing_tables(using: str = DEFAULT_DB_ALIAS) -> set[str]:
    connection = connections[using]
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def nonempty_models(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Labels of the domain tables that have a row (a table not yet created has none)."""
    tables = existing_tables(using)
    return [
        m._meta.label_lower
        for m in domain_models()
        if m._meta.db_table in tables and m._base_manager.using(using).exists()
    ]


def is_empty(using: str = DEFAULT_DB_ALIAS) -> bool:
    return not nonempty_models(using)


def wipe(using: str = DEFAULT_DB_ALIAS) -> None:
    """Delete every row of the domain and runtime tables, and restart their id sequences.

    Audit rows and point entries are append-only by triggers: PostgreSQL's TRUNCATE does
    not fire them, and on SQLite the delete triggers are lifted inside this transaction.
    """
    connection = connections[using]
    present = existing_tables(using)
    tables = [
        m._meta.db_table
        for m in domain_models() + ephemeral_models()
        if m._meta.db_table in present
    ]
    if not tables:
        return
    with transaction.atomic(using):
        _delete_rows(connection, tables)
        # The data generation starts again from nothing: no cached figure may meet it.
        generation.forget(using)


def _delete_rows(connection: Any, tables: list[str]) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # TRUNCATE refuses tables with deferred foreign-key checks still pending in this
            # transaction (rows written earlier in it): run those checks now.
            connection.check_constraints()
            cursor.execute(
                f"TRUNCATE {', '.join(quote(t) for t in tables)} RESTART IDENTITY CASCADE"
            )
            return
        # Children first; the deferred foreign keys would forgive any order until commit.
        # The append-only tables' delete triggers are lifted for this transaction only.
        with deletes_allowed(cursor, tables):
            for table in reversed(tables):
                cursor.execute(f"DELETE FROM {quote(table)}")
        if connection.vendor == "sqlite":
            # AUTOINCREMENT counters live in sqlite_sequence, which introspection hides.
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")
            if cursor.fetchone():
                marks = ", ".join(["%s"] * len(tables))
                cursor.execute(f"DELETE FROM sqlite_sequence WHERE name IN ({marks})", tables)
