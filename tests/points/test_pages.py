"""Points pages: a member's own ledger, a person's ledger in scope, a branch's view, the rules."""

import datetime as dt
from decimal import Decimal

from tianping.activities import actions as activity_actions
from tianping.audit.models import AuditEvent
from tianping.points import actions
from tianping.points.models import PointEntry, PointRule, PointScheme, Trigger
from tianping.points.rules import scheme_for

from .conftest import held


def _enable_rankings(world):
    scheme = scheme_for(world.org("BT-JY"))
    actions.do_update_scheme(None, scheme, base=scheme.base, rankings_for_secretaries=True)


def test_a_member_sees_their_own_ledger_with_the_source_of_every_entry_R4_3(world):
    activity = held(world, wang="present", zhao="absent")
    actions.do_post_manual(
        world.users["bob"], world.people["zhao"], "3", "撰写心得获表扬", dt.date(2024, 4, 2)
    )
    response = world.client("dave").get("/points/me/?year=2024")
    assert response.status_code == 200
    body = response.content.decode()
    assert "我的积分" in body and "赵磊" in body
    assert activity.title in body and "出勤：缺席" in body
    assert f'href="/activities/{activity.pk}/"' in body
    assert "撰写心得获表扬" in body and "录入人：bob" in body
    # The sum the member can check: base + the year's entries.
    assert "基础分 <strong>60.00</strong>" in body
    assert "合计 <strong>+1.00</strong>" in body
    assert "<strong>61.00</strong> 分" in body


def test_a_corrected_attendance_shows_the_reversing_entry_linked_to_what_it_reverses_R4_3(world):
    activity = held(world, wang="present", zhao="absent")
    activity_actions.do_set_attendance(
        world.users["carol"], activity, world.people["zhao"], "leave"
    )
    original, reversal = PointEntry.objects.filter(person=world.people["zhao"]).order_by("id")
    body = world.client("dave").get("/points/me/?year=2024").content.decode()
    assert f'href="#entry-{original.pk}"' in body and f'id="entry-{original.pk}"' in body
    assert f'href="#entry-{reversal.pk}"' in body and "已冲销" in body
    assert "现出勤：请假" in body  # why it was reversed: the attendance as it now stands
    assert "<strong>60.00</strong> 分" in body


def test_a_member_sees_only_their_own_ledger_R4_2(world):
    held(world, wang="present", zhao="present")
    dave = world.client("dave")
    assert dave.get(f"/points/people/{world.people['wang'].pk}/").status_code == 404
    assert dave.get(f"/points/people/{world.people['zhao'].pk}/").status_code == 200
    assert dave.get("/points/branch/BT-JY-B01/").status_code == 404


def test_a_secretary_opens_a_member_of_their_branch_but_not_of_another(world):
    carol = world.client("carol")
    assert carol.get(f"/points/people/{world.people['wang'].pk}/").status_code == 200
    assert carol.get(f"/points/people/{world.people['sun'].pk}/").status_code == 404
    assert (
        world.client("oscar").get(f"/points/people/{world.people['wang'].pk}/").status_code == 404
    )


def test_a_user_without_a_person_is_told_so_on_my_points(world):
    response = world.client("carol").get("/points/me/")
    assert response.status_code == 200
    assert "尚未关联" in response.content.decode()


def test_the_branch_view_lists_members_with_scores_and_no_ranking_by_default_R4_2(world):
    held(world, wang="present", zhao="absent")
    response = world.client("carol").get("/points/branch/BT-JY-B01/?year=2024")
    body = response.content.decode()
    assert response.status_code == 200
    assert "王芳" in body and "赵磊" in body and "孙丽" not in body
    assert "61.00" in body and "58.00" in body
    assert "排名</th>" not in body and "未开启积分排名" in body
    assert f"/points/people/{world.people['wang'].pk}/?year=2024" in body


def test_a_secretary_sees_the_ranking_only_when_the_court_turns_it_on_R4_2(world):
    held(world, wang="absent", zhao="present")
    _enable_rankings(world)
    body = world.client("carol").get("/points/branch/BT-JY-B01/?year=2024").content.decode()
    assert "排名</th>" in body
    # Ranked: 赵磊 (61) before 王芳 (58).
    assert body.index("赵磊") < body.index("王芳")
    # The member still sees nobody else's score.
    assert world.client("dave").get("/points/branch/BT-JY-B01/?year=2024").status_code == 404


def test_the_ranking_setting_of_one_court_does_not_reach_another(world):
    _enable_rankings(world)
    # BT's own branches keep BT's setting (off).
    body = world.client("alice").get("/points/branch/BT-B01/?year=2024").content.decode()
    assert "排名</th>" not in body


def test_the_branch_results_render_alone_for_htmx(world):
    response = world.client("carol").get(
        "/points/branch/BT-JY-B01/?year=2024", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and 'id="scores"' in body


def test_the_rules_page_explains_what_is_never_scored_R4_2(world):
    body = world.client("carol").get("/points/rules/").content.decode()
    assert "九原区人民法院积分规则" in body
    assert "在线时长" in body and "点击" in body and "学习时长" in body and "默认不显示排名" in body
    assert "保存规则" not in body  # a secretary reads, the party committee office edits
    assert "参加三会一课" in body and "-2.00" in body


def test_a_member_reads_their_own_courts_rules(world):
    response = world.client("dave").get("/points/rules/")
    assert response.status_code == 200 and "九原区人民法院积分规则" in response.content.decode()


def _rules_post(world, **changes):
    scheme = scheme_for(world.org("BT-JY"))
    data = {
        "court": "BT-JY",
        "scheme-base": str(scheme.base),
        "scheme-rankings_for_secretaries": "",
    }
    for rule in PointRule.objects.filter(court=scheme.court):
        prefix = f"rule-{rule.pk}-"
        data[prefix + "points"] = str(rule.points)
        data[prefix + "per_hours"] = str(rule.per_hours or "")
        data[prefix + "cap"] = str(rule.cap or "")
        data[prefix + "cap_period"] = rule.cap_period
        if rule.active:
            data[prefix + "active"] = "on"
    for key, value in changes.items():
        if key.startswith("rule:"):
            trigger, field = key[5:].split(".")
            rule = PointRule.objects.get(court=scheme.court, trigger=trigger)
            data[f"rule-{rule.pk}-{field}"] = value
        else:
            data[f"scheme-{key}"] = value
    return data


def test_the_party_committee_office_edits_the_rules_with_audit_R4_1(world):
    bob = world.client("bob")
    data = _rules_post(
        world, base="70", rankings_for_secretaries="on", **{"rule:give_lecture.points": "4"}
    )
    response = bob.post("/points/rules/?court=BT-JY", data)
    assert response.status_code == 302, response.content.decode()
    scheme = PointScheme.objects.get(court=world.org("BT-JY"))
    assert scheme.base == Decimal("70") and scheme.rankings_for_secretaries
    assert PointRule.objects.get(court=scheme.court, trigger=Trigger.GIVE_LECTURE).points == 4
    assert AuditEvent.objects.filter(action="points.scheme", user=world.users["bob"]).count() == 1
    assert AuditEvent.objects.filter(action="points.rule", user=world.users["bob"]).count() == 1


def test_a_bad_rule_is_shown_beside_its_field_and_nothing_is_saved(world):
    data = _rules_post(world, base="70", **{"rule:volunteer_hours.cap_period": ""})
    response = world.client("bob").post("/points/rules/", data)
    assert response.status_code == 200
    assert "设置上限时请选择上限周期" in response.content.decode()
    assert PointScheme.objects.get(court=world.org("BT-JY")).base == Decimal("60")
    assert not AuditEvent.objects.filter(action__in=["points.scheme", "points.rule"]).exists()


def test_a_secretary_cannot_change_the_rules(world):
    data = _rules_post(world, base="99")
    assert world.client("carol").post("/points/rules/", data).status_code == 403
    assert PointScheme.objects.get(court=world.org("BT-JY")).base == Decimal("60")


def test_the_office_posts_a_manual_entry_by_employee_number_R4_3(world):
    bob = world.client("bob")
    response = bob.post(
        "/points/manual/", {"person": "jy0001", "points": "2", "reason": "", "on": "2024-05-01"}
    )
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    assert not PointEntry.objects.exists()
    response = bob.post(
        "/points/manual/",
        {"person": "JY0001", "points": "2", "reason": "优秀调研报告", "on": "2024-05-01"},
    )
    assert response.status_code == 302
    entry = PointEntry.objects.get()
    assert (entry.person, entry.reason, entry.created_by) == (
        world.people["wang"],
        "优秀调研报告",
        world.users["bob"],
    )


def test_a_manual_entry_for_someone_out_of_scope_is_refused(world):
    response = world.client("bob").post(
        "/points/manual/", {"person": "BT0001", "points": "2", "reason": "x", "on": "2024-05-01"}
    )
    assert "找不到工号" in response.content.decode()
    assert world.client("carol").get("/points/manual/").status_code == 403


def test_the_office_vetoes_a_year_after_confirming_and_reverses_it_from_the_ledger(world):
    bob = world.client("bob")
    wang = world.people["wang"]
    response = bob.post(
        f"/points/veto/?person={wang.pk}",
        {"for_person": wang.pk, "person": "JY0001", "year": "2024", "reason": "党纪处分"},
    )
    assert "请确认" in response.content.decode() and not PointEntry.objects.exists()
    response = bob.post(
        "/points/veto/",
        {"person": "JY0001", "year": "2024", "reason": "党纪处分", "confirm": "on"},
    )
    assert response.status_code == 302
    body = bob.get(f"/points/people/{wang.pk}/?year=2024").content.decode()
    assert "本年度已被一票否决：党纪处分" in body and "0 分" in body
    veto = PointEntry.objects.get(trigger=Trigger.VETO)
    response = bob.post(
        f"/points/people/{wang.pk}/reverse/", {"entry": veto.pk, "reason": "处分撤销"}
    )
    assert response.status_code == 302
    body = bob.get(f"/points/people/{wang.pk}/?year=2024").content.decode()
    assert "一票否决：" not in body and "<strong>60.00</strong> 分" in body


def test_the_ledger_page_offers_no_reversal_to_a_secretary(world):
    actions.do_post_manual(None, world.people["wang"], "1", "测试", dt.date(2024, 5, 1))
    body = world.client("carol").get(f"/points/people/{world.people['wang'].pk}/?year=2024")
    assert "冲销事由" not in body.content.decode()
    entry = PointEntry.objects.get()
    response = world.client("carol").post(
        f"/points/people/{world.people['wang'].pk}/reverse/", {"entry": entry.pk, "reason": "x"}
    )
    assert response.status_code == 403 and PointEntry.objects.count() == 1


def test_the_navigation_takes_officers_to_the_branches_and_a_secretary_to_their_branch(world):
    page = world.client("bob").get("/").content.decode()
    assert 'href="/points/"' in page
    listing = world.client("bob").get("/points/").content.decode()
    assert "第一党支部" in listing and "第二党支部" in listing
    assert 'href="/points/branch/BT-JY-B01/' in listing
    response = world.client("carol").get("/points/")
    assert response.status_code == 302 and response["Location"] == "/points/branch/BT-JY-B01/"
    assert world.client("dave").get("/points/")["Location"] == "/points/me/"


def test_a_mid_court_officer_sees_which_court_each_branch_belongs_to(world):
    listing = world.client("alice").get("/points/").content.decode()
    assert (
        "第一党支部（九原区人民法院）" in listing and "第一党支部（包头市中级人民法院）" in listing
    )
