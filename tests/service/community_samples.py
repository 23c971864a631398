"""Sample community records of 九原区法院's first branch (BT-JY-B01) for the route matrices."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tianping.service.actions import community as actions
from tianping.service.models import (
    Agreement,
    CommunityRegistration,
    CommunityService,
    Deed,
    Partner,
)


def sample_registration(world: Any) -> CommunityRegistration:
    found = CommunityRegistration.objects.filter(person=world.people["wang"]).first()
    return found or actions.do_register(
        None,
        world.people["wang"],
        community="幸福社区",
        district="沙河街道",
        registered_on=dt.date(2024, 1, 10),
    )


def sample_service(world: Any) -> CommunityService:
    registration = sample_registration(world)
    found = CommunityService.objects.filter(registration=registration).first()
    return found or actions.do_record_service(
        None, registration, on=dt.date(2024, 3, 5), content="社区矛盾纠纷调解", hours="2"
    )


def sample_partner(world: Any) -> Partner:
    found = Partner.objects.filter(court__code="BT-JY", name="幸福社区").first()
    return found or actions.do_add_partner(
        None, world.org("BT-JY"), name="幸福社区", kind="community", contact="刘主任"
    )


def sample_agreement(world: Any) -> Agreement:
    partner = sample_partner(world)
    found = Agreement.objects.filter(partner=partner).first()
    return found or actions.do_sign_agreement(
        None,
        partner,
        world.org("BT-JY-B01"),
        title="第一党支部与幸福社区党建共建协议",
        signed_on=dt.date(2024, 1, 5),
        starts_on=dt.date(2024, 1, 5),
        ends_on=dt.date(2025, 1, 4),
    )


def sample_deed(world: Any) -> Deed:
    found = Deed.objects.filter(org__code="BT-JY-B01").first()
    return found or actions.do_promise_deed(
        None,
        world.org("BT-JY-B01"),
        year=2024,
        title="巡回审判进社区",
        owner=world.people["wang"],
        deadline=dt.date(2024, 6, 30),
    )


SAMPLES = {
    "registration_id": sample_registration,
    "service_id": sample_service,
    "partner_id": sample_partner,
    "agreement_id": sample_agreement,
    "deed_id": sample_deed,
}


def matrix_sample(world: Any, kwarg: str) -> Any:
    return SAMPLES[kwarg](world)
