"""A fingerprint of the data a builder wrote, by natural keys, so two builds can be compared."""

from __future__ import annotations

import hashlib

from tianping.accounts.models import RoleGrant, User
from tianping.orgs.models import Org
from tianping.people.models import Person, Placement


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
    return digest.hexdigest()
