"""Honours (荣誉表彰): counts by level and year with the derived sentence (withdrawn excluded),
the ledger, the fragments, recording and withdrawing through the pages, the sheet import."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.management import call_command

from tianping.accounts.scoping import scope_for
from tianping.talent.actions.honours import do_record_honour, do_withdraw_honour
from tianping.talent.honours_import import import_honours
from tianping.talent.models import Honour
from tianping.talent.queries.honours import approx, counts


def _honour(
    person=None, org=None, *, level="province", kind="advanced_person", on=None, title="先进个人"
):
    return do_record_honour(
        None,
        person=person,
        org=org,
        title=title,
        kind=kind,
        level=level,
        awarded_by="内蒙古自治区高级人民法院",
        awarded_on=on or dt.date(2023, 12, 20),
    )


def test_approx_writes_yu_for_a_court_that_rounds():
    assert approx(62, "tens") == "60余"
    assert approx(60, "tens") == "60"
    assert approx(12, "tens") == "12"
    assert approx(62) == "62"


@pytest.mark.django_db
def test_honour_counts_by_level_exclude_withdrawn_and_count_each_person_once(world):
    p = world.people
    _honour(p["wang"])
    _honour(p["wang"], title="优秀共产党员", kind="excellent_member")
    _honour(p["sun"], level="city", kind="merit_2", title="个人二等功")
    _honour(p["zhao"], level="city", kind="merit_3", title="个人三等功")
    withdrawn = _honour(p["zhou"], level="national", on=dt.date(2022, 5, 1))
    do_withdraw_honour(None, withdrawn, reason="登记有误")
    for code in ("BT-JY-B01", "BT-JY-B02"):
        _honour(org=world.org(code), kind="top_branch", title="百强党支部")
    scope = scope_for(world.users["alice"])
    c = counts(scope, world.org("BT-JY"))
    # 王芳 (two provincial honours) and 孙丽 (二等功): two people; 周强's is withdrawn.
    assert c.people == 2
    assert c.sentence == "九原区人民法院共有2名干警荣获省级以上荣誉或二等功以上奖励，其中党员2名"
    assert c.table == {2023: {"province": 4, "city": 2}}
    assert ("top_branch", 2, "2个支部获评百强党支部") in c.collectives
    page = world.client("alice").get("/talent/honours/counts/?court=BT-JY").content.decode()
    assert "共有2名干警荣获省级以上荣誉" in page


@pytest.mark.django_db
def test_honours_ledger_filters_and_member_sees_own(world):
    p = world.people
    _honour(p["wang"])
    _honour(p["zhao"], level="court", kind="commendation", title="嘉奖")
    alice = world.client("alice").get("/talent/honours/?level=province").content.decode()
    assert "王芳" in alice and "赵磊" not in alice
    dave = world.client("dave").get("/talent/honours/").content.decode()
    assert "赵磊" in dave and "王芳" not in dave
    assert "王芳" not in world.client("oscar").get("/talent/honours/").content.decode()


@pytest.mark.django_db
def test_person_and_org_pages_include_honours(world):
    h = _honour(world.people["wang"], title="全区法院先进个人")
    _honour(org=world.org("BT-JY-B01"), kind="top_branch", title="全区百强党支部")
    alice = world.client("alice")
    person_page = alice.get(f"/people/{world.people['wang'].pk}/").content.decode()
    assert f"/talent/honours/people/{world.people['wang'].pk}/" in person_page
    fragment = alice.get(f"/talent/honours/people/{world.people['wang'].pk}/").content.decode()
    assert "全区法院先进个人" in fragment and f"/talent/honours/{h.pk}/" in fragment
    assert "全区百强党支部" in alice.get("/talent/honours/orgs/BT-JY-B01/").content.decode()
    assert (
        world.client("oscar").get(f"/talent/honours/people/{world.people['wang'].pk}/").status_code
        == 404
    )


@pytest.mark.django_db
def test_recording_and_withdrawing_through_the_pages(world):
    bob = world.client("bob")
    r = bob.post(
        "/talent/honours/new/",
        {
            "holder": "person",
            "person": "王芳（JY0001）",
            "title": "全市法院办案标兵",
            "kind": "advanced_person",
            "level": "city",
            "awarded_by": "包头市中级人民法院",
            "awarded_on": "2024-01-10",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    honour = Honour.objects.get(title="全市法院办案标兵")
    r = bob.post(f"/talent/honours/{honour.pk}/withdraw/", {"reason": ""})
    assert "撤销理由" in r.content.decode() or "必填" in r.content.decode()
    bob.post(f"/talent/honours/{honour.pk}/withdraw/", {"reason": "文号有误"})
    honour.refresh_from_db()
    assert honour.withdrawn_reason == "文号有误" and Honour.objects.filter(pk=honour.pk).exists()
    # A collective-only kind refused for a person, beside the field.
    r = bob.post(
        "/talent/honours/new/",
        {
            "holder": "person",
            "person": "王芳（JY0001）",
            "title": "百强",
            "kind": "top_branch",
            "level": "province",
            "awarded_by": "高院",
            "awarded_on": "2024-01-10",
        },
    )
    assert "只能授予集体" in r.content.decode()
    assert world.client("carol").get("/talent/honours/new/").status_code == 403


def _sheet(rows):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(
        ["工号", "姓名", "集体代码", "荣誉名称", "类别", "级别", "授予机关", "授予日期", "文号"]
    )
    for row in rows:
        ws.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return data


@pytest.mark.django_db
def test_honours_import_is_all_or_nothing_with_row_column_value_errors(world):
    court = world.org("BT-JY")
    bad = _sheet(
        [
            [
                "JY0001",
                "王芳",
                "",
                "全区先进个人",
                "先进个人",
                "省级",
                "高院",
                "2023-12-20",
                "内高法〔2023〕88号",
            ],
            ["JY9999", "", "", "嘉奖", "嘉奖", "院级", "本院", "2023-12-20", ""],
            [
                "",
                "",
                "BT-JY-B01",
                "百强党支部",
                "百强党支部",
                "火星级",
                "高院机关党委",
                "2023-06-28",
                "",
            ],
        ]
    )
    result = import_honours(bad, court, None)
    assert not result.ok and Honour.objects.count() == 0
    problems = {(e.row, e.column, str(e.value)) for e in result.errors}
    assert (3, "工号", "JY9999") in problems
    assert (4, "级别", "火星级") in problems
    good = _sheet(
        [
            ["jy0001", "王芳", "", "全区先进个人", "先进个人", "省级", "高院", "2023.12.20", ""],
            [
                "",
                "",
                "BT-JY-B01",
                "全区百强党支部",
                "百强支部",
                "省",
                "高院机关党委",
                "2023-06-28",
                "",
            ],
        ]
    )
    result = import_honours(good, court, None)
    assert result.ok and result.created == 2
    again = import_honours(
        _sheet([["JY0001", "", "", "全区先进个人", "先进个人", "省级", "高院", "2023-12-20", ""]]),
        court,
        None,
    )
    assert again.created == 0 and again.unchanged == 1


@pytest.mark.django_db
def test_import_honours_command_prints_the_import_json(world, tmp_path, capsys):
    path = tmp_path / "honours.xlsx"
    path.write_bytes(
        _sheet(
            [
                [
                    "JY0003",
                    "孙丽",
                    "",
                    "个人二等功",
                    "二等功",
                    "市级",
                    "包头市中级人民法院",
                    "2024-01-15",
                    "",
                ]
            ]
        ).read()
    )
    call_command("import_honours", str(path), court="BT-JY", json=True)
    out = capsys.readouterr().out
    assert '"created": 1' in out
    assert Honour.objects.get().person == world.people["sun"]


@pytest.mark.django_db
def test_honours_api_records_lists_counts_and_withdraws(world):
    from tests.api.conftest import ApiClient

    api = ApiClient(world.client("alice"))
    r = api.post(
        "/talent/honours",
        {
            "person_id": world.people["wang"].pk,
            "title": "全区法院先进个人",
            "kind": "advanced_person",
            "level": "province",
            "awarded_by": "内蒙古自治区高级人民法院",
            "awarded_on": "2023-12-20",
        },
    )
    assert r.status_code == 201, r.content
    hid = r.json()["id"]
    assert api.get("/talent/honours?level=province").json()["count"] == 1
    c = api.get("/talent/honours/counts?court=BT-JY").json()
    assert c["people"] == 1 and "1名干警" in c["sentence"]
    assert (
        api.post(f"/talent/honours/{hid}/withdraw", {"reason": "有误"}).json()["withdrawn_reason"]
        == "有误"
    )
    assert api.get("/talent/honours/counts?court=BT-JY").json()["people"] == 0
    r = api.post(
        "/talent/honours",
        {
            "title": "x",
            "kind": "merit_2",
            "level": "city",
            "awarded_by": "x",
            "awarded_on": "2023-01-01",
        },
    )
    assert r.status_code == 422
    assert ApiClient(world.client("oscar")).get(f"/talent/honours/{hid}").status_code == 404
