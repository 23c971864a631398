"""The demo's 双创·致远 competition: every persona sees something of it."""

from __future__ import annotations

import pytest
from django.test import Client

from tianping.accounts.models import User
from tianping.talent.models import Award, Competition, Honour, Judge, Round

pytestmark = pytest.mark.usefixtures("demo_db")


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_the_demo_competition_has_tracks_awards_and_an_open_final():
    comp = Competition.objects.get(name__contains="双创·致远")
    assert comp.tracks.count() >= 7
    assert Award.objects.filter(track__competition=comp).count() >= 20
    assert (
        Honour.objects.filter(source="competition", level="city").count() == Award.objects.count()
    )
    assert Round.objects.filter(track__competition=comp, status="open").count() == 1
    assert comp.tracks.get(kind="document").revealed_at is not None


def test_each_persona_sees_the_competition():
    for username in ("admin", "zhengzhibu", "dangwei", "shuji", "yuanzhang"):
        body = _client(username).get("/talent/competitions/").content.decode()
        assert "双创·致远" in body, username
    mine = _client("dangyuan").get("/talent/competitions/mine/").content.decode()
    assert "双创·致远" in mine and "已登记为荣誉" in mine


def test_the_secretary_has_cells_to_fill_on_the_open_final():
    shuji = User.objects.get(username="shuji")
    seat = Judge.objects.get(person_id=shuji.person_id, round__status="open")
    page = _client("shuji").get(f"/talent/competitions/rounds/{seat.round_id}/score/")
    assert page.status_code == 200 and 'name="points"' in page.content.decode()
