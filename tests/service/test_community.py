"""Community work: 双报到 registrations and services, co-building agreements, 办实事 deeds."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.api.conftest import ApiClient
from tests.conftest import World
from tests.service.community_samples import sample_agreement, sample_deed, sample_registration
from tianping.activities.actions import do_plan_activity
from tianping.audit.models import AuditEvent
from tianping.service.actions import community as actions
from tianping.service.models import (
    AgreementStatus,
    CommunityRegistration,
    CommunityService,
    Deed,
    DeedStatus,
    DeedStep,
)
from tianping.service.queries import community as queries

pytestmark = pytest.mark.django_db


def _workbook_text(response) -> str:
    raw = b"".join(response.streaming_content)
    book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
    return " ".join(
        str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v
    )


# ---------------------------------------------------------------------------------------
# Rules


def test_community_a_member_cannot_register_with_two_communities_at_once(world: World) -> None:
    wang = world.people["wang"]
    actions.do_register(None, wang, community="幸福社区", registered_on=dt.date(2024, 1, 10))
    with pytest.raises(ValidationError, match="同一时间只能在一个社区报到"):
        actions.do_register(None, wang, community="朝阳社区", registered_on=dt.date(2024, 5, 1))
    assert CommunityRegistration.objects.filter(person=wang).count() == 1


def test_community_a_new_registration_may_not_start_inside_an_ended_one(world: World) -> None:
    wang = world.people["wang"]
    first = actions.do_register(
        None, wang, community="幸福社区", registered_on=dt.date(2023, 1, 10)
    )
    actions.do_end_registration(None, first, ended_on=dt.date(2024, 2, 29), reason="搬家")
    with pytest.raises(ValidationError):
        actions.do_register(None, wang, community="朝阳社区", registered_on=dt.date(2024, 2, 29))
    moved = actions.do_register(None, wang, community="朝阳社区", registered_on=dt.date(2024, 3, 1))
    assert moved.ended_on is None


def test_community_only_party_members_register(world: World) -> None:
    with pytest.raises(ValidationError, match="不是党员"):
        actions.do_register(
            None, world.people["zhou"], community="幸福社区", registered_on=dt.date(2024, 1, 1)
        )


def test_community_a_service_falls_inside_its_registration(world: World) -> None:
    registration = sample_registration(world)  # from 2024-01-10
    with pytest.raises(ValidationError, match="不在幸福社区报到期间"):
        actions.do_record_service(
            None, registration, on=dt.date(2024, 1, 9), content="环境整治", hours="2"
        )
    with pytest.raises(ValidationError, match="服务时长"):
        actions.do_record_service(
            None, registration, on=dt.date(2024, 2, 1), content="环境整治", hours="25"
        )


def test_community_a_withdrawn_service_no_longer_counts(world: World) -> None:
    registration = sample_registration(world)
    kept = actions.do_record_service(
        None, registration, on=dt.date(2024, 3, 1), content="普法宣传", hours="2"
    )
    wrong = actions.do_record_service(
        None, registration, on=dt.date(2024, 3, 2), content="重复登记", hours="3"
    )
    actions.do_withdraw_service(None, wrong, reason="重复登记")
    from tianping.accounts.scoping import scope_for

    people = queries.member_overview(scope_for(world.users["carol"]), queries.MemberFilter(2024))
    wang = next(p for p in people if p.pk == world.people["wang"].pk)
    assert (wang.community, wang.services, wang.service_hours) == ("幸福社区", 1, kept.hours)
    assert CommunityService.objects.count() == 2, "withdrawn, not deleted"


def test_community_agreement_in_force_through_its_last_day_and_expired_after() -> None:
    from tianping.service.models import Agreement

    agreement = Agreement(
        starts_on=dt.date(2024, 1, 5), ends_on=dt.date(2025, 1, 4), signed_on=dt.date(2024, 1, 5)
    )
    assert agreement.status_on(dt.date(2024, 1, 4)) == AgreementStatus.PENDING
    assert agreement.status_on(dt.date(2024, 1, 5)) == AgreementStatus.IN_FORCE
    assert agreement.status_on(dt.date(2025, 1, 4)) == AgreementStatus.IN_FORCE
    assert agreement.status_on(dt.date(2025, 1, 5)) == AgreementStatus.EXPIRED


def test_community_expired_agreements_are_shown_as_expired_on_the_list(world: World) -> None:
    sample_agreement(world)  # 2024-01-05 to 2025-01-04: expired now
    body = world.client("bob").get("/service/community/agreements/").content.decode()
    assert "第一党支部与幸福社区党建共建协议" in body and "已到期" in body
    found = queries.agreements(None, queries.AgreementFilter(status="expired"))
    assert not found.exists(), "no scope, nothing"


def test_community_a_joint_activity_falls_inside_the_agreement(world: World) -> None:
    agreement = sample_agreement(world)
    branch = world.org("BT-JY-B01")
    inside = do_plan_activity(
        None, branch, kind="co_building", title="共建社区法治讲堂", on=dt.date(2024, 5, 20)
    )
    after = do_plan_activity(
        None, branch, kind="co_building", title="协议到期后的活动", on=dt.date(2025, 3, 1)
    )
    actions.do_link_joint_activity(None, agreement, inside)
    with pytest.raises(ValidationError, match="不在协议有效期"):
        actions.do_link_joint_activity(None, agreement, after)
    meeting = do_plan_activity(
        None, branch, kind="branch_committee", title="支委会", on=dt.date(2024, 5, 21)
    )
    with pytest.raises(ValidationError, match="不是服务群众类活动"):
        actions.do_link_joint_activity(None, agreement, meeting)


def test_community_overdue_is_deadline_passed_and_not_done(world: World) -> None:
    today = timezone.localdate()
    deed = sample_deed(world)  # deadline 2024-06-30
    assert deed.overdue_on(dt.date(2024, 6, 30)) is False, "the deadline day is still in time"
    assert deed.overdue_on(dt.date(2024, 7, 1)) is True
    actions.do_set_deed_status(None, deed, DeedStatus.IN_PROGRESS, on=dt.date(2024, 5, 1))
    deed.refresh_from_db()
    assert deed.overdue_on(today)
    actions.do_set_deed_status(
        None, deed, DeedStatus.DONE, on=dt.date(2024, 7, 10), completion_note="开庭6次"
    )
    deed.refresh_from_db()
    assert not deed.overdue_on(today) and deed.done_late


def test_community_a_cancelled_deed_is_not_overdue_and_not_counted_as_promised(
    world: World,
) -> None:
    deed = sample_deed(world)
    with pytest.raises(ValidationError, match="取消时请说明原因"):
        actions.do_set_deed_status(None, deed, DeedStatus.CANCELLED)
    actions.do_set_deed_status(None, deed, DeedStatus.CANCELLED, note="并入全院事项")
    deed.refresh_from_db()
    assert not deed.overdue_on(dt.date(2030, 1, 1))
    from tianping.accounts.scoping import scope_for

    (count,) = queries.deed_counts(scope_for(world.users["bob"]), 2024)
    assert (count.promised, count.cancelled, count.overdue) == (0, 1, 0)


def test_community_a_deed_keeps_its_history_and_closes_once(world: World) -> None:
    deed = sample_deed(world)
    actions.do_set_deed_status(None, deed, DeedStatus.IN_PROGRESS, on=dt.date(2024, 4, 1))
    with pytest.raises(ValidationError, match="办结时请填写办结情况"):
        actions.do_set_deed_status(None, deed, DeedStatus.DONE)
    actions.do_set_deed_status(None, deed, DeedStatus.DONE, completion_note="已办结")
    with pytest.raises(ValidationError, match="不能再变更状态"):
        actions.do_set_deed_status(None, deed, DeedStatus.IN_PROGRESS)
    steps = list(DeedStep.objects.filter(deed=deed).order_by("pk"))
    assert [s.to_status for s in steps] == ["not_started", "in_progress", "done"]
    assert AuditEvent.objects.filter(action="service.deed_status").count() == 2


def test_community_counts_per_court(world: World) -> None:
    today = timezone.localdate()
    year = today.year
    jy, b01 = world.org("BT-JY"), world.org("BT-JY-B01")
    wang = world.people["wang"]
    late = actions.do_promise_deed(
        None, jy, year=year, title="诉讼服务延时", owner=wang, deadline=dt.date(year, 1, 1)
    )
    done = actions.do_promise_deed(
        None, b01, year=year, title="巡回审判进社区", owner=wang, deadline=dt.date(year, 12, 31)
    )
    actions.do_promise_deed(
        None, b01, year=year, title="农民工欠薪专项执行", owner=wang, deadline=dt.date(year, 12, 31)
    )
    actions.do_set_deed_status(None, done, DeedStatus.DONE, completion_note="已办结")
    body = world.client("alice").get(f"/service/community/deeds/?year={year}").content.decode()
    overdue = 1 if late.overdue_on(today) else 0
    assert "承诺<strong>3</strong>件，已办结<strong>1</strong>件" in body
    if overdue:
        assert "逾期1件" in body


# ---------------------------------------------------------------------------------------
# Pages


def test_community_a_member_registers_and_records_a_service_on_their_page(world: World) -> None:
    dave, zhao = world.client("dave"), world.people["zhao"]
    assert (
        dave.get("/service/community/mine/")["Location"] == f"/service/community/people/{zhao.pk}/"
    )
    page = dave.get(f"/service/community/people/{zhao.pk}/").content.decode()
    assert "尚未到社区报到" in page and "登记报到" in page
    dave.post(
        f"/service/community/people/{zhao.pk}/register/",
        {"community": "朝阳社区", "district": "萨如拉街道", "registered_on": "2024-03-01"},
    )
    registration = CommunityRegistration.objects.get(person=zhao)
    dave.post(
        f"/service/community/registrations/{registration.pk}/services/",
        {"on": "2024-03-16", "content": "社区普法宣传", "hours": "2.5"},
    )
    service = CommunityService.objects.get(person=zhao)
    assert service.hours == 2.5 and service.recorded_by == world.users["dave"]
    page = dave.get(f"/service/community/people/{zhao.pk}/?year=2024").content.decode()
    assert "朝阳社区" in page and "社区普法宣传" in page
    # A member cannot record for someone else: out of their scope is absent.
    wang = world.people["wang"]
    assert dave.get(f"/service/community/people/{wang.pk}/").status_code == 404


def test_community_the_secretary_sees_who_has_registered_and_who_has_not(world: World) -> None:
    sample_registration(world)  # 王芳 registered; 赵磊 not
    carol = world.client("carol")
    body = carol.get("/service/community/?registered=no").content.decode()
    assert "赵磊" in body and "王芳" not in body
    body = carol.get("/service/community/?year=2024").content.decode()
    assert "已报到<strong>1</strong>名" in body and "未报到1名" in body
    assert "孙丽" not in body, "another branch"
    partial = carol.get(
        "/service/community/?registered=yes", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    assert "<html" not in partial.content.decode() and "王芳" in partial.content.decode()
    text = _workbook_text(carol.get("/service/community/export/?year=2024"))
    assert "幸福社区" in text and "未报到" in text
    assert "王芳" not in world.client("oscar").get("/service/community/").content.decode()


def test_community_the_secretary_records_for_a_branch_member(world: World) -> None:
    zhao = world.people["zhao"]
    world.client("carol").post(
        f"/service/community/people/{zhao.pk}/register/",
        {"community": "和平社区", "registered_on": "2024-02-01"},
    )
    assert CommunityRegistration.objects.get(person=zhao).recorded_by == world.users["carol"]
    # A leader reads but does not record.
    erin = world.client("erin")
    assert (
        erin.post(
            f"/service/community/people/{zhao.pk}/register/",
            {"community": "和平社区", "registered_on": "2024-03-01"},
        ).status_code
        == 403
    )


def test_community_partners_and_agreements_through_the_pages(world: World) -> None:
    bob = world.client("bob")
    bob.post(
        "/service/community/partners/add/",
        {
            "court": "BT-JY",
            "name": "包头稀土高新区民营企业商会",
            "kind": "enterprise",
            "contact": "王会长",
        },
    )
    from tianping.service.models import Partner

    partner = Partner.objects.get(name="包头稀土高新区民营企业商会")
    today = timezone.localdate()
    bob.post(
        f"/service/community/partners/{partner.pk}/sign/",
        {
            "org": "BT-JY-JGDW",
            "title": "法企共建协议",
            "signed_on": today.isoformat(),
            "starts_on": today.isoformat(),
            "ends_on": (today + dt.timedelta(days=365)).isoformat(),
            "content": "法律体检、以案释法",
        },
    )
    body = bob.get("/service/community/agreements/").content.decode()
    assert "法企共建协议" in body and "履行中" in body
    assert (
        "法企共建协议"
        in world.client("carol").get("/service/community/agreements/").content.decode()
    ), "a secretary reads the court's agreements"
    assert (
        "法企共建协议"
        in world.client("dave").get("/service/community/agreements/").content.decode()
    )
    assert (
        "法企共建协议"
        not in world.client("oscar").get("/service/community/agreements/").content.decode()
    )
    text = _workbook_text(bob.get("/service/community/agreements/export/"))
    assert "法企共建协议" in text and "履行中" in text
    # The secretary has no service.manage: no partners of their own.
    assert (
        world.client("carol")
        .post("/service/community/partners/add/", {"court": "BT-JY", "name": "x", "kind": "other"})
        .status_code
        == 403
    )


def test_community_a_secretary_lists_a_deed_and_its_owner_closes_it(world: World) -> None:
    carol = world.client("carol")
    year = timezone.localdate().year
    wang = world.people["wang"]
    carol.post(
        "/service/community/deeds/add/",
        {
            "org": "BT-JY-B01",
            "year": str(year),
            "title": "巡回审判进社区",
            "owner": "JY0001",
            "deadline": f"{year}-12-31",
        },
    )
    deed = Deed.objects.get(title="巡回审判进社区")
    assert deed.owner == wang and deed.status == DeedStatus.NOT_STARTED
    activity = do_plan_activity(
        None,
        world.org("BT-JY-B01"),
        kind="practical_deed",
        title="巡回法庭进幸福社区",
        on=timezone.localdate(),
    )
    carol.post(f"/service/community/deeds/{deed.pk}/link/", {"activity": str(activity.pk)})
    carol.post(
        f"/service/community/deeds/{deed.pk}/status/",
        {
            "status": "done",
            "on": timezone.localdate().isoformat(),
            "completion_note": "巡回开庭3次",
        },
    )
    page = carol.get(f"/service/community/deeds/{deed.pk}/").content.decode()
    assert "已完成" in page and "巡回开庭3次" in page and "巡回法庭进幸福社区" in page
    text = _workbook_text(carol.get(f"/service/community/deeds/export/?year={year}"))
    assert "巡回审判进社区" in text and "王芳" in text
    # The member sees the court's list but cannot move a deed they do not own.
    dave = world.client("dave")
    assert "巡回审判进社区" in dave.get("/service/community/deeds/").content.decode()
    assert (
        dave.post(
            f"/service/community/deeds/{deed.pk}/status/", {"status": "cancelled"}
        ).status_code
        == 403
    )


def test_community_overdue_deeds_are_shown_plainly(world: World) -> None:
    deed = sample_deed(world)  # 2024-06-30, not started
    body = world.client("bob").get("/service/community/deeds/?year=2024&overdue=1").content.decode()
    assert "巡回审判进社区" in body and "逾期" in body
    assert (
        "已逾期" in world.client("bob").get(f"/service/community/deeds/{deed.pk}/").content.decode()
    )


# ---------------------------------------------------------------------------------------
# API


def test_community_api_registers_records_and_lists(world: World) -> None:
    def session(name: str) -> ApiClient:
        return ApiClient(world.client(name))

    dave = session("dave")
    r = dave.post(
        "/service/community/registrations",
        {"community": "朝阳社区", "registered_on": "2024-03-01"},
    )
    assert r.status_code == 201, r.content
    registration_id = r.json()["id"]
    r = dave.post(
        "/service/community/services",
        {"registration_id": registration_id, "on": "2024-03-16", "content": "普法", "hours": 2},
    )
    assert r.status_code == 201 and r.json()["hours"] == "2.0"
    r = dave.post(
        "/service/community/registrations", {"community": "幸福社区", "registered_on": "2024-04-01"}
    )
    assert r.status_code == 422 and "同一时间只能在一个社区报到" in r.content.decode()
    r = dave.post(
        "/service/community/registrations",
        {"person_id": world.people["zhao"].pk, "community": "x", "registered_on": "2999-01-01"},
    )
    assert r.status_code == 422
    listed = session("carol").get("/service/community/registrations?year=2024").json()
    assert listed["registered"] == 1
    assert {i["person"]["name"] for i in listed["items"]} == {"王芳", "赵磊"}


def test_community_api_deeds_and_counts(world: World) -> None:
    def session(name: str) -> ApiClient:
        return ApiClient(world.client(name))

    deed = sample_deed(world)
    bob = session("bob")
    items = bob.get("/service/community/deeds?year=2024&overdue=true").json()["items"]
    assert [(i["title"], i["overdue"]) for i in items] == [("巡回审判进社区", True)]
    counts = bob.get("/service/community/deeds/counts?year=2024").json()
    assert counts == [
        {
            "court": {"code": "BT-JY", "name": "九原区人民法院"},
            "promised": 1,
            "done": 0,
            "in_progress": 0,
            "overdue": 1,
            "cancelled": 0,
        }
    ]
    r = bob.post(f"/service/community/deeds/{deed.pk}/status", {"status": "done"})
    assert r.status_code == 422 and "办结情况" in r.content.decode()
    r = bob.post(
        f"/service/community/deeds/{deed.pk}/status",
        {"status": "done", "completion_note": "已办结"},
    )
    assert r.status_code == 200 and [h["to_status"] for h in r.json()["history"]] == [
        "not_started",
        "done",
    ]
    assert session("oscar").get(f"/service/community/deeds/{deed.pk}").status_code == 404
