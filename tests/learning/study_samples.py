"""Sample study records for the permission matrix and the walk: a branch plan, a reflection."""

from __future__ import annotations

from tianping.learning.actions import study as actions
from tianping.learning.models import Reflection, StudyPlan

from .texts import ORIGINAL


def sample_plan(world) -> StudyPlan:
    existing = StudyPlan.objects.filter(org__code="BT-JY-B01", year=2024).first()
    if existing is not None:
        return existing
    plan = actions.do_create_plan(None, world.org("BT-JY-B01"), year=2024, title="矩阵样本学习计划")
    actions.do_add_topic(None, plan, month=3, title="学习全国两会精神")
    return plan


def sample_reflection(world) -> Reflection:
    """赵磊's (dave's) reflection in BT-JY-B01: carol reviews it."""
    existing = Reflection.objects.filter(title="矩阵样本心得").first()
    if existing is not None:
        return existing
    return actions.do_submit_reflection(
        None, world.people["zhao"], title="矩阵样本心得", body=ORIGINAL
    )
