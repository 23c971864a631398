"""Volunteer hours and certificates: hours from attendance (a part served counts its part),
certificates issued at exactly the rule's hours and revoked when hours are corrected down."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tianping.accounts.scoping import scope_for
from tianping.activities import actions as activity_actions
from tianping.audit.models import AuditEvent
from tianping.points.models import PointEntry, Trigger
from tianping.service.actions import volunteer as actions
from tianping.service.models.volunteer import VolunteerCertificate
from tianping.service.queries import volunteer as queries

from .volunteer_samples import service, team


def _admin(world):
    return scope_for(world.users["admin"])


def _rule(world, hours: str = "20", title: str = "志愿服务证书", court: str = "BT-JY"):
    return actions.do_add_rule(
        world.users["bob"], world.org(court), title=title, min_hours=Decimal(hours)
    )


def _valid(world, person: str, year: int = 2024) -> list[str]:
    return sorted(
        c.rule.title
        for c in VolunteerCertificate.objects.filter(
            person=world.people[person], year=year, revoked_on__isnull=True
        )
    )


def test_a_certificate_is_issued_at_exactly_the_rules_hours(world):
    _rule(world, "20")
    service(world, dt.date(2024, 3, 9), "12", wang="present")
    assert _valid(world, "wang") == []
    service(world, dt.date(2024, 6, 9), "8", wang="present")
    assert _valid(world, "wang") == ["志愿服务证书"]
    cert = VolunteerCertificate.objects.get(person=world.people["wang"])
    assert cert.hours == Decimal("20.0") and len(cert.code) == 12
    assert AuditEvent.objects.filter(action="service.volunteer_certificate").count() == 1


def test_a_correction_of_hours_down_revokes_the_certificate_and_keeps_it(world):
    _rule(world, "20")
    service(world, dt.date(2024, 3, 9), "12", wang="present")
    june = service(world, dt.date(2024, 6, 9), "8", wang="present")
    # 王芳 left half-way: 4 of the 8 hours.
    actions.do_set_service_hours(world.users["carol"], june, world.people["wang"], Decimal("4"))
    assert _valid(world, "wang") == []
    cert = VolunteerCertificate.objects.get(person=world.people["wang"])
    assert cert.revoked_on is not None
    assert cert.revoke_reason == "2024年度志愿服务时长更正为16.0小时，不足20小时"
    # Up again: a new certificate, the revoked one stays in the ledger.
    actions.do_set_service_hours(world.users["carol"], june, world.people["wang"], None)
    assert _valid(world, "wang") == ["志愿服务证书"]
    assert VolunteerCertificate.objects.filter(person=world.people["wang"]).count() == 2


def test_an_attendance_corrected_to_absent_revokes_the_certificate(world):
    _rule(world, "10")
    activity = service(world, dt.date(2024, 4, 9), "10", wang="present")
    assert _valid(world, "wang") == ["志愿服务证书"]
    activity_actions.do_set_attendance(
        world.users["carol"], activity, world.people["wang"], "absent"
    )
    assert _valid(world, "wang") == []
    assert VolunteerCertificate.objects.filter(revoked_on__isnull=False).count() == 1


def test_a_cancelled_service_counts_no_hours(world):
    _rule(world, "4")
    activity = service(world, dt.date(2024, 4, 9), "4", wang="present")
    activity_actions.do_cancel(world.users["carol"], activity, "恶劣天气")
    assert _valid(world, "wang") == []
    assert queries.yearly_hours([world.people["wang"].pk], [2024]) == {}


def test_partial_hours_count_their_part_in_hours_points_and_figures(world):
    activity = service(world, dt.date(2024, 4, 9), "6", wang="present", zhao="present")
    actions.do_set_service_hours(
        world.users["carol"], activity, world.people["zhao"], Decimal("2.5")
    )
    hours = queries.yearly_hours([world.people["wang"].pk, world.people["zhao"].pk], [2024])
    assert hours == {
        (world.people["wang"].pk, 2024): Decimal("6.0"),
        (world.people["zhao"].pk, 2024): Decimal("2.5"),
    }
    # R4.1: 1 point per 2 hours, read by points from the same attendance row.
    zhao = PointEntry.objects.filter(
        person=world.people["zhao"], trigger=Trigger.VOLUNTEER_HOURS
    ).values_list("points", flat=True)
    assert sum(zhao) == Decimal("1")
    ledger = queries.hours_ledger(_admin(world), world.org("BT"), 2024, limit=None)
    assert ledger.hours == Decimal("8.5") and ledger.people == 2


def test_partial_hours_cannot_exceed_the_service_nor_go_to_someone_absent(world):
    activity = service(world, dt.date(2024, 4, 9), "6", wang="present", zhao="absent")
    with pytest.raises(ValidationError, match="不能超过活动时长6.0小时"):
        actions.do_set_service_hours(
            world.users["carol"], activity, world.people["wang"], Decimal("7")
        )
    with pytest.raises(ValidationError, match="未出席"):
        actions.do_set_service_hours(
            world.users["carol"], activity, world.people["zhao"], Decimal("2")
        )


def test_r4_1_the_cap_is_shown_beside_the_hours_not_reimplemented(world):
    # 30 hours earn 15 points by the rate, 10 under the yearly cap (R4.1, D8).
    for month in (3, 5, 7):
        service(world, dt.date(2024, month, 9), "10", wang="present")
    year = queries.person_year(_admin(world), world.people["wang"], 2024)
    assert year.hours == Decimal("30.0")
    assert year.points == Decimal("10.00") and year.cap == Decimal("10")
    assert [line.points for line in year.lines] == [Decimal("5"), Decimal("5"), Decimal("0")]


def test_tiers_each_issue_their_own_certificate(world):
    _rule(world, "10", "志愿服务证书")
    _rule(world, "30", "优秀志愿者证书")
    service(world, dt.date(2024, 3, 9), "12", wang="present")
    assert _valid(world, "wang") == ["志愿服务证书"]
    service(world, dt.date(2024, 5, 9), "20", wang="present")
    assert _valid(world, "wang") == ["优秀志愿者证书", "志愿服务证书"]


def test_a_rule_added_later_issues_to_those_who_already_hold_it(world):
    service(world, dt.date(2023, 3, 9), "20", wang="present")
    _rule(world, "20")
    assert _valid(world, "wang", 2023) == ["志愿服务证书"]


def test_a_basic_court_without_rules_follows_the_court_above(world):
    _rule(world, "5", court="BT")
    service(world, dt.date(2024, 3, 9), "6", wang="present")
    assert _valid(world, "wang") == ["志愿服务证书"]


def test_a_retired_rule_issues_nothing_new_and_keeps_what_it_issued(world):
    rule = _rule(world, "5")
    service(world, dt.date(2024, 3, 9), "6", wang="present")
    actions.do_retire_rule(world.users["bob"], rule)
    service(world, dt.date(2024, 3, 19), "6", zhao="present")
    assert _valid(world, "wang") == ["志愿服务证书"]
    assert _valid(world, "zhao") == []


def test_team_figures_count_activities_participations_hours_and_beneficiaries(world):
    t = team(world)
    one = service(world, dt.date(2024, 3, 9), "4", wang="present", zhao="present")
    two = service(world, dt.date(2024, 4, 9), "3", wang="present", zhao="leave")
    service(world, dt.date(2024, 5, 9), "2", wang="present")  # no team
    actions.do_set_service_hours(world.users["carol"], one, world.people["zhao"], Decimal("1.5"))
    actions.do_record_service(
        world.users["bob"], one, team=t, beneficiaries=80, community="幸福社区"
    )
    actions.do_record_service(world.users["bob"], two, team=t, beneficiaries=40)
    f = queries.team_figures(_admin(world), [t.pk], 2024)[t.pk]
    assert (f.activities, f.participations, f.hours, f.beneficiaries) == (2, 3, Decimal("8.5"), 120)
    (court,) = queries.court_figures(_admin(world), world.org("BT-JY"), 2024)
    assert court.total.activities == 3 and court.unassigned.hours == Decimal("2.0")


def test_members_leave_with_their_history_kept(world):
    t = team(world)
    stay = t.members.get(person=world.people["zhao"])
    actions.do_leave_team(world.users["bob"], stay, dt.date(2024, 6, 30), "调离")
    assert [m.person.name for m in queries.members(t, current=True)] == ["王芳"]
    assert [m.left_reason for m in queries.members(t, current=False)] == ["调离"]
    actions.do_join_team(world.users["bob"], t, world.people["zhao"], dt.date(2024, 9, 1))
    assert t.members.filter(person=world.people["zhao"]).count() == 2


def test_a_team_name_is_once_per_court(world):
    team(world)
    with pytest.raises(ValidationError, match="已有"):
        actions.do_create_team(
            world.users["bob"], world.org("BT-JY-B01"), name="九原区法院青年志愿服务队"
        )
