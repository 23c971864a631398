"""`tianping generate`: same seed, same data; a valid tree; refuses a database in use."""

from __future__ import annotations

import io
import json
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tianping.activities.models import Activity, Attendance
from tianping.audit.models import AuditEvent
from tianping.demo.plans import city_plan, province_plan
from tianping.orgs.models import Org, OrgKind
from tianping.people.models import Person, Placement
from tianping.points.models import PointEntry

from .digest import data_digest


def generate(*args: str) -> dict:
    out = io.StringIO()
    call_command("generate", "--json", *args, stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def test_a_small_city_prints_its_counts_as_json_and_they_match_the_database(empty_db):
    summary = generate("--profile", "city", "--seed", "3", "--scale", "0.1")

    assert summary["profile"] == "city" and summary["seed"] == 3
    assert summary["people"] == Person.objects.count()
    assert summary["placements"] == Placement.objects.count()
    assert summary["branches"] == Org.objects.filter(kind=OrgKind.BRANCH).count()
    assert (
        summary["courts"]
        == Org.objects.filter(kind__in=[OrgKind.MID_COURT, OrgKind.BASIC_COURT]).count()
    )
    assert Org.objects.find_problems() == ([], [], [], [], [])
    assert summary["activities"] == Activity.objects.count() > 0
    assert summary["attendance"] == Attendance.objects.count() > 0
    assert summary["point_entries"] == PointEntry.objects.count() > 0
    # Three calendar years of records for a generated data set, up to the plan's day.
    years = Activity.objects.dates("on", "year")
    assert [d.year for d in years] == [2023, 2024, 2025]
    # One audit event for the whole batch, not one per row; beside it, each court's rule
    # set seeded as on first use (R4.1).
    actions = Counter(AuditEvent.objects.values_list("action", flat=True))
    assert actions == {"generate.load": 1, "points.seed_rules": summary["courts"]}


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(empty_db):
    generate("--profile", "city", "--seed", "5", "--scale", "0.05")
    first = data_digest()
    generate("--profile", "city", "--seed", "5", "--scale", "0.05", "--reset")
    assert data_digest() == first
    generate("--profile", "city", "--seed", "6", "--scale", "0.05", "--reset")
    assert data_digest() != first


def test_it_refuses_a_database_that_holds_data(world):
    with pytest.raises(CommandError, match="--reset"):
        generate("--profile", "city", "--scale", "0.05")
    assert Person.objects.count() == len(world.people)


def test_the_province_plan_has_the_promised_shape():
    plan = province_plan(1)
    kinds = Counter(c.kind for c in plan.courts)
    assert kinds == {OrgKind.HIGH_COURT: 1, OrgKind.MID_COURT: 12, OrgKind.BASIC_COURT: 130}
    assert 22_000 <= sum(c.staff for c in plan.courts) <= 26_000
    assert len({c.code for c in plan.courts}) == len(plan.courts)
    assert province_plan(1) == plan and province_plan(2) != plan
    assert city_plan(1).courts[0].kind == OrgKind.MID_COURT
