"""The demo's organisational life: the statutory rhythm with gaps, attendance as of each day, and
a ledger that is exactly what posting would have posted (R1.3, R1.5, R4.1, R4.3)."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from decimal import Decimal

from django.core.management import call_command
from django.db.models import Count, F, Q, Sum

from tianping.activities.compliance import MET, MISSING, compliance
from tianping.activities.kinds import OBLIGATIONS
from tianping.activities.models import (
    Activity,
    ActivityStatus,
    Attendance,
    AttendanceRole,
    AttendanceStatus,
)
from tianping.activities.queries import expected_attendees
from tianping.audit.models import AuditEvent
from tianping.demo.plans import demo_as_of
from tianping.orgs.models import COURT_KINDS, Org, OrgKind
from tianping.people.models import Person
from tianping.points.models import PointEntry, PointRule, PointScheme, Trigger
from tianping.points.posting import due_entries, reconcile
from tianping.points.rules import BASE, DEFAULT_RULES

AS_OF = demo_as_of()
YEARS = (AS_OF.year - 1, AS_OF.year)
WHOLE_BRANCH_KINDS = ("theme_day", "branch_congress", "group_meeting", "life_meeting")


def run_demo() -> None:
    call_command("demo", stdout=io.StringIO())


def test_every_branch_and_group_holds_meetings_in_each_of_the_demo_years_r1_5(demo_db):

    held = Activity.objects.filter(status=ActivityStatus.HELD)
    for org in Org.objects.filter(kind__in=[OrgKind.BRANCH, OrgKind.GROUP, OrgKind.LEADING_GROUP]):
        years = set(held.filter(org=org).values_list("on__year", flat=True))
        assert years == set(YEARS), (org.code, years)
    # Two calendar years ending with the plan's day, nothing after it.
    assert held.order_by("on").first().on >= dt.date(YEARS[0], 1, 1)
    assert Activity.objects.order_by("-on").first().on <= AS_OF
    kinds = set(held.values_list("kind", flat=True))
    assert {
        "training_class",
        "reading_session",
        "volunteer_service",
        "legal_education",
        "storytelling",
        "trial_observation",
        "skill_competition",
        "political_birthday",
    } <= kinds
    assert not held.filter(kind="legal_education", external_audience__isnull=True).exists()


def test_the_demo_meets_most_obligations_and_misses_some_as_real_ledgers_do_r1_5(demo_db):
    mid = Org.objects.get(code="BT")

    for year in YEARS:
        report = compliance(mid, year, min(dt.date(year, 12, 31), AS_OF))
        summary = report.summary
        if year < AS_OF.year:
            assert summary.upcoming == 0
        assert 0.85 <= summary.rate <= 0.97, (year, summary)
        if year == AS_OF.year:
            continue  # the year under way: yearly obligations may still be upcoming
        met = Counter(r.obligation.code for r in report.rows if r.status == MET)
        # Every obligation of R1.5 is met somewhere, including the secretaries' lectures and
        # the 党组's monthly center-group study.
        assert set(met) == set(OBLIGATIONS), set(OBLIGATIONS) - set(met)
        missing = [r for r in report.rows if r.status == MISSING]
        assert missing and len({r.org.pk for r in missing}) > 5

        # R1.3: committee meetings only in months when the branch had to have a committee.
        for activity in Activity.objects.filter(
            kind="branch_committee", status=ActivityStatus.HELD, on__year=year
        ):
            assert activity.on.month in report.committee_months(activity.org), activity


def test_attendance_lists_the_members_as_of_the_day_mostly_present(demo_db):
    sample = (
        Activity.objects.filter(status=ActivityStatus.HELD, kind__in=WHOLE_BRANCH_KINDS)
        .select_related("org")
        .order_by("id")[::25]
    )
    assert len(sample) > 50
    for activity in sample:
        listed = set(
            activity.attendance.exclude(role=AttendanceRole.LECTURER).values_list(
                "person_id", flat=True
            )
        )
        expected = set(expected_attendees(activity.org, activity.on).values_list("pk", flat=True))
        assert listed <= expected, activity
        assert len(expected - listed) <= 1, activity  # only a lecturer from the branch itself

    statuses = Counter(
        Attendance.objects.filter(
            activity__kind__in=WHOLE_BRANCH_KINDS, role=AttendanceRole.PARTICIPANT
        ).values_list("status", flat=True)
    )
    total = sum(statuses.values())
    assert abs(statuses[AttendanceStatus.PRESENT] / total - 0.90) < 0.02
    assert abs(statuses[AttendanceStatus.LEAVE] / total - 0.07) < 0.015
    assert abs(statuses[AttendanceStatus.ABSENT] / total - 0.03) < 0.01
    # Lectures name their lecturer, present, on the list.
    lectures = Activity.objects.filter(kind="party_lecture", status=ActivityStatus.HELD)
    assert not lectures.filter(lecturer__isnull=True).exists()
    assert (
        lectures.filter(
            attendance__role=AttendanceRole.LECTURER,
            attendance__status=AttendanceStatus.PRESENT,
            attendance__person=F("lecturer"),
        ).count()
        == lectures.count()
    )
    assert lectures.filter(lecturer_is_secretary=True, org__kind=OrgKind.LEADING_GROUP).exists()


def test_cancelled_records_have_no_attendance_and_earn_nothing(demo_db):
    cancelled = Activity.objects.filter(status=ActivityStatus.CANCELLED)
    assert cancelled.count() > 20
    assert not cancelled.exclude(cancel_reason="").filter(attendance__isnull=False).exists()
    assert not cancelled.filter(cancel_reason="").exists()
    assert not PointEntry.objects.filter(activity__status=ActivityStatus.CANCELLED).exists()


def test_each_court_has_the_default_rule_set_seeded_as_on_first_use_r4_1(demo_db):
    courts = Org.objects.filter(kind__in=COURT_KINDS)
    assert PointScheme.objects.filter(court__in=courts, base=BASE).count() == courts.count()
    for court in courts:
        rules = {r.trigger: r for r in PointRule.objects.filter(court=court)}
        assert rules.keys() == set(DEFAULT_RULES)
        assert rules[Trigger.VOLUNTEER_HOURS].cap == Decimal("10")
    assert AuditEvent.objects.filter(action="points.seed_rules").count() == courts.count()


def _expected_ledger(person: Person) -> Counter:
    expected: Counter = Counter()
    activities = (
        Activity.objects.filter(attendance__person=person)
        .select_related("org")
        .prefetch_related("attendance")
    )
    for activity in activities:
        for (person_id, trigger), due in due_entries(activity).items():
            if person_id == person.pk:
                expected[
                    (
                        activity.pk,
                        activity.on,
                        trigger,
                        due.points,
                        due.rule.pk,
                        due.attendance_id,
                        due.reason,
                    )
                ] += 1
    return expected


def test_a_members_ledger_is_exactly_what_posting_computes_for_what_they_attended_r4_3(
    demo_db,
):
    entries = PointEntry.objects.filter(reverses__isnull=True)
    assert entries.filter(trigger=Trigger.UNEXCUSED_ABSENCE, points=Decimal("-2")).exists()
    assert entries.filter(trigger=Trigger.GIVE_LECTURE, points=Decimal("5")).exists()
    # Some volunteers reach the yearly cap of 10 (R4.1) and earn nothing beyond it.
    capped = list(
        entries.filter(trigger=Trigger.VOLUNTEER_HOURS)
        .values("person", "on__year")
        .annotate(total=Sum("points"))
        .filter(total=Decimal("10"))
        .values_list("person", flat=True)[:3]
    )
    assert capped
    assert not (
        entries.filter(trigger=Trigger.VOLUNTEER_HOURS)
        .values("person", "on__year")
        .annotate(total=Sum("points"))
        .filter(total__gt=Decimal("10"))
        .exists()
    )
    busy = list(
        Person.objects.annotate(n=Count("point_entries"))
        .filter(n__gt=0)
        .order_by("employee_no")
        .values_list("pk", flat=True)[::97]
    )
    for person in Person.objects.filter(pk__in=[*capped, *busy]):
        # What attendance earned; a review's result is posted by the review (test_party_records),
        # a reflection's by its reading (tests/learning).
        ledger = Counter(
            (e.activity_id, e.on, e.trigger, e.points, e.rule_id, e.attendance_id, e.reason)
            for e in PointEntry.objects.filter(person=person).exclude(
                trigger__in=[
                    Trigger.REVIEW_EXCELLENT,
                    Trigger.REVIEW_UNQUALIFIED,
                    Trigger.REFLECTION,
                ]
            )
        )
        assert ledger == _expected_ledger(person), person.employee_no
        assert not PointEntry.objects.filter(person=person, created_by__isnull=False).exists()

    # Reconciling a sample of records again posts nothing: the ledger already matches.
    sample = Activity.objects.filter(
        Q(kind="volunteer_service", attendance__person__in=capped)
        | Q(pk__in=Activity.objects.order_by("id").values_list("pk", flat=True)[::300])
    ).distinct()
    for activity in sample:
        assert reconcile(activity) == [], activity
