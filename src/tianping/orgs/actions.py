"""Writes to the organisation tree: create, rename, move. Each one is audited.

Merging two branches moves people, so it lives in people.actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tianping.audit.recording import record, snapshot
from tianping.lib.sheets import clean_text, match_key
from tianping.orgs.models import (
    ALLOWED_PARENTS,
    COURT_KINDS,
    Org,
    OrgKind,
    ValueMapping,
    org_code_problem,
)

AUDITED_FIELDS = (
    "code",
    "name",
    "kind",
    "is_active",
    "merged_into",
    "dissolved_on",
    "founded_on",
)
# do_update_org leaves a field as it is unless it is given.
UNCHANGED: Any = object()

MAPPING_FIELDS = ("column", "written", "standard")


def check_parent(kind: str, parent: Org | None) -> None:
    allowed = ALLOWED_PARENTS[OrgKind(kind)]
    if parent is None:
        if kind not in COURT_KINDS:
            raise ValidationError({"parent": f"{OrgKind(kind).label}必须有上级组织"})
        return
    if parent.kind not in allowed:
        raise ValidationError(
            {
                "parent": f"{OrgKind(kind).label}不能设在{parent.get_kind_display()}“{parent.name}”之下"
            }
        )


def check_code(code: str, exclude_pk: int | None = None) -> None:
    if problem := org_code_problem(code):
        raise ValidationError({"code": problem})
    if Org.objects.filter(code=code).exclude(pk=exclude_pk).exists():
        raise ValidationError({"code": f"代码“{code}”已被使用"})


def check_founded_on(founded_on: dt.date | None, dissolved_on: dt.date | None = None) -> None:
    """D2: a founding date is a day that has come, and comes before any dissolution."""
    if founded_on is None:
        return
    if founded_on > timezone.localdate():
        raise ValidationError({"founded_on": f"成立日期{founded_on:%Y-%m-%d}晚于今天"})
    if dissolved_on is not None and founded_on >= dissolved_on:
        raise ValidationError(
            {"founded_on": f"成立日期{founded_on:%Y-%m-%d}不能晚于撤销日期{dissolved_on:%Y-%m-%d}"}
        )


@transaction.atomic
def do_create_org(
    user: Any,
    *,
    code: str,
    name: str,
    kind: str,
    parent: Org | None,
    founded_on: dt.date | None = None,
) -> Org:
    check_code(code)
    check_parent(kind, parent)
    check_founded_on(founded_on)
    fields = {"code": code, "name": name, "kind": kind, "founded_on": founded_on}
    if parent is None:
        org = Org.objects.add_root(fields)
    else:
        org = Org.objects.add_child(parent, fields)
    record(user, "orgs.create", org, after=snapshot(org, AUDITED_FIELDS), org=org)
    return org


@transaction.atomic
def do_update_org(
    user: Any,
    org: Org,
    *,
    name: str | None = None,
    code: str | None = None,
    founded_on: dt.date | None = UNCHANGED,
) -> Org:
    """Rename, recode or (re)date an organisation; one audit row when anything changed."""
    before = snapshot(org, AUDITED_FIELDS)
    if code is not None and code != org.code:
        check_code(code, exclude_pk=org.pk)
        org.code = code
    if name is not None:
        org.name = name
    if founded_on is not UNCHANGED:
        check_founded_on(founded_on, org.dissolved_on)
        org.founded_on = founded_on
    org.save(update_fields=["name", "code", "founded_on"])
    after = snapshot(org, AUDITED_FIELDS)
    if after != before:
        record(user, "orgs.update", org, before=before, after=after, org=org)
    return org


@transaction.atomic
def do_move_org(user: Any, org: Org, new_parent: Org) -> Org:
    if new_parent.path.startswith(org.path):
        raise ValidationError({"parent": "不能移动到自身或其下级组织之下"})
    check_parent(org.kind, new_parent)
    before_parent = Org.objects.get_parent(org)
    Org.objects.move(org, new_parent, "last-child")
    org.refresh_from_db()
    record(
        user,
        "orgs.move",
        org,
        before={"parent": str(before_parent) if before_parent else None},
        after={"parent": str(new_parent)},
        org=org,
    )
    return org


@transaction.atomic
def do_map_values(user: Any, court: Org, entries: list[tuple[str, str, str]]) -> list[ValueMapping]:
    """Keep a court's own words for standard values (column, as written, standard).

    A word mapped again takes the new standard value; each change is one audit row.
    """
    if court.kind not in COURT_KINDS:
        raise ValidationError({"court": "取值对照按法院保存"})
    kept = []
    for column, written, standard in entries:
        column, written, standard = column.strip(), written.strip(), standard.strip()
        if not (column and written and standard):
            raise ValidationError("列名、原值和标准值都不能为空")
        if max(len(column), len(written), len(standard)) > 100 or len(column) > 30:
            raise ValidationError("列名、原值或标准值过长")
        key = match_key(clean_text(written))
        mapping = ValueMapping.objects.filter(court=court, column=column, value=key).first()
        before = snapshot(mapping, MAPPING_FIELDS) if mapping else None
        if mapping is None:
            mapping = ValueMapping(court=court, column=column, value=key, written=written)
        if before is not None and mapping.standard == standard:
            kept.append(mapping)
            continue
        mapping.standard = standard
        mapping.save()
        record(
            user,
            "orgs.map_value",
            mapping,
            before=before,
            after=snapshot(mapping, MAPPING_FIELDS),
            org=court,
        )
        kept.append(mapping)
    return kept
