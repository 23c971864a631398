"""支部一品 and 党员示范岗: the matrix, evaluation by the party office, the duty roster."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.conftest import World
from tests.service.liaison_samples import sample_brand, sample_post
from tianping.activities.actions import do_record_past_activity
from tianping.service.actions import brands as actions
from tianping.service.models import BrandEvaluation, DutyEntry
from tianping.service.queries.brands import matrix

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _admin(world: World):
    from tianping.accounts.scoping import scope_for

    return scope_for(world.users["admin"])


def test_b1_a_branch_has_one_brand_in_force(world: World) -> None:
    sample_brand(world)
    with pytest.raises(ValidationError, match="已有在用的支部品牌"):
        actions.do_create_brand(
            None, world.org("BT-JY-B01"), name="另一品牌", theme="x", started_on=TODAY
        )


def test_b2_the_matrix_lists_every_branch_with_its_brand_activities_and_grade(world: World):
    brand = sample_brand(world)
    activity = do_record_past_activity(
        None,
        world.org("BT-JY-B01"),
        attendance={world.people["wang"].pk: "present"},
        kind="theme_day",
        title="品牌主题党日",
        on=TODAY,
    )
    actions.do_link_activity(None, brand, activity)
    actions.do_evaluate_brand(None, brand, year=TODAY.year, grade="fair")
    actions.do_evaluate_brand(None, brand, year=TODAY.year, grade="excellent", comment="复评")
    m = matrix(_admin(world), world.org("BT-JY"), TODAY.year)
    rows = {r.branch.code: r for r in m.rows}
    assert set(rows) == {"BT-JY-B01", "BT-JY-B02"}
    assert rows["BT-JY-B01"].activities == 1 and rows["BT-JY-B01"].grade_label == "优秀"
    assert rows["BT-JY-B02"].brand is None
    assert BrandEvaluation.objects.filter(brand=brand).count() == 2  # append-only


def test_b3_only_the_branchs_activities_go_under_its_brand(world: World) -> None:
    brand = sample_brand(world)
    other = do_record_past_activity(
        None, world.org("BT-JY-B02"), attendance={}, kind="theme_day", title="别的支部", on=TODAY
    )
    with pytest.raises(ValidationError, match="本支部"):
        actions.do_link_activity(None, brand, other)


def test_b4_evaluation_needs_service_manage(world: World) -> None:
    brand = sample_brand(world)
    url = f"/service/brands/{brand.pk}/evaluate/?year={TODAY.year}"
    assert world.client("carol").post(url, {"grade": "good"}).status_code == 403
    assert world.client("bob").post(url, {"grade": "good"}).status_code == 302
    page = world.client("carol").get(f"/service/brands/?year={TODAY.year}").content.decode()
    assert "天平先锋" in page and "良好" in page


def test_b5_duty_is_recorded_only_for_members_on_the_roster(world: World) -> None:
    post = sample_post(world)
    with pytest.raises(ValidationError, match="不在本岗值岗名单内"):
        actions.do_record_duty(None, post, world.people["zhao"], on=TODAY, summary="立案指导")
    actions.do_record_duty(None, post, world.people["wang"], on=TODAY, summary="立案指导", count=3)
    assert DutyEntry.objects.get().count == 3
    body = world.client("carol").get(f"/service/brands/posts/{post.pk}/").content.decode()
    assert "办理事项3件次" in body and "诉讼服务中心一站式服务大厅" in body


def test_b6_a_weekly_shift_is_on_duty_on_its_weekdays_only(world: World) -> None:
    post = sample_post(world)
    monday = dt.date(2024, 6, 3)
    shift = actions.do_add_shift(
        None, post, world.people["zhao"], starts_on=monday, weekdays=[1, 3]
    )
    assert shift.on_duty(monday) and not shift.on_duty(monday + dt.timedelta(days=1))
    assert shift.weekday_text == "周一、周三"


def test_the_api_matrix_and_posts(world: World) -> None:
    sample_brand(world)
    sample_post(world)
    client = world.client("bob")
    r = client.get("/api/v1/service/brands/matrix")
    assert r.status_code == 200 and r.json()["branded"] == 1
    r = client.get("/api/v1/service/brands/posts")
    assert r.status_code == 200 and r.json()[0]["name"] == "样本示范岗"
