"""The committee pages: the overview with its warnings, a branch, the election and postponement forms."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.utils import timezone

from tianping.committees import rules
from tianping.committees.models import Election, Term

from .conftest import add_members, elect, posts_for

D = dt.date


def election_post(held_on: dt.date, rows: list[dict], **fields) -> dict:
    data = {
        "held_on": held_on.isoformat(),
        "present": fields.pop("present", ""),
        "note": fields.pop("note", ""),
        "congress": fields.pop("congress", ""),
        "c-TOTAL_FORMS": str(max(len(rows), 8)),
        "c-INITIAL_FORMS": "0",
        "c-MIN_NUM_FORMS": "0",
        "c-MAX_NUM_FORMS": "40",
    }
    for i, row in enumerate(rows):
        data[f"c-{i}-employee_no"] = row["no"]
        data[f"c-{i}-votes"] = str(row.get("votes", 5))
        if row.get("elected"):
            data[f"c-{i}-elected"] = "on"
        if row.get("posts"):
            data[f"c-{i}-posts"] = row["posts"]
    return data


def row_of(html: str, code: str) -> str:
    start = html.index(f'data-org="{code}"')
    return html[start : html.index("</tr>", start)]


def stat(html: str, label: str) -> str:
    found = re.search(rf'<div class="muted">{label}</div><div class="stat[^"]*">(\d+)</div>', html)
    assert found, label
    return found.group(1)


def test_the_overview_lists_every_branch_in_scope_with_counts_and_warnings(world):
    response = world.client("bob").get("/committees/")
    html = response.content.decode()
    assert response.status_code == 200
    for code in ("BT-JY-JGDW", "BT-JY-B01", "BT-JY-B02"):
        assert f'data-org="{code}"' in html
    assert 'data-org="BT-B01"' not in html  # the mid court's own branches lie outside BT-JY
    b01 = row_of(html, "BT-JY-B01")
    assert '<td class="num">1</td>' in b01 and '<td class="num">2</td>' in b01  # 1 full of 2
    assert "正式党员不足3人，应成立联合党支部" in b01
    assert "应设立党委委员会，目前没有记录" in row_of(html, "BT-JY-JGDW")


def test_the_overview_states_due_and_overdue_elections_and_the_missing_committee(world):
    today = timezone.localdate()
    b01, b02 = world.org("BT-JY-B01"), world.org("BT-JY-B02")
    # 第一党支部's term ends in 30 days; 第二党支部's ended yesterday.
    elect(
        None,
        b01,
        rules.add_years(today, -3) + dt.timedelta(days=30),
        [(world.people["wang"], ["secretary"])],
    )
    elect(
        None,
        b02,
        rules.add_years(today, -3) - dt.timedelta(days=1),
        [(world.people["sun"], ["secretary"])],
    )
    add_members(world.org("BT-B02"), 6)  # 李建国 and six more: seven full members
    html = world.client("alice").get("/committees/").content.decode()
    assert "还有30天" in row_of(html, "BT-JY-B01")
    assert "换届选举已逾期1天" in row_of(html, "BT-JY-B02")
    assert "正式党员7人（7人以上），应设立支部委员会，目前没有" in row_of(html, "BT-B02")
    assert stat(html, "90天内到期换届") == "1"
    assert stat(html, "换届逾期") == "1"
    assert stat(html, "应设未设支委会") == "3"  # BT-B02 and the two 机关党委 with no record


def test_the_overview_filters_to_warnings_and_renders_its_results_alone_for_htmx(world):
    b01 = world.org("BT-JY-B01")
    add_members(b01, 2)
    elect(None, b01, D(2025, 1, 1), [(world.people["wang"], ["secretary"])])
    client = world.client("bob")
    html = client.get("/committees/", {"org": "BT-JY", "alerts": "on"}).content.decode()
    assert 'data-org="BT-JY-B01"' not in html  # three full members and a secretary: nothing to say
    assert 'data-org="BT-JY-B02"' in html
    partial = client.get(
        "/committees/", {"org": "BT-JY"}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert partial.status_code == 200
    assert (
        "<html" not in partial.content.decode()
        and 'data-org="BT-JY-B01"' in partial.content.decode()
    )


def test_the_overview_exports_what_it_shows(world):
    response = world.client("bob").get("/committees/export/", {"org": "BT-JY"})
    assert response.status_code == 200
    raw = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(raw)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("组织代码", "组织名称", "类型")
    b02 = next(r for r in rows if r[0] == "BT-JY-B02")
    assert b02[3] == 1 and "应成立联合党支部" in b02[9]


def test_the_outsider_gets_404_for_our_organisations(world):
    oscar = world.client("oscar")
    assert oscar.get("/committees/", {"org": "BT-JY"}).status_code == 404
    assert oscar.get("/committees/BT-JY-B01/").status_code == 404
    assert oscar.get("/committees/export/", {"org": "BT-JY"}).status_code == 404
    html = oscar.get("/committees/").content.decode()
    assert "九原区人民法院" not in html and "第一党支部" in html  # EH's own 第一党支部
    assert 'data-org="EH-B01"' in html


def test_a_secretary_sees_and_manages_only_their_own_branch(world):
    carol = world.client("carol")
    html = carol.get("/committees/").content.decode()
    assert 'data-org="BT-JY-B01"' in html and 'data-org="BT-JY-B02"' not in html
    assert carol.get("/committees/BT-JY-B02/").status_code == 404
    assert carol.get("/committees/BT-JY-B02/election/").status_code == 404
    page = carol.get("/committees/BT-JY-B01/").content.decode()
    assert 'href="/committees/BT-JY-B01/election/"' in page


def test_a_leader_reads_a_committee_but_records_nothing(world):
    erin = world.client("erin")
    page = erin.get("/committees/BT-JY-B01/")
    assert page.status_code == 200
    assert "/committees/BT-JY-B01/election/" not in page.content.decode()
    assert erin.get("/committees/BT-JY-B01/election/").status_code == 403
    assert erin.post("/committees/BT-JY-B01/postpone/", {}).status_code == 403


def test_a_member_sees_their_own_branch_committee_read_only(world):
    elect(None, world.org("BT-JY-B01"), D(2024, 4, 1), [(world.people["wang"], ["secretary"])])
    elect(None, world.org("BT-JY-B02"), D(2024, 4, 1), [(world.people["sun"], ["secretary"])])
    dave = world.client("dave")
    assert dave.get("/committees/")["Location"] == "/committees/mine/"
    mine = dave.get("/committees/mine/").content.decode()
    assert "第一党支部" in mine and "王芳" in mine and "书记" in mine
    assert "孙丽" not in mine and "/election/" not in mine
    assert dave.get("/committees/BT-JY-B01/").status_code == 404
    assert dave.get("/committees/BT-JY-B02/").status_code == 404
    assert dave.get("/committees/BT-JY-B01/election/").status_code == 403
    assert dave.get("/committees/export/").status_code == 403


def test_a_secretary_records_an_election_and_the_branch_page_shows_it(world):
    b01 = world.org("BT-JY-B01")
    people = [world.people["wang"], *add_members(b01, 7)]  # eight full members
    carol = world.client("carol")
    form = carol.get("/committees/BT-JY-B01/election/").content.decode()
    assert "正式党员7人以上，应选举支委会" in form
    assert f'<option value="{people[1].employee_no}">' in form
    rows = [
        {"no": p.employee_no, "votes": 7, "elected": True, "posts": posts}
        for p, posts in zip(people[:3], posts_for(3), strict=True)
    ] + [{"no": people[3].employee_no.lower(), "votes": 2}]
    response = carol.post(
        "/committees/BT-JY-B01/election/",
        election_post(D(2024, 5, 8), rows, present=8),
        follow=True,
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/committees/BT-JY-B01/"
    assert "新一届任期3年，至2027-05-08届满" in html
    current = html[html.index('id="current"') : html.index('id="terms"')]
    assert "王芳" in current and "组织委员、纪检委员" in current
    elections = html[html.index('id="elections"') :]
    assert "有选举权的正式党员8人，实到8人" in elections and "未当选" in elections
    term = Term.objects.get(branch=b01)
    assert term.members.count() == 3 and term.election.recorded_by == world.users["carol"]


def test_the_election_form_shows_each_problem_beside_its_row(world):
    b01 = world.org("BT-JY-B01")
    people = [world.people["wang"], *add_members(b01, 7)]
    rows = [
        {"no": people[0].employee_no, "elected": True, "posts": ["secretary"]},
        {"no": world.people["zhao"].employee_no, "votes": 3},
        {"no": people[1].employee_no, "elected": True, "posts": ["organisation"]},
    ]
    response = world.client("carol").post(
        "/committees/BT-JY-B01/election/", election_post(D(2024, 5, 8), rows)
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "第2位候选人：赵磊（JY0002）2024-05-08时不是第一党支部的正式党员" in html
    assert not Election.objects.exists()
    rows.pop(1)
    html = (
        world.client("carol")
        .post("/committees/BT-JY-B01/election/", election_post(D(2024, 5, 8), rows))
        .content.decode()
    )
    assert (
        "支委会应由3至5人组成，最多不超过7人（《中国共产党支部工作条例（试行）》第六章）：本次当选2人"
        in html
    )


def test_a_committee_of_seven_is_saved_with_a_warning_R1_3(world):
    b01 = world.org("BT-JY-B01")
    people = [world.people["wang"], *add_members(b01, 8)]
    rows = [
        {"no": p.employee_no, "elected": True, "posts": posts}
        for p, posts in zip(people[:7], posts_for(7), strict=True)
    ]
    response = world.client("bob").post(
        "/committees/BT-JY-B01/election/", election_post(D(2024, 5, 8), rows), follow=True
    )
    assert (
        "支委会7人，一般应为3至5人（《中国共产党支部工作条例（试行）》第六章）"
        in response.content.decode()
    )


def test_a_postponement_form_refuses_thirteen_months_and_accepts_twelve_R1_4(world):
    b02 = world.org("BT-JY-B02")
    elect(None, b02, D(2023, 3, 1), [(world.people["sun"], ["secretary"])])
    bob = world.client("bob")
    form = bob.get("/committees/BT-JY-B02/postpone/").content.decode()
    assert "最晚 <strong>2027-03-01</strong>" in form
    data = {
        "postponed_to": "2027-04-01",
        "approved_by": "九原区法院机关党委",
        "approved_on": "2025-12-01",
    }
    refused = bob.post("/committees/BT-JY-B02/postpone/", data).content.decode()
    assert (
        "换届最多延期1年（《中国共产党支部工作条例（试行）》第六章、《中国共产党基层组织选举工作条例》）"
        in refused
    )
    data["postponed_to"] = "2027-03-01"
    done = bob.post("/committees/BT-JY-B02/postpone/", data, follow=True).content.decode()
    assert "换届经批准延期至2027-03-01" in done
    assert "经九原区法院机关党委于2025-12-01批准，换届延期至" in done


def test_postponing_without_a_term_sends_the_user_back_with_a_reason(world):
    response = world.client("carol").get("/committees/BT-JY-B01/postpone/", follow=True)
    assert "尚无在任的委员会记录" in response.content.decode()


def test_a_court_office_sets_the_primary_committee_threshold_and_a_secretary_cannot_R1_2(world):
    bob = world.client("bob")
    assert bob.get("/committees/settings/").status_code == 200
    response = bob.post(
        "/committees/settings/", {"court": "BT-JY", "primary_committee_min": "101"}, follow=True
    )
    assert "已保存九原区人民法院的支委会设置" in response.content.decode()
    assert world.client("carol").get("/committees/settings/").status_code == 403
    assert (
        world.client("bob")
        .post("/committees/settings/", {"court": "BT", "primary_committee_min": "101"})
        .status_code
        == 404
    )


def test_a_court_code_on_the_branch_page_leads_to_its_overview(world):
    response = world.client("bob").get("/committees/BT-JY/")
    assert response["Location"] == "/committees/?org=BT-JY"


@pytest.mark.parametrize("path", ["/committees/", "/committees/mine/", "/committees/BT-JY-B01/"])
def test_anonymous_visitors_are_sent_to_log_in(world, path):
    response = world.client(None).get(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
