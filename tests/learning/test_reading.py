"""Reading: sessions are activities, recommendations per court, the drifting ledger's path."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.conftest import World
from tianping.activities.actions import do_plan_activity
from tianping.audit.models import AuditEvent
from tianping.learning.actions.reading import do_add_copy, do_hand_over, do_recommend
from tianping.learning.models import BookCopy, Handover, Recommendation

pytestmark = pytest.mark.django_db


def test_the_reading_page_shows_the_courts_reading_sessions_and_recommendations(
    world: World,
) -> None:
    session = do_plan_activity(
        None,
        world.org("BT-JY-B01"),
        kind="reading_session",
        title="《习近平法治思想学习纲要》读书分享会",
        on=dt.date(2024, 4, 23),
    )
    do_recommend(
        None,
        world.people["wang"],
        title="《习近平法治思想学习纲要》",
        author="中央全面依法治国委员会办公室",
        review="系统阐释法治思想，审判工作者必读。",
        session=session,
    )
    body = world.client("bob").get("/learning/reading/").content.decode()
    assert "读书分享会" in body and "系统阐释法治思想" in body and "王芳" in body
    outsider = world.client("oscar").get("/learning/reading/").content.decode()
    assert "系统阐释法治思想" not in outsider
    # A member reads their own court's recommendations.
    assert "系统阐释法治思想" in world.client("dave").get("/learning/reading/").content.decode()


def test_a_member_recommends_a_book_through_the_page(world: World) -> None:
    dave = world.client("dave")
    dave.post(
        "/learning/reading/recommend/",
        {"title": "《平凡的世界》", "author": "路遥", "review": "奋斗者的故事。"},
    )
    rec = Recommendation.objects.get()
    assert rec.recommended_by == world.people["zhao"] and rec.book.title == "平凡的世界"
    assert AuditEvent.objects.filter(action="learning.recommend").count() == 1


def test_a_copy_drifts_from_reader_to_reader_and_its_path_is_kept(world: World) -> None:
    copy = do_add_copy(None, world.org("BT-JY-B01"), title="乡土中国", author="费孝通")
    today = timezone.localdate()
    do_hand_over(None, copy, world.people["wang"], on=today - dt.timedelta(days=40))
    do_hand_over(None, copy, world.people["zhao"], on=today - dt.timedelta(days=35))
    copy.refresh_from_db()
    assert copy.holder == world.people["zhao"]
    assert copy.overdue_on(today), "thirty days passed: the holder is overdue"
    ledger = world.client("bob").get("/learning/reading/drift/").content.decode()
    assert "逾期" in ledger and "赵磊" in ledger
    path = world.client("bob").get(f"/learning/reading/drift/{copy.pk}/").content.decode()
    assert path.index("书架 → 王芳") < path.index("王芳 → 赵磊")


def test_the_holder_passes_their_copy_on_and_returns_it_and_nobody_else_can(world: World) -> None:
    copy = do_add_copy(None, world.org("BT-JY-B01"), title="乡土中国")
    do_hand_over(None, copy, world.people["zhao"])
    dave = world.client("dave")
    assert "乡土中国" in dave.get("/learning/reading/").content.decode()  # my copies
    dave.post(f"/learning/reading/drift/{copy.pk}/pass/", {"to": "JY0001"})
    copy.refresh_from_db()
    assert copy.holder == world.people["wang"]
    # No longer the holder: dave cannot move it again.
    assert (
        dave.post(f"/learning/reading/drift/{copy.pk}/pass/", {"to_shelf": "1"}).status_code == 403
    )
    with pytest.raises(ValidationError):
        do_hand_over(None, copy, world.people["hu"])  # another court's reader
    do_hand_over(None, copy, None)
    copy.refresh_from_db()
    assert copy.holder is None and copy.due_on is None
    steps = list(Handover.objects.filter(copy=copy).order_by("pk"))
    assert [(s.from_person_id, s.to_person_id) for s in steps] == [
        (None, world.people["zhao"].pk),
        (world.people["zhao"].pk, world.people["wang"].pk),
        (world.people["wang"].pk, None),
    ]
    assert AuditEvent.objects.filter(action="learning.handover").count() == 3


def test_an_officer_registers_copies_and_the_outsider_sees_none(world: World) -> None:
    bob = world.client("bob")
    bob.post(
        "/learning/reading/drift/add/",
        {"home": "BT-JY-B01", "title": "乡土中国", "author": "费孝通"},
    )
    bob.post(
        "/learning/reading/drift/add/",
        {"home": "BT-JY-B01", "title": "乡土中国", "author": "费孝通"},
    )
    assert sorted(BookCopy.objects.values_list("number", flat=True)) == [1, 2]
    assert world.client("dave").post("/learning/reading/drift/add/", {}).status_code == 403
    copy = BookCopy.objects.first()
    assert world.client("oscar").get(f"/learning/reading/drift/{copy.pk}/").status_code == 404
