"""Writes of volunteer service: teams and their members, a service's team and beneficiaries,
a person's part of a service (hours on their attendance row), certificate rules, and the
certificates those rules issue and revoke as the hours stand.

Every write is one transaction with its audit rows. Certificates are never deleted: a year
that falls below a rule revokes its certificate (date and reason kept), a year that rises
to it issues a new one (`sync_certificates`, run by the receivers whenever a service's
attendance changes).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tianping.activities.actions import activity_changed
from tianping.activities.models import Activity, ActivityStatus, Attendance, AttendanceStatus
from tianping.audit.recording import bulk, event, jsonable, new_batch, record
from tianping.lib.codes import new_code
from tianping.orgs.models import COURT_KINDS, Org, OrgKind
from tianping.people.models import Person
from tianping.service.models.volunteer import (
    CertificateRule,
    TeamMember,
    VolunteerCertificate,
    VolunteerService,
    VolunteerTeam,
)
from tianping.service.queries.volunteer import KIND, rules_of, tenth, yearly_hours

TEAM_OWNER_KINDS = frozenset(
    {
        *COURT_KINDS,
        OrgKind.DEPARTMENT,
        OrgKind.PARTY_COMMITTEE,
        OrgKind.GENERAL_BRANCH,
        OrgKind.BRANCH,
    }
)
MAX_BENEFICIARIES = 1_000_000
MAX_RULE_HOURS = Decimal("2000")


def _by(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


# ---------------------------------------------------------------------------------------
# Teams


@transaction.atomic
def do_create_team(
    user: Any,
    owner: Org,
    *,
    name: str,
    founded_on: dt.date | None = None,
    description: str = "",
) -> VolunteerTeam:
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "请填写队伍名称"
    elif len(name) > 100:
        errors["name"] = "队伍名称不能超过100字"
    if owner.kind not in TEAM_OWNER_KINDS:
        errors["owner"] = f"{owner.get_kind_display()}不能组建志愿服务队"
    court = owner.court()
    if name and VolunteerTeam.objects.filter(court=court, name=name).exists():
        errors["name"] = f"{court.name}已有“{name}”"
    if founded_on is not None and founded_on > timezone.localdate():
        errors["founded_on"] = "成立日期不能晚于今天"
    if errors:
        raise ValidationError(errors)
    team = VolunteerTeam.objects.create(
        owner=owner, court=court, name=name, founded_on=founded_on, description=description.strip()
    )
    record(
        user,
        "service.volunteer_team",
        team,
        after={"name": name, "owner": owner.name, "founded_on": jsonable(founded_on)},
        org=owner,
    )
    return team


@transaction.atomic
def do_join_team(user: Any, team: VolunteerTeam, person: Person, joined_on: dt.date) -> TeamMember:
    if joined_on > timezone.localdate():
        raise ValidationError({"joined_on": "加入日期不能晚于今天"})
    if team.founded_on and joined_on < team.founded_on:
        raise ValidationError(
            {"joined_on": f"加入日期不能早于队伍成立日期{team.founded_on:%Y-%m-%d}"}
        )
    if TeamMember.objects.filter(team=team, person=person, left_on__isnull=True).exists():
        raise ValidationError({"person": f"{person.name}已在“{team.name}”中"})
    stay = TeamMember.objects.create(team=team, person=person, joined_on=joined_on)
    record(
        user,
        "service.volunteer_join",
        team,
        after={"队员": person.name, "加入日期": jsonable(joined_on)},
        org=team.owner,
    )
    return stay


@transaction.atomic
def do_leave_team(user: Any, stay: TeamMember, left_on: dt.date, reason: str = "") -> TeamMember:
    """A member leaves; the stay is kept with its dates (the team's history)."""
    stay = (
        TeamMember.objects.select_for_update()
        .select_related("team__owner", "person")
        .get(pk=stay.pk)
    )
    if stay.left_on is not None:
        raise ValidationError({"left_on": f"{stay.person.name}已于{stay.left_on:%Y-%m-%d}退出"})
    if left_on < stay.joined_on:
        raise ValidationError({"left_on": f"退出日期不能早于加入日期{stay.joined_on:%Y-%m-%d}"})
    if left_on > timezone.localdate():
        raise ValidationError({"left_on": "退出日期不能晚于今天"})
    reason = (reason or "").strip()
    if len(reason) > 100:
        raise ValidationError({"left_reason": "退出原因不能超过100字"})
    stay.left_on, stay.left_reason = left_on, reason
    stay.save(update_fields=["left_on", "left_reason"])
    record(
        user,
        "service.volunteer_leave",
        stay.team,
        after={"队员": stay.person.name, "退出日期": jsonable(left_on), "退出原因": reason or None},
        org=stay.team.owner,
    )
    return stay


# ---------------------------------------------------------------------------------------
# A service: its team, beneficiaries and place; a person's part of it


def _service_activity(activity: Activity) -> Activity:
    activity = Activity.objects.select_for_update().select_related("org").get(pk=activity.pk)
    if activity.kind != KIND:
        raise ValidationError({"activity": f"“{activity.title}”不是志愿服务活动"})
    return activity


@transaction.atomic
def do_record_service(
    user: Any,
    activity: Activity,
    *,
    team: VolunteerTeam | None,
    beneficiaries: int,
    community: str = "",
) -> VolunteerService:
    """The team a service belongs to, the people it served (受益群众) and where."""
    activity = _service_activity(activity)
    errors: dict[str, str] = {}
    if not 0 <= beneficiaries <= MAX_BENEFICIARIES:
        errors["beneficiaries"] = f"受益群众人数应在0到{MAX_BENEFICIARIES}之间"
    community = (community or "").strip()
    if len(community) > 100:
        errors["community"] = "服务社区/地点不能超过100字"
    if team is not None and not activity.org.path.startswith(team.court.path):
        errors["team"] = f"“{team.name}”不属于{activity.org.court().name}"
    if errors:
        raise ValidationError(errors)
    service = VolunteerService.objects.filter(activity=activity).first()
    before = _service_snapshot(service)
    if service is None:
        service = VolunteerService(activity=activity)
    service.team, service.beneficiaries, service.community = team, beneficiaries, community
    after = _service_snapshot(service)
    if before != after:
        service.save()
        record(
            user, "service.volunteer_record", activity, before=before, after=after, org=activity.org
        )
    return service


def _service_snapshot(service: VolunteerService | None) -> dict[str, Any] | None:
    if service is None:
        return None
    return {
        "志愿服务队": service.team.name if service.team_id and service.team else None,
        "受益群众": service.beneficiaries,
        "服务社区": service.community or None,
    }


@transaction.atomic
def do_set_service_hours(
    user: Any, activity: Activity, person: Person, hours: Decimal | None
) -> Attendance:
    """A volunteer who served part of a service: the hours go on their attendance row (the
    one figure points and certificates read); none gives them the service's full hours."""
    activity = _service_activity(activity)
    if activity.status != ActivityStatus.HELD:
        raise ValidationError({"hours": "只有已开展的志愿服务才能登记个人时长"})
    row = (
        Attendance.objects.select_for_update()
        .filter(activity=activity, person=person, status=AttendanceStatus.PRESENT)
        .first()
    )
    if row is None:
        raise ValidationError({"person": f"{person.name}未出席本次志愿服务"})
    if hours is not None:
        if not Decimal("0") < hours:
            raise ValidationError({"hours": "个人服务时长应大于0"})
        if activity.hours is not None and hours > activity.hours:
            raise ValidationError({"hours": f"个人服务时长不能超过活动时长{activity.hours}小时"})
        hours = hours.quantize(Decimal("0.1"))
    else:
        hours = activity.hours
    if row.hours == hours:
        return row
    was = row.hours
    row.hours = hours
    row.updated_by = _by(user)
    row.save(update_fields=["hours", "updated_by", "updated_at"])
    record(
        user,
        "service.volunteer_hours",
        activity,
        before={"个人服务时长": {person.name: str(was) if was is not None else None}},
        after={"个人服务时长": {person.name: str(hours) if hours is not None else None}},
        org=activity.org,
    )
    # Points (R4.1, D8) and certificates follow, as after any change of the attendance.
    activity_changed.send(Activity, activity=activity, user=user)
    return row


# ---------------------------------------------------------------------------------------
# Certificate rules


@transaction.atomic
def do_add_rule(user: Any, court: Org, *, title: str, min_hours: Decimal) -> CertificateRule:
    """A tier: a year's hours at or above `min_hours` earn `title`. Issued at once to
    whoever already holds it."""
    title = (title or "").strip()
    errors: dict[str, str] = {}
    if court.kind not in COURT_KINDS:
        errors["court"] = "证书规则由法院设定"
    if not title:
        errors["title"] = "请填写证书名称"
    elif len(title) > 60:
        errors["title"] = "证书名称不能超过60字"
    if not Decimal("0") < min_hours <= MAX_RULE_HOURS:
        errors["min_hours"] = f"时长应在0到{MAX_RULE_HOURS}小时之间"
    elif CertificateRule.objects.filter(court=court, min_hours=min_hours, active=True).exists():
        errors["min_hours"] = f"已有满{min_hours}小时的规则"
    if errors:
        raise ValidationError(errors)
    rule = CertificateRule.objects.create(court=court, title=title, min_hours=min_hours)
    record(user, "service.volunteer_rule", rule, after={"规则": rule.text}, org=court)
    resync_court(user, court)
    return rule


@transaction.atomic
def do_retire_rule(user: Any, rule: CertificateRule) -> CertificateRule:
    """A retired rule issues nothing more; the certificates it issued stand."""
    rule = CertificateRule.objects.select_for_update().select_related("court").get(pk=rule.pk)
    if not rule.active:
        return rule
    rule.active = False
    rule.save(update_fields=["active"])
    record(user, "service.volunteer_rule_retire", rule, before={"规则": rule.text}, org=rule.court)
    return rule


def resync_court(user: Any, court: Org) -> int:
    """Bring the certificates of a court's people (and the courts that follow its rules)
    in line with the rules, for every year with service."""
    rows = (
        Attendance.objects.filter(
            status=AttendanceStatus.PRESENT,
            activity__kind=KIND,
            activity__status=ActivityStatus.HELD,
            person__court__path__startswith=court.path,
        )
        .values_list("person_id", "activity__on__year")
        .distinct()
    )
    pairs = set(rows)
    pairs |= set(
        VolunteerCertificate.objects.filter(
            person__court__path__startswith=court.path, revoked_on__isnull=True
        ).values_list("person_id", "year")
    )
    return sync_certificates(user, pairs)


# ---------------------------------------------------------------------------------------
# Certificates follow the hours


def sync_certificates(
    user: Any, pairs: Iterable[tuple[int, int]], *, on: dt.date | None = None, audit: bool = True
) -> int:
    """For each (person, year): issue what the rules now grant and is not yet held, revoke
    what is held and no longer holds. Returns how many certificates changed. `audit` is off
    only for a data builder, whose one event covers the batch."""
    pairs = set(pairs)
    if not pairs:
        return 0
    today = on or timezone.localdate()
    people = {
        p.pk: p for p in Person.objects.filter(pk__in={p for p, _ in pairs}).select_related("court")
    }
    hours = yearly_hours(people, {y for _, y in pairs})
    held: dict[tuple[int, int], list[VolunteerCertificate]] = defaultdict(list)
    current = VolunteerCertificate.objects.filter(
        person_id__in=list(people), year__in={y for _, y in pairs}, revoked_on__isnull=True
    ).select_related("rule")
    for c in current:
        held[(c.person_id, c.year)].append(c)
    court_rules: dict[int, list[CertificateRule]] = {}
    issue: list[VolunteerCertificate] = []
    revoke: list[tuple[VolunteerCertificate, Decimal]] = []
    for person_id, year in sorted(pairs):
        person = people.get(person_id)
        if person is None:
            continue
        if person.court_id not in court_rules:
            court_rules[person.court_id] = rules_of(person.court) if person.court_id else []
        served = hours.get((person_id, year), Decimal("0"))
        have = {c.rule_id: c for c in held.get((person_id, year), [])}
        for rule in court_rules[person.court_id]:
            if served >= rule.min_hours and rule.pk not in have:
                issue.append(
                    VolunteerCertificate(
                        rule=rule, person=person, year=year, hours=served, issued_on=today
                    )
                )
        for cert in have.values():
            if served < cert.rule.min_hours:
                revoke.append((cert, served))
    _assign_codes(issue)
    batch = new_batch() if len(issue) + len(revoke) > 1 else ""
    if issue:
        VolunteerCertificate.objects.bulk_create(issue, batch_size=1000)
    events = [
        event(
            user,
            "service.volunteer_certificate",
            c,
            after={"证书": c.rule.title, "year": c.year, "hours": str(c.hours)},
            org=c.person.court,
            batch=batch,
        )
        for c in issue
    ]
    for cert, served in revoke:
        cert.revoked_on = today
        cert.revoke_reason = (
            f"{cert.year}年度志愿服务时长更正为{tenth(served)}小时，"
            f"不足{Decimal(cert.rule.min_hours).normalize():f}小时"
        )
        cert.save(update_fields=["revoked_on", "revoke_reason"])
        events.append(
            event(
                user,
                "service.volunteer_certificate_revoke",
                cert,
                before={"证书": cert.rule.title},
                after={"revoked_on": jsonable(today), "revoke_reason": cert.revoke_reason},
                org=people[cert.person_id].court,
                batch=batch,
            )
        )
    if events and audit:
        bulk(events)
    return len(events)


def _assign_codes(certificates: list[VolunteerCertificate]) -> None:
    """Fresh verification codes, none already stored (a clash is drawn again)."""
    pending, used = list(certificates), set[str]()
    while pending:
        for c in pending:
            c.code = new_code(lambda code: code in used)
            used.add(c.code)
        codes = [c.code for c in pending]
        clash: set[str] = set()
        for start in range(0, len(codes), 500):
            clash |= set(
                VolunteerCertificate.objects.filter(
                    code__in=codes[start : start + 500]
                ).values_list("code", flat=True)
            )
        pending = [c for c in pending if c.code in clash]


def certificates_for_activities(user: Any, activities: Iterable[Activity]) -> int:
    """What a change to these activities does to certificates: every person listed on them,
    in the activities' years and the years they already hold certificates for (a service
    moved to another year)."""
    ids = [a.pk for a in activities]
    if not ids:
        return 0
    rows = list(
        Attendance.objects.filter(activity_id__in=ids).values_list(
            "person_id", "activity__on__year"
        )
    )
    people = {p for p, _ in rows}
    pairs = set(rows)
    pairs |= set(
        VolunteerCertificate.objects.filter(
            person_id__in=people, revoked_on__isnull=True
        ).values_list("person_id", "year")
    )
    return sync_certificates(user, pairs)
