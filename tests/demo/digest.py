"""A fingerprint of the data a builder wrote, by natural keys, so two builds can be compared."""

from __future__ import annotations

import hashlib

from tianping.accounts.models import RoleGrant, User
from tianping.activities.models import Activity, Attendance, ReviewEntry
from tianping.committees.models import CommitteeMember, Election, Term
from tianping.dues.models import DuesBase, DuesExcuse, DuesPayment
from tianping.orgs.models import Org
from tianping.people.models import Person, Placement
from tianping.points.models import PointEntry, PointRule, PointScheme
from tianping.recruitment.models import Recruit, Step, StepPerson

# An activity has no natural key of its own: its organisation, day, kind and title, with
# the time it started, tell the demo's records apart.
ACTIVITY_KEY = ("org__code", "on", "kind", "title", "start_time", "status")


def data_digest() -> str:
    digest = hashlib.sha256()

    def feed(rows) -> None:
        # Sorted as text: two records alike in every ordering key (two teams' service on
        # one day) come back from the database in whichever order it stored them.
        for row in sorted(repr(row) for row in rows):
            digest.update(row.encode())

    feed(
        Org.objects.order_by("path").values_list(
            "path", "depth", "numchild", "code", "name", "kind", "is_active"
        )
    )
    feed(
        Person.objects.order_by("court__code", "employee_no").values_list(
            "court__code",
            "employee_no",
            "name",
            "name_pinyin",
            "name_initials",
            "gender",
            "birth_date",
            "ethnicity",
            "education",
            "category",
            "post_level",
            "political_status",
            "party_joined_on",
            "full_member_on",
            "department__code",
            "party_org__code",
            "party_group__code",
            "status",
        )
    )
    feed(
        Placement.objects.order_by(
            "person__court__code", "person__employee_no", "kind", "since"
        ).values_list(
            "person__court__code",
            "person__employee_no",
            "org__code",
            "kind",
            "since",
            "until",
            "reason",
        )
    )
    feed(
        User.objects.order_by("username").values_list(
            "username", "person__employee_no", "is_active"
        )
    )
    feed(
        RoleGrant.objects.order_by("user__username", "role").values_list(
            "user__username", "role", "org__code"
        )
    )
    feed(
        Activity.objects.order_by(*ACTIVITY_KEY, "id").values_list(
            *ACTIVITY_KEY,
            "also_counts_as",
            "end_time",
            "hours",
            "location",
            "agenda",
            "summary",
            "host__employee_no",
            "recorder__employee_no",
            "lecturer__employee_no",
            "lecturer_is_secretary",
            "external_audience",
            "cancel_reason",
            "source",
        )
    )
    attendance_key = tuple(f"activity__{f}" for f in ACTIVITY_KEY) + ("person__employee_no",)
    feed(
        Attendance.objects.order_by(*attendance_key).values_list(
            *attendance_key,
            "status",
            "role",
            "hours",
            "note",
            "reason",
            "makeup_on",
            "makeup_method",
        )
    )
    feed_party_records(feed)
    feed(
        PointScheme.objects.order_by("court__code").values_list(
            "court__code", "base", "rankings_for_secretaries"
        )
    )
    feed(
        PointRule.objects.order_by("court__code", "trigger").values_list(
            "court__code", "trigger", "points", "per_hours", "cap", "cap_period", "active"
        )
    )
    entry_key = (
        "person__employee_no",
        "on",
        "trigger",
        *(f"activity__{f}" for f in ACTIVITY_KEY),
    )
    feed(
        PointEntry.objects.order_by(*entry_key, "points").values_list(
            *entry_key,
            "points",
            "rule__trigger",
            "attendance__person__employee_no",
            "reason",
            "reverses__reason",
            "created_by",
        )
    )
    return digest.hexdigest()


def feed_party_records(feed) -> None:
    """Recruitment files and steps, committees, dues and democratic reviews, by natural keys."""
    person = ("person__court__code", "person__employee_no")
    feed(
        Recruit.objects.order_by(*person, "applied_on").values_list(
            *person,
            "branch__code",
            "stage",
            "status_before",
            "applied_on",
            "talked_on",
            "activist_on",
            "candidate_on",
            "resolution_on",
            "approved_on",
            "probation_ends_on",
            "full_on",
            "closed_on",
        )
    )
    step = ("step__recruit__person__employee_no", "step__kind", "step__on")
    feed(
        StepPerson.objects.order_by(*step, "person__employee_no").values_list(
            *step,
            "step__ends_on",
            "step__note",
            "step__days",
            "step__hours",
            "step__entitled",
            "step__present",
            "step__votes_yes",
            "step__votes_no",
            "step__votes_abstain",
            "step__approver",
            "person__employee_no",
            "role",
        )
    )
    feed(
        Step.objects.order_by("recruit__person__employee_no", "kind", "on").values_list(
            "recruit__person__employee_no",
            "kind",
            "on",
            "ends_on",
            "note",
            "entitled",
            "present",
            "votes_yes",
            "approver",
            *(f"activity__{f}" for f in ACTIVITY_KEY),
        )
    )
    feed(
        Election.objects.order_by("branch__code", "held_on").values_list(
            "branch__code",
            "held_on",
            "entitled",
            "present",
            "note",
            *(f"congress__{f}" for f in ACTIVITY_KEY),
        )
    )
    feed(
        Term.objects.order_by("branch__code", "elected_on").values_list(
            "branch__code",
            "elected_on",
            "years",
            "ends_on",
            "postponed_to",
            "postponement_approved_by",
            "postponement_approved_on",
            "postponement_reason",
            "closed_on",
        )
    )
    feed(
        CommitteeMember.objects.order_by(
            "term__branch__code", "term__elected_on", "person__employee_no"
        ).values_list(
            "term__branch__code",
            "term__elected_on",
            "person__employee_no",
            "posts",
            "since",
            "until",
        )
    )
    feed(
        DuesBase.objects.order_by(*person, "since").values_list(
            *person, "since", "base_fen", "category", "source", "note"
        )
    )
    feed(
        DuesPayment.objects.order_by(*person, "month").values_list(
            *person,
            "month",
            "amount_fen",
            "paid_on",
            "payer__employee_no",
            "back_paid",
            "org__code",
            "note",
        )
    )
    feed(
        DuesExcuse.objects.order_by(*person, "first_month").values_list(
            *person, "first_month", "last_month", "reason"
        )
    )
    feed(
        ReviewEntry.objects.order_by(
            "review__branch__code", "review__year", "person__employee_no"
        ).values_list(
            "review__branch__code",
            "review__year",
            "review__status",
            "review__meeting__on",
            "person__employee_no",
            "probationary",
            "self_assessment",
            "votes_excellent",
            "votes_qualified",
            "votes_basic",
            "votes_unqualified",
            "grade",
        )
    )
