"""Sample honours and talent pools of the test world, shared by the talent tests and the
permission matrices: 王芳 (九原区, BT-JY-B01) holds a provincial honour and sits in a pool."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tianping.talent.actions.honours import do_record_honour
from tianping.talent.actions.pools import do_admit, do_create_pool, do_nominate
from tianping.talent.models import Honour, PoolMember, TalentPool


def sample_honour(world: Any) -> Honour:
    found = Honour.objects.filter(title="矩阵样本荣誉").first()
    if found is not None:
        return found
    return do_record_honour(
        None,
        person=world.people["wang"],
        title="矩阵样本荣誉",
        kind="advanced_person",
        level="province",
        awarded_by="内蒙古自治区高级人民法院",
        awarded_on=dt.date(2023, 12, 20),
        document_no="内高法〔2023〕88号",
    )


def sample_pool(world: Any) -> TalentPool:
    found = TalentPool.objects.filter(name="矩阵样本人才库").first()
    if found is not None:
        return found
    return do_create_pool(
        None,
        world.org("BT-JY"),
        kind="reserve_cadre",
        name="矩阵样本人才库",
        rules=[{"criterion": "age_max", "value": 45}, {"criterion": "party_member", "value": True}],
    )


def sample_member(world: Any) -> PoolMember:
    pool = sample_pool(world)
    found = pool.members.filter(person=world.people["wang"]).first()
    if found is not None:
        return found
    (member,) = do_nominate(None, pool, [world.people["wang"]], on=dt.date(2024, 1, 5))
    return do_admit(None, member, on=dt.date(2024, 1, 20))


def matrix_sample(world: Any, kwarg: str) -> Any:
    if kwarg == "honour_id":
        return sample_honour(world)
    if kwarg == "pool_id":
        return sample_pool(world)
    return sample_member(world)
