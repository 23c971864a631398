"""法官联系人 pages and API: what each persona sees and what a secretary records."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from tests.conftest import World
from tests.service.liaison_samples import sample_assignment, sample_matter
from tianping.service.actions import liaison as actions
from tianping.service.models import LiaisonAssignment, LiaisonVisit, Matter

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_the_ledger_counts_open_matters_older_than_30_days_plainly(world: World) -> None:
    sample_matter(world)  # raised 2024-03-05, open: long overdue
    body = world.client("bob").get("/service/liaison/").content.decode()
    assert "王芳" in body and "样本镇人民政府" in body
    assert "其中超过30天未办结1件" in body
    matters = world.client("bob").get("/service/liaison/matters/?state=overdue").content.decode()
    assert "超期未办结" in matters and "土地承包纠纷咨询" in matters


def test_the_outsider_and_other_branches_see_nothing(world: World) -> None:
    sample_matter(world)
    assert "样本镇" not in world.client("oscar").get("/service/liaison/").content.decode()
    a = sample_assignment(world)
    assert world.client("oscar").get(f"/service/liaison/{a.pk}/").status_code == 404
    # dave (赵磊) is a member: he sees only his own assignments.
    assert "样本镇" not in world.client("dave").get("/service/liaison/").content.decode()


def test_a_secretary_records_a_visit_with_a_matter_then_closes_it(world: World) -> None:
    a = sample_assignment(world)
    carol = world.client("carol")
    r = carol.post(
        f"/service/liaison/{a.pk}/visit/",
        {
            "on": (TODAY - dt.timedelta(days=2)).isoformat(),
            "title": "走访样本镇",
            "companions": "JY0002",
            "met": "8",
            "matter_text": "村民希望法官来村里讲解婚姻家庭纠纷",
            "matter_category": "legal_advice",
            "matter_by": "村支书",
        },
    )
    assert r.status_code == 302
    visit = LiaisonVisit.objects.get(assignment=a)
    assert visit.activity.attendance.filter(status="present").count() == 2
    m = Matter.objects.get(visit=visit)
    r = carol.post(f"/service/liaison/matters/{m.pk}/close/", {"on": TODAY.isoformat()})
    assert "办结须填写办理结果" in r.content.decode()
    carol.post(
        f"/service/liaison/matters/{m.pk}/close/",
        {"on": TODAY.isoformat(), "result": "已到村开展讲座"},
    )
    m.refresh_from_db()
    assert m.closed_on == TODAY and m.result == "已到村开展讲座"


def test_a_visit_outside_the_assignment_is_refused_beside_the_date(world: World) -> None:
    a = actions.do_assign(
        None,
        world.people["wang"],
        contact_kind="npc_deputy",
        contact_name="区人大代表 某某",
        starts_on=TODAY - dt.timedelta(days=10),
        ends_on=TODAY - dt.timedelta(days=5),
    )
    r = world.client("carol").post(f"/service/liaison/{a.pk}/visit/", {"on": TODAY.isoformat()})
    assert r.status_code == 200 and "不在联系期限内" in r.content.decode()
    assert not LiaisonVisit.objects.filter(assignment=a).exists()


def test_a_secretary_cannot_assign_but_the_party_office_can(world: World) -> None:
    form = {
        "judge": "JY0001",
        "contact_kind": "association",
        "contact_name": "某商会",
        "starts_on": "2024-01-01",
    }
    world.client("carol").post("/service/liaison/", form)
    assert not LiaisonAssignment.objects.filter(contact_name="某商会").exists()
    r = world.client("bob").post("/service/liaison/", form)
    assert r.status_code == 302
    assert LiaisonAssignment.objects.get(contact_name="某商会").judge.name == "王芳"


def test_the_export_holds_the_ledger_and_the_matters(world: World) -> None:
    sample_matter(world)
    r = world.client("bob").get("/service/liaison/export/")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    assert book.sheetnames == ["法官联系人台账", "联系诉求"]
    assert book["联系诉求"]["B2"].value == "王芳"


def test_the_api_lists_overdue_matters_and_closes_one(world: World) -> None:
    m = sample_matter(world)
    client = world.client("carol")
    r = client.get("/api/v1/service/liaison/matters?state=overdue")
    assert r.status_code == 200 and r.json()["items"][0]["overdue"] is True
    r = client.post(
        f"/api/v1/service/liaison/matters/{m.pk}/close",
        {"on": TODAY.isoformat(), "result": ""},
        content_type="application/json",
    )
    assert r.status_code == 422
    r = client.post(
        f"/api/v1/service/liaison/matters/{m.pk}/close",
        {"on": TODAY.isoformat(), "result": "已答复"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["overdue"] is False
