"""Talent pools (人才库): eligibility rules with their evidence, the birthday boundary, the
flag on a member who no longer meets a rule, history, pages and API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tianping.people.models import Person
from tianping.talent.actions.honours import do_record_honour, do_withdraw_honour
from tianping.talent.actions.pools import (
    do_admit,
    do_create_pool,
    do_leave,
    do_nominate,
    do_review,
    do_set_rules,
)
from tianping.talent.eligibility import (
    REGISTRY,
    Criterion,
    Finding,
    check_people,
    eligibility_run,
    register,
)
from tianping.talent.models import EventKind, MemberStatus, PoolEvent
from tianping.talent.queries.pools import fairness, pool_members


def _pool(world, rules, name="测试人才库", court="BT-JY"):
    return do_create_pool(None, world.org(court), kind="young_cadre", name=name, rules=rules)


def _born(person: Person, day: dt.date) -> None:
    Person.objects.filter(pk=person.pk).update(birth_date=day)


@pytest.mark.django_db
def test_eligibility_age_limit_holds_on_the_day_a_candidate_turns_the_limit(world):
    wang = world.people["wang"]
    _born(wang, dt.date(1989, 6, 15))
    pool = _pool(world, [{"criterion": "age_max", "value": 35}])
    names = lambda on: {c.person["name"] for c in eligibility_run(pool, on)}  # noqa: E731
    # Turns 35 on 2024-06-15: still "不超过35周岁" that day and until the day before turning 36.
    assert "王芳" in names(dt.date(2024, 6, 15))
    assert "王芳" in names(dt.date(2025, 6, 14))
    assert "王芳" not in names(dt.date(2025, 6, 15))


@pytest.mark.django_db
def test_eligibility_age_of_one_born_on_29_february_turns_on_28_february(world):
    wang = world.people["wang"]
    _born(wang, dt.date(1988, 2, 29))
    pool = _pool(world, [{"criterion": "age_max", "value": 34}])
    names = lambda on: {c.person["name"] for c in eligibility_run(pool, on)}  # noqa: E731
    # D1: the 35th birthday in 2023 (a common year) falls on 28 February.
    assert "王芳" in names(dt.date(2023, 2, 27))
    assert "王芳" not in names(dt.date(2023, 2, 28))


@pytest.mark.django_db
def test_eligibility_evidence_names_value_requirement_and_source(world):
    wang = world.people["wang"]
    _born(wang, dt.date(1990, 1, 1))
    honour = do_record_honour(
        None,
        person=wang,
        title="全区法院先进个人",
        kind="advanced_person",
        level="province",
        awarded_by="内蒙古自治区高级人民法院",
        awarded_on=dt.date(2023, 12, 20),
        document_no="内高法〔2023〕88号",
    )
    pool = _pool(
        world,
        [
            {"criterion": "age_max", "value": 35},
            {"criterion": "categories", "value": ["judge"]},
            {"criterion": "honour_level", "value": "city"},
        ],
    )
    (c,) = [c for c in eligibility_run(pool, dt.date(2024, 3, 1)) if c.person["id"] == wang.pk]
    age, category, level = c.evidence
    assert (age.value, age.requirement, age.met) == ("34周岁", "不超过35周岁", True)
    assert "1990-01-01" in age.source
    assert category.value == "员额法官" and category.met
    assert (
        level.met and f"荣誉#{honour.pk}" in level.source and "内高法〔2023〕88号" in level.source
    )
    # A withdrawn honour no longer counts.
    do_withdraw_honour(None, honour, reason="登记有误", on=dt.date(2024, 2, 1))
    assert wang.pk not in {c.person["id"] for c in eligibility_run(pool, dt.date(2024, 3, 1))}
    failed = check_people(pool, dt.date(2024, 3, 1), [wang.pk])[wang.pk].failed
    assert [e.code for e in failed] == ["honour_level"]


@pytest.mark.django_db
def test_eligibility_a_flagged_member_when_a_rule_stops_holding_is_not_dropped(world, client):
    wang = world.people["wang"]
    _born(wang, dt.date(1989, 6, 15))
    pool = _pool(world, [{"criterion": "age_max", "value": 35}])
    (member,) = do_nominate(None, pool, [wang], on=dt.date(2024, 1, 5))
    do_admit(None, member, on=dt.date(2024, 1, 20))
    scope_rows = pool_members(None, pool, dt.date(2025, 6, 14))
    assert scope_rows == []  # no scope sees nothing
    from tianping.accounts.scoping import scope_for

    alice = scope_for(world.users["alice"])
    (row,) = pool_members(alice, pool, dt.date(2025, 6, 14))
    assert not row.flagged
    (row,) = pool_members(alice, pool, dt.date(2025, 6, 15))
    assert row.flagged and row.member.status == MemberStatus.ADMITTED
    assert [e.code for e in row.check.failed] == ["age_max"]
    # The page shows it, flagged, first.
    page = world.client("alice").get(f"/talent/pools/{pool.pk}/?on=2025-06-15")
    text = page.content.decode()
    assert "已不符合：年龄（36周岁，要求不超过35周岁）" in text
    assert 'id="count-flagged">1<' in text


@pytest.mark.django_db
def test_pool_history_is_appended_and_leaving_needs_a_reason(world):
    pool = _pool(world, [{"criterion": "party_member", "value": True}])
    (member,) = do_nominate(None, pool, [world.people["wang"]], on=dt.date(2024, 1, 5))
    with pytest.raises(ValidationError):
        do_nominate(None, pool, [world.people["wang"]], on=dt.date(2024, 1, 6))
    do_admit(None, member, on=dt.date(2024, 1, 20))
    do_review(None, member, on=dt.date(2025, 1, 20), note="年度复核")
    with pytest.raises(ValidationError):
        do_leave(None, member, reason=" ")
    do_leave(None, member, reason="交流到其他法院任职", on=dt.date(2025, 3, 1))
    member.refresh_from_db()
    assert member.status == MemberStatus.LEFT and member.reason == "交流到其他法院任职"
    kinds = list(PoolEvent.objects.filter(member=member).values_list("kind", flat=True))
    assert kinds == [EventKind.NOMINATE, EventKind.ADMIT, EventKind.REVIEW, EventKind.LEAVE]
    # Nominated again later: a new membership, the old one stays.
    do_nominate(None, pool, [world.people["wang"]], on=dt.date(2025, 6, 1))
    assert pool.members.filter(person=world.people["wang"]).count() == 2


@pytest.mark.django_db
def test_pool_rules_refuse_unknown_criteria_and_bad_values(world):
    with pytest.raises(ValidationError):
        _pool(world, [{"criterion": "shoe_size", "value": 42}])
    with pytest.raises(ValidationError):
        _pool(world, [{"criterion": "age_max", "value": 200}])
    pool = _pool(world, [])
    with pytest.raises(ValidationError):
        do_set_rules(None, pool, [{"criterion": "categories", "value": ["astronaut"]}])


@pytest.mark.django_db
def test_a_later_app_registers_a_criterion_without_talent_importing_it(world):
    def graded(value, on, rows):
        return {r["id"]: Finding("优秀", r["name"] == "王芳", "年度考核") for r in rows}

    register(
        Criterion(
            code="test_grade",
            label="年度考核",
            clean=lambda v: v,
            requirement=lambda v: f"近年考核{v}",
            evaluate=graded,
            field=lambda: __import__("django").forms.CharField(required=False),
        )
    )
    try:
        pool = _pool(world, [{"criterion": "test_grade", "value": "优秀"}])
        assert {c.person["name"] for c in eligibility_run(pool, dt.date(2024, 1, 1))} == {"王芳"}
    finally:
        REGISTRY.pop("test_grade")


@pytest.mark.django_db
def test_training_hours_criterion_reads_the_one_hours_rule(world):
    pool = _pool(world, [{"criterion": "training_hours_min", "value": 10}])
    c = check_people(pool, dt.date(2024, 3, 1), [world.people["wang"].pk])[world.people["wang"].pk]
    assert c.evidence[0].value == "0.0学时" or c.evidence[0].value.endswith("学时")
    assert c.evidence[0].source == "2023年度学时档案" and not c.eligible


@pytest.mark.django_db
def test_fairness_counts_members_beside_the_staff(world):
    pool = _pool(world, [])
    (m,) = do_nominate(None, pool, [world.people["wang"]], on=dt.date(2024, 1, 5))
    do_admit(None, m, on=dt.date(2024, 1, 6))
    splits = {s.name: s for s in fairness(pool, dt.date(2024, 6, 1))}
    gender = splits["性别"]
    assert gender.members == {"女": 1} and gender.member_total == 1
    assert gender.staff_total == 4  # 九原区's four serving people
    assert ("女", 1, "100.0%", 2, "50.0%") in gender.rows


@pytest.mark.django_db
def test_an_officer_runs_eligibility_and_nominates_from_the_page(world):
    pool = _pool(world, [{"criterion": "categories", "value": ["judge"]}])
    alice = world.client("alice")
    page = alice.get(f"/talent/pools/{pool.pk}/run/?on=2024-03-01").content.decode()
    assert "王芳" in page and "赵磊" not in page
    r = alice.post(f"/talent/pools/{pool.pk}/nominate/", {"person": [world.people["wang"].pk]})
    assert r.status_code == 302
    member = pool.members.get()
    assert member.status == MemberStatus.NOMINATED and member.evidence[0]["met"]
    r = alice.post(f"/talent/pools/members/{member.pk}/admit/", {"note": "同意", "on": ""})
    member.refresh_from_db()
    assert member.status == MemberStatus.ADMITTED
    # The member sees their own place; the outsider sees nothing.
    assert world.client("oscar").get(f"/talent/pools/{pool.pk}/").status_code == 404
    # bob (机关党委 of 九原区) reads but does not manage pools.
    assert world.client("bob").get(f"/talent/pools/{pool.pk}/run/").status_code == 403


@pytest.mark.django_db
def test_pools_api_lists_members_with_flags_and_runs_eligibility(world):
    from tests.api.conftest import ApiClient

    wang = world.people["wang"]
    _born(wang, dt.date(1989, 6, 15))
    api = ApiClient(world.client("alice"))
    r = api.post(
        "/talent/pools",
        {
            "court": "BT-JY",
            "kind": "young_cadre",
            "name": "接口人才库",
            "rules": [{"criterion": "age_max", "value": 35}],
        },
    )
    assert r.status_code == 201, r.content
    pool_id = r.json()["id"]
    run = api.get(f"/talent/pools/{pool_id}/eligible?on=2024-06-15").json()
    assert wang.pk in {c["person"]["id"] for c in run["candidates"]}
    r = api.post(
        f"/talent/pools/{pool_id}/nominations", {"person_ids": [wang.pk], "on": "2024-06-15"}
    )
    assert r.status_code == 201, r.content
    member_id = r.json()[0]["id"]
    r = api.post(f"/talent/pools/members/{member_id}/steps", {"step": "admit", "on": "2024-06-20"})
    assert r.json()["status"] == "admitted"
    members = api.get(f"/talent/pools/{pool_id}/members?on=2025-06-15").json()
    assert members[0]["flagged"] is True
    assert (
        api.post(f"/talent/pools/members/{member_id}/steps", {"step": "leave"}).status_code == 422
    )
    assert ApiClient(world.client("oscar")).get(f"/talent/pools/{pool_id}").status_code == 404


@pytest.mark.django_db
def test_a_member_sees_the_pool_that_holds_them_and_only_their_own_row(world):
    pool = _pool(world, [{"criterion": "party_member", "value": True}])
    do_nominate(None, pool, [world.people["zhao"], world.people["wang"]], on=dt.date(2024, 1, 5))
    dave = world.client("dave")
    page = dave.get(f"/talent/pools/{pool.pk}/").content.decode()
    assert "赵磊" in page and "王芳" not in page
    assert "测试人才库" in dave.get("/talent/pools/").content.decode()
    other = _pool(world, [], name="别的人才库")
    assert dave.get(f"/talent/pools/{other.pk}/").status_code == 404
