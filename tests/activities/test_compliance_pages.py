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
from tianping.activities.heart_talks import do_record_heart_talk
from tianping.activities.models import StudyRecord
from tianping.audit.models import AuditEvent
from tianping.committees.actions import CandidateIn, do_record_election
from tianping.orgs.actions import do_create_org
from tianping.orgs.models import Org, OrgKind
from tianping.people.actions import do_create_person
from tianping.people.models import PoliticalStatus

D = dt.date
ELECTED_ON = D(2023, 6, 1)


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


def elect_secretary(world, code, employee_no, *, on=ELECTED_ON, deputy=None):
    candidates = [CandidateIn(employee_no, votes=3, elected=True, posts=("secretary",))]
    if deputy:
        candidates.append(CandidateIn(deputy, votes=3, elected=True, posts=("deputy_secretary",)))
    return do_record_election(
        world.users["bob"], world.org(code), held_on=on, candidates=candidates
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
    assert missing[1] == "/activities/health/BT-JY-B01/?year=2024#obligations"
    page = client.get(missing[1].split("#")[0])
    assert page.status_code == 200
    assert '<section class="card" id="obligations">' in page.content.decode()
    assert "组织生活制度落实情况" in page.content.decode()


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
    for kind in ("life_meeting", "democratic_review"):
        held(world, "BT-JY-B02", kind, D(2024, 12, 1))
    # 谈心谈话 pair by pair (D5): the secretary 孙丽 with the branch's other member.
    qian = do_create_person(
        None,
        world.org("BT-JY"),
        employee_no="JY0501",
        name="钱一",
        political_status=PoliticalStatus.MEMBER,
        party_org=world.org("BT-JY-B02"),
        since=D(2020, 1, 1),
    )
    elect_secretary(world, "BT-JY-B02", "JY0003")
    do_record_heart_talk(
        world.users["bob"],
        world.org("BT-JY-B02"),
        on=D(2024, 11, 5),
        talker=world.people["sun"],
        members=[qian],
    )
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
    assert rows[0] == ("组织代码", "组织名称", "制度", "周期", "应开展", "已开展", "单位", "状态")
    assert ("BT-JY-B01", "第一党支部", "主题党日", "2024-03", 1, 1, "次", "已完成") in rows
    # A branch with no committee recorded cannot meet its 谈心谈话 pair by pair (D5).
    assert ("BT-JY-B01", "第一党支部", "谈心谈话", "2024", 1, 0, "对", "缺项") in rows
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
    assert '<section class="card check-warn" id="structure">' in html
    assert "组织设置" in html
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
    section = re.search(r'<section class="card" id="six-have">(.*?)</section>', html, re.S).group(1)
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
    assert response["Location"] == "/activities/health/BT-DZ/?year=2024#six-have"
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


# ---------------------------------------------------------------------------------------
# The committee and its term on the health page; 谈心谈话 pair by pair (D5)


@pytest.fixture
def small_branch(world):
    """第二党支部: 孙丽 (书记), 钱一 (副书记), 钱二 and 钱三 (预备党员), elected 2023-06-01."""
    people = {"sun": world.people["sun"]}
    for number, key, name, status in (
        ("JY0501", "qian1", "钱一", PoliticalStatus.MEMBER),
        ("JY0502", "qian2", "钱二", PoliticalStatus.MEMBER),
        ("JY0503", "qian3", "钱三", PoliticalStatus.PROBATIONARY),
    ):
        people[key] = do_create_person(
            None,
            world.org("BT-JY"),
            employee_no=number,
            name=name,
            political_status=status,
            party_org=world.org("BT-JY-B02"),
            since=D(2020, 1, 1),
        )
    elect_secretary(world, "BT-JY-B02", "JY0003", deputy="JY0501")
    return people


def section(html, anchor):
    found = re.search(rf'<section class="card[^"]*" id="{anchor}">(.*?)</section>', html, re.S)
    assert found, f"no section #{anchor}"
    return found.group(1)


def text(html):
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def test_the_health_page_shows_the_committee_and_its_term_from_the_committees_module(
    world, small_branch
):
    html = world.client("bob").get("/activities/health/BT-JY-B02/", {"year": 2024}).content
    html = html.decode()
    committee = text(section(html, "committee"))
    assert "截至2024年12月31日，现任：孙丽（书记）、钱一（副书记）。" in committee
    assert "查看支部委员会与换届记录" in committee
    term = text(section(html, "term"))
    assert "本届于2023年06月01日选举产生，任期3年，2026年06月01日届满。" in term
    assert "距应换届日期2026年06月01日还有517天。" in term
    assert 'href="/committees/BT-JY-B02/"' in section(html, "term")


def test_the_health_page_says_plainly_when_no_election_is_recorded(world):
    html = world.client("bob").get("/activities/health/BT-JY-B02/", {"year": 2024}).content
    committee = text(section(html.decode(), "committee"))
    assert "尚未登记支部委员会（书记）的选举结果" in committee
    # The committees module's own warning, without its rule id.
    assert "尚未记录支部书记的选举" in committee and "R1" not in committee


def test_d5_the_health_page_lists_the_pairs_still_missing(world, small_branch):
    p = small_branch
    do_record_heart_talk(
        world.users["bob"],
        world.org("BT-JY-B02"),
        on=D(2024, 9, 10),
        talker=p["sun"],
        members=[p["qian1"], p["qian2"], p["qian3"]],
    )
    html = world.client("bob").get("/activities/health/BT-JY-B02/", {"year": 2024})
    talks = section(html.content.decode(), "heart-talk")
    assert "缺项" in talks
    plain_text = text(talks)
    assert "应谈心谈话5对，已谈3对" in plain_text
    gaps = re.findall(r'<li data-talker="(\w+)">(.*?)</li>', talks, re.S)
    assert [(who, text(body)) for who, body in gaps] == [
        ("JY0501", "钱一 尚未与 钱二、钱三（2人）谈心谈话 · 登记")
    ]
    # The link fills the form for 钱一 and the two he has not talked with.
    link = unescape(re.search(r'<li data-talker="JY0501">.*?href="([^"]+)"', talks, re.S)[1])
    assert link == f"/activities/health/BT-JY-B02/?year=2024&talker={p['qian1'].pk}#heart-talk"
    form = section(world.client("bob").get(link.split("#")[0]).content.decode(), "heart-talk")
    assert re.search(rf'<option value="{p["qian1"].pk}" selected>', form)
    checked = re.findall(r'<input type="checkbox" name="members" value="(\d+)"[^>]*checked', form)
    assert sorted(map(int, checked)) == sorted([p["qian2"].pk, p["qian3"].pk])


def test_d5_a_talk_recorded_on_the_health_page_completes_the_matrix(world, small_branch):
    p = small_branch
    bob = world.client("bob")
    do_record_heart_talk(
        world.users["bob"],
        world.org("BT-JY-B02"),
        on=D(2024, 9, 10),
        talker=p["sun"],
        members=[p["qian1"], p["qian2"], p["qian3"]],
    )
    response = bob.post(
        "/activities/health/BT-JY-B02/heart-talks/",
        {
            "year": 2024,
            "on": "2024-10-12",
            "talker": p["qian1"].pk,
            "members": [p["qian2"].pk, p["qian3"].pk],
            "location": "第二党支部活动室",
            "summary": "交流思想和工作情况。",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/activities/health/BT-JY-B02/?year=2024#heart-talk"
    page = bob.get(response["Location"].split("#")[0]).content.decode()
    assert "已登记谈心谈话：谈心谈话：钱一与钱二、钱三（谈话对象2人）。" in page
    talks = text(section(page, "heart-talk"))
    assert "应谈心谈话5对，已谈5对" in talks and "支部委员与每名党员均已谈心谈话" in talks
    event = AuditEvent.objects.filter(action="activities.held").latest("id")
    assert event.after["title"] == "谈心谈话：钱一与钱二、钱三"
    assert event.user == world.users["bob"]
    matrix = bob.get("/activities/compliance/", {"org": "BT-JY", "year": 2024}).content.decode()
    assert ("met", "谈心 5/5") in [(c[0], c[2]) for c in chips(matrix, "BT-JY-B02")]


def test_d5_a_talk_without_anyone_talked_with_is_refused_beside_the_field(world, small_branch):
    response = world.client("bob").post(
        "/activities/health/BT-JY-B02/heart-talks/",
        {"year": 2024, "on": "2024-10-12", "talker": small_branch["sun"].pk},
    )
    assert response.status_code == 400
    talks = section(response.content.decode(), "heart-talk")
    assert "请至少选择一名谈话对象（谈话人本人除外）" in talks


def test_d5_a_leader_sees_the_pairs_but_may_not_record_a_talk(world, small_branch):
    erin = world.client("erin")
    talks = section(
        erin.get("/activities/health/BT-JY-B02/", {"year": 2024}).content.decode(), "heart-talk"
    )
    assert "孙丽" in talks and "登记谈心谈话" not in talks
    response = erin.post(
        "/activities/health/BT-JY-B02/heart-talks/",
        {"year": 2024, "on": "2024-10-12", "talker": small_branch["sun"].pk},
    )
    assert response.status_code == 403
    assert (
        world.client("oscar").post("/activities/health/BT-JY-B02/heart-talks/").status_code == 404
    )


# ---------------------------------------------------------------------------------------
# The matrix by quarter or month, its header, and no rule ids anywhere


def header_cells(html):
    thead = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    return re.findall(r"<th[^>]*>([^<]+)</th>", thead)


def test_the_matrix_filters_by_quarter(world):
    held(world, "BT-JY-B01", "theme_day", D(2024, 2, 8))
    client = world.client("bob")
    html = client.get(
        "/activities/compliance/", {"org": "BT-JY", "year": 2024, "period": "Q1"}
    ).content.decode()
    assert header_cells(html) == ["组织", "1月", "2月", "3月", "一季度"]
    assert "九原区人民法院 · 2024年 · 一季度" in text(html)
    cells = [c[2] for c in chips(html, "BT-JY-B01")]
    assert cells == ["党日 0/1", "党日 1/1", "党日 0/1", "大会 0/1", "党课 0/1"]
    # The summary counts the quarter: two branches × (3 theme days, a congress, a lecture).
    summary = re.search(r'id="summary">(.*?)</div>\s*<p', html, re.S).group(1)
    assert re.findall(r'class="stat[^"]*">([^<]+)<', summary)[:4] == ["10", "1", "9", "0"]
    # The export follows the filter.
    export = re.search(r'id="export-link" href="([^"]+)"', html).group(1)
    assert "period=Q1" in unescape(export)
    response = client.get(unescape(export))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert len(list(book.active.iter_rows(values_only=True))) == 1 + 10


def test_the_matrix_filters_by_month(world):
    html = (
        world.client("bob")
        .get("/activities/compliance/", {"org": "BT-JY", "year": 2024, "period": "M5"})
        .content.decode()
    )
    assert header_cells(html) == ["组织", "5月"]
    assert [c[2] for c in chips(html, "BT-JY-B02")] == ["党日 0/1"]
    assert '<option value="M5" selected>5月</option>' in html
    assert 'colspan="2"' in html  # the court's heading spans the columns shown


def test_an_unknown_period_shows_the_whole_year(world):
    html = (
        world.client("bob")
        .get("/activities/compliance/", {"org": "BT-JY", "year": 2024, "period": "Q9"})
        .content.decode()
    )
    assert header_cells(html) == [
        "组织",
        *[f"{m}月" for m in range(1, 13)],
        "一季度",
        "二季度",
        "三季度",
        "四季度",
        "全年",
    ]


def test_the_matrix_header_is_one_sticky_row_aligned_with_its_columns(world):
    html = (
        world.client("bob")
        .get("/activities/compliance/", {"org": "BT-JY", "year": 2024})
        .content.decode()
    )
    thead = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    assert thead.count("<tr>") == 1 and "rowspan" not in thead and "colspan" not in thead
    row = re.search(r'<tr data-org="BT-JY-B01">(.*?)</tr>', html, re.S).group(1)
    assert row.count("<td") == len(header_cells(html))
    assert ".matrix thead th { position: sticky; top: 0;" in html
    assert ".matrix thead th.org { left: 0;" in html
    assert '<div class="table-wrap matrix-wrap">' in html


RULE_ID = re.compile(r"\b[RD]\d+(?:\.\d+)?\b")


@pytest.mark.parametrize(
    "url",
    [
        "/activities/compliance/?org=BT-JY&year=2024",
        "/activities/compliance/?org=BT-JY&year=2024&period=Q2",
        "/activities/compliance/?org=BT&year=2024&court=BT-JY",
        "/activities/health/BT-JY-B01/?year=2024",
        "/activities/health/BT-JY-B02/?year=2024",
        "/activities/health/BT-JY-JGDW/?year=2024",
        "/activities/health/BT-DZ/?year=2024",
        "/activities/compliance/settings/?court=BT-JY",
        "/orgs/BT-JY-B01/",
        "/orgs/BT-JY-B01/edit/",
        "/",
    ],
)
def test_r1_5_no_rule_id_is_shown_on_the_compliance_and_org_pages(world, small_branch, url):
    do_create_org(
        None, code="BT-DZ", name="党组", kind=OrgKind.LEADING_GROUP, parent=world.org("BT")
    )
    response = world.client("admin").get(url)
    assert response.status_code == 200
    shown = text(
        re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    )
    assert not RULE_ID.findall(shown), RULE_ID.findall(shown)


def test_r1_5_each_obligation_cites_its_article(world):
    html = world.client("bob").get("/activities/health/BT-JY-B01/", {"year": 2024}).content
    obligations = text(section(html.decode(), "obligations"))
    assert "依据：《中国共产党支部工作条例（试行）》第十六条" in obligations
    assert "依据：《中国共产党支部工作条例（试行）》第十九条" in obligations
