"""Training classes: the plan's political share (R7.1), credited hours (R7.2), enrolment,
results, certificates, feedback, and who may see and change what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tianping.accounts import actions as account_actions
from tianping.accounts.models import Role
from tianping.activities.actions import do_cancel
from tianping.audit.models import AuditEvent
from tianping.learning.actions import training as actions
from tianping.learning.hours import person_hours
from tianping.learning.models import ClassStatus, Enrolment, TrainingClass
from tianping.learning.queries.training import shortfall_count, shortfalls
from tianping.people.models import Category

from .factories import business_class, course, held_session

pytestmark = pytest.mark.django_db
D = dt.date
P, L, A = "present", "leave", "absent"


def test_r7_1_a_plan_at_19_percent_is_flagged_and_refused_final_without_a_reason(world):
    tc = business_class(world, political="1.9", business="8.1")
    share = actions.class_share(tc)
    assert share.below and share.share == Decimal("0.19")
    with pytest.raises(ValidationError) as refused:
        actions.do_make_final(None, tc)
    assert "低于本院要求的20%" in str(refused.value)
    tc.refresh_from_db()
    assert tc.status == ClassStatus.DRAFT
    actions.do_make_final(None, tc, "上级统一安排的专项业务培训")
    tc.refresh_from_db()
    assert tc.status == ClassStatus.FINAL
    assert tc.below_share_reason == "上级统一安排的专项业务培训"


def test_r7_1_a_plan_at_20_percent_is_not_flagged_and_made_final_without_a_reason(world):
    tc = business_class(world, political="2", business="8")
    assert not actions.class_share(tc).below
    actions.do_make_final(None, tc)
    tc.refresh_from_db()
    assert tc.status == ClassStatus.FINAL and tc.below_share_reason == ""


def test_r7_1_a_court_sets_its_own_share(world):
    tc = business_class(world, political="2", business="8")
    actions.do_set_share(None, world.org("BT-JY"), Decimal("0.25"))
    assert actions.class_share(tc).below


def test_r7_1_a_political_rotation_is_not_weighed(world):
    tc = actions.do_create_class(
        None,
        world.org("BT-JY"),
        name="政治轮训",
        kind="political_rotation",
        starts_on=D(2024, 5, 1),
        ends_on=D(2024, 5, 2),
    )
    actions.do_save_plan(None, tc, [course("审判业务", "8")])
    assert not actions.class_share(tc).below


def test_the_plan_page_shows_the_share_live_while_it_is_edited(world):
    tc = business_class(world)
    client = world.client("bob")
    data = {
        "courses-TOTAL_FORMS": "2",
        "courses-INITIAL_FORMS": "0",
        "courses-0-title": "民法典",
        "courses-0-hours": "9",
        "courses-0-category": "business",
        "courses-1-title": "党史",
        "courses-1-hours": "1",
        "courses-1-category": "political",
    }
    response = client.post(f"/learning/training/{tc.pk}/plan/share/", data, HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert "10.0%" in text and "低于要求" in text
    data["courses-1-hours"] = "3"
    text = client.post(f"/learning/training/{tc.pk}/plan/share/", data).content.decode()
    assert "25.0%" in text and "已达到要求" in text
    assert list(tc.courses.values_list("hours", flat=True)) == [Decimal("2"), Decimal("8")]


def test_r7_2_hours_are_credited_only_for_attended_sessions(world):
    wang, zhao = world.people["wang"], world.people["zhao"]
    tc = business_class(world)
    actions.do_enrol(None, tc, [wang, zhao])
    held_session(tc, D(2024, 3, 4), {wang.pk: P, zhao.pk: L}, "习近平法治思想专题")
    held_session(tc, D(2024, 3, 5), {wang.pk: P, zhao.pk: P}, "民法典合同编疑难问题")
    assert person_hours(wang.pk, 2024).total == Decimal("10")
    assert person_hours(wang.pk, 2024).political == Decimal("2")
    # On leave for one session, he keeps the other.
    assert person_hours(zhao.pk, 2024).total == Decimal("8")
    assert person_hours(zhao.pk, 2024).political == Decimal("0")


def test_r7_2_a_cancelled_session_credits_nothing(world):
    wang = world.people["wang"]
    tc = business_class(world)
    actions.do_enrol(None, tc, [wang])
    session = held_session(tc, D(2024, 3, 4), {wang.pk: P}, "习近平法治思想专题")
    assert person_hours(wang.pk, 2024).total == Decimal("2")
    do_cancel(None, session.activity, "教室停电，改期")
    assert person_hours(wang.pk, 2024).total == Decimal("0")


def test_r7_2_a_cancelled_class_credits_nothing(world):
    wang = world.people["wang"]
    tc = business_class(world)
    actions.do_enrol(None, tc, [wang])
    held_session(tc, D(2024, 3, 4), {wang.pk: P}, "习近平法治思想专题")
    actions.do_cancel_class(None, tc)
    assert person_hours(wang.pk, 2024).total == Decimal("0")


def test_r7_2_a_person_who_moved_court_mid_year_is_counted_once_per_class(world):
    from tianping.people.actions import do_transfer

    wang = world.people["wang"]
    tc = business_class(world)
    actions.do_enrol(None, tc, [wang])
    held_session(tc, D(2024, 3, 4), {wang.pk: P}, "习近平法治思想专题")
    do_transfer(None, wang, department=world.org("BT-MS1"), on=D(2024, 6, 1))
    wang.refresh_from_db()
    # Enrolled again by a rule that finds him in his new court: still one participation.
    actions.do_enrol(None, tc, [wang], rule="全部员额法官")
    assert Enrolment.objects.filter(training_class=tc, person=wang).count() == 1
    held_session(tc, D(2024, 3, 5), {wang.pk: P}, "民法典合同编疑难问题")
    assert person_hours(wang.pk, 2024).total == Decimal("10")


def test_enrolment_by_rule_takes_a_personnel_line_and_keeps_the_rule(world):
    tc = business_class(world)
    client = world.client("bob")
    response = client.post(f"/learning/training/{tc.pk}/enrol/", {"by": "rule", "rule": "judge"})
    assert response.status_code == 302
    enrolled = Enrolment.objects.filter(training_class=tc)
    assert [e.person.name for e in enrolled] == ["王芳"]
    assert enrolled[0].enrolled_by_rule == "九原区人民法院全部员额法官"
    assert AuditEvent.objects.filter(action="learning.enrol", object_id=str(tc.pk)).exists()


def test_a_session_is_an_activity_of_the_training_kind_whose_grid_lists_the_enrolled(world):
    wang, zhao = world.people["wang"], world.people["zhao"]
    tc = business_class(world)
    actions.do_enrol(None, tc, [wang])
    session = actions.do_add_session(None, tc, on=D(2024, 3, 4))
    assert session.activity.kind == "training_class"
    page = world.client("bob").get(f"/activities/{session.activity.pk}/record/").content.decode()
    assert "王芳" in page and "赵磊" not in page and zhao.pk


def test_feedback_is_refused_without_attendance(world):
    zhao = world.people["zhao"]
    tc = business_class(world)
    (enrolment,) = actions.do_enrol(None, tc, [zhao])
    with pytest.raises(ValidationError):
        actions.do_give_feedback(None, enrolment, 5)
    held_session(tc, D(2024, 3, 4), {zhao.pk: L})
    response = world.client("dave").post(
        f"/learning/training/enrolments/{enrolment.pk}/feedback/", {"rating": "5"}
    )
    assert "参加过本班至少一次课程后才能评价" in response.content.decode()
    held_session(tc, D(2024, 3, 5), {zhao.pk: P})
    response = world.client("dave").post(
        f"/learning/training/enrolments/{enrolment.pk}/feedback/",
        {"rating": "4", "comment": "很实用"},
    )
    assert response.status_code == 302
    assert enrolment.feedback.rating == 4


def test_a_certificate_is_issued_only_to_who_passed_with_an_unguessable_code(world):
    wang, zhao = world.people["wang"], world.people["zhao"]
    tc = business_class(world)
    e1, e2 = actions.do_enrol(None, tc, [wang, zhao])
    with pytest.raises(ValidationError):
        actions.do_issue_certificate(None, e1)
    actions.do_set_result(None, e1, "passed", "优秀")
    actions.do_set_result(None, e2, "passed")
    c1 = actions.do_issue_certificate(None, e1).certificate_code
    c2 = actions.do_issue_certificate(None, e2).certificate_code
    assert c1 and c2 and c1 != c2 and len(c1) == 12
    page = world.client("bob").get(f"/learning/training/enrolments/{e1.pk}/certificate/")
    text = page.content.decode()
    assert "@page { size: A4" in text and "data-print" in text and c1 in text


def test_the_public_certificate_page_shows_only_the_four_fields(world):
    from django.test import Client

    wang = world.people["wang"]
    tc = business_class(world)
    (enrolment,) = actions.do_enrol(None, tc, [wang])
    held_session(tc, D(2024, 3, 4), {wang.pk: P}, "习近平法治思想专题")
    actions.do_set_result(None, enrolment, "passed", "优秀")
    code = actions.do_issue_certificate(None, enrolment).certificate_code
    response = Client().get(f"/learning/certificates/{code}/")
    assert response.status_code == 200
    text = response.content.decode()
    for shown in ("王芳", "2024年民事审判业务培训班", "2024-03-04 至 2024-03-08", ">2.0<"):
        assert shown in text
    for hidden in ("JY0001", "九原区", "优秀", "民事审判庭", "本院三楼"):
        assert hidden not in text
    assert Client().get("/learning/certificates/NOSUCHCODE12/").status_code == 404


def test_a_member_cannot_create_a_class(world):
    response = world.client("dave").post(
        "/learning/training/new/",
        {
            "organiser": "BT-JY",
            "name": "x",
            "kind": "business",
            "starts_on": "2024-03-01",
            "ends_on": "2024-03-01",
        },
    )
    assert response.status_code == 403
    assert not TrainingClass.objects.exists()


def test_an_officer_creates_a_class_through_the_page(world):
    response = world.client("bob").post(
        "/learning/training/new/",
        {
            "organiser": "民事审判庭（BT-JY-MS）",
            "name": "书记员技能培训",
            "kind": "skill_drill",
            "starts_on": "2024-04-01",
            "ends_on": "2024-04-02",
            "place": "本院",
        },
    )
    assert response.status_code == 302, response.content.decode()
    tc = TrainingClass.objects.get()
    assert tc.court.code == "BT-JY" and tc.organiser.code == "BT-JY-MS" and tc.code == "2024-001"


def test_an_off_site_class_names_its_host(world):
    with pytest.raises(ValidationError):
        actions.do_create_class(
            None,
            world.org("BT"),
            name="异地培训",
            kind="off_site",
            starts_on=D(2024, 4, 1),
            ends_on=D(2024, 4, 5),
        )


def test_a_secretary_of_another_court_cannot_see_the_class(world):
    tc = business_class(world)
    actions.do_enrol(None, tc, [world.people["wang"]])
    user = account_actions.do_create_user(None, "eh-shuji", password="x", check_password=False)
    account_actions.do_grant(None, user, Role.BRANCH_SECRETARY, world.org("EH-B01"))
    from django.test import Client

    client = Client()
    client.force_login(user)
    assert client.get(f"/learning/training/{tc.pk}/").status_code == 404
    assert "民事审判业务培训班" not in client.get("/learning/training/").content.decode()
    assert world.client("oscar").get(f"/learning/training/{tc.pk}/").status_code == 404
    # The secretary of the branch whose member is enrolled sees it.
    assert world.client("carol").get(f"/learning/training/{tc.pk}/").status_code == 200


def test_the_yearly_record_and_who_falls_short(world):
    wang, zhao = world.people["wang"], world.people["zhao"]
    tc = business_class(world)
    actions.do_enrol(None, tc, [wang, zhao])
    held_session(tc, D(2024, 3, 4), {wang.pk: P, zhao.pk: P}, "习近平法治思想专题")
    held_session(tc, D(2024, 3, 5), {wang.pk: P}, "民法典合同编疑难问题")
    court = world.org("BT-JY")
    actions.do_set_requirement(None, court, Category.JUDGE, Decimal("10"), Decimal("2"))
    actions.do_set_requirement(None, court, Category.CLERK, Decimal("10"), Decimal("2"))
    from tianping.accounts.scoping import scope_for

    report = shortfalls(scope_for(world.users["bob"]), 2024)
    assert [r.person.name for r in report.rows] == ["赵磊"] and report.checked == 2
    assert shortfall_count(scope_for(world.users["bob"]), 2024) == (1, 2)  # the dashboard's
    page = world.client("bob").get(f"/learning/hours/{wang.pk}/?year=2024").content.decode()
    assert "2024年民事审判业务培训班" in page and "已达到要求" in page
    mine = world.client("dave").get("/learning/hours/?year=2024").content.decode()
    assert "尚差8.0学时" in mine
    listing = world.client("bob").get("/learning/hours/shortfall/?year=2024").content.decode()
    assert "赵磊" in listing and "王芳" not in listing


def test_the_dashboard_counts_who_falls_short(world):
    from django.utils import timezone

    court = world.org("BT-JY")
    actions.do_set_requirement(None, court, Category.JUDGE, Decimal("10"), Decimal("2"))
    page = world.client("bob").get("/").content.decode()
    assert "学时未达标" in page and f"{timezone.localdate().year}" in page


def test_the_person_page_links_to_the_yearly_record(world):
    wang = world.people["wang"]
    page = world.client("bob").get(f"/people/{wang.pk}/").content.decode()
    assert f"/learning/hours/{wang.pk}/" in page


def test_every_change_is_audited(world):
    tc = business_class(world)
    actions.do_make_final(None, tc)
    actions.do_add_session(None, tc, on=D(2024, 3, 4))
    done = set(
        AuditEvent.objects.filter(action__startswith="learning.").values_list("action", flat=True)
    )
    assert {
        "learning.class_create",
        "learning.class_plan",
        "learning.class_final",
        "learning.session",
    } <= done
    assert AuditEvent.objects.filter(action="activities.plan").exists()
