"""Writes of community work: 双报到 registrations and services, partners, co-building
agreements and their joint activities, practical deeds (办实事) and their status history.

Each write validates, locks what two clerks could change at once, and records its audit event.
Nothing here deletes: a wrong service is withdrawn, a deed's history only grows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tianping.activities.models import Activity, ActivityStatus
from tianping.audit.recording import record, snapshot
from tianping.orgs.models import Org
from tianping.people.models import Person
from tianping.service.models.community import (
    OPEN_STATUSES,
    SERVICE_KINDS,
    Agreement,
    CommunityRegistration,
    CommunityService,
    Deed,
    DeedActivity,
    DeedStatus,
    DeedStep,
    JointActivity,
    Partner,
    PartnerKind,
)

MAX_SERVICE_HOURS = Decimal("24")
REGISTRATION_FIELDS = ("person", "community", "district", "registered_on", "ended_on", "end_reason")
SERVICE_FIELDS = ("person", "registration", "on", "content", "hours", "activity")
DEED_FIELDS = ("org", "year", "title", "owner", "deadline", "status", "done_on", "completion_note")


def _user(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _text(value: str, field: str, label: str, limit: int, errors: dict[str, list[str]]) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = [f"请填写{label}"]
    elif len(value) > limit:
        errors[field] = [f"{label}不超过{limit}字"]
    return value


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _service_activity(activity: Activity | None, court: Org, field: str) -> list[str]:
    """What is wrong with linking `activity` to a record of `court`, if anything."""
    if activity is None:
        return []
    if activity.kind not in SERVICE_KINDS:
        return [f"“{activity.title}”不是服务群众类活动"]
    if not activity.org.path.startswith(court.path):
        return ["只能关联本院的活动"]
    if activity.status == ActivityStatus.CANCELLED:
        return [f"“{activity.title}”已取消"]
    return []


# ---------------------------------------------------------------------------------------
# 双报到


def do_register(
    user: Any,
    person: Person,
    *,
    community: str,
    district: str = "",
    registered_on: dt.date,
    today: dt.date | None = None,
) -> CommunityRegistration:
    """A member registers with their community. One registration at a time: a member who
    moves ends the old registration before the new one starts."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    community = _text(community, "community", "报到社区", 100, errors)
    district = (district or "").strip()
    if len(district) > 100:
        errors["district"] = ["所属街道/区不超过100字"]
    if registered_on > today:
        errors["registered_on"] = ["报到日期不能晚于今天"]
    if not person.is_party_member:
        errors["person"] = [f"{person.name}不是党员，无需到社区报到"]
    _raise(errors)
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        current = (
            CommunityRegistration.objects.filter(person=person)
            .exclude(ended_on__lt=registered_on)
            .order_by("-registered_on")
            .first()
        )
        if current is not None:
            until = f"至{current.ended_on:%Y-%m-%d}" if current.ended_on else "至今"
            raise ValidationError(
                {
                    "registered_on": [
                        f"{person.name}已在{current.community}报到（{current.registered_on:%Y-%m-%d}"
                        f"{until}），同一时间只能在一个社区报到：请先结束原报到"
                    ]
                }
            )
        registration = CommunityRegistration.objects.create(
            person=person,
            community=community,
            district=district,
            registered_on=registered_on,
            recorded_by=_user(user),
        )
        record(
            user,
            "service.community_register",
            registration,
            after=snapshot(registration, REGISTRATION_FIELDS),
            org=person.party_org or person.court,
        )
    return registration


def do_end_registration(
    user: Any,
    registration: CommunityRegistration,
    *,
    ended_on: dt.date,
    reason: str = "",
    today: dt.date | None = None,
) -> CommunityRegistration:
    today = today or timezone.localdate()
    with transaction.atomic():
        registration = (
            CommunityRegistration.objects.select_for_update()
            .select_related("person")
            .get(pk=registration.pk)
        )
        if registration.ended_on is not None:
            raise ValidationError({"ended_on": ["该报到已结束"]})
        if ended_on < registration.registered_on:
            raise ValidationError({"ended_on": ["结束日期不能早于报到日期"]})
        if ended_on > today:
            raise ValidationError({"ended_on": ["结束日期不能晚于今天"]})
        before = snapshot(registration, REGISTRATION_FIELDS)
        registration.ended_on = ended_on
        registration.end_reason = (reason or "").strip()[:200]
        registration.save(update_fields=["ended_on", "end_reason"])
        record(
            user,
            "service.community_end",
            registration,
            before=before,
            after=snapshot(registration, REGISTRATION_FIELDS),
            org=registration.person.party_org or registration.person.court,
        )
    return registration


def parse_hours(value: Any) -> Decimal:
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours": ["服务时长应为数字，如 2 或 1.5"]}) from None
    if not hours.is_finite() or hours <= 0 or hours > MAX_SERVICE_HOURS:
        raise ValidationError({"hours": ["服务时长应大于0、不超过24小时"]})
    return hours.quantize(Decimal("0.1"))


def do_record_service(
    user: Any,
    registration: CommunityRegistration,
    *,
    on: dt.date,
    content: str,
    hours: Any,
    activity: Activity | None = None,
    today: dt.date | None = None,
) -> CommunityService:
    """A service done in the registered community, on a day the registration was in force."""
    today = today or timezone.localdate()
    person = registration.person
    errors: dict[str, list[str]] = {}
    content = _text(content, "content", "服务内容", 200, errors)
    try:
        amount = parse_hours(hours)
    except ValidationError as e:
        errors.update(e.message_dict)
        amount = Decimal(0)
    if on > today:
        errors["on"] = ["服务日期不能晚于今天"]
    elif not registration.in_force_on(on):
        errors["on"] = [
            f"{on:%Y-%m-%d}不在{registration.community}报到期间"
            f"（{registration.registered_on:%Y-%m-%d}起）"
        ]
    if problems := _service_activity(activity, person.court, "activity"):
        errors["activity"] = problems
    _raise(errors)
    with transaction.atomic():
        service = CommunityService.objects.create(
            registration=registration,
            person=person,
            on=on,
            content=content,
            hours=amount,
            activity=activity,
            recorded_by=_user(user),
        )
        record(
            user,
            "service.community_service",
            service,
            after=snapshot(service, SERVICE_FIELDS),
            org=person.party_org or person.court,
        )
    return service


def do_withdraw_service(user: Any, service: CommunityService, *, reason: str) -> CommunityService:
    """A wrong service record is withdrawn with its reason; it stays, shown as withdrawn."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"withdraw_reason": ["请说明撤销原因"]})
    with transaction.atomic():
        service = (
            CommunityService.objects.select_for_update().select_related("person").get(pk=service.pk)
        )
        if service.withdrawn_at is not None:
            raise ValidationError({"withdraw_reason": ["该记录已撤销"]})
        service.withdrawn_at = timezone.now()
        service.withdraw_reason = reason[:200]
        service.save(update_fields=["withdrawn_at", "withdraw_reason"])
        record(
            user,
            "service.community_withdraw",
            service,
            after=snapshot(service, ("withdrawn_at", "withdraw_reason")),
            org=service.person.party_org or service.person.court,
        )
    return service


# ---------------------------------------------------------------------------------------
# 结对共建


def do_add_partner(
    user: Any,
    court: Org,
    *,
    name: str,
    kind: str,
    address: str = "",
    contact: str = "",
    phone: str = "",
) -> Partner:
    errors: dict[str, list[str]] = {}
    name = _text(name, "name", "单位名称", 100, errors)
    if kind not in PartnerKind.values:
        errors["kind"] = ["请选择单位类型"]
    if not court.is_court:
        errors["court"] = ["共建单位登记在法院名下"]
    if name and Partner.objects.filter(court=court, name=name).exists():
        errors["name"] = [f"{court.name}已登记共建单位“{name}”"]
    _raise(errors)
    with transaction.atomic():
        partner = Partner.objects.create(
            court=court,
            name=name,
            kind=kind,
            address=address.strip()[:200],
            contact=contact.strip()[:50],
            phone=phone.strip()[:30],
        )
        record(
            user,
            "service.partner",
            partner,
            after=snapshot(partner, ("court", "name", "kind", "address", "contact")),
            org=court,
        )
    return partner


def do_sign_agreement(
    user: Any,
    partner: Partner,
    org: Org,
    *,
    title: str,
    signed_on: dt.date,
    starts_on: dt.date,
    ends_on: dt.date,
    content: str = "",
    today: dt.date | None = None,
) -> Agreement:
    """A co-building agreement signed by one of the court's party organisations (or the court)."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    title = _text(title, "title", "协议名称", 200, errors)
    if not (org.is_party or org.is_court) or not org.path.startswith(partner.court.path):
        errors["org"] = [f"签约方应为{partner.court.name}或其党组织"]
    if signed_on > today:
        errors["signed_on"] = ["签订日期不能晚于今天"]
    if ends_on < starts_on:
        errors["ends_on"] = ["截止日期不能早于起始日期"]
    if len(content) > 5000:
        errors["content"] = ["共建内容不超过5000字"]
    _raise(errors)
    with transaction.atomic():
        agreement = Agreement.objects.create(
            partner=partner,
            org=org,
            court=partner.court,
            title=title,
            signed_on=signed_on,
            starts_on=starts_on,
            ends_on=ends_on,
            content=content.strip(),
            recorded_by=_user(user),
        )
        record(
            user,
            "service.agreement",
            agreement,
            after=snapshot(
                agreement, ("partner", "org", "title", "signed_on", "starts_on", "ends_on")
            ),
            org=org,
        )
    return agreement


def do_link_joint_activity(user: Any, agreement: Agreement, activity: Activity) -> JointActivity:
    """An activity held under the agreement, on a day the agreement was in force."""
    problems = _service_activity(activity, agreement.court, "activity")
    if not problems and not agreement.starts_on <= activity.on <= agreement.ends_on:
        problems = [
            f"活动日期{activity.on:%Y-%m-%d}不在协议有效期"
            f"（{agreement.starts_on:%Y-%m-%d}至{agreement.ends_on:%Y-%m-%d}）内"
        ]
    if (
        not problems
        and JointActivity.objects.filter(agreement=agreement, activity=activity).exists()
    ):
        problems = ["该活动已关联本协议"]
    if problems:
        raise ValidationError({"activity": problems})
    with transaction.atomic():
        link = JointActivity.objects.create(
            agreement=agreement, activity=activity, linked_by=_user(user)
        )
        record(
            user,
            "service.joint_activity",
            link,
            after=snapshot(link, ("agreement", "activity")),
            org=agreement.org,
        )
    return link


# ---------------------------------------------------------------------------------------
# 我为群众办实事


def do_promise_deed(
    user: Any,
    org: Org,
    *,
    year: int,
    title: str,
    description: str = "",
    owner: Person,
    deadline: dt.date,
    listed_on: dt.date | None = None,
) -> Deed:
    """Put a deed on a court's or a branch's list, not yet started, on `listed_on` (today)."""
    errors: dict[str, list[str]] = {}
    title = _text(title, "title", "事项", 200, errors)
    if len(description) > 5000:
        errors["description"] = ["具体内容不超过5000字"]
    if not (org.is_party or org.is_court or org.kind == "department"):
        errors["org"] = ["承诺单位应为法院、部门或党组织"]
    court = org.court()
    if owner.court_id != court.pk:
        errors["owner"] = [f"责任人应为{court.name}的人员"]
    if not 2000 <= year <= 2100:
        errors["year"] = ["年度应在2000—2100之间"]
    elif deadline.year < year:
        errors["deadline"] = [f"完成时限不能早于{year}年"]
    _raise(errors)
    with transaction.atomic():
        deed = Deed.objects.create(
            org=org,
            court=court,
            year=year,
            title=title,
            description=description.strip(),
            owner=owner,
            deadline=deadline,
            created_by=_user(user),
        )
        DeedStep.objects.create(
            deed=deed,
            to_status=DeedStatus.NOT_STARTED,
            on=listed_on or timezone.localdate(),
            note="列入清单",
            recorded_by=_user(user),
        )
        record(user, "service.deed", deed, after=snapshot(deed, DEED_FIELDS), org=org)
    return deed


def do_set_deed_status(
    user: Any,
    deed: Deed,
    status: str,
    *,
    on: dt.date | None = None,
    note: str = "",
    completion_note: str = "",
    today: dt.date | None = None,
) -> Deed:
    """Move a deed on: 未开始 → 进行中 → 已完成, or 已取消 with a reason. A deed done or
    cancelled is closed; each change is a step of its history."""
    today = today or timezone.localdate()
    on = on or today
    note, completion_note = (note or "").strip(), (completion_note or "").strip()
    with transaction.atomic():
        deed = Deed.objects.select_for_update().select_related("org").get(pk=deed.pk)
        errors: dict[str, list[str]] = {}
        if status not in DeedStatus.values:
            errors["status"] = ["请选择状态"]
        elif deed.status not in OPEN_STATUSES:
            errors["status"] = [f"该事项{deed.get_status_display()}，不能再变更状态"]
        elif status == deed.status:
            errors["status"] = [f"该事项已是“{deed.get_status_display()}”"]
        elif status == DeedStatus.NOT_STARTED:
            errors["status"] = ["已开始的事项不能退回未开始"]
        if on > today:
            errors["on"] = ["日期不能晚于今天"]
        if status == DeedStatus.DONE and not completion_note:
            errors["completion_note"] = ["办结时请填写办结情况"]
        if status == DeedStatus.CANCELLED and not note:
            errors["note"] = ["取消时请说明原因"]
        if len(note) > 500:
            errors["note"] = ["说明不超过500字"]
        _raise(errors)
        before = snapshot(deed, DEED_FIELDS)
        DeedStep.objects.create(
            deed=deed,
            from_status=deed.status,
            to_status=status,
            on=on,
            note=note,
            recorded_by=_user(user),
        )
        deed.status = status
        fields = ["status"]
        if status == DeedStatus.DONE:
            deed.done_on = on
            deed.completion_note = completion_note
            fields += ["done_on", "completion_note"]
        deed.save(update_fields=fields)
        record(
            user,
            "service.deed_status",
            deed,
            before=before,
            after=snapshot(deed, DEED_FIELDS),
            org=deed.org,
        )
    return deed


def do_link_deed_activity(user: Any, deed: Deed, activity: Activity) -> DeedActivity:
    """An activity that delivered (part of) the deed."""
    problems = _service_activity(activity, deed.court, "activity")
    if not problems and DeedActivity.objects.filter(deed=deed, activity=activity).exists():
        problems = ["该活动已关联本事项"]
    if problems:
        raise ValidationError({"activity": problems})
    with transaction.atomic():
        link = DeedActivity.objects.create(deed=deed, activity=activity, linked_by=_user(user))
        record(
            user,
            "service.deed_activity",
            link,
            after=snapshot(link, ("deed", "activity")),
            org=deed.org,
        )
    return link
