"""The dues pages: a month with totals and Excel, the upload, the register, arrears, one's own."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from tianping.audit.models import AuditEvent
from tianping.dues import actions
from tianping.dues.models import DuesBase, DuesExcuse, DuesPayment, DuesSetting

from .conftest import pay_sheet

MARCH = dt.date(2024, 3, 1)
HX = {"HX-Request": "true"}


def body(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def bases(world):
    actions.do_set_base(None, world.people["wang"], dt.date(2023, 1, 1), 650_000)
    actions.do_set_base(None, world.people["zhao"], dt.date(2023, 1, 1), 300_000)
    actions.do_set_base(None, world.people["sun"], dt.date(2023, 1, 1), 500_001)


def confirm_token(page: str) -> str:
    return re.search(r"/dues/upload/([\w-]+)/confirm/", page).group(1)


def upload(client, sheet, court="BT-JY", month="2024-03"):
    file = SimpleUploadedFile("工资表.xlsx", sheet.getvalue())
    # A big sheet (a test lowers the threshold) is checked by a task: follow to its preview.
    data = {"court": court, "month": month, "file": file}
    return client.post("/dues/upload/", data, follow=True)


# --- a month's dues -------------------------------------------------------------------


def test_an_officer_sees_a_courts_month_with_rates_dues_and_totals(world):
    bases(world)
    page = body(world.client("bob").get("/dues/?court=BT-JY&month=2024-03"))
    assert "2024年3月" in page
    for text in ("王芳", "赵磊", "孙丽", "6500.00", "1.5%", "97.50", "15.00", "75.00"):
        assert text in page
    assert 'id="stat-total">187.50<' in page
    assert "周强" not in page  # 群众


def test_the_month_downloads_as_the_dues_sheet(world):
    bases(world)
    response = world.client("bob").get("/dues/export/?court=BT-JY&month=2024-03")
    assert response.status_code == 200
    assert "BT-JY-2024-03.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[1][:2] == ("JY0001", "王芳") and rows[1][-1] == 97.5
    assert rows[-1][0] == "合计" and rows[-1][-1] == 187.5


def test_a_secretary_sees_her_branch_by_default_and_not_the_court(world):
    bases(world)
    client = world.client("carol")
    page = body(client.get("/dues/?month=2024-03"))
    assert "王芳" in page and "赵磊" in page and "孙丽" not in page
    assert client.get("/dues/?court=BT-JY").status_code == 404
    assert client.get("/dues/export/?court=BT-JY-B02").status_code == 404


def test_a_branch_filter_narrows_a_courts_month(world):
    bases(world)
    page = body(world.client("bob").get("/dues/?court=BT-JY&branch=BT-JY-B02&month=2024-03"))
    assert "孙丽" in page and "王芳" not in page


def test_the_results_region_renders_alone_for_htmx(world):
    bases(world)
    response = world.client("bob").get(
        "/dues/?court=BT-JY&month=2024-03", headers={**HX, "HX-Target": "results"}
    )
    page = body(response)
    assert "王芳" in page and "<html" not in page


def test_a_bad_month_falls_back_to_this_month_and_says_so(world):
    page = body(world.client("bob").get("/dues/?court=BT-JY&month=2024-13"))
    assert "月份“2024-13”无效" in page


def test_the_outsider_gets_404_on_our_court_and_sees_only_his_own_court(world):
    bases(world)
    oscar = world.client("oscar")
    assert oscar.get("/dues/?court=BT-JY").status_code == 404
    assert oscar.get("/dues/arrears/?court=BT").status_code == 404
    assert oscar.get("/dues/export/?court=BT-JY").status_code == 404
    page = body(oscar.get("/dues/"))
    assert "鄂尔多斯" in page and "王芳" not in page and "九原" not in page


def test_a_member_is_sent_to_his_own_dues_and_sees_nothing_else(world):
    bases(world)
    actions.do_record_payment(None, world.people["zhao"], MARCH, paid_on=dt.date(2024, 3, 8))
    dave = world.client("dave")
    response = dave.get("/dues/?court=BT-JY")
    assert response.status_code == 302 and response["Location"] == "/dues/mine/"
    assert dave.get("/dues/arrears/").status_code == 302
    assert dave.get("/dues/export/?court=BT-JY").status_code == 404
    assert dave.get("/dues/register/").status_code == 403
    page = body(dave.get("/dues/mine/?year=2024"))
    assert "赵磊" in page and "15.00" in page and "已交 15.00" in page
    assert "王芳" not in page and "97.50" not in page


def test_a_leader_and_the_political_department_read_but_do_not_record(world):
    for name in ("erin", "alice"):
        client = world.client(name)
        assert client.get("/dues/?court=BT-JY").status_code == 200
        assert client.get("/dues/register/?court=BT-JY").status_code == 403
        assert client.get("/dues/upload/").status_code == 403


def test_a_user_without_a_person_is_told_so_on_the_own_page(world):
    page = body(world.client("bob").get("/dues/mine/"))
    assert "没有关联花名册中的人员" in page


# --- the pay-sheet upload ---------------------------------------------------------------


def test_a_bad_pay_sheet_is_previewed_with_every_bad_row_and_nothing_is_written(world):
    sheet = pay_sheet(
        ["JY0001", "王芳", -6500, "在职"],
        ["JY9999", "无名", 4000, "在职"],
        ["JY0003", "孙丽", 5000, "停薪"],
    )
    page = body(upload(world.client("bob"), sheet))
    assert "发现 3 处问题，未写入任何数据" in page
    assert "月基数不能为负数" in page
    assert "九原区人民法院没有工号为“JY9999”的人员" in page
    assert "无法识别的人员状态" in page
    assert not DuesBase.objects.exists()
    # The file waits only so that 停薪 can be mapped; nothing can be confirmed.
    assert "保存对照并重新检查" in page and "/confirm/" not in page
    assert len(list(world_media(world).glob("*.xlsx"))) == 1


def test_a_sheet_whose_only_faults_are_not_words_is_dropped(world):
    page = body(upload(world.client("bob"), pay_sheet(["JY0001", "王芳", -6500, "在职"])))
    assert "月基数不能为负数" in page and "保存对照并重新检查" not in page
    assert "<h2>重新上传</h2>" in page and 'action="/dues/upload/"' in page
    assert 'data-progress="/dues/upload/progress/"' in page
    assert not list(world_media(world).glob("*.xlsx"))


def map_token(page: str) -> str:
    return re.search(r"/dues/upload/([\w-]+)/map/", page).group(1)


def test_a_courts_own_status_word_is_mapped_once_in_the_preview_and_kept(world):
    from tianping.dues.rules import DuesCategory
    from tianping.orgs.models import ValueMapping

    client = world.client("bob")
    sheet = pay_sheet(["JY0001", "王芳", 6500, "返聘"], ["JY0003", "孙丽", 5000, "返聘"])
    page = body(upload(client, sheet))
    assert page.count('data-value="返聘"') == 1  # listed once, with both its rows
    assert "月份：2024年3月" in page
    token = map_token(page)
    response = client.post(
        f"/dues/upload/{token}/map/",
        {"column": "人员状态", "value": "返聘", "standard": "离退休"},
    )
    page = body(response)
    assert "已保存1项取值对照" in page and "检查通过，尚未写入任何数据" in page
    assert "月份：2024年3月" in page  # the month travelled with the held file
    kept = ValueMapping.objects.get()
    assert (kept.court.code, kept.column, kept.written, kept.standard) == (
        "BT-JY",
        "人员状态",
        "返聘",
        "离退休",
    )
    assert AuditEvent.objects.filter(user=world.users["bob"], action__startswith="orgs.").exists()
    assert client.post(f"/dues/upload/{confirm_token(page)}/confirm/").status_code == 302
    wang = DuesBase.objects.get(person=world.people["wang"])
    assert (wang.since, wang.category) == (MARCH, DuesCategory.RETIRED)
    # The next sheet of the court is understood without asking again.
    page = body(upload(client, pay_sheet(["JY0003", "孙丽", 5200, "返聘"]), month="2024-04"))
    assert "检查通过，尚未写入任何数据" in page


def test_a_mapping_to_a_value_not_offered_is_ignored_and_another_user_cannot_map(world):
    from tianping.orgs.models import ValueMapping

    bob = world.client("bob")
    page = body(upload(bob, pay_sheet(["JY0001", "王芳", 6500, "返聘"])))
    token = map_token(page)
    data = {"column": "人员状态", "value": "返聘", "standard": "离退休"}
    assert world.client("admin").post(f"/dues/upload/{token}/map/", data).status_code == 404
    page = body(bob.post(f"/dues/upload/{token}/map/", {**data, "standard": "=HYPERLINK(1)"}))
    assert "保存对照并重新检查" in page
    assert not ValueMapping.objects.exists()


def world_media(world):
    from django.conf import settings

    return settings.MEDIA_ROOT / "imports"


@pytest.mark.parametrize("task_rows", [2000, 1], ids=["in the request", "by a task"])
def test_an_officer_uploads_a_pay_sheet_confirms_and_sees_the_months_dues(
    world, settings, task_rows
):
    settings.TIANPING_TASK_ROWS = task_rows
    client = world.client("bob")
    sheet = pay_sheet(
        ["JY0001", "王芳", 6500, "在职"],
        ["JY0002", "赵磊", 3000, ""],
        ["JY0003", "孙丽", 5000.01, "在职"],
    )
    page = body(upload(client, sheet))
    assert "检查通过，尚未写入任何数据" in page and 'id="preview-total">187.50<' in page
    assert not DuesBase.objects.exists()
    token = confirm_token(page)
    response = client.post(f"/dues/upload/{token}/confirm/")
    assert response.status_code == 302
    assert response["Location"] == f"/dues/upload/{token}/"
    response = client.get(response["Location"])  # written: on to the month's dues
    assert response["Location"] == "/dues/?court=BT-JY&month=2024-03"
    assert DuesBase.objects.count() == 3
    assert AuditEvent.objects.filter(action="dues.base", user=world.users["bob"]).count() == 3
    page = body(client.get(response["Location"]))
    assert "已按工资表核定" in page and 'id="stat-total">187.50<' in page
    # The token is spent, and useless in anyone else's session.
    assert client.post(f"/dues/upload/{token}/confirm/").status_code == 404


def test_the_upload_token_is_useless_to_another_user(world):
    page = body(upload(world.client("bob"), pay_sheet(["JY0001", "王芳", 6500, "在职"])))
    token = confirm_token(page)
    assert world.client("admin").post(f"/dues/upload/{token}/confirm/").status_code == 404
    assert not DuesBase.objects.exists()


def test_a_secretary_cannot_upload_for_a_court_outside_her_branch(world):
    carol = world.client("carol")
    assert "没有法院" in body(carol.get("/dues/upload/"))
    assert upload(carol, pay_sheet(["JY0001", "王芳", 6500, "在职"])).status_code == 404


def test_the_pay_sheet_template_downloads(world):
    response = world.client("bob").get("/dues/upload/template/")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert next(book.active.iter_rows(values_only=True)) == ("工号", "姓名", "月基数", "人员状态")


# --- the register -------------------------------------------------------------------------


def test_the_secretary_records_a_payment_and_the_row_updates_in_place(world):
    bases(world)
    carol = world.client("carol")
    page = body(carol.get("/dues/register/?month=2024-03"))
    assert "登记已交" in page and "孙丽" not in page
    wang = world.people["wang"]
    response = carol.post(
        "/dues/register/pay/",
        {"person": wang.pk, "month": "2024-03", "paid_on": "2024-03-10", "amount": ""},
        headers=HX,
    )
    row = body(response)
    assert row.startswith(f'<tr id="row-{wang.pk}">')
    assert "已交 97.50" in row and "已登记王芳2024年03月的党费" in row
    payment = DuesPayment.objects.get(person=wang)
    assert payment.recorded_by == world.users["carol"] and payment.amount_fen == 9750


def test_a_payment_by_another_member_is_recorded_by_the_payers_number(world):
    bases(world)
    wang = world.people["wang"]
    row = body(
        world.client("carol").post(
            "/dues/register/pay/",
            {"person": wang.pk, "month": "2024-03", "paid_on": "2024-04-02", "payer": "jy0002"},
            headers=HX,
        )
    )
    assert "赵磊代缴" in row and "补交" in row
    assert DuesPayment.objects.get(person=wang).payer == world.people["zhao"]


def test_a_refused_payment_shows_the_reason_in_the_row_and_writes_nothing(world):
    bases(world)
    wang = world.people["wang"]
    row = body(
        world.client("carol").post(
            "/dues/register/pay/",
            {"person": wang.pk, "month": "2024-03", "paid_on": "2024-03-10", "payer": "JY0004"},
            headers=HX,
        )
    )
    assert "您的范围内没有工号为“JY0004”的人员" in row and "登记已交" in row
    assert not DuesPayment.objects.exists()


def test_a_payment_is_voided_with_a_reason_and_the_row_offers_payment_again(world):
    bases(world)
    wang = world.people["wang"]
    payment = actions.do_record_payment(None, wang, MARCH, paid_on=dt.date(2024, 3, 5)).payments[0]
    carol = world.client("carol")
    row = body(
        carol.post("/dues/register/void/", {"payment": payment.pk, "reason": ""}, headers=HX)
    )
    assert "This field is required" in row or "必填" in row or "这个字段是必填项" in row
    row = body(
        carol.post(
            "/dues/register/void/", {"payment": payment.pk, "reason": "重复登记"}, headers=HX
        )
    )
    assert "已作废" in row and "登记已交" in row
    payment.refresh_from_db()
    assert payment.void_reason == "重复登记"


def test_a_member_without_a_base_gets_one_from_the_register(world):
    sun = world.people["sun"]
    bob = world.client("bob")
    row = body(
        bob.post(
            "/dues/register/base/",
            {"person": sun.pk, "since": "2024-03", "base": "5000", "category": "retired"},
            headers=HX,
        )
    )
    assert "25.00" in row and "离退休" in row and "登记已交" in row
    base = DuesBase.objects.get(person=sun)
    assert (base.since, base.base_fen, base.category) == (MARCH, 500_000, "retired")


def test_the_register_refuses_people_outside_the_scope(world):
    bases(world)
    sun = world.people["sun"]  # BT-JY-B02, not carol's branch
    response = world.client("carol").post(
        "/dues/register/pay/", {"person": sun.pk, "month": "2024-03", "paid_on": "2024-03-10"}
    )
    assert response.status_code == 404
    assert world.client("carol").get("/dues/register/pay/").status_code == 405


# --- arrears ---------------------------------------------------------------------------------


def test_r3_3_the_arrears_page_flags_six_months_and_not_five(world):
    bases(world)
    wang, sun = world.people["wang"], world.people["sun"]
    months = [dt.date(2023, m, 1) for m in range(1, 13)]
    actions.do_record_payments(None, wang, months, paid_on=dt.date(2024, 1, 1))
    actions.do_record_payments(
        None, sun, [*months, dt.date(2024, 1, 1)], paid_on=dt.date(2024, 1, 5)
    )
    page = body(world.client("bob").get("/dues/arrears/?court=BT-JY&month=2024-06"))
    flagged = page.split('id="arrears-flagged"')[1].split("</table>")[0]
    others = page.split('id="arrears-others"')[1].split("</table>")[0]
    assert "王芳" in flagged and "6个月" in flagged and "585.00" in flagged
    assert "孙丽" in others and "5个月" in others and "孙丽" not in flagged


def test_a_back_payment_over_six_months_from_the_arrears_page_warns(world):
    bases(world)
    wang = world.people["wang"]
    bob = world.client("bob")
    response = bob.post(
        "/dues/register/pay/",
        {
            "person": wang.pk,
            "month": "2024-01",
            "through": "2024-07",
            "paid_on": "2024-08-10",
            "next": "/dues/arrears/?court=BT-JY&month=2024-07",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/dues/arrears/?court=BT-JY&month=2024-07"
    page = body(bob.get(response["Location"]))
    assert "已登记王芳2024年01月至2024年07月的党费" in page
    assert "超过6个月" in page
    assert DuesPayment.objects.filter(person=wang, back_paid=True).count() == 7


def test_an_excuse_recorded_on_the_arrears_page_lifts_the_flag(world):
    bases(world)
    wang = world.people["wang"]
    months = [dt.date(2023, m, 1) for m in range(1, 13)]
    actions.do_record_payments(None, wang, months, paid_on=dt.date(2024, 1, 1))
    bob = world.client("bob")
    response = bob.post(
        "/dues/arrears/excuse/",
        {
            "person": wang.pk,
            "first_month": "2024-01",
            "last_month": "2024-02",
            "reason": "援藏期间经支部同意缓交",
            "next": "/dues/arrears/?court=BT-JY&month=2024-06",
        },
    )
    assert response.status_code == 302
    assert DuesExcuse.objects.get(person=wang).reason == "援藏期间经支部同意缓交"
    page = body(bob.get(response["Location"]))
    flagged = page.split('id="arrears-flagged"')[1].split("</table>")[0]
    assert "王芳" not in flagged


# --- the court's setting ---------------------------------------------------------------------


def test_r3_3_the_party_office_sets_the_courts_rounding(world):
    bob = world.client("bob")
    assert "四舍五入" in body(bob.get("/dues/setting/"))
    response = bob.post("/dues/setting/", {"court": "BT-JY", "rounding": "ROUND_HALF_EVEN"})
    assert response.status_code == 302
    assert DuesSetting.objects.get(court__code="BT-JY").rounding == "ROUND_HALF_EVEN"
    assert AuditEvent.objects.filter(action="dues.setting").count() == 1
    assert bob.get("/dues/setting/?court=BT").status_code == 404
    assert "没有可计算党费" in body(world.client("carol").get("/dues/setting/"))
