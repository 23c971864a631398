"""The walk of the personas who keep the records: platform admin, 政治部, 机关党委."""

import pytest

from tests.walk.walking import assert_walk_clean

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["admin", "zhengzhibu", "dangwei"])
def test_every_page_an_officer_reaches_works(demo_db: None, username: str) -> None:
    assert_walk_clean(username)
