"""Writes to the center group's "六有" records (R1.7): plan, notes, articles, budget. Audited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from tianping.activities.actions import store_blob
from tianping.activities.models import StudyItem, StudyRecord
from tianping.audit.recording import record, snapshot
from tianping.orgs.models import Org, OrgKind
from tianping.people.models import Person

STUDY_RECORD_FIELDS = ("org", "year", "item", "title", "person", "amount", "evidence_name")


@transaction.atomic
def do_add_study_record(
    user: Any,
    org: Org,
    *,
    year: int,
    item: str,
    title: str,
    person: Person | None = None,
    amount: Decimal | None = None,
    file_name: str = "",
    content: bytes | None = None,
    content_type: str = "",
) -> StudyRecord:
    """Add one record that proves an item of the center group's year (R1.7)."""
    errors: dict[str, str] = {}
    if org.kind != OrgKind.LEADING_GROUP:
        errors["org"] = "“六有”记录只属于法院党组（理论学习中心组）"
    if item not in StudyItem.values:
        errors["item"] = f"无效的项目“{item}”"
    if not 1900 <= year <= 2100:
        errors["year"] = f"年度“{year}”无效"
    title = title.strip()
    if not title:
        errors["title"] = "请填写标题或说明"
    if item == StudyItem.BUDGET:
        if amount is None:
            errors["amount"] = "专项经费请填写金额"
        elif amount <= 0:
            errors["amount"] = "金额应大于0"
    elif amount is not None:
        amount = None
    if (
        person is not None
        and org.kind == OrgKind.LEADING_GROUP
        and person.court_id != org.court().pk
    ):
        errors["person"] = f"{person.name}不是本院人员"
    if errors:
        raise ValidationError(errors)
    blob = store_blob(content, content_type) if content else None
    study_record = StudyRecord.objects.create(
        org=org,
        year=year,
        item=item,
        title=title,
        person=person,
        amount=amount,
        evidence=blob,
        evidence_name=(file_name or "")[:200] if blob else "",
        created_by=user if getattr(user, "pk", None) else None,
    )
    record(
        user,
        "activities.study_record",
        study_record,
        after={
            **snapshot(study_record, STUDY_RECORD_FIELDS),
            "sha256": blob.sha256 if blob else None,
        },
        org=org,
    )
    return study_record


__all__ = ["do_add_study_record"]
