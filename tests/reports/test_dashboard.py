"""The first dashboard: head-counts of the scope and the generations of 正职 and 副职."""

import datetime as dt

from tianping.accounts.scoping import scope_for
from tianping.people.actions import do_create_person
from tianping.reports.queries import generation_of, workforce_profile


def test_generations_follow_birth_decades():
    assert generation_of(1979) == "70后"
    assert generation_of(1980) == "80后"
    assert generation_of(1999) == "90后"
    assert generation_of(1965) == "60后及以前"
    assert generation_of(None) == "未填写"


def test_head_counts_cover_the_scope(world):
    profile = workforce_profile(scope_for(world.users["bob"]))
    assert profile.total == 4
    categories = dict(profile.breakdowns[0].rows)
    assert categories["员额法官"] == 1 and categories["书记员"] == 1
    assert profile.party_members == 3


def test_the_share_of_80s_among_chiefs_and_deputies(world):
    court = world.org("BT-JY")
    for i, (year, post) in enumerate(
        [
            (1982, "division_chief"),
            (1975, "division_chief"),
            (1970, "court_chief"),
            (1991, "division_deputy"),
        ]
    ):
        do_create_person(
            None,
            court,
            employee_no=f"L{i}",
            name=f"领导{i}",
            birth_date=dt.date(year, 1, 1),
            post_level=post,
        )
    profile = workforce_profile(scope_for(world.users["bob"]))
    assert profile.chiefs.total == 3 and round(profile.chiefs.post_80s, 4) == round(1 / 3, 4)
    assert profile.deputies.total == 1 and profile.deputies.post_90s == 1.0


def test_the_dashboard_shows_charts_with_their_numbers(world):
    body = world.client("alice").get("/").content.decode()
    assert 'data-chart="人员类别"' in body and "echarts" in body
    assert 'id="stat-total">6<' in body


def test_a_member_is_sent_to_their_own_record(world):
    response = world.client("dave").get("/")
    assert response.status_code == 302 and response["Location"] == "/people/me/"


def test_the_dashboard_states_due_and_silent_branches(world):
    body = world.client("bob").get("/").content.decode()
    assert 'id="compliance-dashboard"' in body
    assert "本期待完成" in body
    assert "连续30天以上没有活动记录的支部" in body and "第一党支部" in body


def test_the_charts_follow_the_traditional_script_switch(world) -> None:
    import json
    import re

    from tianping.lib.script import SCRIPT_COOKIE, TRADITIONAL

    client = world.client("alice")
    client.cookies[SCRIPT_COOKIE] = TRADITIONAL
    html = client.get("/").content.decode()
    data = json.loads(
        re.search(r'id="chart-data" type="application/json">(.*?)</script>', html).group(1)
    )
    names = re.findall(r'data-chart="([^"]+)"', html)
    assert "年齡結構" in names
    assert all(name in data for name in names), (names, list(data))


def test_the_database_places_birthdays_in_generations_as_generation_of_does(world):
    from collections import Counter

    from tianping.accounts.scoping import scoped
    from tianping.people.models import Person

    court = world.org("BT-JY")
    for i, born in enumerate(
        [dt.date(1969, 12, 31), dt.date(1970, 1, 1), dt.date(1999, 12, 31), dt.date(2000, 1, 1)]
    ):
        do_create_person(None, court, employee_no=f"G{i}", name=f"代{i}", birth_date=born)
    scope = scope_for(world.users["bob"])
    expected = Counter(
        generation_of(born.year if born else None)
        for born in scoped(scope, Person.objects.serving()).values_list("birth_date", flat=True)
    )
    profile = workforce_profile(scope)
    assert {label: n for label, n in profile.generations.rows if n} == dict(expected)
    assert expected["00后"] == 1 and expected["60后及以前"] >= 1
