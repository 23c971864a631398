"""The walk of the personas who use the records: secretary, member, leader, and a visitor."""

import pytest

from tests.walk.walking import assert_walk_clean

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["shuji", "dangyuan", "yuanzhang"])
def test_every_page_a_secretary_member_or_leader_reaches_works(
    demo_db: None, username: str
) -> None:
    assert_walk_clean(username)


def test_an_anonymous_visitor_meets_the_login_page_in_chinese(demo_db: None) -> None:
    assert_walk_clean(None)


def test_every_demo_login_is_walked() -> None:
    from tianping.demo.logins import DEMO_LOGINS

    walked = {"admin", "zhengzhibu", "dangwei", "shuji", "dangyuan", "yuanzhang"}
    assert {login.username for login in DEMO_LOGINS} == walked
