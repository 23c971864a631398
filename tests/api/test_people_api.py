"""The roster API: search and filters, a person, create, edit, transfer, and who sees whom."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tianping.audit.models import AuditEvent
from tianping.people.actions import do_create_person
from tianping.people.models import Person

NEW_PERSON = {
    "court": "BT-JY",
    "employee_no": "jy0009",
    "name": "钱 学 敏",
    "gender": "female",
    "birth_date": "1990-05-04",
    "category": "clerk",
    "political_status": "league",
    "department": "BT-JY-MS",
    "party_org": "BT-JY-B01",
    "party_group": "BT-JY-B01-G1",
    "since": "2024-03-01",
}


def names(response):
    assert response.status_code == 200, response.content
    return [p["name"] for p in response.json()["items"]]


def test_the_list_covers_the_scope(session):
    assert names(session("alice").get("/people")) == [
        "张华庆",
        "李建国",
        "王芳",
        "赵磊",
        "孙丽",
        "周强",
    ]
    assert names(session("bob").get("/people")) == ["王芳", "赵磊", "孙丽", "周强"]
    assert names(session("carol").get("/people")) == ["王芳", "赵磊"]
    assert names(session("oscar").get("/people")) == ["胡敏"]


def test_pinyin_initials_find_zhang_huaqing(session):
    alice = session("alice")
    assert names(alice.get("/people?q=zhq")) == ["张华庆"]
    assert names(alice.get("/people?q=zhanghuaqing")) == ["张华庆"]
    assert names(alice.get("/people?q=ZHQ")) == ["张华庆"]
    assert names(alice.get("/people?q=BT0001")) == ["张华庆"]
    assert names(alice.get("/people?q=华庆")) == ["张华庆"]


def test_the_list_filters_by_org_department_and_enumerations(session):
    alice = session("alice")
    assert names(alice.get("/people?org=BT-JY-B01")) == ["王芳", "赵磊"]
    assert names(alice.get("/people?org=BT-JY")) == ["王芳", "赵磊", "孙丽", "周强"]
    assert names(alice.get("/people?department=BT-JY-ZZB")) == ["孙丽", "周强"]
    assert names(alice.get("/people?category=judge")) == ["张华庆", "王芳"]
    assert names(alice.get("/people?political_status=masses")) == ["周强"]
    assert names(alice.get("/people?category=judge&org=BT-JY")) == ["王芳"]
    assert names(alice.get("/people?status=retired")) == []
    assert names(alice.get("/people?post_level=staff")) == []


def test_bad_people_filters_are_422_in_chinese(session):
    alice = session("alice")
    r = alice.get("/people?category=judges")
    assert r.status_code == 422
    assert r.json()["errors"]["category"][0].startswith("取值无效，可选：judge、judge_assistant")
    r = alice.get("/people?department=BT-JY-B01")
    assert r.json()["errors"] == {"department": ["“第一党支部”是党支部，这里需要部门"]}
    assert alice.get("/people?org=EH").json()["errors"] == {"org": ["找不到代码为“EH”的组织"]}


def test_the_list_pages_with_a_total_count(session):
    alice = session("alice")
    first = alice.get("/people?limit=2").json()
    last = alice.get("/people?limit=2&offset=4").json()
    assert first["count"] == last["count"] == 6
    assert [p["name"] for p in first["items"]] == ["张华庆", "李建国"]
    assert [p["name"] for p in last["items"]] == ["孙丽", "周强"]
    assert alice.get("/people?limit=201").json()["errors"] == {"limit": ["不能大于200"]}
    assert alice.get("/people?offset=-1").json()["errors"] == {"offset": ["不能小于0"]}


def test_the_list_reads_the_same_number_of_queries_for_more_people(world, session):
    alice = session("alice")
    with CaptureQueriesContext(connection) as few:
        assert alice.get("/people").json()["count"] == 6
    for n in range(10):
        do_create_person(
            None,
            world.org("BT-JY"),
            employee_no=f"JY1{n:03}",
            name=f"测试{n}",
            department=world.org("BT-JY-MS"),
            party_org=world.org("BT-JY-B01"),
        )
    with CaptureQueriesContext(connection) as many:
        assert alice.get("/people").json()["count"] == 16
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_detail_labels_every_enumeration(world, session):
    zhao = world.people["zhao"]
    body = session("alice").get(f"/people/{zhao.pk}").json()
    assert (body["employee_no"], body["name"]) == ("JY0002", "赵磊")
    assert (body["category"], body["category_name"]) == ("clerk", "书记员")
    assert (body["political_status"], body["political_status_name"]) == (
        "probationary",
        "中共预备党员",
    )
    assert (body["gender"], body["gender_name"]) == ("male", "男")
    assert (body["status"], body["status_name"]) == ("serving", "在职")
    assert body["department"] == {"code": "BT-JY-MS", "name": "民事审判庭"}
    assert body["party_org"] == {"code": "BT-JY-B01", "name": "第一党支部"}
    assert body["court"] == {"code": "BT-JY", "name": "九原区人民法院"}
    assert body["birth_date"] == "1985-03-02"
    assert body["is_party_member"] is True
    assert {
        (p["kind_name"], p["org"]["code"], p["since"], p["until"]) for p in body["placements"]
    } == {
        ("部门", "BT-JY-MS", "2020-01-01", None),
        ("党组织", "BT-JY-B01", "2020-01-01", None),
    }


def test_creating_a_person_answers_201_and_is_audited(world, session):
    r = session("alice").post("/people", NEW_PERSON)
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["employee_no"], body["name"]) == ("JY0009", "钱学敏")
    assert body["party_group"] == {"code": "BT-JY-B01-G1", "name": "第一党小组"}
    assert body["category_name"] == "书记员"
    assert len(body["placements"]) == 3
    event = AuditEvent.objects.get(action="people.create", object_id=str(body["id"]))
    assert event.user == world.users["alice"]
    assert names(session("alice").get("/people?q=qxm")) == ["钱学敏"]


def test_a_new_persons_placements_must_lie_in_their_court(session):
    alice = session("alice")
    r = alice.post("/people", {**NEW_PERSON, "department": "BT-MS1"})
    assert r.status_code == 422
    assert r.json()["errors"] == {"department": ["“民事审判第一庭”不属于九原区人民法院"]}
    r = alice.post(
        "/people", {**NEW_PERSON, "party_group": "BT-JY-B01-G1", "party_org": "BT-JY-B02"}
    )
    assert r.json()["errors"] == {"party_group": ["党小组必须属于所在支部"]}
    assert not Person.objects.filter(employee_no="JY0009").exists()


def test_a_court_outside_the_scope_reads_like_a_missing_one(session):
    alice = session("alice")
    foreign = alice.post(
        "/people",
        {**NEW_PERSON, "court": "EH", "department": None, "party_org": None, "party_group": None},
    )
    assert foreign.status_code == 422
    assert foreign.json()["errors"] == {"court": ["找不到代码为“EH”的组织"]}
    not_a_court = alice.post("/people", {**NEW_PERSON, "court": "BT-JY-MS"})
    assert not_a_court.json()["errors"]["court"][0].startswith("“民事审判庭”是部门，这里需要")


def test_person_validation_errors_are_422_in_chinese(world, session):
    alice = session("alice")
    r = alice.post("/people", {**NEW_PERSON, "employee_no": "JY0001"})
    assert r.status_code == 422
    assert r.json()["errors"] == {"employee_no": ["工号“JY0001”在本院已存在"]}
    r = alice.post(
        "/people", {"court": "BT-JY", "employee_no": "JY0010", "birth_date": "1990-02-30"}
    )
    assert r.json()["errors"] == {"name": ["此项必填"], "birth_date": ["日期格式应为 YYYY-MM-DD"]}
    r = alice.post("/people", {**NEW_PERSON, "birth_date": "2090-01-01"})
    assert r.json()["errors"] == {"birth_date": ["出生日期不能晚于今天"]}
    assert not AuditEvent.objects.filter(action="people.create", user=world.users["alice"]).exists()


def test_updating_a_person_changes_only_what_was_sent_and_is_audited(world, session):
    zhao = world.people["zhao"]
    r = session("alice").patch(
        f"/people/{zhao.pk}",
        {
            "political_status": "member",
            "full_member_on": "2021-06-01",
            "party_joined_on": "2020-06-01",
        },
    )
    assert r.status_code == 200, r.content
    assert r.json()["political_status_name"] == "中共党员"
    assert r.json()["category"] == "clerk"
    event = AuditEvent.objects.get(action="people.update")
    assert event.before["political_status"] == "中共预备党员"
    assert event.after["political_status"] == "中共党员"


def test_null_clears_an_optional_field(world, session):
    zhao = world.people["zhao"]
    r = session("alice").patch(f"/people/{zhao.pk}", {"category": None, "birth_date": None})
    assert (r.json()["category"], r.json()["category_name"], r.json()["birth_date"]) == (
        "",
        "",
        None,
    )


def test_an_update_that_breaks_a_rule_is_422_and_writes_nothing(world, session):
    zhao = world.people["zhao"]
    alice = session("alice")
    r = alice.patch(f"/people/{zhao.pk}", {"party_joined_on": "1980-01-01"})
    assert r.status_code == 422
    assert r.json()["errors"] == {"party_joined_on": ["入党日期不能早于出生日期"]}
    assert alice.patch(f"/people/{zhao.pk}", {"name": ""}).json()["errors"] == {
        "name": ["不能为空"]
    }
    assert alice.patch(f"/people/{zhao.pk}", {"status": None}).json()["errors"] == {
        "status": ["状态不能为空"]
    }
    r = alice.patch(f"/people/{zhao.pk}", {"department": "BT-JY-ZZB"})
    assert r.json()["errors"] == {"department": ["不支持此字段"]}
    assert not AuditEvent.objects.filter(action="people.update").exists()


def test_a_transfer_moves_the_person_and_keeps_history(world, session):
    zhao = world.people["zhao"]
    r = session("alice").post(
        f"/people/{zhao.pk}/transfer",
        {"on": "2024-01-01", "party_org": "BT-JY-B02", "department": "BT-JY-ZZB", "reason": "轮岗"},
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["party_org"]["code"] == "BT-JY-B02"
    assert body["department"]["code"] == "BT-JY-ZZB"
    closed = {(p["org"]["code"], p["until"]) for p in body["placements"] if p["until"]}
    assert closed == {("BT-JY-MS", "2024-01-01"), ("BT-JY-B01", "2024-01-01")}
    event = AuditEvent.objects.get(action="people.transfer")
    assert event.after["reason"] == "轮岗"
    assert event.user == world.users["alice"]


def test_a_transfer_to_another_court_moves_the_employer(world, session):
    zhang = world.people["zhang"]
    r = session("alice").post(
        f"/people/{zhang.pk}/transfer", {"on": "2024-01-01", "department": "BT-JY-MS"}
    )
    assert r.json()["court"]["code"] == "BT-JY"


def test_a_transfer_needs_a_target_inside_the_scope(world, session):
    zhao = world.people["zhao"]
    alice = session("alice")
    r = alice.post(f"/people/{zhao.pk}/transfer", {"on": "2024-01-01"})
    assert r.status_code == 422
    assert r.json()["errors"] == {"department": ["请至少指定调入部门、支部或党小组之一"]}
    r = alice.post(f"/people/{zhao.pk}/transfer", {"on": "2024-01-01", "department": "EH-ZZB"})
    assert r.json()["errors"] == {"department": ["找不到代码为“EH-ZZB”的组织"]}
    r = alice.post(f"/people/{zhao.pk}/transfer", {"on": "2024-01-01", "party_org": "BT-JY-B01"})
    assert r.json()["errors"] == {"department": ["请选择与当前不同的部门、支部或党小组"]}
    r = alice.post(f"/people/{zhao.pk}/transfer", {"on": "2019-01-01", "party_org": "BT-JY-B02"})
    assert "不能早于或等于" in r.json()["errors"]["on"][0]
    assert alice.post(f"/people/{zhao.pk}/transfer", {"party_org": "BT-JY-B02"}).json()[
        "errors"
    ] == {"on": ["此项必填"]}
    assert not AuditEvent.objects.filter(action="people.transfer").exists()


def test_a_member_sees_only_themself(world, session):
    dave = session("dave")
    assert names(dave.get("/people")) == ["赵磊"]
    assert dave.get(f"/people/{world.people['zhao'].pk}").status_code == 200
    assert dave.get(f"/people/{world.people['wang'].pk}").status_code == 404


def test_a_party_office_of_the_basic_court_cannot_see_the_mid_courts_people(world, session):
    bob = session("bob")
    for key in ("zhang", "li"):
        r = bob.get(f"/people/{world.people[key].pk}")
        assert r.status_code == 404
        assert r.json() == {"detail": "不存在或不在您的范围内"}


def test_the_outsider_gets_404_on_every_person_of_ours(world, session):
    oscar = session("oscar")
    for key, person in world.people.items():
        if key == "hu":
            continue
        for r in (
            oscar.get(f"/people/{person.pk}"),
            oscar.patch(f"/people/{person.pk}", {"name": "改名"}),
            oscar.post(
                f"/people/{person.pk}/transfer", {"on": "2024-01-01", "department": "EH-ZZB"}
            ),
        ):
            assert r.status_code == 404, (key, r.content)
            assert r.json() == {"detail": "不存在或不在您的范围内"}
    assert oscar.get("/people/999999").json() == {"detail": "不存在或不在您的范围内"}
    assert not AuditEvent.objects.filter(
        action__startswith="people.", user=world.users["oscar"]
    ).exists()


def test_people_writes_need_people_change(world, session):
    zhao = world.people["zhao"]
    for name in ("erin", "bob", "carol", "dave"):
        client = session(name)
        assert client.post("/people", NEW_PERSON).status_code == 403
        assert client.patch(f"/people/{zhao.pk}", {"name": "改名"}).status_code == 403
        transfer = client.post(
            f"/people/{zhao.pk}/transfer", {"on": "2024-01-01", "party_org": "BT-JY-B02"}
        )
        assert transfer.status_code == 403
        assert transfer.json() == {"detail": "无权执行此操作"}


def test_a_leader_is_refused_before_the_body_is_read(world, session):
    r = session("erin").post("/people", {"nonsense": True})
    assert r.status_code == 403


def test_the_cadre_record_is_written_and_read_through_the_api(world, session):
    zhao = world.people["zhao"]
    alice = session("alice")
    r = alice.patch(
        f"/people/{zhao.pk}",
        {
            "title": "书记员",
            "civil_rank": "clerk_1",
            "work_started_on": "2015-07-01",
            "joined_court_on": "2016-03-01",
            "native_place": "内蒙古包头",
            "degree": "bachelor",
            "phone": "０４７２－５１２３４５６",
        },
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["title"], body["civil_rank_name"], body["degree_name"]) == (
        "书记员",
        "一级科员",
        "学士",
    )
    assert (body["work_started_on"], body["joined_court_on"]) == ("2015-07-01", "2016-03-01")
    assert (body["judge_grade"], body["judge_grade_name"], body["police_rank_name"]) == ("", "", "")
    assert body["phone"] == "0472-5123456"
    event = AuditEvent.objects.get(action="people.update")
    assert event.after["civil_rank"] == "一级科员" and event.after["phone"] == "0472-5123456"


def test_the_phone_is_null_for_those_who_may_not_read_it(world, session):
    zhao = world.people["zhao"]
    session("alice").patch(f"/people/{zhao.pk}", {"phone": "13812345678"})
    readers = {"admin", "alice", "bob", "dave"}
    for persona in ("admin", "alice", "bob", "carol", "dave", "erin"):
        body = session(persona).get(f"/people/{zhao.pk}").json()
        expected = "13812345678" if persona in readers else None
        assert body["phone"] == expected, persona


def test_bad_cadre_values_are_422_in_chinese(world, session):
    zhao = world.people["zhao"]
    alice = session("alice")
    r = alice.patch(f"/people/{zhao.pk}", {"phone": "总机转"})
    assert r.status_code == 422
    assert "联系电话只能包含数字" in r.json()["errors"]["phone"][0]
    r = alice.patch(
        f"/people/{zhao.pk}", {"work_started_on": "2016-07-01", "joined_court_on": "2015-03-01"}
    )
    assert r.json()["errors"] == {"joined_court_on": ["入院时间不能早于参加工作时间"]}
    r = alice.patch(f"/people/{zhao.pk}", {"judge_grade": "senior_9"})
    assert r.status_code == 422 and "judge_grade" in r.json()["errors"]
    assert not AuditEvent.objects.filter(action="people.update").exists()
