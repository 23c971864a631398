"""Skill competitions through the actions, the pages and what is stored: bounds, dropped
extremes, ties, anonymity until the scoring closes, awards into honours once."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from tests.talent import competition_factories as f
from tianping.audit.models import AuditEvent
from tianping.talent.actions import competitions as actions
from tianping.talent.models import Award, Honour, HonourLevel, Judge, Round, Score
from tianping.talent.queries import competitions as queries

pytestmark = pytest.mark.django_db

SHEET = {
    "李建国": {"张华庆": ["55", "38"], "王芳": ["50", "35"]},
    "孙丽": {"张华庆": ["40", "30"], "王芳": ["52", "36"]},
    "周强": {"张华庆": ["58", "39"], "王芳": ["45", "30"]},
}


def _scored(world, judges=3):
    comp = f.competition(world)
    track = f.skill_track(world, comp, judges=judges)
    f.open_scoring(comp)
    rnd = Round.objects.get(track=track)
    f.fill(rnd, SHEET)
    return comp, track, rnd


def test_a_mid_courts_competition_carries_city_level_honours(world):
    assert f.competition(world).honour_level == HonourLevel.CITY


def test_a_score_above_the_criterions_maximum_is_refused_and_nothing_is_stored(world):
    comp = f.competition(world)
    track = f.skill_track(world, comp)
    f.open_scoring(comp)
    judge = Judge.objects.filter(round__track=track).first()
    entrant = track.entrants.first()
    criterion = track.criteria.get(name="法律适用")
    with pytest.raises(ValidationError, match="0至40分之间"):
        actions.do_score(None, judge, entrant, criterion, "40.5")
    with pytest.raises(ValidationError, match="两位小数"):
        actions.do_score(None, judge, entrant, criterion, "3.141")
    with pytest.raises(ValidationError):
        actions.do_score(None, judge, entrant, criterion, "-1")
    assert not Score.objects.exists()


def test_scores_wait_for_the_scoring_stage(world):
    comp = f.competition(world)
    track = f.skill_track(world, comp)
    judge = Judge.objects.filter(round__track=track).first()
    with pytest.raises(ValidationError, match="不在评分阶段"):
        actions.do_score(None, judge, track.entrants.first(), track.criteria.first(), "10")


def test_highest_and_lowest_judge_totals_are_dropped(world):
    _, _, rnd = _scored(world)
    standings = {s.entrant_id: s for s in queries.round_standings(rnd)}
    zhang = rnd.track.entrants.get(person__name="张华庆")
    wang = rnd.track.entrants.get(person__name="王芳")
    # 张华庆: 93, 70, 97 → drop 97 and 70 → 93.00; 王芳: 85, 88, 75 → drop 88 and 75 → 85.00
    assert standings[zhang.pk].final == D("93.00")
    assert standings[wang.pk].final == D("85.00")
    assert standings[zhang.pk].rank == 1 and standings[wang.pk].rank == 2


def test_with_two_judges_nothing_is_dropped_and_the_page_says_so(world):
    comp = f.competition(world)
    track = f.skill_track(world, comp, judges=2)
    f.open_scoring(comp)
    rnd = Round.objects.get(track=track)
    f.fill(rnd, SHEET)
    standings = {s.entrant_id: s for s in queries.round_standings(rnd)}
    assert standings[track.entrants.get(person__name="张华庆").pk].final == D("81.50")
    page = world.client("alice").get(f"/talent/competitions/rounds/{rnd.pk}/results/")
    assert "评委不足三人" in page.content.decode()


def test_equal_final_scores_share_a_rank_and_both_get_the_higher_prize(world):
    comp = f.competition(world)
    track = f.skill_track(world, comp)
    f.open_scoring(comp)
    rnd = Round.objects.get(track=track)
    same = {"张华庆": ["50", "30"], "王芳": ["50", "30"]}
    f.fill(rnd, {"李建国": same, "孙丽": same, "周强": same})
    actions.do_close_round(None, rnd)
    awards = actions.do_confirm_awards(None, track)
    assert sorted((a.rank, a.prize) for a in awards) == [(1, "first"), (1, "first")]


def test_a_round_closes_only_when_every_sheet_is_complete(world):
    comp = f.competition(world)
    track = f.skill_track(world, comp)
    f.open_scoring(comp)
    rnd = Round.objects.get(track=track)
    f.fill(rnd, {"李建国": SHEET["李建国"]})
    with pytest.raises(ValidationError, match="评分未全部录入"):
        actions.do_close_round(None, rnd)


def test_confirmed_awards_go_into_honours_once(world):
    comp, track, rnd = _scored(world)
    actions.do_close_round(None, rnd)
    awards = actions.do_confirm_awards(None, track)
    assert sorted((a.entrant.person.name, a.prize) for a in awards) == [
        ("张华庆", "first"),
        ("王芳", "second"),
    ]
    honour = Honour.objects.get(person=world.people["zhang"])
    assert honour.title == "“双创·致远”杯业务技能竞赛员额法官·民事审判一等奖"
    assert (honour.kind, honour.level, honour.source) == ("competition", "city", "competition")
    assert honour.awarded_by == "包头市中级人民法院"
    with pytest.raises(ValidationError, match="已确认"):
        actions.do_confirm_awards(None, track)
    assert Honour.objects.filter(source="competition").count() == 2
    assert Award.objects.count() == 2


def test_the_next_round_takes_only_those_who_advance(world):
    comp = f.competition(world)
    track = f.skill_track(world, comp)
    first = Round.objects.get(track=track)
    Round.objects.filter(pk=first.pk).update(advance_rule="top", advance_value=1)
    final = actions.do_add_round(None, track, stage="final")
    f.open_scoring(comp)
    f.fill(first, SHEET)
    assert actions.do_close_round(None, first) == [track.entrants.get(person__name="张华庆").pk]
    assert [e.person.name for e in queries.participants(final)] == ["张华庆"]
    judge = Judge.objects.create(round=final, person=world.people["li"])
    with pytest.raises(ValidationError, match="未进入本轮"):
        actions.do_score(
            None, judge, track.entrants.get(person__name="王芳"), track.criteria.first(), "1"
        )


def test_a_closed_round_keeps_its_scores(world):
    _, track, rnd = _scored(world)
    actions.do_close_round(None, rnd)
    judge = Judge.objects.filter(round=rnd).first()
    with pytest.raises(ValidationError, match="已结束"):
        actions.do_score(None, judge, track.entrants.first(), track.criteria.first(), "1")


def test_a_document_naming_its_author_is_refused(world):
    comp = f.competition(world)
    track = actions.do_add_track(None, comp, name="文书", specialty="文书写作", kind="document")
    with pytest.raises(ValidationError, match="作者姓名"):
        actions.do_add_entry(
            None, track, world.people["wang"], title="判决书", text=f.JUDGMENT + "审判员王芳"
        )


def test_judges_see_a_documents_code_never_its_author_until_scoring_closes(world):
    comp = f.competition(world)
    track = f.document_track(world, comp)
    f.open_scoring(comp)
    rnd = Round.objects.get(track=track)
    entry = track.entrants.get()
    assert entry.code.startswith("WS")
    f.fill(rnd, {n: {"王芳": ["90"]} for n in ("李建国", "孙丽", "周强")})
    # a judge's sheet and the officer's results and pages: the code, not the name
    judge = Judge.objects.filter(round=rnd).select_related("person").first()
    seen = queries.sheet(rnd, judge)
    assert [r.label for r in seen.rows] == [f"{entry.code}号"]
    for url in (
        f"/talent/competitions/rounds/{rnd.pk}/results/",
        f"/talent/competitions/tracks/{track.pk}/",
        f"/talent/competitions/entries/{entry.pk}/",
    ):
        body = world.client("alice").get(url).content.decode()
        assert entry.code in body and "王芳" not in body, url
    audit = AuditEvent.objects.filter(action="talent.competition_entry").get()
    assert "王芳" not in str(audit.after) and audit.object_repr.endswith(f"（编号 {entry.code}）")
    with pytest.raises(ValidationError, match="评分全部结束"):
        actions.do_reveal_authors(None, track)
    with pytest.raises(ValidationError, match="揭晓"):
        actions.do_close_round(None, rnd) or actions.do_confirm_awards(None, track)
    actions.do_reveal_authors(world.users["alice"], track)
    assert AuditEvent.objects.filter(
        action="talent.competition_reveal", user=world.users["alice"]
    ).exists()
    body = (
        world.client("alice").get(f"/talent/competitions/rounds/{rnd.pk}/results/").content.decode()
    )
    assert "王芳" in body
    actions.do_confirm_awards(None, track)
    assert Honour.objects.filter(person=world.people["wang"], source="competition").count() == 1


def test_enrol_by_rule_takes_every_serving_person_of_the_track_type(world):
    comp = f.competition(world)
    track = actions.do_add_track(None, comp, name="书记员·速录", specialty="速录", category="clerk")
    added = actions.do_enrol_by_rule(None, track, world.org("BT"))
    assert [e.person.name for e in added] == ["赵磊"]
    with pytest.raises(ValidationError, match="不是员额法官"):
        actions.do_enrol(None, f.skill_track(world, comp), [world.people["zhao"]])


def test_enrolling_someone_outside_the_organisers_courts_is_refused(world):
    comp = f.competition(world)
    track = actions.do_add_track(
        None, comp, name="员额法官", specialty="民事审判", category="judge"
    )
    with pytest.raises(ValidationError, match="不在主办法院"):
        actions.do_enrol(None, track, [world.people["hu"]])


# --- pages --------------------------------------------------------------------------


def test_a_judge_saves_a_cell_and_gets_the_row_back_with_the_total(world):
    comp = f.competition(world)
    track = f.skill_track(world, comp)
    f.open_scoring(comp)
    rnd = Round.objects.get(track=track)
    world.users["carol"].person = world.people["sun"]
    world.users["carol"].save()
    client = world.client("carol")
    page = client.get(f"/talent/competitions/rounds/{rnd.pk}/score/")
    assert page.status_code == 200 and "张华庆" in page.content.decode()
    entrant = track.entrants.get(person__name="王芳")
    c1, c2 = track.criteria.order_by("position")
    url = f"/talent/competitions/rounds/{rnd.pk}/score/cell/"
    r = client.post(
        url, {"entrant": entrant.pk, "criterion": c1.pk, "points": "99"}, HTTP_HX_REQUEST="true"
    )
    assert "0至60分之间" in r.content.decode()
    assert not Score.objects.exists()
    client.post(
        url, {"entrant": entrant.pk, "criterion": c1.pk, "points": "52"}, HTTP_HX_REQUEST="true"
    )
    r = client.post(
        url, {"entrant": entrant.pk, "criterion": c2.pk, "points": "36"}, HTTP_HX_REQUEST="true"
    )
    assert f'data-total="{entrant.pk}">88.00' in r.content.decode()
    assert Score.objects.filter(judge__person=world.people["sun"]).count() == 2


def test_someone_not_on_the_panel_cannot_open_the_sheet(world):
    comp = f.competition(world)
    rnd = Round.objects.get(track=f.skill_track(world, comp))
    assert (
        world.client("alice").get(f"/talent/competitions/rounds/{rnd.pk}/score/").status_code == 403
    )
    assert (
        world.client("oscar").get(f"/talent/competitions/rounds/{rnd.pk}/score/").status_code == 404
    )


def test_the_results_page_strikes_out_the_dropped_totals_and_exports(world):
    _, track, rnd = _scored(world)
    body = (
        world.client("alice").get(f"/talent/competitions/rounds/{rnd.pk}/results/").content.decode()
    )
    assert "<del" in body and ">97.00</del>" in body and ">70.00</del>" in body
    assert "93.00" in body
    xlsx = world.client("alice").get(f"/talent/competitions/rounds/{rnd.pk}/results.xlsx")
    assert xlsx.status_code == 200
    from tests.test_permission_matrix import visible_text

    text = visible_text(xlsx)
    assert "张华庆" in text and "去掉的最高分" in text


def test_a_basic_courts_officer_sees_only_its_own_people_ranked_among_all(world):
    _, _, rnd = _scored(world)
    body = (
        world.client("bob").get(f"/talent/competitions/rounds/{rnd.pk}/results/").content.decode()
    )
    assert "王芳" in body and "张华庆" not in body
    assert "另有1名其他单位选手" in body


def test_an_officer_sets_up_a_competition_through_the_pages(world):
    client = world.client("alice")
    r = client.post(
        "/talent/competitions/new/",
        {
            "court": "BT",
            "name": "岗位练兵",
            "year": 2024,
            "starts_on": "2024-05-01",
            "ends_on": "2024-05-30",
            "drop_extremes": "on",
        },
    )
    assert r.status_code == 302
    comp_url = r["Location"]
    r = client.post(
        comp_url,
        {
            "op": "track",
            "name": "书记员·速录",
            "specialty": "速录",
            "kind": "skill",
            "category": "clerk",
            "quota_first": 1,
            "quota_second": 1,
            "quota_third": 1,
            "quota_excellent": 0,
        },
    )
    track_url = r["Location"]
    assert (
        client.post(
            track_url, {"op": "criterion", "name": "速度", "max_points": "50", "weight": "1"}
        ).status_code
        == 302
    )
    r = client.post(
        track_url, {"op": "criterion", "name": "准确率", "max_points": "abc", "weight": "1"}
    )
    assert r.status_code == 200 and "errorlist" in r.content.decode()
    assert (
        client.post(
            track_url, {"op": "round", "stage": "final", "advance_rule": "none"}
        ).status_code
        == 302
    )
    assert client.post(track_url, {"op": "rule", "court": "BT-JY"}).status_code == 302
    r = client.post(track_url, {"op": "enrol", "employee_nos": "NOPE1"})
    assert "找不到工号：NOPE1" in r.content.decode()
    page = client.get(track_url).content.decode()
    assert "赵磊" in page and "速度" in page


def test_a_member_sees_their_own_results_and_award(world):
    _, track, rnd = _scored(world)
    actions.do_close_round(None, rnd)
    actions.do_confirm_awards(None, track)
    world.users["dave"].person = world.people["wang"]
    world.users["dave"].save()
    body = world.client("dave").get("/talent/competitions/mine/").content.decode()
    assert "获二等奖" in body and "85.00" in body
    assert (
        world.client("dave").get(f"/talent/competitions/rounds/{rnd.pk}/results/").status_code
        == 403
    )
