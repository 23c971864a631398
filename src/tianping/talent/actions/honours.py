"""Writes of honours (荣誉表彰): record one, withdraw one. Never deleted, never edited in place:
a wrong honour is withdrawn with its reason and recorded again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from tianping.audit.recording import record, snapshot
from tianping.orgs.models import Org
from tianping.people.models import Person
from tianping.talent.models import (
    COLLECTIVE_KINDS,
    INDIVIDUAL_KINDS,
    Honour,
    HonourKind,
    HonourLevel,
    HonourSource,
)

FIELDS = (
    "court",
    "person",
    "org",
    "title",
    "kind",
    "level",
    "awarded_by",
    "awarded_on",
    "document_no",
    "note",
    "source",
    "source_ref",
)


def honour_errors(
    *,
    person: Person | None,
    org: Org | None,
    title: str,
    kind: str,
    level: str,
    awarded_by: str,
    awarded_on: dt.date,
    source: str = HonourSource.MANUAL,
    today: dt.date | None = None,
) -> dict[str, list[str]]:
    """What is wrong with an honour before it is recorded, by field (the sheet import asks
    the same questions before it writes anything)."""
    today = today or dt.date.today()
    errors: dict[str, list[str]] = {}
    title, awarded_by = title.strip(), awarded_by.strip()
    if (person is None) == (org is None):
        errors["person"] = ["请选择获得荣誉的个人或集体（二者选一）"]
    if not title:
        errors["title"] = ["请填写荣誉名称"]
    elif len(title) > 200:
        errors["title"] = ["荣誉名称不超过200字"]
    if kind not in HonourKind.values:
        errors["kind"] = ["请选择荣誉类别"]
    elif person is not None and kind not in INDIVIDUAL_KINDS:
        errors["kind"] = [f"“{HonourKind(kind).label}”只能授予集体"]
    elif org is not None and kind not in COLLECTIVE_KINDS:
        errors["kind"] = [f"“{HonourKind(kind).label}”只能授予个人"]
    if level not in HonourLevel.values:
        errors["level"] = ["请选择荣誉级别"]
    if not awarded_by:
        errors["awarded_by"] = ["请填写授予机关"]
    if awarded_on > today:
        errors["awarded_on"] = ["授予日期不能晚于今天"]
    if source not in HonourSource.values:
        errors["source"] = ["来源无效"]
    return errors


def do_record_honour(
    user: Any,
    *,
    person: Person | None = None,
    org: Org | None = None,
    title: str,
    kind: str,
    level: str,
    awarded_by: str,
    awarded_on: dt.date,
    document_no: str = "",
    note: str = "",
    source: str = HonourSource.MANUAL,
    source_ref: str = "",
    today: dt.date | None = None,
) -> Honour:
    """Record an honour for a person or an organisation (exactly one).

    A derived honour (a competition award, three consecutive 优秀) names its `source_ref`;
    the same source awards the same person once.
    """
    title, awarded_by = title.strip(), awarded_by.strip()
    errors = honour_errors(
        person=person,
        org=org,
        title=title,
        kind=kind,
        level=level,
        awarded_by=awarded_by,
        awarded_on=awarded_on,
        source=source,
        today=today,
    )
    if errors:
        raise ValidationError(errors)
    court = person.court if person is not None else org.court()  # type: ignore[union-attr]
    with transaction.atomic():
        if (
            source_ref
            and Honour.objects.filter(
                source=source, source_ref=source_ref, person=person, org=org
            ).exists()
        ):
            raise ValidationError({"source_ref": ["该荣誉已登记，不能重复授予"]})
        honour = Honour.objects.create(
            court=court,
            person=person,
            org=org,
            title=title,
            kind=kind,
            level=level,
            awarded_by=awarded_by,
            awarded_on=awarded_on,
            document_no=document_no.strip(),
            note=note.strip(),
            source=source,
            source_ref=source_ref,
            created_by=user if getattr(user, "pk", None) else None,
        )
        record(user, "talent.honour", honour, after=snapshot(honour, FIELDS), org=court)
    return honour


def do_withdraw_honour(
    user: Any, honour: Honour, *, reason: str, on: dt.date | None = None
) -> Honour:
    """Withdraw an honour (撤销): it stays in the ledger, marked, with the reason."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ["请填写撤销理由"]})
    with transaction.atomic():
        honour = Honour.objects.select_for_update().get(pk=honour.pk)
        if honour.withdrawn_on is not None:
            raise ValidationError({"reason": ["该荣誉已撤销"]})
        honour.withdrawn_on = on or dt.date.today()
        honour.withdrawn_reason = reason[:500]
        honour.save(update_fields=["withdrawn_on", "withdrawn_reason"])
        record(
            user,
            "talent.honour_withdraw",
            honour,
            after=snapshot(honour, ("withdrawn_on", "withdrawn_reason")),
            org=honour.court,
        )
    return honour
