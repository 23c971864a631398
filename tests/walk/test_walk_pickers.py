"""With more than 200 organisations and people in scope, no page ships them as a <select>.

The demo city grows by a court's worth of departments and branches, so the lists a page
used to build from every visible node would pass the walker's limit (MAX_SELECT_OPTIONS).
"""

import pytest

from tests.walk.crawler import MAX_SELECT_OPTIONS
from tests.walk.walking import assert_walk_clean
from tianping.accounts.models import User
from tianping.accounts.scoping import scope_for, scoped
from tianping.orgs.actions import do_create_org
from tianping.orgs.models import Org, OrgKind
from tianping.people.models import Person

pytestmark = pytest.mark.django_db

EXTRA = 110  # of each kind, under the court 机关党委 (dangwei) keeps


def _grow_the_court() -> None:
    admin = User.objects.get(username="admin")
    court = Org.objects.get(code="BT-JY")
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
