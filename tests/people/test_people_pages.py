"""The roster pages: list with filters and pinyin search, a person, edit, transfer."""

import datetime as dt

from tianping.audit.models import AuditEvent
from tianping.people.models import Placement


def test_the_list_shows_the_people_of_the_scope(world):
    body = world.client("bob").get("/people/").content.decode()
    assert "王芳" in body and "孙丽" in body
    assert "张华庆" not in body  # the mid court is above bob's basic court


def test_pinyin_initials_find_a_person(world):
    body = world.client("alice").get("/people/", {"q": "zhq"}).content.decode()
    assert "张华庆" in body and "王芳" not in body


def test_full_pinyin_finds_a_person(world):
    body = world.client("alice").get("/people/", {"q": "wangfang"}).content.decode()
    assert "王芳" in body and "张华庆" not in body


def test_filters_narrow_the_list(world):
    body = (
        world.client("alice")
        .get("/people/", {"department": "BT-JY-ZZB", "category": "judge_assistant"})
        .content.decode()
    )
    assert "孙丽" in body and "周强" not in body and "王芳" not in body


def test_the_results_region_renders_alone_for_htmx(world):
    response = world.client("alice").get(
        "/people/", {"q": "zhq"}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    body = response.content.decode()
    assert "张华庆" in body and "<html" not in body


def test_the_list_paginates(world):
    body = world.client("alice").get("/people/").content.decode()
    assert "共 6 条" in body


def test_a_person_page_shows_the_record(world):
    wang = world.people["wang"]
    body = world.client("carol").get(f"/people/{wang.pk}/").content.decode()
    assert "王芳" in body and "民事审判庭" in body and "第一党支部" in body


def test_a_member_sees_only_their_own_record(world):
    client = world.client("dave")
    body = client.get("/people/me/").content.decode()
    assert "赵磊" in body
    assert client.get(f"/people/{world.people['wang'].pk}/").status_code == 404
    assert client.get("/people/").status_code == 302


def test_an_edit_is_saved_and_audited(world):
    wang = world.people["wang"]
    client = world.client("alice")
    data = {
        "employee_no": "JY0001",
        "name": "王 芳",
        "gender": "female",
        "birth_date": "1986-04-05",
        "ethnicity": "蒙古族",
        "education": "master",
        "category": "judge",
        "post_level": "division_chief",
        "political_status": "member",
        "party_joined_on": "2008-06-01",
        "full_member_on": "2009-06-01",
        "status": "serving",
    }
    response = client.post(f"/people/{wang.pk}/edit/", data)
    assert response.status_code == 302
    wang.refresh_from_db()
    assert (
        wang.name == "王芳"
        and wang.ethnicity == "蒙古族"
        and wang.birth_date == dt.date(1986, 4, 5)
    )
    event = AuditEvent.objects.filter(action="people.update", object_id=str(wang.pk)).get()
    assert event.before["ethnicity"] == "" and event.after["ethnicity"] == "蒙古族"
    assert event.user == world.users["alice"]


def test_an_invalid_edit_shows_the_error_beside_the_field(world):
    wang = world.people["wang"]
    data = {
        "employee_no": "JY0002",
        "name": "王芳",
        "status": "serving",
        "birth_date": "1986-04-05",
    }
    response = world.client("alice").post(f"/people/{wang.pk}/edit/", data)
    assert response.status_code == 200
    assert "工号" in response.content.decode() and "已存在" in response.content.decode()
    wang.refresh_from_db()
    assert wang.employee_no == "JY0001"


def test_a_transfer_closes_the_old_placement_and_opens_the_new(world):
    wang = world.people["wang"]
    response = world.client("alice").post(
        f"/people/{wang.pk}/transfer/",
        {
            "on": "2024-03-01",
            "department": "BT-JY-ZZB",
            "party_org": "BT-JY-B02",
            "reason": "交流轮岗",
        },
    )
    assert response.status_code == 302
    wang.refresh_from_db()
    assert wang.department.code == "BT-JY-ZZB" and wang.party_org.code == "BT-JY-B02"
    old = Placement.objects.get(person=wang, org__code="BT-JY-B01")
    new = Placement.objects.get(person=wang, org__code="BT-JY-B02")
    assert (
        old.until == dt.date(2024, 3, 1) and new.since == dt.date(2024, 3, 1) and new.until is None
    )
    assert AuditEvent.objects.filter(action="people.transfer", object_id=str(wang.pk)).exists()


def test_who_was_in_a_branch_on_a_past_date_follows_the_history(world):
    wang = world.people["wang"]
    world.client("alice").post(
        f"/people/{wang.pk}/transfer/",
        {"on": "2024-03-01", "party_org": "BT-JY-B02"},
    )
    client = world.client("alice")
    before = client.get("/people/orgs/BT-JY-B01/members/", {"on": "2023-06-30"}).content.decode()
    after = client.get("/people/orgs/BT-JY-B01/members/", {"on": "2024-06-30"}).content.decode()
    assert "王芳" in before and "王芳" not in after


def test_a_transfer_before_the_current_placement_began_is_refused(world):
    wang = world.people["wang"]
    response = world.client("alice").post(
        f"/people/{wang.pk}/transfer/",
        {"on": "2019-01-01", "party_org": "BT-JY-B02"},
    )
    assert response.status_code == 200
    assert "不能早于" in response.content.decode()
    wang.refresh_from_db()
    assert wang.party_org.code == "BT-JY-B01"


def test_a_new_person_is_created_in_the_court(world):
    response = world.client("alice").post(
        "/people/new/?court=BT-JY",
        {
            "court": "BT-JY",
            "employee_no": "jy0100",
            "name": "钱多多",
            "status": "serving",
            "department": "BT-JY-MS",
        },
    )
    assert response.status_code == 302
    from tianping.people.models import Person

    person = Person.objects.get(employee_no="JY0100")
    assert person.court.code == "BT-JY" and person.name_initials == "qdd"
    assert Placement.objects.get(person=person).since is None


def test_the_export_is_an_excel_file(world):
    response = world.client("alice").get("/people/export/", {"org": "BT-JY"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [c.value for row in book.active.iter_rows() for c in row]
    assert "王芳" in values and "张华庆" not in values
