"""Writing audit events: every action calls `record` inside its transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models

from tianping.audit import generation
from tianping.audit.models import ACTION_LABELS, AuditEvent, UnlabelledAuditError
from tianping.lib.bulk import insert as bulk_insert

_PLAIN = frozenset({str, int, float, bool, type(None)})


def jsonable(value: Any) -> Any:
    if type(value) in _PLAIN:
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The audited fields of an object as JSON-safe values (foreign keys by their text)."""
    data: dict[str, Any] = {}
    for name in fields:
        f = obj._meta.get_field(name)
        if f.is_relation:
            related = getattr(obj, name)
            data[name] = str(related) if related is not None else None
        elif getattr(f, "choices", None):
            data[name] = getattr(obj, f"get_{name}_display")() or None
        else:
            data[name] = jsonable(getattr(obj, name))
    return data


def snapshot_values(
    model: type[models.Model],
    fields: Iterable[str],
    values: dict[str, Any],
    names: dict[str, dict[Any, str]],
) -> dict[str, Any]:
    """What `snapshot` makes of an instance, from its values by attname, for bulk actions
    that write rows without building instances: a foreign key is named by `names[field]`
    (the related object's text by its pk), a choice by its label."""
    data: dict[str, Any] = {}
    for name, attname, labels, related in _snapshot_plan(model, tuple(fields)):
        value = values.get(attname)
        if related:
            data[name] = names[name].get(value) if value is not None else None
        elif labels is not None:
            data[name] = labels.get(value, value) or None
        else:
            data[name] = jsonable(value)
    return data


_PLANS: dict[tuple[Any, tuple[str, ...]], list[tuple[str, str, dict[Any, str] | None, bool]]] = {}


def _snapshot_plan(
    model: type[models.Model], fields: tuple[str, ...]
) -> list[tuple[str, str, dict[Any, str] | None, bool]]:
    """Per field: its name, attname, choice labels (None if it has none), whether a relation."""
    plan = _PLANS.get((model, fields))
    if plan is None:
        plan = []
        for name in fields:
            f = model._meta.get_field(name)
            # Snapshots name concrete fields only: never a reverse relation or a generic key.
            assert isinstance(f, models.Field), name
            labels = (
                {k: str(v) for k, v in f.flatchoices}
                if not f.is_relation and getattr(f, "choices", None)
                else None
            )
            plan.append((name, f.attname, labels, bool(f.is_relation)))
        _PLANS[(model, fields)] = plan
    return plan


def new_batch() -> str:
    return uuid.uuid4().hex


def event(
    user: Any,
    action: str,
    obj: models.Model | None = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    org: Any = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    batch: str = "",
) -> AuditEvent:
    """An unsaved event, for actions that write many at once with `bulk`."""
    if action not in ACTION_LABELS:
        # The audit page shows every action in words; an unnamed one would show its code.
        raise UnlabelledAuditError(f"audit action {action!r} has no label in ACTION_LABELS")
    is_user = user is not None and getattr(user, "is_authenticated", False)
    result = AuditEvent(
        user=user if is_user else None,
        user_label=(user.get_username() if is_user else "系统"),
        action=action,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=object_id or (str(obj.pk) if obj is not None else ""),
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:200],
        org=org,
        before=before,
        after=after,
        batch=batch,
    )
    for key in [*(before or {}), *(after or {})]:
        if (action, result.object_type, key) in _LABELLED:
            continue  # a bulk action names the same keys for every row
        if key.isascii() and result.field_label(key) == key:
            raise UnlabelledAuditError(
                f"audit key {key!r} of {action!r} is neither a field of {result.object_type} "
                "nor in EXTRA_FIELD_LABELS"
            )
        _LABELLED.add((action, result.object_type, key))
    return result


# (action, object type, key) already found to have a label.
_LABELLED: set[tuple[str, str, str]] = set()


def record(user: Any, action: str, obj: models.Model | None = None, **kwargs: Any) -> AuditEvent:
    e = event(user, action, obj, **kwargs)
    e.save()
    # In the action's transaction: the cached figures go stale exactly when its data changes.
    generation.bump()
    return e


def bulk(events: list[AuditEvent]) -> None:
    """Save many events built with `event` (an import writes one per record); like every
    bulk write, this marks the data generation."""
    bulk_insert(events)
