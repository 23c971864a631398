"""The compliance matrix, the health check (支部体检) with the "六有" checklist, the dashboard card."""

from __future__ import annotations

import datetime as dt
import io
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string

from tianping.accounts.scoping import scope_for
from tianping.activities import actions
from tianping.activities.compliance import dashboard_summary
from tianping.activities.models import StudyRecord
from tianping.audit.models import AuditEvent
from tianping.orgs.actions import do_create_org
from tianping.orgs.models import Org, OrgKind
from tianping.people.actions import do_create_person
from tianping.people.models import PoliticalStatus

D = dt.date


def held(world, code, kind, on, attendance=None, **fields):
    return actions.do_record_past_activity(
        world.users["admin"],
        Org.objects.get(code=code),
        kind=kind,
        title=fields.pop("title", f"{on:%m月}{kind}"),
        on=on,
        attendance=attendance or {},
        **fields,
    )


def chips(html, org_code):
    """(class, href, text) of each chip in an organisation's matrix row."""
    row = re.search(rf'<tr data-org="{org_code}">(.*?)</tr>', html, re.S)
    assert row, f"no matrix row for {org_code}"
    return [
        (cls, unescape(href), text)
        for cls, href, text in re.findall(
            r'<a class="chip st-(\w+)" href="([^"]+)"[^>]*>([^<]+)</a>', row.group(1)
        )
    ]


def test_the_matrix_shows_the_subtree_with_summary_numbers_R1_5(world):
    held(world, "BT-JY-B01", "theme_day", D(2024, 3, 28))
    response = world.client("alice").get("/activities/compliance/", {"org": "BT-JY", "year": 2024})
    html = response.content.decode()
    assert response.status_code == 200
    assert "九原区人民法院" in html and "第一党支部" in html and "第二党支部" in html
    assert 'data-org="BT-B01"' not in html  # the mid court's own branches are outside BT-JY
    summary = re.search(r'id="summary">(.*?)</div>\s*<p', html, re.S).group(1)
    numbers = re.findall(r'class="stat[^"]*">([^<]+)<', summary)
    assert numbers[:4] == ["47", "1", "46", "0"]  # two branches × 23, the 机关党委's lecture


def test_a_met_cell_links_to_its_records_and_a_missing_cell_to_the_branch_R1_5(world):
    held(world, "BT-JY-B01", "theme_day", D(2024, 3, 28))
    client = world.client("bob")
    html = client.get("/activities/compliance/", {"org": "BT-JY", "year": 2024}).content.decode()
    cells = chips(html, "BT-JY-B01")
    met = [c for c in cells if c[0] == "met"]
    assert len(met) == 1 and met[0][2] == "党日 1/1"
    url = urlsplit(met[0][1])
    assert url.path == "/activities/"
    assert parse_qs(url.query) == {
        "org": ["BT-JY-B01"],
        "kind": ["theme_day"],
        "status": ["held"],
        "start": ["2024-03-01"],
        "end": ["2024-03-31"],
    }
    listing = client.get(met[0][1])
    assert listing.status_code == 200 and "03月theme_day" in listing.content.decode()
    missing = next(c for c in cells if c[0] == "missing" and c[2].startswith("党日"))
    assert missing[1] == "/activities/health/BT-JY-B01/?year=2024#r15"
    page = client.get(missing[1].split("#")[0])
    assert page.status_code == 200 and "R1.5 组织生活制度落实情况" in page.content.decode()


def test_the_matrix_can_show_only_organisations_with_gaps(world):
    for month in range(1, 13):
        held(world, "BT-JY-B02", "theme_day", D(2024, month, 5))
    for quarter in range(4):
        held(
            world,
            "BT-JY-B02",
            "branch_congress",
            D(2024, 3 * quarter + 1, 9),
            also_counts_as=["party_lecture"],
        )
    for kind in ("life_meeting", "democratic_review", "heart_talk"):
        held(world, "BT-JY-B02", kind, D(2024, 12, 1))
    html = (
        world.client("bob")
        .get("/activities/compliance/", {"org": "BT-JY", "year": 2024, "problems": "1"})
        .content.decode()
    )
    assert 'data-org="BT-JY-B01"' in html
    assert 'data-org="BT-JY-B02"' not in html


def test_the_matrix_defaults_to_the_users_own_scope(world):
    html = world.client("carol").get("/activities/compliance/").content.decode()
    assert 'data-org="BT-JY-B01"' in html and 'data-org="BT-JY-B02"' not in html


def test_a_secretary_cannot_ask_for_a_subtree_above_her_branch(world):
    assert world.client("carol").get("/activities/compliance/", {"org": "BT-JY"}).status_code == 404


def test_the_outsider_gets_404_for_our_matrix_and_health_page(world):
    oscar = world.client("oscar")
    assert oscar.get("/activities/compliance/", {"org": "BT"}).status_code == 404
    assert oscar.get("/activities/health/BT-JY-B01/").status_code == 404
    assert oscar.get("/activities/compliance/export/", {"org": "BT"}).status_code == 404


def test_a_member_may_not_see_the_compliance_pages(world):
    assert world.client("dave").get("/activities/compliance/").status_code == 403
    assert world.client("dave").get("/activities/health/BT-JY-B01/").status_code == 403


def test_the_matrix_exports_to_excel(world):
    held(world, "BT-JY-B01", "theme_day", D(2024, 3, 28))
    response = world.client("alice").get(
        "/activities/compliance/export/", {"org": "BT-JY", "year": 2024}
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == ("组织代码", "组织名称", "制度", "周期", "应开展次数", "已开展次数", "状态")
    assert ("BT-JY-B01", "第一党支部", "主题党日", "2024-03", 1, 1, "已完成") in rows
    assert len(rows) == 1 + 47


def test_the_health_page_states_membership_and_whether_a_committee_is_due_R1_1_R1_3(world):
    for i in range(6):
        do_create_person(
            None,
            world.org("BT-JY"),
            employee_no=f"JY1{i:02d}",
            name=f"党员{i}",
            political_status=PoliticalStatus.MEMBER,
            party_org=world.org("BT-JY-B01"),
            since=D(2024, 7, 1) if i == 5 else D(2020, 1, 1),
        )
    html = (
        world.client("carol").get("/activities/health/BT-JY-B01/", {"year": 2024}).content.decode()
    )
    assert "截至2024年12月31日，正式党员7名，预备党员1名。" in html
    assert "应设立支部委员会" in html
    assert "本年度应召开支委会的月份：7月、8月、9月、10月、11月、12月" in html
    assert "换届选举记录随支部委员会模块登记" in html  # R1.4: no invented data
    assert "支部委员会会议" in html


def test_a_small_branch_is_told_it_needs_three_full_members_R1_1(world):
    html = (
        world.client("carol").get("/activities/health/BT-JY-B01/", {"year": 2024}).content.decode()
    )
    assert "正式党员不足3名" in html
    assert "不设支部委员会" in html


def test_the_branch_health_page_lists_its_groups_obligations_too(world):
    do_create_person(
        None,
        world.org("BT-JY"),
        employee_no="JY0200",
        name="钱进",
        political_status=PoliticalStatus.MEMBER,
        party_org=world.org("BT-JY-B01"),
        party_group=world.org("BT-JY-B01-G1"),
        since=D(2020, 1, 1),
    )
    meeting = held(world, "BT-JY-B01-G1", "group_meeting", D(2024, 4, 2), title="四月党小组会")
    html = (
        world.client("carol").get("/activities/health/BT-JY-B01/", {"year": 2024}).content.decode()
    )
    assert "第一党小组</a> · 党小组会" in html
    assert f'href="/activities/{meeting.pk}/">04-02 四月党小组会</a>' in html


def test_a_committee_health_page_checks_the_member_thresholds_R1_2(world):
    html = (
        world.client("bob").get("/activities/health/BT-JY-JGDW/", {"year": 2024}).content.decode()
    )
    assert "R1.2 组织设置" in html
    assert "下属党员3名" in html and "党员不足50名，设立党支部即可" in html
    assert "党委（党组）书记讲党课" in html


def test_a_department_has_no_health_page(world):
    assert world.client("alice").get("/activities/health/BT-JY-MS/").status_code == 404


@pytest.fixture
def leading_group(world):
    group = do_create_org(
        None, code="BT-DZ", name="党组", kind=OrgKind.LEADING_GROUP, parent=world.org("BT")
    )
    zhang, li = world.people["zhang"], world.people["li"]
    held(
        world,
        "BT-DZ",
        "center_group_study",
        D(2024, 1, 16),
        attendance={zhang.pk: "present", li.pk: "present"},
        title="一月中心组学习",
        summary="围绕全会精神开展研讨，张华庆、李建国作交流发言。",
    )
    held(world, "BT-DZ", "center_group_study", D(2024, 2, 20), title="二月中心组学习")
    return group


def six_items(html):
    section = re.search(r'<section class="card" id="r17">(.*?)</section>', html, re.S).group(1)
    items = re.findall(
        r'<li data-item="\d">(.*?)</li>\s*(?=<li data-item|</ul>\s*<p)', section, re.S
    )
    return {re.search(r"<strong>(.*?)</strong>", item).group(1): item for item in items}


def test_the_six_have_checklist_shows_each_item_present_or_missing_with_proof_R1_7(
    world, leading_group
):
    alice = world.client("alice")
    response = alice.post(
        "/activities/health/BT-DZ/study-records/",
        {
            "year": 2024,
            "item": "plan",
            "title": "2024年度党组理论学习中心组学习计划",
            "file": SimpleUploadedFile(
                "学习计划.pdf", b"%PDF-1.4 plan", content_type="application/pdf"
            ),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/activities/health/BT-DZ/?year=2024#r17"
    alice.post(
        "/activities/health/BT-DZ/study-records/",
        {"year": 2024, "item": "notes", "title": "学习笔记（一月）", "employee_no": "bt0001"},
    )
    html = alice.get("/activities/health/BT-DZ/", {"year": 2024}).content.decode()
    items = six_items(html)
    assert list(items) == [
        "有年度学习计划",
        "有每次学习的研讨记录",
        "有考勤记录",
        "有个人学习笔记",
        "有心得体会文章",
        "有专项经费",
    ]
    present = {name: "已具备" in body for name, body in items.items()}
    assert present == {
        "有年度学习计划": True,
        "有每次学习的研讨记录": False,  # February's session has no discussion record
        "有考勤记录": False,  # nor attendance
        "有个人学习笔记": True,
        "有心得体会文章": False,
        "有专项经费": False,
    }
    plan = StudyRecord.objects.get(item="plan")
    assert f"/activities/health/BT-DZ/study-records/file/?id={plan.pk}" in unescape(
        items["有年度学习计划"]
    )
    assert "01-16 一月中心组学习" in items["有每次学习的研讨记录"]
    assert "02-20 二月中心组学习（未填写会议记录）" in items["有每次学习的研讨记录"]
    assert "01-16 一月中心组学习（2人次）" in items["有考勤记录"]
    assert "张华庆：学习笔记（一月）" in items["有个人学习笔记"]
    # The proof can be opened.
    file = alice.get(f"/activities/health/BT-DZ/study-records/file/?id={plan.pk}")
    assert file.status_code == 200 and b"".join(file.streaming_content) == b"%PDF-1.4 plan"
    # Every write is audited.
    assert AuditEvent.objects.filter(action="activities.study_record").count() == 2


def test_a_complete_year_has_all_six_present_R1_7(world, leading_group):
    feb = Org.objects.get(code="BT-DZ").activities.get(on=D(2024, 2, 20))
    actions.do_record_held(
        world.users["alice"],
        feb,
        attendance={world.people["zhang"].pk: "present"},
        summary="交流研讨记录",
    )
    alice = world.client("alice")
    for item, extra in (
        ("plan", {}),
        ("notes", {"employee_no": "BT0001"}),
        ("article", {"employee_no": "BT0002"}),
        ("budget", {"amount": "12000.00"}),
    ):
        response = alice.post(
            "/activities/health/BT-DZ/study-records/",
            {"year": 2024, "item": item, "title": f"{item}记录", **extra},
        )
        assert response.status_code == 302
    html = alice.get("/activities/health/BT-DZ/", {"year": 2024}).content.decode()
    items = six_items(html)
    assert all("已具备" in body for body in items.values())
    assert "合计12000.00元" in items["有专项经费"]


def test_a_budget_without_an_amount_is_refused_beside_the_field(world, leading_group):
    response = world.client("alice").post(
        "/activities/health/BT-DZ/study-records/",
        {"year": 2024, "item": "budget", "title": "学习经费"},
    )
    assert response.status_code == 400
    assert "专项经费请填写金额" in response.content.decode()
    assert not StudyRecord.objects.exists()


def test_an_unknown_employee_number_is_refused(world, leading_group):
    response = world.client("alice").post(
        "/activities/health/BT-DZ/study-records/",
        {"year": 2024, "item": "notes", "title": "笔记", "employee_no": "JY0001"},
    )
    assert response.status_code == 400
    assert "本院没有工号为“JY0001”的人员" in response.content.decode()


def test_a_leader_sees_the_checklist_but_may_not_add_to_it(world, leading_group):
    erin = world.client("erin")
    html = erin.get("/activities/health/BT-DZ/", {"year": 2024}).content.decode()
    assert "有年度学习计划" in html and "登记“六有”材料" not in html
    response = erin.post(
        "/activities/health/BT-DZ/study-records/", {"year": 2024, "item": "plan", "title": "x"}
    )
    assert response.status_code == 403


def test_the_outsider_cannot_open_our_study_files(world, leading_group):
    world.client("alice").post(
        "/activities/health/BT-DZ/study-records/",
        {
            "year": 2024,
            "item": "plan",
            "title": "计划",
            "file": SimpleUploadedFile("plan.pdf", b"%PDF secret"),
        },
    )
    plan = StudyRecord.objects.get()
    assert (
        world.client("oscar")
        .get(f"/activities/health/BT-DZ/study-records/file/?id={plan.pk}")
        .status_code
        == 404
    )


def test_the_dashboard_card_states_idle_branches_plainly(world):
    held(world, "BT-JY-B01", "theme_day", D(2024, 1, 10))
    summary = dashboard_summary(scope_for(world.users["bob"]), D(2024, 3, 15))
    html = render_to_string("activities/compliance_dashboard.html", {"compliance_summary": summary})
    assert "第一党支部 已连续65天没有活动记录" in html
    assert "第二党支部 尚无已开展的活动记录" in html
    assert "本期待完成" in html and "今年已逾期" in html
