"""Reflections (心得体会): written by members, read by their secretary, checked for similarity.

The check is advice for the reviewer: it never refuses a submission, and a member sees
nothing of anyone else's text (not even a rate).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tianping.activities import actions as activity_actions
from tianping.learning.actions import study as actions
from tianping.learning.models import Reflection, ReflectionStatus, SimilarityBand, SimilarityMatch
from tianping.lib import similarity

from .texts import COPIED, ORIGINAL, REFERENCE, REWRITTEN, UNRELATED

API = "/api/v1/learning"
OWN_WORDS = (
    "结合执行局近三个月的工作，我查找了自己在服务意识上的差距：接待申请执行人时解释不够耐心，"
    "对被执行人财产线索的跟进也不够及时。下一步我要建立台账，每周回访，做到件件有回音。"
)


def write(world, key, title, body, **kw):
    return actions.do_submit_reflection(None, world.people[key], title=title, body=body, **kw)


@pytest.fixture
def earlier(world):
    """王芳 (BT-JY-B01) wrote ORIGINAL; 孙丽 (BT-JY-B02) wrote UNRELATED."""
    original = write(world, "wang", "学习习近平法治思想心得", ORIGINAL)
    unrelated = write(world, "sun", "家事审判的体会", UNRELATED)
    return original, unrelated


def test_a_rewrite_of_an_earlier_reflection_is_found_with_its_passages(world, earlier):
    original, unrelated = earlier
    mine = write(world, "zhao", "我的学习体会", REWRITTEN)
    matches = list(SimilarityMatch.objects.filter(reflection=mine))
    assert [m.source_reflection_id for m in matches] == [original.pk]
    assert matches[0].rate == 1.0
    assert matches[0].passages == 4
    assert mine.top_rate == 1.0
    assert mine.status == ReflectionStatus.SUBMITTED  # advisory: nothing refused


def test_an_unrelated_reflection_on_the_same_topic_has_no_similar_text(world, earlier):
    original, unrelated = earlier
    assert not SimilarityMatch.objects.filter(reflection=unrelated).exists()
    assert unrelated.top_rate == 0.0


def test_only_earlier_reflections_are_compared(world, earlier):
    original, _ = earlier
    write(world, "zhao", "我的学习体会", REWRITTEN)
    original.refresh_from_db()
    assert not SimilarityMatch.objects.filter(reflection=original).exists()


def test_a_reference_text_of_the_court_is_compared_too(world):
    ref = actions.do_add_reference(
        None, world.org("BT-JY"), title="司法为民讲话", body=REFERENCE, file_name="讲话.txt"
    )
    assert SimilarityBand.objects.filter(reference=ref).count() == similarity.BANDS
    mine = write(world, "zhao", "反思", COPIED)
    match = SimilarityMatch.objects.get(reflection=mine)
    assert match.source_reference_id == ref.pk
    assert 0.7 < match.rate < 1


def test_another_courts_texts_are_never_compared(world):
    actions.do_add_reference(None, world.org("EH"), title="讲话", body=REFERENCE)
    write(world, "hu", "鄂尔多斯的心得", ORIGINAL)
    mine = write(world, "zhao", "我的学习体会", REWRITTEN)
    assert not SimilarityMatch.objects.filter(reflection=mine).exists()


def test_a_reflection_is_linked_only_to_an_activity_its_author_attended(world):
    day = dt.date(2024, 6, 28)
    attended = activity_actions.do_record_past_activity(
        None,
        world.org("BT-JY-B01"),
        kind="theme_day",
        title="主题党日",
        on=day,
        attendance={world.people["zhao"].pk: "present"},
    )
    other = activity_actions.do_record_past_activity(
        None, world.org("BT-JY-B02"), kind="theme_day", title="主题党日", on=day, attendance={}
    )
    mine = write(world, "zhao", "主题党日体会", UNRELATED, activity=attended)
    assert mine.activity == attended
    with pytest.raises(ValidationError) as e:
        write(world, "zhao", "主题党日体会", UNRELATED, activity=other)
    assert "activity" in e.value.message_dict


def test_a_text_longer_than_ten_thousand_characters_is_refused(world):
    with pytest.raises(ValidationError) as e:
        write(world, "zhao", "太长", "学" * 10_001)
    assert "10000" in e.value.message_dict["body"][0]


# ---------------------------------------------------------------------------------------
# Pages


def test_a_member_writes_a_reflection_on_their_own_page(world):
    client = world.client("dave")
    r = client.get(reverse("learning:study_write"))
    assert r.status_code == 200
    r = client.post(reverse("learning:study_write"), {"title": "我的学习体会", "body": REWRITTEN})
    assert r.status_code == 302
    mine = Reflection.objects.get(person=world.people["zhao"])
    assert mine.org == world.org("BT-JY-B01")
    page = client.get(reverse("learning:study_mine")).content.decode()
    assert "我的学习体会" in page and "待阅" in page


def test_a_member_cannot_read_another_members_reflection(world, earlier):
    original, _ = earlier
    client = world.client("dave")
    assert client.get(reverse("learning:study_reflection", args=[original.pk])).status_code == 404
    assert client.get(f"{API}/study/reflections/{original.pk}").status_code == 404
    listed = client.get(f"{API}/study/reflections").json()
    assert listed["count"] == 0


def test_a_member_sees_no_similarity_report_even_of_their_own(world, earlier):
    mine = write(world, "zhao", "我的学习体会", REWRITTEN)
    client = world.client("dave")
    page = client.get(reverse("learning:study_reflection", args=[mine.pk])).content.decode()
    assert "相似度" not in page and "查重" not in page
    assert client.get(reverse("learning:study_similarity", args=[mine.pk])).status_code == 403
    assert client.get(f"{API}/study/reflections/{mine.pk}/similarity").status_code == 403


def test_the_secretary_sees_the_report_with_shared_passages_side_by_side(world, earlier):
    original, _ = earlier
    mine = write(world, "zhao", "我的学习体会", REWRITTEN)
    r = world.client("carol").get(reverse("learning:study_similarity", args=[mine.pk]))
    assert r.status_code == 200
    page = r.content.decode()
    assert "学习习近平法治思想心得" in page and "王芳" in page
    assert "100%" in page
    assert "<mark>今後我將把學習成果轉化為推動工作的實際行動；" in page
    assert "<mark>通过参加本次理论学习中心组专题学习，" in page


def test_the_secretary_sees_reports_for_their_branch_only(world, earlier):
    original, unrelated = earlier  # 孙丽 is in BT-JY-B02, not carol's branch
    client = world.client("carol")
    assert client.get(reverse("learning:study_similarity", args=[unrelated.pk])).status_code == 404
    assert client.get(f"{API}/study/reflections/{unrelated.pk}/similarity").status_code == 404
    listed = client.get(reverse("learning:study_review")).content.decode()
    assert "学习习近平法治思想心得" in listed and "家事审判的体会" not in listed


def test_the_api_report_names_the_similar_text_and_its_passages(world, earlier):
    mine = write(world, "zhao", "我的学习体会", REWRITTEN)
    body = world.client("carol").get(f"{API}/study/reflections/{mine.pk}/similarity").json()
    assert body["matches"][0]["title"] == "学习习近平法治思想心得"
    assert body["matches"][0]["rate"] == 1.0
    assert len(body["matches"][0]["passages"]) == 4


def test_the_secretary_returns_a_reflection_and_the_member_revises_it(world, earlier):
    mine = write(world, "zhao", "我的学习体会", REWRITTEN)
    carol = world.client("carol")
    url = reverse("learning:study_reflection", args=[mine.pk])
    r = carol.post(url, {"status": "returned", "comment": ""})
    assert r.status_code == 200 and "退回修改请写明意见" in r.content.decode()
    carol.post(url, {"status": "returned", "comment": "请结合本人工作实际撰写"})
    mine.refresh_from_db()
    assert mine.status == ReflectionStatus.RETURNED
    dave = world.client("dave")
    assert "请结合本人工作实际撰写" in dave.get(url).content.decode()
    r = dave.post(
        reverse("learning:study_revise", args=[mine.pk]), {"title": "修改稿", "body": OWN_WORDS}
    )
    assert r.status_code == 302
    mine.refresh_from_db()
    assert (mine.status, mine.title, mine.top_rate) == (ReflectionStatus.SUBMITTED, "修改稿", 0.0)
    carol.post(url, {"status": "read", "comment": ""})
    mine.refresh_from_db()
    assert mine.status == ReflectionStatus.READ


def test_a_member_cannot_review(world, earlier):
    mine = write(world, "zhao", "我的学习体会", REWRITTEN)
    r = world.client("dave").post(
        reverse("learning:study_reflection", args=[mine.pk]), {"status": "read"}
    )
    assert r.status_code == 403


def test_a_member_submits_through_the_api_and_a_bad_value_is_422(world):
    client = world.client("dave")
    r = client.post(
        f"{API}/study/reflections",
        json.dumps({"title": "体会", "body": ORIGINAL}),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "submitted"
    r = client.post(
        f"{API}/study/reflections",
        json.dumps({"title": "体会", "body": "学" * 10_001}),
        content_type="application/json",
    )
    assert r.status_code == 422


def test_the_officer_uploads_a_reference_text(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = world.client("bob")
    upload = SimpleUploadedFile("讲话.txt", REFERENCE.encode("gb18030"), "text/plain")
    r = client.post(
        reverse("learning:study_references"),
        {"court": world.org("BT-JY").pk, "title": "", "file": upload},
    )
    assert r.status_code == 302, r.content.decode()
    page = client.get(reverse("learning:study_references")).content.decode()
    assert "讲话" in page
    assert world.client("carol").get(reverse("learning:study_references")).status_code == 403


def test_r4_1_a_reflection_read_by_the_secretary_earns_three_points_once(world, earlier):
    from decimal import Decimal

    from tianping.points.models import PointEntry, Trigger

    original, _ = earlier
    wang = world.people["wang"]

    def points():
        return sum(
            (e.points for e in PointEntry.objects.filter(person=wang, trigger=Trigger.REFLECTION)),
            Decimal(0),
        )

    actions.do_review_reflection(None, original, status=ReflectionStatus.READ)
    actions.do_review_reflection(None, original, status=ReflectionStatus.READ)
    assert points() == Decimal("3")
    entry = PointEntry.objects.get(person=wang, trigger=Trigger.REFLECTION)
    assert entry.reason.startswith("心得体会《学习习近平法治思想心得》（")
    assert entry.reason.endswith("提交）已阅")
    # Returned after all: the entry is reversed, never deleted (R4.3).
    actions.do_review_reflection(
        None, original, status=ReflectionStatus.RETURNED, comment="请补充案例"
    )
    assert points() == Decimal("0")
    assert PointEntry.objects.filter(person=wang, trigger=Trigger.REFLECTION).count() == 2


def test_a_leader_who_does_not_review_cannot_read_a_members_reflection(world, earlier):
    original, _ = earlier
    client = world.client("erin")
    assert client.get(reverse("learning:study_reflection", args=[original.pk])).status_code == 403
    assert client.get(f"{API}/study/reflections/{original.pk}").status_code == 403
