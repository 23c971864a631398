"""A meeting recorded through the web, then every audit page opened by everyone who may see it.

The audit page once broke as soon as a meeting was recorded through the web (a changed key
named a reverse relation); the demo alone did not show it.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from tests.walk.crawler import Walker
from tianping.accounts.models import User
from tianping.activities.models import Activity, Attendance
from tianping.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

AUDITORS = ["admin", "zhengzhibu", "dangwei"]


def client_of(username: str) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username=username))
    return client


def record_a_meeting_as_the_secretary() -> Activity:
    secretary = User.objects.get(username="shuji")
    branch = secretary.grants.get().org
    client = client_of("shuji")
    response = client.post(
        "/activities/plan/",
        {
            "org": branch.code,
            "kind": "branch_committee",
            "title": "支委会（审计检查）",
            "on": timezone.localdate().isoformat(),
            "location": "三楼会议室",
            "agenda": "研究本月工作",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = Activity.objects.get(title="支委会（审计检查）")
    grid = client.get(f"/activities/{activity.pk}/record/").content.decode()
    people = sorted({int(pk) for pk in re.findall(r'name="was-(\d+)"', grid)})
    assert len(people) >= 3, grid[:2000]
    data = {"summary_was": "", "hours_was": "", "external_audience_was": ""}
    data |= {"summary": "会议研究了本月工作。", "hours": "1.5"}
    for i, pk in enumerate(people):
        data[f"was-{pk}"] = ""
        data[f"status-{pk}"] = "leave" if i == 0 else "absent" if i == 1 else "present"
    response = client.post(f"/activities/{activity.pk}/record/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Attendance.objects.filter(activity=activity).count() == len(people)
    return activity


def test_every_audit_page_opens_after_a_meeting_is_recorded_through_the_web(demo_db: None) -> None:
    activity = record_a_meeting_as_the_secretary()
    written = AuditEvent.objects.filter(
        object_type="activities.activity", object_id=str(activity.pk)
    )
    assert written.count() >= 2  # planned, then recorded as held
    for username in AUDITORS:
        # The platform admin opens every record; the others, whose scope is a part of the
        # same log, the newest (the meeting's among them) and the pages that list them.
        per_shape = 500 if username == "admin" else 60
        walker = Walker(client_of(username), username, per_shape=per_shape, within="/audit/")
        walk = walker.walk("/audit/")
        assert not walk.problems, "\n".join(str(p) for p in walk.problems)
        opened = {int(m) for url in walk.visited for m in re.findall(r"^/audit/(\d+)/$", url)}
        assert {e.pk for e in written} <= opened, username
