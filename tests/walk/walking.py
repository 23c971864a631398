"""Every demo persona walks the whole site from the landing page, as a newcomer would.

A page that answers 5xx, shows Python text or English interface words, or links to a page
that is not there fails the walk. New pages are covered as soon as a page links to them.
The personas are split over two modules so that two test workers walk at once.
"""

from __future__ import annotations

from django.test import Client

from tests.walk.crawler import Walk, Walker
from tianping.accounts.models import User


def walk_as(username: str | None) -> Walk:
    client = Client(raise_request_exception=False)
    if username is not None:
        client.force_login(User.objects.get(username=username))
    walk = Walker(client, username or "anonymous").walk("/")
    print(f"\n{walk.persona}: {len(walk.visited)} pages, statuses {dict(walk.statuses)}")
    return walk


def assert_walk_clean(username: str | None) -> None:
    walk = walk_as(username)
    assert len(walk.visited) > (10 if username else 0), walk.visited
    assert not walk.problems, "\n".join(str(p) for p in walk.problems)
