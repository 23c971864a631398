"""A fingerprint of the data a builder wrote, by natural keys, so two builds can be compared."""

from __future__ import annotations

import hashlib

from tianping.accounts.models import RoleGrant, User
from tianping.activities.models import Activity, Attendance
from tianping.orgs.models import Org
from tianping.people.models import Person, Placement
from tianping.points.models import PointEntry, PointRule, PointScheme

# An activity has no natural key of its own: its organisation, day, kind and title, with
# the time it started, tell the demo's records apart.
ACTIVITY_KEY = ("org__code", "on", "kind", "title", "start_time", "status")


def data_digest() -> str:
    digest = hashlib.sha256()

    def feed(rows) -> None:
        for row in rows:
            digest.update(repr(row).encode())

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
            *attendance_key, "status", "role", "hours", "note"
        )
    )
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
