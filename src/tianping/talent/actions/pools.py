"""Writes of talent pools (人才库): set up a pool and its rules, nominate, admit or decline,
review yearly, leave with a reason. Each step adds a PoolEvent (the history is never
rewritten) and an audit row; a member keeps the evidence checked when each step was taken."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tianping.audit.recording import record, snapshot
from tianping.orgs.models import Org
from tianping.people.models import Person
from tianping.talent.eligibility import RuleError, check_people, clean_rules, describe
from tianping.talent.models import (
    EventKind,
    MemberStatus,
    PoolEvent,
    PoolKind,
    PoolMember,
    TalentPool,
)

POOL_FIELDS = ("court", "kind", "name", "description")
MEMBER_FIELDS = ("pool", "person", "status", "nominated_on", "admitted_on", "left_on", "reason")


def _said(pool: TalentPool) -> dict[str, str]:
    """The rules as the audit page shows them: in words, not codes."""
    return {"rules": "；".join(f"{name}：{req}" for name, req in describe(pool.rules)) or "无"}


def _rules(rules: Any) -> list[dict[str, Any]]:
    try:
        return clean_rules(rules)
    except RuleError as e:
        raise ValidationError({"rules": [str(e)]}) from None


def do_create_pool(
    user: Any,
    court: Org,
    *,
    kind: str,
    name: str,
    description: str = "",
    rules: Any = (),
) -> TalentPool:
    name = name.strip()
    errors: dict[str, list[str]] = {}
    if not court.is_court:
        errors["court"] = ["人才库应设在法院"]
    if kind not in PoolKind.values:
        errors["kind"] = ["请选择人才库类别"]
    if not name or len(name) > 100:
        errors["name"] = ["请填写名称（不超过100字）"]
    elif TalentPool.objects.filter(court=court, name=name).exists():
        errors["name"] = ["本院已有同名人才库"]
    if errors:
        raise ValidationError(errors)
    cleaned = _rules(list(rules))
    with transaction.atomic():
        pool = TalentPool.objects.create(
            court=court,
            kind=kind,
            name=name,
            description=description.strip()[:500],
            rules=cleaned,
            created_by=user if getattr(user, "pk", None) else None,
        )
        record(
            user,
            "talent.pool",
            pool,
            after={**snapshot(pool, POOL_FIELDS), **_said(pool)},
            org=court,
        )
    return pool


def do_set_rules(user: Any, pool: TalentPool, rules: Any) -> TalentPool:
    """New rules apply from now on: members who no longer meet them are flagged, not dropped."""
    cleaned = _rules(list(rules))
    with transaction.atomic():
        pool = TalentPool.objects.select_for_update().get(pk=pool.pk)
        before = _said(pool)
        pool.rules = cleaned
        pool.save(update_fields=["rules"])
        record(
            user,
            "talent.pool_rules",
            pool,
            before=before,
            after=_said(pool),
            org=pool.court,
        )
    return pool


def _event(
    user: Any, member: PoolMember, kind: str, on: dt.date, note: str, evidence: list[Any]
) -> PoolEvent:
    return PoolEvent.objects.create(
        member=member,
        kind=kind,
        on=on,
        note=note[:500],
        evidence=evidence,
        by=user if getattr(user, "pk", None) else None,
    )


def _evidence(pool: TalentPool, on: dt.date, person_ids: Iterable[int]) -> dict[int, list[Any]]:
    return {
        pid: [e.as_dict() for e in c.evidence]
        for pid, c in check_people(pool, on, person_ids).items()
    }


def do_nominate(
    user: Any,
    pool: TalentPool,
    people: Iterable[Person],
    *,
    on: dt.date | None = None,
    note: str = "",
) -> list[PoolMember]:
    """Nominate people (提名) with the evidence as it stands; one already nominated or in
    the pool is refused, as is one outside the pool's courts."""
    on = on or timezone.localdate()
    people = list(people)
    if not people:
        raise ValidationError({"people": ["请选择被提名人员"]})
    outside = [p.name for p in people if not p.court.path.startswith(pool.court.path)]
    if outside:
        raise ValidationError(
            {"people": [f"{'、'.join(outside)}不在{pool.court.name}及其下级法院"]}
        )
    evidence = _evidence(pool, on, [p.pk for p in people])
    made = []
    with transaction.atomic():
        active = set(
            pool.members.filter(
                person__in=people, status__in=[MemberStatus.NOMINATED, MemberStatus.ADMITTED]
            ).values_list("person__name", flat=True)
        )
        if active:
            raise ValidationError({"people": [f"{'、'.join(sorted(active))}已在提名或在库"]})
        for person in people:
            try:
                with transaction.atomic():
                    member = PoolMember.objects.create(
                        pool=pool,
                        person=person,
                        status=MemberStatus.NOMINATED,
                        nominated_on=on,
                        evidence=evidence.get(person.pk, []),
                    )
            except IntegrityError:
                raise ValidationError({"people": [f"{person.name}已在提名或在库"]}) from None
            _event(user, member, EventKind.NOMINATE, on, note.strip(), member.evidence)
            record(
                user,
                "talent.pool_nominate",
                member,
                after=snapshot(member, MEMBER_FIELDS),
                org=pool.court,
            )
            made.append(member)
    return made


def _locked(member: PoolMember) -> PoolMember:
    return PoolMember.objects.select_for_update().select_related("pool", "person").get(pk=member.pk)


def do_admit(
    user: Any, member: PoolMember, *, on: dt.date | None = None, note: str = ""
) -> PoolMember:
    on = on or timezone.localdate()
    with transaction.atomic():
        member = _locked(member)
        if member.status != MemberStatus.NOMINATED:
            raise ValidationError({"status": ["只有已提名的人员可以入库"]})
        if on < member.nominated_on:
            raise ValidationError({"on": ["入库日期不能早于提名日期"]})
        before = snapshot(member, MEMBER_FIELDS)
        member.status, member.admitted_on, member.reviewed_on = MemberStatus.ADMITTED, on, on
        member.save(update_fields=["status", "admitted_on", "reviewed_on"])
        evidence = _evidence(member.pool, on, [member.person_id]).get(member.person_id, [])
        _event(user, member, EventKind.ADMIT, on, note.strip(), evidence)
        record(
            user,
            "talent.pool_admit",
            member,
            before=before,
            after=snapshot(member, MEMBER_FIELDS),
            org=member.pool.court,
        )
    return member


def do_decline(
    user: Any, member: PoolMember, *, reason: str, on: dt.date | None = None
) -> PoolMember:
    return _close(user, member, reason, on, MemberStatus.DECLINED)


def do_leave(
    user: Any, member: PoolMember, *, reason: str, on: dt.date | None = None
) -> PoolMember:
    """出库: the member leaves with a reason; their record and history stay."""
    return _close(user, member, reason, on, MemberStatus.LEFT)


def _close(
    user: Any, member: PoolMember, reason: str, on: dt.date | None, status: str
) -> PoolMember:
    on = on or timezone.localdate()
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ["请填写理由"]})
    with transaction.atomic():
        member = _locked(member)
        wanted = (
            MemberStatus.NOMINATED if status == MemberStatus.DECLINED else MemberStatus.ADMITTED
        )
        if member.status != wanted:
            raise ValidationError(
                {
                    "status": [
                        "只有在库人员可以出库"
                        if status == MemberStatus.LEFT
                        else "只有已提名人员可以不予入库"
                    ]
                }
            )
        if on < member.nominated_on:
            raise ValidationError({"on": ["日期不能早于提名日期"]})
        before = snapshot(member, MEMBER_FIELDS)
        member.status, member.left_on, member.reason = status, on, reason[:500]
        member.save(update_fields=["status", "left_on", "reason"])
        evidence = _evidence(member.pool, on, [member.person_id]).get(member.person_id, [])
        kind = EventKind.LEAVE if status == MemberStatus.LEFT else EventKind.DECLINE
        _event(user, member, kind, on, reason, evidence)
        record(
            user,
            "talent.pool_leave" if status == MemberStatus.LEFT else "talent.pool_decline",
            member,
            before=before,
            after=snapshot(member, MEMBER_FIELDS),
            org=member.pool.court,
        )
    return member


def do_review(
    user: Any, member: PoolMember, *, note: str = "", on: dt.date | None = None
) -> PoolMember:
    """年度复核: the rules are checked again and the result kept; a member who fails one
    stays in the pool, flagged, until an officer decides (出库 with a reason)."""
    on = on or timezone.localdate()
    with transaction.atomic():
        member = _locked(member)
        if member.status != MemberStatus.ADMITTED:
            raise ValidationError({"status": ["只有在库人员需要年度复核"]})
        before = snapshot(member, ("reviewed_on",))
        member.reviewed_on = on
        member.save(update_fields=["reviewed_on"])
        evidence = _evidence(member.pool, on, [member.person_id]).get(member.person_id, [])
        _event(user, member, EventKind.REVIEW, on, note.strip(), evidence)
        record(
            user,
            "talent.pool_review",
            member,
            before=before,
            after=snapshot(member, ("reviewed_on",)),
            org=member.pool.court,
        )
    return member
