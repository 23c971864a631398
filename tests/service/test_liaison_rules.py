"""法官联系人: the rules of visits and matters (docs/rules.md, 法官联系人)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.conftest import World
from tianping.activities.models import Activity, Attendance
from tianping.audit.models import AuditEvent
from tianping.service.actions import liaison as actions
from tianping.service.models import LiaisonAssignment, Matter, MatterStep
from tianping.service.queries import liaison as queries

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _assign(world: World, **kw) -> LiaisonAssignment:
    fields = {
        "contact_kind": "association",
        "contact_name": "九原区工商业联合会（总商会）",
        "starts_on": TODAY - dt.timedelta(days=200),
    }
    fields.update(kw)
    return actions.do_assign(None, world.people["wang"], **fields)


def _matter(world: World, raised_on: dt.date) -> Matter:
    a = _assign(world)
    return actions.do_raise_matter(
        None,
        a,
        text="企业反映一起买卖合同纠纷执行进度",
        category="enforcement",
        raised_by="某建材公司",
        raised_on=raised_on,
    )


def test_l1_a_visit_is_an_activity_of_the_kind_liaison_visit_with_the_judge_present(world):
    a = _assign(world)
    visit = actions.do_record_visit(
        None,
        a,
        on=TODAY - dt.timedelta(days=3),
        companions=[world.people["zhao"]],
        met=12,
        matters=[actions.RaisedMatter("会员企业希望开展合同风险讲座", "suggestion", "商会秘书长")],
    )
    activity = Activity.objects.get(pk=visit.activity_id)
    assert activity.kind == "liaison_visit" and activity.status == "held"
    assert activity.org.code == "BT-JY-B01" and activity.external_audience == 12
    present = set(
        Attendance.objects.filter(activity=activity, status="present").values_list(
            "person__name", flat=True
        )
    )
    assert present == {"王芳", "赵磊"}
    assert visit.matters.get().raised_on == activity.on
    assert AuditEvent.objects.filter(action="service.liaison_visit").exists()


def test_l1_an_assignment_outside_its_dates_cannot_get_a_visit(world):
    a = _assign(
        world, starts_on=TODAY - dt.timedelta(days=100), ends_on=TODAY - dt.timedelta(days=10)
    )
    with pytest.raises(ValidationError, match="不在联系期限内"):
        actions.do_record_visit(None, a, on=TODAY - dt.timedelta(days=5))
    with pytest.raises(ValidationError, match="不在联系期限内"):
        actions.do_record_visit(None, a, on=TODAY - dt.timedelta(days=101))
    # Both ends are inside.
    actions.do_record_visit(None, a, on=TODAY - dt.timedelta(days=10))
    actions.do_record_visit(None, a, on=TODAY - dt.timedelta(days=100))
    assert not Activity.objects.filter(on=TODAY - dt.timedelta(days=5)).exists()


def test_l1_a_visit_in_the_future_is_refused(world):
    with pytest.raises(ValidationError, match="尚未到来"):
        actions.do_record_visit(None, _assign(world), on=TODAY + dt.timedelta(days=1))


def test_l1_a_refused_visit_writes_nothing(world):
    a = _assign(world)
    with pytest.raises(ValidationError):
        actions.do_record_visit(
            None, a, on=TODAY, matters=[actions.RaisedMatter("", "other", "某人")]
        )
    assert not Activity.objects.filter(kind="liaison_visit").exists()


def test_l2_an_assignment_cannot_end_before_its_last_visit(world):
    a = _assign(world)
    actions.do_record_visit(None, a, on=TODAY - dt.timedelta(days=5))
    with pytest.raises(ValidationError, match="最后一次走访"):
        actions.do_end_assignment(None, a, TODAY - dt.timedelta(days=6))
    actions.do_end_assignment(None, a, TODAY - dt.timedelta(days=5))


def test_l3_a_matter_older_than_30_days_is_flagged_until_closed(world):
    m = _matter(world, TODAY - dt.timedelta(days=31))
    fresh = _matter(world, TODAY - dt.timedelta(days=30))
    assert m.overdue_on(TODAY) and not fresh.overdue_on(TODAY)
    assert queries.figures(_admin_scope(world)).overdue == 1
    actions.do_add_step(None, m, on=TODAY - dt.timedelta(days=20), text="已协调执行局核查")
    m.refresh_from_db()
    assert m.overdue_on(TODAY), "a step does not clear the flag: only closing does"
    actions.do_close_matter(None, m, on=TODAY, result="已执行到位，企业表示满意")
    m.refresh_from_db()
    assert not m.overdue_on(TODAY)
    assert queries.figures(_admin_scope(world)).overdue == 0


def _admin_scope(world: World):
    from tianping.accounts.scoping import scope_for

    return scope_for(world.users["admin"])


def test_l4_closing_needs_a_result(world):
    m = _matter(world, TODAY - dt.timedelta(days=3))
    with pytest.raises(ValidationError, match="办理结果"):
        actions.do_close_matter(None, m, on=TODAY, result="   ")
    m.refresh_from_db()
    assert m.closed_on is None
    # The database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Matter.objects.filter(pk=m.pk).update(closed_on=TODAY)


def test_l4_closing_falls_after_the_last_step_and_only_once(world):
    m = _matter(world, TODAY - dt.timedelta(days=10))
    actions.do_add_step(None, m, on=TODAY - dt.timedelta(days=4), text="电话回复企业")
    with pytest.raises(ValidationError, match="不能早于"):
        actions.do_close_matter(None, m, on=TODAY - dt.timedelta(days=5), result="已答复")
    actions.do_close_matter(None, m, on=TODAY - dt.timedelta(days=4), result="已答复")
    with pytest.raises(ValidationError, match="已于"):
        actions.do_close_matter(None, m, on=TODAY, result="再次办结")
    with pytest.raises(ValidationError, match="不能再登记"):
        actions.do_add_step(None, m, on=TODAY, text="补充")


def test_l5_handling_steps_are_appended_in_order(world):
    m = _matter(world, TODAY - dt.timedelta(days=10))
    with pytest.raises(ValidationError, match="不能早于提出日期"):
        actions.do_add_step(None, m, on=TODAY - dt.timedelta(days=11), text="太早")
    actions.do_add_step(None, m, on=TODAY - dt.timedelta(days=2), text="第二步")
    actions.do_add_step(None, m, on=TODAY - dt.timedelta(days=8), text="第一步")
    assert [s.text for s in MatterStep.objects.filter(matter=m)] == ["第一步", "第二步"]
    assert AuditEvent.objects.filter(action="service.matter_step").count() == 2


def test_l5_a_matter_is_raised_within_its_assignment(world):
    a = _assign(world, starts_on=TODAY - dt.timedelta(days=5))
    with pytest.raises(ValidationError, match="不在联系期限内"):
        actions.do_raise_matter(
            None,
            a,
            text="x",
            category="other",
            raised_by="y",
            raised_on=TODAY - dt.timedelta(days=6),
        )


def test_an_assignment_needs_a_serving_judge_a_kind_and_ordered_dates(world):
    with pytest.raises(ValidationError) as e:
        actions.do_assign(
            None,
            world.people["wang"],
            contact_kind="church",
            contact_name="",
            starts_on=TODAY,
            ends_on=TODAY - dt.timedelta(days=1),
        )
    assert set(e.value.message_dict) == {"contact_kind", "contact_name", "ends_on"}
