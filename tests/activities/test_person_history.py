"""A person's attendance history, linked from their page: held activities, year by year, in scope."""

from __future__ import annotations

import datetime as dt

from tianping.activities import actions


def held(world, on: dt.date, org: str = "BT-JY-B01", kind: str = "branch_committee", **kwargs):
    activity = actions.do_plan_activity(
        world.users["carol"], world.org(org), kind=kind, title=f"{on:%m月%d日}{kind}", on=on
    )
    return actions.do_record_held(world.users["carol"], activity, **kwargs)


def url(person) -> str:
    return f"/activities/people/{person.pk}/history/"


def test_a_member_reads_their_own_attendance_with_leave_reasons_and_make_up_study(world):
    zhao, wang = world.people["zhao"], world.people["wang"]
    march = held(world, dt.date(2024, 3, 28), attendance={zhao.pk: "present", wang.pk: "present"})
    april = held(
        world,
        dt.date(2024, 4, 25),
        attendance={zhao.pk: "leave", wang.pk: "present"},
        reasons={zhao.pk: "出差"},
    )
    actions.do_record_makeup(
        world.users["carol"], april, zhao, on=dt.date(2024, 4, 30), method="自学会议精神"
    )
    may = held(world, dt.date(2024, 5, 30), attendance={zhao.pk: "absent"})
    cancelled = held(world, dt.date(2024, 6, 27), attendance={zhao.pk: "present"})
    actions.do_cancel(world.users["carol"], cancelled, "改期")

    response = world.client("dave").get(url(zhao))
    assert response.status_code == 200
    body = response.content.decode()
    assert "我的出勤记录" in body
    assert "2024年参加组织生活和各类活动 <strong>3</strong> 次" in body
    assert (
        "出席 <strong>1</strong> 次，请假 <strong>1</strong> 次，缺席 <strong>1</strong> 次" in body
    )
    assert "补学 <strong>1</strong> 次" in body
    assert "请假（出差）" in body and "2024-04-30 自学会议精神" in body
    for activity in (march, april, may):
        assert f'href="/activities/{activity.pk}/"' in body
    # A cancelled activity is no attendance.
    assert f'href="/activities/{cancelled.pk}/"' not in body
    # Newest first.
    assert body.index(may.title) < body.index(april.title) < body.index(march.title)


def test_the_history_shows_one_year_at_a_time_the_latest_first(world):
    wang = world.people["wang"]
    old = held(world, dt.date(2023, 11, 30), attendance={wang.pk: "present"})
    new = held(world, dt.date(2024, 2, 29), attendance={wang.pk: "present"})
    client = world.client("carol")
    body = client.get(url(wang)).content.decode()
    assert new.title in body and old.title not in body
    assert '<option value="2023"' in body
    body = client.get(url(wang), {"year": "2023"}).content.decode()
    assert old.title in body and new.title not in body
    # A year without records falls back to the latest.
    body = client.get(url(wang), {"year": "1999"}).content.decode()
    assert new.title in body


def test_a_secretary_sees_only_the_activities_of_their_branch(world):
    wang = world.people["wang"]
    ours = held(world, dt.date(2024, 3, 28), attendance={wang.pk: "present"})
    court_wide = held(
        world,
        dt.date(2024, 3, 29),
        org="BT-JY-JGDW",
        kind="party_lecture",
        attendance={wang.pk: "present"},
    )
    carol = world.client("carol").get(url(wang)).content.decode()
    assert ours.title in carol and court_wide.title not in carol
    bob = world.client("bob").get(url(wang)).content.decode()
    assert ours.title in bob and court_wide.title in bob


def test_someone_else_or_an_outsider_gets_404(world):
    wang = world.people["wang"]
    held(world, dt.date(2024, 3, 28), attendance={wang.pk: "present"})
    assert world.client("dave").get(url(wang)).status_code == 404
    assert world.client("oscar").get(url(wang)).status_code == 404
    assert world.client(None).get(url(wang)).status_code == 302


def test_a_person_with_no_records_sees_a_plain_sentence(world):
    body = world.client("alice").get(url(world.people["zhou"])).content.decode()
    assert "周强暂无已召开活动的出勤记录。" in body
