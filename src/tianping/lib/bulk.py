"""Many new rows of one model written at once, for the bulk actions (a ledger or roster import).

Django's `bulk_create` compiles every value through its field one call at a time; for the
tens of thousands of rows of an import that is most of the time spent. Here the value of
each column is adapted by one function chosen once per field, and the rows go to the
driver in one stream (`COPY` on PostgreSQL, `executemany` on SQLite), or, where the caller
needs the new ids, as multi-row `INSERT … RETURNING` statements. Like `bulk_create` this sends no signals and calls no
`save()`: it is for actions that validate and audit the rows they write themselves.
Every write here marks the data generation (`audit.generation`), so no cached figure
outlives rows written this way, audited or not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from django.db import connection
from django.db.models import Field, Model
from django.utils import timezone

from tianping.audit import generation

# Parameters per statement: SQLite's default limit (SQLITE_MAX_VARIABLE_NUMBER) is 32766
# since 3.32, PostgreSQL's 65535; Django still assumes SQLite's old 999.
MAX_PARAMS = 30_000


def _max_params() -> int:
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        return min(MAX_PARAMS, limit)
    return MAX_PARAMS


def _adapter(f: Field) -> Callable[[Any], Any] | None:
    kind = f.get_internal_type()
    if kind == "DateField":
        return connection.ops.adapt_datefield_value
    if kind == "DateTimeField":
        return connection.ops.adapt_datetimefield_value
    if kind == "TimeField":
        return connection.ops.adapt_timefield_value
    if kind == "JSONField":
        return partial(f.get_db_prep_save, connection=connection)
    # Text, numbers, decimals and keys go to the driver as they are.
    return None


def _columns(
    model: type[Model], now: dt.datetime, from_dicts: bool
) -> tuple[list[Field], list[Callable[[Any], Any]]]:
    """The concrete fields but the key, each with the function that reads its stored value
    from an instance or, with `from_dicts`, from a dict by attname (missing: the default)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    readers: list[Callable[[Any], Any]] = []
    for f in fields:
        adapt = _adapter(f)
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            stamp = adapt(now) if adapt else now
            readers.append(partial(_constant, value=stamp))
            continue
        if from_dicts:
            default = f.get_default()
            get: Callable[[Any], Any] = partial(_from_dict, name=f.attname, default=default)
        else:
            get = partial(_from_instance, name=f.attname)
        if adapt is not None:
            readers.append(partial(_adapted, get=get, adapt=adapt))
        else:
            readers.append(get)
    return fields, readers


def _constant(row: Any, value: Any) -> Any:
    return value


def _adapted(row: Any, get: Callable[[Any], Any], adapt: Callable[[Any], Any]) -> Any:
    value = get(row)
    return None if value is None else adapt(value)


def _from_dict(row: dict[str, Any], name: str, default: Any) -> Any:
    return row.get(name, default)


def _from_instance(row: Any, name: str) -> Any:
    return getattr(row, name)


def insert(objs: Sequence[Model], *, returning: bool = False) -> None:
    """Insert unsaved instances of one model; with `returning`, set each one's new pk.

    Every concrete field is written as the instance holds it (its default unless set);
    auto_now and auto_now_add fields take the current time, as `save()` would give them.
    """
    if not objs:
        return
    model = type(objs[0])
    now = timezone.now()
    fields, readers = _columns(model, now, from_dicts=False)
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for obj in objs:
                setattr(obj, f.attname, now)
    rows = [[read(obj) for read in readers] for obj in objs]
    if not returning:
        _write(model, fields, rows)
        return
    for obj, new_pk in zip(objs, _write_returning(model, fields, rows), strict=True):
        setattr(obj, model._meta.pk.attname, new_pk)
        obj._state.adding = False
        obj._state.db = connection.alias


def insert_values(model: type[Model], rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows given as dicts by attname (`person_id`, not `person`), without building
    instances; a field a row leaves out takes its default, auto_now fields the current time.
    """
    if not rows:
        return
    fields, readers = _columns(model, timezone.now(), from_dicts=True)
    _write(model, fields, [[read(row) for read in readers] for row in rows])


def update_values(
    model: type[Model], attnames: Sequence[str], rows: Sequence[dict[str, Any]]
) -> None:
    """Set `attnames` (and any auto_now field) on existing rows, each dict naming its pk by
    attname (`id`), with one statement run for every row."""
    if not rows:
        return
    pk = model._meta.pk
    fields, readers = _columns(model, timezone.now(), from_dicts=True)
    chosen = [
        (f, read)
        for f, read in zip(fields, readers, strict=True)
        if f.attname in attnames or getattr(f, "auto_now", False)
    ]
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(f.column)} = %s" for f, _ in chosen)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {sets} WHERE {quote(pk.column)} = %s"
    values = [[*(read(row) for _, read in chosen), row[pk.attname]] for row in rows]
    generation.bump()
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


def _names(model: type[Model], fields: list[Field]) -> tuple[str, str, str]:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    return table, columns, "(" + ", ".join(["%s"] * len(fields)) + ")"


def _write(model: type[Model], fields: list[Field], rows: list[list[Any]]) -> None:
    generation.bump()
    table, columns, row_marks = _names(model, fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: the driver sends the rows as one stream, not a statement each.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES {row_marks}", rows)


def _write_returning(model: type[Model], fields: list[Field], rows: list[list[Any]]) -> list[Any]:
    generation.bump()
    table, columns, row_marks = _names(model, fields)
    pk = connection.ops.quote_name(model._meta.pk.column)
    per_statement = max(1, _max_params() // len(fields))
    ids: list[Any] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            marks = ", ".join([row_marks] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {marks} RETURNING {pk}",
                [value for row in chunk for value in row],
            )
            # Both databases return the new ids in the order of the VALUES rows (as
            # Django's own bulk_create relies on).
            ids += [new_pk for (new_pk,) in cursor.fetchall()]
    return ids
