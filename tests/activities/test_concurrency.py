"""Two secretaries recording attendance for the same activity at once lose nothing."""

import datetime as dt
import re
import threading
from decimal import Decimal

import pytest
from django.db import connection

from tianping.accounts import actions as account_actions
from tianping.accounts import scoping
from tianping.accounts.models import Role
from tianping.activities import actions
from tianping.activities.models import Attendance
from tianping.people.actions import do_create_person
from tianping.people.models import PoliticalStatus
from tianping.points.models import PointEntry

VIEW, RECORD = "activities.view", "activities.record"
HIDDEN = re.compile(r'<input type="hidden" name="([\w-]+)" value="([^"]*)">')
CHECKED = re.compile(r'<input type="radio" name="(status-\d+)" value="(\w+)" checked>')


@pytest.fixture(autouse=True)
def activity_capabilities(monkeypatch):
    # The capabilities these pages declare, granted here as accounts.scoping will grant them.
    for role in (Role.PLATFORM_ADMIN, Role.PARTY_OFFICE, Role.BRANCH_SECRETARY):
        monkeypatch.setitem(scoping.CAPABILITIES, role, scoping.CAPABILITIES[role] | {VIEW, RECORD})


def second_secretary(world):
    user = account_actions.do_create_user(None, "cathy", password=None, check_password=False)
    account_actions.do_grant(None, user, Role.BRANCH_SECRETARY, world.org("BT-JY-B01"))
    return user


def rendered_form(client, url):
    """What a browser would submit from the page as rendered: hidden inputs and checked radios."""
    page = client.get(url).content.decode()
    data = dict(HIDDEN.findall(page))
    data.update(CHECKED.findall(page))
    return data


def points_of(person):
    return sum((e.points for e in PointEntry.objects.filter(person=person)), Decimal("0"))


def committee(world, user):
    return actions.do_plan_activity(
        user,
        world.org("BT-JY-B01"),
        kind="branch_committee",
        title="支委会",
        on=dt.date(2024, 3, 28),
    )


def test_two_secretaries_recording_a_new_grid_at_once_both_keep_their_rows(world):
    wang, zhao = world.people["wang"], world.people["zhao"]
    activity = committee(world, world.users["carol"])
    url = f"/activities/{activity.pk}/record/"
    carol = world.client("carol")
    cathy = world.client(None)
    cathy.force_login(second_secretary(world))
    first, second = rendered_form(carol, url), rendered_form(cathy, url)
    first[f"status-{wang.pk}"] = "present"
    second[f"status-{zhao.pk}"] = "leave"
    assert carol.post(url, first).status_code == 302
    assert cathy.post(url, second).status_code == 302
    stored = dict(Attendance.objects.values_list("person__name", "status"))
    assert stored == {"王芳": "present", "赵磊": "leave"}


def test_two_secretaries_correcting_a_held_grid_at_once_lose_nothing(world):
    wang, zhao = world.people["wang"], world.people["zhao"]
    activity = committee(world, world.users["carol"])
    actions.do_record_held(
        world.users["carol"], activity, attendance={wang.pk: "present", zhao.pk: "present"}
    )
    url = f"/activities/{activity.pk}/record/"
    carol = world.client("carol")
    cathy = world.client(None)
    cathy.force_login(second_secretary(world))
    # Both open the grid showing everyone present, then each changes a different person.
    first, second = rendered_form(carol, url), rendered_form(cathy, url)
    assert first[f"status-{zhao.pk}"] == second[f"status-{wang.pk}"] == "present"
    first[f"status-{wang.pk}"] = "absent"
    first["summary"] = "王芳未到会。"
    second[f"status-{zhao.pk}"] = "leave"
    second["summary"] = ""
    assert carol.post(url, first).status_code == 302
    assert cathy.post(url, second).status_code == 302
    stored = dict(Attendance.objects.values_list("person__name", "status"))
    assert stored == {"王芳": "absent", "赵磊": "leave"}
    activity.refresh_from_db()
    assert activity.summary == "王芳未到会。"  # cathy left the minutes as she found them
    # The ledger follows both: wang +1 reversed and −2 posted; zhao +1 reversed (R4.3).
    assert points_of(wang) == Decimal("-2") and points_of(zhao) == Decimal("0")


def _in_memory_sqlite() -> bool:
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


def test_two_threads_recording_the_same_activity_lose_nothing(transactional_world):
    world = transactional_world
    if _in_memory_sqlite():
        pytest.skip("threads cannot share SQLite's in-memory test database; runs on PostgreSQL")
    branch = world.org("BT-JY-B01")
    extra = [
        do_create_person(
            None,
            branch.court(),
            employee_no=f"JY09{i:02d}",
            name=f"党员{i}",
            political_status=PoliticalStatus.MEMBER,
            party_org=branch,
            since=dt.date(2020, 1, 1),
        )
        for i in range(6)
    ]
    carol = world.users["carol"]
    activity = committee(world, carol)
    everyone = [world.people["wang"], world.people["zhao"], *extra]
    actions.do_record_held(carol, activity, attendance={p.pk: "present" for p in everyone})
    halves = {"absent": everyone[:4], "leave": everyone[4:]}
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def secretary(status: str) -> None:
        try:
            start.wait()
            for person in halves[status]:
                actions.do_record_held(carol, activity, attendance={person.pk: status})
        except BaseException as e:  # reported to the test thread below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=secretary, args=(s,)) for s in halves]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    stored = dict(Attendance.objects.filter(activity=activity).values_list("person_id", "status"))
    assert stored == {p.pk: s for s, people in halves.items() for p in people}
    for person in halves["absent"]:
        assert points_of(person) == Decimal("-2")  # +1 reversed, −2 for the absence
    for person in halves["leave"]:
        assert points_of(person) == Decimal("0")
