"""A court's rule set: the R4.1 defaults, edits by the party committee office, caps per period."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tianping.audit.models import AuditEvent
from tianping.points import actions
from tianping.points.models import PointEntry, PointRule, PointScheme, Trigger
from tianping.points.queries import year_score
from tianping.points.rules import rules_for, scheme_for

from .conftest import held


def test_a_court_is_seeded_with_the_R4_1_default_rule_set(world):
    court = world.org("BT-JY")
    scheme = scheme_for(court)
    rules = rules_for(court)
    assert scheme.base == Decimal("60")
    assert scheme.rankings_for_secretaries is False
    assert rules[Trigger.ATTEND_ORG_LIFE].points == Decimal("1")
    assert rules[Trigger.REFLECTION].points == Decimal("3")
    assert rules[Trigger.REFLECTION_COMMENDED].points == Decimal("3")
    assert rules[Trigger.GIVE_LECTURE].points == Decimal("5")
    volunteer = rules[Trigger.VOLUNTEER_HOURS]
    assert (volunteer.points, volunteer.per_hours, volunteer.cap, volunteer.cap_period) == (
        Decimal("1"),
        Decimal("2"),
        Decimal("10"),
        "year",
    )
    assert rules[Trigger.UNEXCUSED_ABSENCE].points == Decimal("-2")
    assert AuditEvent.objects.filter(action="points.seed_rules", org=court).count() == 1


def test_a_member_with_no_entries_scores_the_base_R4_1(world):
    assert year_score(world.people["wang"], 2024) == Decimal("60")


def test_volunteer_hours_earn_a_point_per_two_hours_capped_at_ten_a_year_R4_1(world):
    # 6 + 6 + 6 hours = 9 points, then 4 hours more would be 11: the cap keeps the year at 10.
    for month in (3, 5, 7):
        held(
            world, "volunteer_service", dt.date(2024, month, 9), hours=Decimal("6"), wang="present"
        )
    assert year_score(world.people["wang"], 2024) == Decimal("69")
    held(world, "volunteer_service", dt.date(2024, 9, 9), hours=Decimal("4"), wang="present")
    assert year_score(world.people["wang"], 2024) == Decimal("70")
    held(world, "volunteer_service", dt.date(2024, 10, 9), hours=Decimal("8"), wang="present")
    entries = PointEntry.objects.filter(
        person=world.people["wang"], trigger=Trigger.VOLUNTEER_HOURS
    )
    assert sum(e.points for e in entries) == Decimal("10")
    # The cap is per year: the next year starts again.
    held(world, "volunteer_service", dt.date(2025, 1, 9), hours=Decimal("3"), wang="present")
    assert year_score(world.people["wang"], 2025) == Decimal("61")


def test_changing_a_rule_never_rewrites_past_entries_and_is_audited_R4_1(world):
    held(world, wang="present", zhao="absent")
    before = list(PointEntry.objects.values_list("pk", "points", "reason").order_by("pk"))
    rule = rules_for(world.org("BT-JY"))[Trigger.ATTEND_ORG_LIFE]
    actions.do_update_rule(world.users["bob"], rule, points="2", active=True)
    assert list(PointEntry.objects.values_list("pk", "points", "reason").order_by("pk")) == before
    assert year_score(world.people["wang"], 2024) == Decimal("61")
    # What is posted afterwards follows the new rule.
    held(world, on=dt.date(2024, 4, 25), wang="present")
    assert year_score(world.people["wang"], 2024) == Decimal("63")
    event = AuditEvent.objects.get(action="points.rule")
    assert event.before["points"] == "1.00" and event.after["points"] == "2.00"
    assert event.user == world.users["bob"]


def test_an_unchanged_rule_writes_no_audit_event(world):
    rule = rules_for(world.org("BT-JY"))[Trigger.GIVE_LECTURE]
    actions.do_update_rule(None, rule, points=Decimal("5"), active=True)
    assert not AuditEvent.objects.filter(action="points.rule").exists()


def test_a_rule_with_a_cap_needs_its_period(world):
    rule = rules_for(world.org("BT-JY"))[Trigger.VOLUNTEER_HOURS]
    with pytest.raises(ValidationError) as e:
        actions.do_update_rule(
            None, rule, points="1", per_hours="2", cap="10", cap_period="", active=True
        )
    assert "cap_period" in e.value.message_dict
    rule.refresh_from_db()
    assert rule.cap_period == "year"


def test_an_inactive_rule_posts_nothing(world):
    rule = rules_for(world.org("BT-JY"))[Trigger.UNEXCUSED_ABSENCE]
    actions.do_update_rule(None, rule, points="-2", active=False)
    held(world, wang="present", zhao="absent")
    assert year_score(world.people["zhao"], 2024) == Decimal("60")


def test_the_scheme_base_and_ranking_switch_are_audited_R4_2(world):
    scheme = scheme_for(world.org("BT-JY"))
    actions.do_update_scheme(world.users["bob"], scheme, base="80", rankings_for_secretaries=True)
    scheme.refresh_from_db()
    assert scheme.base == Decimal("80") and scheme.rankings_for_secretaries
    event = AuditEvent.objects.get(action="points.scheme")
    assert event.before == {"base": "60.00", "rankings_for_secretaries": False}
    assert year_score(world.people["wang"], 2024) == Decimal("80")
    assert PointScheme.objects.count() == 1 and PointRule.objects.filter(court=scheme.court).count()


def test_the_audit_rows_of_points_name_every_value_in_chinese(world):
    court = world.org("BT-JY")
    scheme_for(court)
    held(world, "democratic_review", wang="present")
    entry = actions.do_post_manual(None, world.people["wang"], "2", "获表彰", dt.date(2024, 5, 1))
    actions.do_reverse(world.users["bob"], entry, "录入重复")
    actions.do_veto(world.users["bob"], world.people["zhao"], 2024, "违纪")
    for event in AuditEvent.objects.filter(action__startswith="points."):
        for label, _, _ in event.changes:
            assert label.isascii() is False, (event.action, label)
