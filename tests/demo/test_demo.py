"""`tianping demo`: the demo city is deterministic, realistic in shape, and its log-ins work."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from tianping.accounts.models import Role, User
from tianping.audit.models import AuditEvent
from tianping.demo.logins import DEMO_LOGINS, DEMO_PASSWORD
from tianping.demo.plans import demo_as_of
from tianping.demo.roster import add_years
from tianping.orgs.models import COURT_KINDS, Org, OrgKind
from tianping.people.models import (
    Category,
    Person,
    PersonStatus,
    Placement,
    PoliticalStatus,
    PostLevel,
)

from .digest import data_digest

AS_OF = demo_as_of()


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_the_demo_is_the_same_every_time_and_reset_rebuilds_it(demo_db):
    first = data_digest()
    Person.objects.filter(employee_no="BT0001").update(name="改过的名字")
    assert data_digest() != first

    output = run_demo("--reset")

    assert output.startswith("已载入演示数据") and "  shuji " in output
    assert data_digest() == first
    assert AuditEvent.objects.filter(action="demo.load").count() == 1


def test_the_demo_is_a_city_of_about_a_thousand_people(demo_db):
    courts = Org.objects.filter(kind__in=COURT_KINDS)
    assert Counter(courts.values_list("kind", flat=True)) == {
        OrgKind.MID_COURT: 1,
        OrgKind.BASIC_COURT: 5,
    }
    assert (
        Org.objects.get_children(Org.objects.get(code="BT"))
        .filter(kind=OrgKind.BASIC_COURT)
        .count()
        == 5
    )
    people = Person.objects.all()
    assert 900 <= people.count() <= 1100
    serving = people.filter(status=PersonStatus.SERVING)
    assert serving.count() / people.count() > 0.9

    categories = Counter(serving.values_list("category", flat=True))
    total = sum(categories.values())
    for category, share in [
        (Category.JUDGE, 0.30),
        (Category.JUDGE_ASSISTANT, 0.25),
        (Category.CLERK, 0.25),
        (Category.JUDICIAL_POLICE, 0.08),
        (Category.ADMIN_STAFF, 0.12),
    ]:
        assert abs(categories[category] / total - share) < 0.03, category
    in_party = people.party_members().count() / people.count()
    assert 0.64 <= in_party <= 0.76

    for court in courts:
        staff = serving.filter(court=court)
        assert staff.filter(post_level=PostLevel.COURT_CHIEF).count() == 1
        assert 3 <= staff.filter(post_level=PostLevel.COURT_DEPUTY).count() <= 5
        children = Org.objects.get_children(court)
        assert children.filter(kind=OrgKind.LEADING_GROUP).count() == 1
        names = set(children.filter(kind=OrgKind.DEPARTMENT).values_list("name", flat=True))
        assert {
            "立案庭",
            "刑事审判庭" if court.kind == OrgKind.BASIC_COURT else "刑事审判第一庭",
            "执行局",
            "政治部",
            "办公室",
        } <= names

    for branch in Org.objects.filter(kind=OrgKind.BRANCH):
        size = Person.objects.filter(party_org=branch).count()
        assert 8 <= size <= 40, (branch.code, size)
        assert Org.objects.get_parent(branch).kind in {
            OrgKind.PARTY_COMMITTEE,
            OrgKind.GENERAL_BRANCH,
            *COURT_KINDS,
        }
        for group in Org.objects.get_children(branch):
            assert group.kind == OrgKind.GROUP
            assert Person.objects.filter(party_group=group, party_org=branch).exists()


def test_every_demo_person_is_plausible_and_placed_where_the_history_says(demo_db):
    open_placements: dict[int, dict[str, int]] = {}
    for person_id, kind, org_id in Placement.objects.filter(until__isnull=True).values_list(
        "person_id", "kind", "org_id"
    ):
        assert kind not in open_placements.setdefault(person_id, {}), (
            "two open placements of one kind"
        )
        open_placements[person_id][kind] = org_id
    for p in Person.objects.select_related("court", "department", "party_org"):
        assert p.name_pinyin and p.name_initials
        assert p.employee_no.startswith(p.court.code.split("-")[-1])
        places = open_placements.get(p.pk, {})
        assert places.get("department") == p.department_id
        assert places.get("party_org") == p.party_org_id
        assert places.get("party_group") == p.party_group_id
        age = p.age_on(AS_OF)
        if p.status == PersonStatus.SERVING:
            assert 23 <= age <= 60
            assert p.department is not None and p.department.path.startswith(p.court.path)
            if p.is_party_member:
                assert p.party_org is not None and p.party_org.path.startswith(p.court.path)
        if p.party_joined_on:
            assert p.party_joined_on > add_years(p.birth_date, 18)
        if p.political_status == PoliticalStatus.MEMBER:
            assert p.full_member_on == add_years(p.party_joined_on, 1)
        if p.political_status == PoliticalStatus.PROBATIONARY:
            assert p.full_member_on is None and p.party_joined_on > AS_OF - dt.timedelta(days=366)
    assert Placement.objects.exclude(until=None).exists(), "some history: moves, retirements"
    assert set(Person.objects.values_list("status", flat=True)) >= {
        PersonStatus.SERVING,
        PersonStatus.RETIRED,
    }
    assert (
        Person.objects.filter(name__contains="·").exists()
        or Person.objects.filter(ethnicity="蒙古族").exists()
    )


def test_the_org_tree_is_a_valid_treebeard_tree(demo_db):
    assert Org.objects.find_problems() == ([], [], [], [], [])
    assert Org.objects.get_root_nodes().count() == 1


def test_the_printed_logins_work_with_the_printed_password(demo_db):
    output = run_demo()  # on a loaded demo it prints the logins again, as on the first load
    assert DEMO_PASSWORD in output
    request = RequestFactory().post("/")
    for login in DEMO_LOGINS:
        assert f"  {login.username} " in output
        user = authenticate(request=request, username=login.username, password=DEMO_PASSWORD)
        assert user is not None, login.username
        assert user.grants.current().filter(role=login.role).exists()
    roles = {g.role for u in User.objects.all() for g in u.grants.all()}
    assert roles == set(Role)

    secretary = User.objects.get(username="shuji")
    branch = secretary.grants.get().org
    assert branch.kind == OrgKind.BRANCH
    assert secretary.person.party_org == branch
    member = User.objects.get(username="dangyuan")
    assert member.person.party_org == branch and member.person != secretary.person
    assert User.objects.get(username="yuanzhang").person.post_level == PostLevel.COURT_CHIEF


def test_running_the_demo_again_changes_nothing(demo_db):
    before = (data_digest(), AuditEvent.objects.count())

    output = run_demo()

    assert "已存在" in output and "shuji" in output
    assert (data_digest(), AuditEvent.objects.count()) == before


def test_the_demo_will_not_load_over_other_data(world):
    with pytest.raises(CommandError, match="--reset"):
        run_demo()
    assert not Org.objects.filter(code="BT-JY-B01-G2").exists()
