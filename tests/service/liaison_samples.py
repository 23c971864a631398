"""Sample liaison and brand records for the permission matrix and the API schema tests:
王芳 (BT-JY, branch BT-JY-B01) liaises with a township; a matter raised at a visit; the
brand of BT-JY-B01 and a demonstration post of 九原区法院 with 王芳 on duty."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tianping.service.actions import brands as brand_actions
from tianping.service.actions import liaison as actions
from tianping.service.models import Brand, DemoPost, LiaisonAssignment, Matter


def sample_assignment(world: Any) -> LiaisonAssignment:
    found = LiaisonAssignment.objects.filter(contact_name="样本镇人民政府").first()
    if found is not None:
        return found
    return actions.do_assign(
        None,
        world.people["wang"],
        contact_kind="township",
        contact_name="样本镇人民政府",
        starts_on=dt.date(2024, 1, 1),
    )


def sample_matter(world: Any) -> Matter:
    found = Matter.objects.filter(raised_by="样本村委会").first()
    if found is not None:
        return found
    a = sample_assignment(world)
    visit = actions.do_record_visit(
        None,
        a,
        on=dt.date(2024, 3, 5),
        matters=[actions.RaisedMatter("土地承包纠纷咨询", "legal_advice", "样本村委会")],
    )
    return visit.matters.get()


def sample_brand(world: Any) -> Brand:
    found = Brand.objects.filter(branch__code="BT-JY-B01", retired_on__isnull=True).first()
    if found is not None:
        return found
    return brand_actions.do_create_brand(
        None,
        world.org("BT-JY-B01"),
        name="天平先锋",
        theme="党建引领审判",
        started_on=dt.date(2023, 1, 1),
    )


def sample_post(world: Any) -> DemoPost:
    found = DemoPost.objects.filter(name="样本示范岗").first()
    if found is not None:
        return found
    post = brand_actions.do_create_post(
        None,
        world.org("BT-JY-B01"),
        kind="model",
        name="样本示范岗",
        place="诉讼服务中心一站式服务大厅",
        established_on=dt.date(2024, 1, 1),
    )
    brand_actions.do_add_shift(None, post, world.people["wang"], starts_on=dt.date(2024, 1, 1))
    return post
