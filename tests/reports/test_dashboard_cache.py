"""The dashboard reads its figures from the cache, and a write shows on the very next view."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tianping.activities.actions import do_record_past_activity
from tianping.people.actions import do_create_person


def _view(world, name):
    client = world.client(name)
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/").content.decode()
    return body, [q["sql"] for q in queries.captured_queries]


def _total(body):
    return int(re.search(r'id="stat-total">(\d+)<', body).group(1))


def _due(body):
    found = re.search(r"本期待完成（(\d+)项）", body)
    return int(found.group(1)) if found else 0


def _record_theme_day(world, code):
    today = timezone.localdate()
    do_record_past_activity(
        world.users["admin"],
        world.org(code),
        kind="theme_day",
        title="主题党日",
        on=today,
        attendance={},
    )


def test_the_second_view_reads_the_cache_not_the_people_or_activities(world):
    _, cold = _view(world, "bob")
    _, warm = _view(world, "bob")
    assert len(warm) < len(cold) / 2, (len(cold), len(warm))
    assert not [q for q in warm if "people_person" in q or "activities_activity" in q]


def test_a_meeting_recorded_shows_on_the_next_view(world):
    before, _ = _view(world, "bob")
    _view(world, "bob")  # cached now
    assert "第一党支部 尚无已开展的活动记录" in before
    _record_theme_day(world, "BT-JY-B01")
    after, _ = _view(world, "bob")
    assert "第一党支部 尚无已开展的活动记录" not in after
    assert "第二党支部 尚无已开展的活动记录" in after
    assert _due(after) == _due(before) - 1


def test_a_person_added_on_the_web_counts_on_the_next_view(world):
    before, _ = _view(world, "alice")
    response = world.client("alice").post(
        "/people/new/?court=BT-JY",
        {
            "court": "BT-JY",
            "employee_no": "jy0100",
            "name": "钱多多",
            "status": "serving",
            "department": world.orgs["BT-JY-MS"].code,
        },
    )
    assert response.status_code == 302
    after, _ = _view(world, "alice")
    assert _total(after) == _total(before) + 1


def test_each_scope_reads_its_own_figures(world):
    bobs, _ = _view(world, "bob")  # the basic court's figures, now cached
    carols, _ = _view(world, "carol")
    oscars, _ = _view(world, "oscar")
    assert _total(bobs) == 4
    # carol's branch: the members placed in BT-JY-B01, not the court's four.
    assert _total(carols) == 2
    assert "第二党支部" not in carols
    assert _total(oscars) == 1 and "九原区" not in oscars


def test_a_write_elsewhere_in_the_court_does_not_leak_into_a_branch(world):
    _view(world, "carol")
    do_create_person(None, world.org("BT-JY"), employee_no="JY0900", name="孙新")
    carols, _ = _view(world, "carol")
    bobs, _ = _view(world, "bob")
    assert _total(carols) == 2 and _total(bobs) == 5
