"""Volunteer records of the shared test world, made through the actions as the product does."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from tianping.activities import actions as activity_actions
from tianping.activities.models import Activity
from tianping.service.actions import volunteer as actions
from tianping.service.models.volunteer import VolunteerCertificate, VolunteerTeam


def service(
    world: Any,
    on: dt.date,
    hours: str,
    *,
    org: str = "BT-JY-B01",
    title: str | None = None,
    **attendance: str,
) -> Activity:
    """A volunteer service held by carol's branch with the given attendance."""
    activity = activity_actions.do_plan_activity(
        world.users["carol"],
        world.org(org),
        kind="volunteer_service",
        title=title or f"{on:%m月%d日}社区志愿服务",
        on=on,
        hours=Decimal(hours),
    )
    return activity_actions.do_record_held(
        world.users["carol"],
        activity,
        attendance={world.people[k].pk: v for k, v in attendance.items()},
    )


def team(world: Any, name: str = "九原区法院青年志愿服务队") -> VolunteerTeam:
    found = VolunteerTeam.objects.filter(name=name).first()
    if found is not None:
        return found
    made = actions.do_create_team(
        world.users["bob"], world.org("BT-JY"), name=name, founded_on=dt.date(2023, 3, 5)
    )
    actions.do_join_team(world.users["bob"], made, world.people["wang"], dt.date(2023, 3, 5))
    actions.do_join_team(world.users["bob"], made, world.people["zhao"], dt.date(2023, 4, 1))
    return made


def certificate(world: Any) -> VolunteerCertificate:
    """赵磊 (dave's person) with a 2024 certificate of 九原区法院's 10-hour rule."""
    found = VolunteerCertificate.objects.filter(person=world.people["zhao"], year=2024).first()
    if found is not None:
        return found
    if not world.org("BT-JY").volunteer_rules.exists():
        actions.do_add_rule(
            world.users["bob"], world.org("BT-JY"), title="志愿服务证书", min_hours=Decimal("10")
        )
    activity = service(world, dt.date(2024, 5, 11), "10", zhao="present", wang="present")
    actions.do_record_service(
        world.users["bob"], activity, team=team(world), beneficiaries=120, community="幸福社区"
    )
    return VolunteerCertificate.objects.get(person=world.people["zhao"], year=2024)


def matrix_sample(world: Any, what: str) -> Any:
    cert = certificate(world)
    if what == "team":
        return team(world)
    if what == "certificate":
        return cert
    return Activity.objects.filter(kind="volunteer_service", org__code="BT-JY-B01").first()
