"""An organisation's founding date (成立日期, D2): from the org sheet, the org page and the API."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tests.conftest import World
from tests.people.sheets import xlsx
from tianping.audit.models import AuditEvent
from tianping.orgs.importing import import_orgs
from tianping.orgs.models import Org

D = dt.date
HEADER = ["代码", "名称", "类型", "上级代码", "成立日期"]


def sheet(*rows: list[Any], header: list[str] = HEADER) -> Any:
    return xlsx([header, *rows])


def founded(code: str) -> dt.date | None:
    return Org.objects.get(code=code).founded_on


def test_d2_the_org_sheet_takes_a_founding_date_as_a_clerk_writes_it(world: World) -> None:
    result = import_orgs(
        sheet(
            ["BT-JY-B03", "第三党支部", "党支部", "BT-JY-JGDW", "2019.05"],
            ["BT-JY-B04", "第四党支部", "党支部", "BT-JY-JGDW", "2021年3月15日"],
            ["BT-JY-B05", "第五党支部", "党支部", "BT-JY-JGDW", dt.datetime(2022, 7, 1)],
            ["BT-JY-B06", "第六党支部", "党支部", "BT-JY-JGDW", None],
        ),
        None,
    )
    assert result.as_json() == {
        "ok": True,
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
    }
    assert [founded(c) for c in ("BT-JY-B03", "BT-JY-B04", "BT-JY-B05", "BT-JY-B06")] == [
        D(2019, 5, 1),
        D(2021, 3, 15),
        D(2022, 7, 1),
        None,
    ]
    created = AuditEvent.objects.filter(action="orgs.create", object_repr="第四党支部").get()
    assert created.after["founded_on"] == "2021-03-15"


def test_d2_the_column_is_optional_and_takes_a_synonym(world: World) -> None:
    assert import_orgs(
        sheet(["BT-JY-B03", "第三党支部", "党支部", "BT-JY-JGDW"], header=HEADER[:4]), None
    ).ok
    assert founded("BT-JY-B03") is None
    result = import_orgs(
        sheet(
            ["BT-JY-B03", "第三党支部", "党支部", "BT-JY-JGDW", "2020/9/1"],
            header=[*HEADER[:4], "成立时间"],
        ),
        None,
    )
    assert (result.updated, result.unchanged) == (1, 0)
    assert founded("BT-JY-B03") == D(2020, 9, 1)


def test_d2_a_bad_founding_date_names_the_row_the_column_and_the_value(world: World) -> None:
    result = import_orgs(
        sheet(
            ["BT-JY-B03", "第三党支部", "党支部", "BT-JY-JGDW", "2019-13-01"],
            ["BT-JY-B04", "第四党支部", "党支部", "BT-JY-JGDW", "去年"],
            ["BT-JY-B05", "第五党支部", "党支部", "BT-JY-JGDW", "2099-01-01"],
            header=[*HEADER[:4], "成立时间"],
        ),
        None,
    )
    errors = [e.as_dict() for e in result.errors]
    assert [(e["row"], e["column"], e["value"]) for e in errors] == [
        (2, "成立时间", "2019-13-01"),
        (3, "成立时间", "去年"),
        (4, "成立时间", "2099-01-01"),
    ]
    assert errors[0]["message"] == "不是有效的日期：没有13月"
    assert errors[1]["message"].startswith("无法识别的日期")
    assert errors[2]["message"] == "成立日期晚于今天"
    assert not Org.objects.filter(code__in=["BT-JY-B03", "BT-JY-B04", "BT-JY-B05"]).exists()


def test_d2_a_new_founding_date_updates_an_organisation_and_a_blank_cell_keeps_it(
    world: World,
) -> None:
    rows = [["BT-JY-B01", "第一党支部", "党支部", "BT-JY-JGDW", "2018-06-01"]]
    assert import_orgs(sheet(*rows), None).updated == 1
    assert founded("BT-JY-B01") == D(2018, 6, 1)
    event = AuditEvent.objects.filter(action="orgs.update").latest("id")
    assert (event.before["founded_on"], event.after["founded_on"]) == (None, "2018-06-01")
    again = import_orgs(sheet(["BT-JY-B01", "第一党支部", "党支部", "BT-JY-JGDW", None]), None)
    assert (again.updated, again.unchanged) == (0, 1)
    assert founded("BT-JY-B01") == D(2018, 6, 1)


def test_d2_a_founding_date_after_the_dissolution_is_refused(world: World) -> None:
    from tianping.people.actions import do_merge_branches

    do_merge_branches(None, world.org("BT-JY-B02"), world.org("BT-JY-B01"), D(2024, 5, 15))
    result = import_orgs(
        sheet(["BT-JY-B02", "第二党支部", "党支部", "BT-JY-JGDW", "2024-06-01"]), None
    )
    assert [(e.row, e.column) for e in result.errors] == [(2, "成立日期")]
    assert "已于2024-05-15撤销" in result.errors[0].message
    assert founded("BT-JY-B02") is None


def test_d2_an_orgs_page_sets_and_changes_the_founding_date_audited(world: World) -> None:
    bob = world.client("bob")
    page = bob.get("/orgs/BT-JY-B02/").content.decode()
    assert "成立日期" in page and "未填写" in page
    form = bob.get("/orgs/BT-JY-B02/edit/").content.decode()
    assert 'name="founded_on"' in form
    response = bob.post(
        "/orgs/BT-JY-B02/edit/",
        {"code": "BT-JY-B02", "name": "第二党支部", "founded_on": "2023-04-10"},
    )
    assert response.status_code == 302
    assert founded("BT-JY-B02") == D(2023, 4, 10)
    assert "2023-04-10" in bob.get("/orgs/BT-JY-B02/").content.decode()
    event = AuditEvent.objects.filter(action="orgs.update", user=world.users["bob"]).latest("id")
    assert (event.before["founded_on"], event.after["founded_on"]) == (None, "2023-04-10")
    # The change reads in Chinese in the page's history.
    assert "成立日期：— → 2023-04-10" in bob.get("/orgs/BT-JY-B02/").content.decode()
    # Cleared again.
    bob.post("/orgs/BT-JY-B02/edit/", {"code": "BT-JY-B02", "name": "第二党支部"})
    assert founded("BT-JY-B02") is None


def test_d2_a_founding_date_still_to_come_is_refused_beside_the_field(world: World) -> None:
    response = world.client("bob").post(
        "/orgs/BT-JY-B02/edit/",
        {"code": "BT-JY-B02", "name": "第二党支部", "founded_on": "2099-01-01"},
    )
    assert response.status_code == 200
    assert "成立日期2099-01-01晚于今天" in response.content.decode()
    assert founded("BT-JY-B02") is None


def test_d2_an_edit_that_changes_nothing_leaves_no_audit_row(world: World) -> None:
    before = AuditEvent.objects.filter(action="orgs.update").count()
    world.client("bob").post("/orgs/BT-JY-B02/edit/", {"code": "BT-JY-B02", "name": "第二党支部"})
    assert AuditEvent.objects.filter(action="orgs.update").count() == before


def test_d2_the_api_reads_and_sets_the_founding_date(world: World) -> None:
    alice = world.client("alice")

    def patch(body: dict[str, Any]) -> Any:
        return alice.patch(
            "/api/v1/orgs/BT-JY-B02", data=json.dumps(body), content_type="application/json"
        )

    assert alice.get("/api/v1/orgs/BT-JY-B02").json()["founded_on"] is None
    r = patch({"founded_on": "2015-07-01"})
    assert r.status_code == 200, r.content
    assert r.json()["founded_on"] == "2015-07-01"
    # A body that does not name the date keeps it; null clears it.
    assert patch({"name": "第二党支部（审判）"}).json()["founded_on"] == "2015-07-01"
    assert patch({"founded_on": None}).json()["founded_on"] is None
    r = alice.post(
        "/api/v1/orgs",
        data=json.dumps(
            {
                "code": "BT-JY-B03",
                "name": "第三党支部",
                "kind": "branch",
                "parent": "BT-JY-JGDW",
                "founded_on": "2024-05-15",
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert founded("BT-JY-B03") == D(2024, 5, 15)
