"""With more than 200 organisations and people in scope, no page ships them as a <select>.

The demo city grows by a court's worth of departments and branches, so the lists a page
used to build from every visible node would pass the walker's limit (MAX_SELECT_OPTIONS).
"""

import datetime as dt

import pytest

from tests.walk.crawler import MAX_SELECT_OPTIONS
from tests.walk.walking import assert_walk_clean
from tianping.accounts.models import User
from tianping.accounts.scoping import scope_for, scoped
from tianping.orgs.actions import do_create_org
from tianping.orgs.models import Org, OrgKind
from tianping.people.actions import do_create_person
from tianping.people.models import Category, Person, PoliticalStatus

pytestmark = pytest.mark.django_db

EXTRA = 110  # departments and branches, under the court 机关党委 (dangwei) keeps
NEW_PEOPLE = 60  # in that court's first branch, which 支部书记 (shuji) keeps


def _grow_the_court() -> None:
    admin = User.objects.get(username="admin")
    court = Org.objects.get(code="BT-JY")
    branch = Org.objects.get(code="BT-JY-B01")
    department = Person.objects.filter(party_org=branch).first().department
    for i in range(1, NEW_PEOPLE + 1):
        do_create_person(
            admin,
            court,
            employee_no=f"JYX{i:03d}",
            name=f"新调入{i}号",
            gender="female",
            birth_date=dt.date(1990, 1, 1),
            category=Category.CLERK,
            political_status=PoliticalStatus.MEMBER,
            party_joined_on=dt.date(2015, 7, 1),
            department=department,
            party_org=branch,
            since=dt.date(2024, 1, 1),
        )
    for i in range(1, EXTRA + 1):
        do_create_org(
            admin,
            code=f"BT-JY-X{i:03d}",
            name=f"审判团队{i}",
            kind=OrgKind.DEPARTMENT,
            parent=court,
        )
        do_create_org(
            admin,
            code=f"BT-JY-Z{i:03d}",
            name=f"第{i}临时党支部",
            kind=OrgKind.BRANCH,
            parent=court,
        )


@pytest.mark.parametrize("username", ["admin", "dangwei"])
def test_no_page_lists_every_organisation_or_person_in_a_select(
    demo_db: None, username: str
) -> None:
    _grow_the_court()
    scope = scope_for(User.objects.get(username=username))
    assert scoped(scope, Org.objects.all()).count() > MAX_SELECT_OPTIONS
    assert scoped(scope, Person.objects.all()).count() > MAX_SELECT_OPTIONS
    assert_walk_clean(username)
