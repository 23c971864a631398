"""API authentication: bearer tokens, the web session with CSRF, and the chosen grant."""

from __future__ import annotations

import datetime as dt

from django.middleware.csrf import get_token
from django.test import Client, RequestFactory

from tianping.accounts.actions import (
    do_create_token,
    do_create_user,
    do_grant,
    do_revoke,
    do_revoke_token,
)
from tianping.accounts.middleware import SESSION_GRANT_KEY
from tianping.accounts.models import ApiToken, Role
from tianping.accounts.scoping import CAPABILITIES
from tianping.audit.models import AuditEvent

from .conftest import ApiClient


def test_a_bearer_token_authenticates_its_user(bearer):
    r = bearer("alice").get("/me")
    assert r.status_code == 200
    body = r.json()
    assert body["username"] == "alice"
    assert body["scope"]["role"] == "political_dept"
    assert body["scope"]["org"] == {"code": "BT", "name": "包头市中级人民法院"}


def test_a_token_notes_its_last_use_at_most_once_a_minute(world):
    token, raw = do_create_token(world.users["alice"], world.users["alice"], "脚本")
    client = ApiClient(Client(), {"Authorization": f"Bearer {raw}"})
    client.get("/me")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client.get("/me")
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(minutes=2))
    client.get("/me")
    token.refresh_from_db()
    assert token.last_used_at > first - dt.timedelta(seconds=1)


def test_a_revoked_token_is_refused_with_401(world):
    token, raw = do_create_token(world.users["alice"], world.users["alice"], "旧令牌")
    do_revoke_token(world.users["alice"], token)
    r = ApiClient(Client(), {"Authorization": f"Bearer {raw}"}).get("/me")
    assert r.status_code == 401
    assert "令牌" in r.json()["detail"]


def test_a_bad_token_is_refused_even_beside_a_valid_session(world):
    client = ApiClient(world.client("alice"), {"Authorization": "Bearer tp_nonsense"})
    assert client.get("/me").status_code == 401


def test_the_token_of_a_deactivated_user_is_refused(world):
    alice = world.users["alice"]
    _, raw = do_create_token(alice, alice, "脚本")
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert ApiClient(Client(), {"Authorization": f"Bearer {raw}"}).get("/me").status_code == 401


def test_anonymous_callers_get_401_in_chinese(world):
    client = ApiClient(Client())
    for r in (client.get("/me"), client.get("/people"), client.post("/orgs", {"code": "X"})):
        assert r.status_code == 401
        assert r.json()["detail"].startswith("未登录")
        assert r["WWW-Authenticate"].startswith("Bearer")


def test_the_web_session_authenticates_the_api(session):
    r = session("bob").get("/me")
    assert r.status_code == 200
    assert r.json()["scope"]["org"]["code"] == "BT-JY"


def test_a_session_post_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["alice"])
    body = {"code": "BT-JY-B09", "name": "第九党支部", "kind": "branch", "parent": "BT-JY-JGDW"}

    refused = ApiClient(client).post("/orgs", body)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]

    request = RequestFactory().get("/")
    token = get_token(request)
    client.cookies["csrftoken"] = request.META["CSRF_COOKIE"]
    accepted = ApiClient(client, {"X-CSRFToken": token}).post("/orgs", body)
    assert accepted.status_code == 201


def test_a_session_get_needs_no_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["alice"])
    assert ApiClient(client).get("/orgs").status_code == 200


def test_a_token_post_needs_no_csrf_token(world, bearer):
    client = bearer("alice")
    client.client = Client(enforce_csrf_checks=True)
    body = {"code": "BT-JY-B09", "name": "第九党支部", "kind": "branch", "parent": "BT-JY-JGDW"}
    assert client.post("/orgs", body).status_code == 201


def test_the_grant_header_picks_one_of_the_callers_grants(world, bearer):
    alice = world.users["alice"]
    leader = do_grant(None, alice, Role.LEADER, world.org("BT-JY"))
    client = bearer("alice", **{"X-Tianping-Grant": str(leader.pk)})
    me = client.get("/me").json()
    assert me["scope"]["grant_id"] == leader.pk
    assert me["scope"]["role_name"] == "院领导"
    assert {p["court"]["code"] for p in client.get("/people").json()["items"]} == {"BT-JY"}
    # As a leader she reads but does not write.
    assert client.post("/orgs", {}).status_code == 403


def test_a_grant_that_is_not_the_callers_is_403(world, bearer):
    bobs = world.users["bob"].grants.get()
    for value in (str(bobs.pk), "abc", "999999"):
        r = bearer("alice", **{"X-Tianping-Grant": value}).get("/me")
        assert r.status_code == 403
        assert "授权" in r.json()["detail"]


def test_a_revoked_grant_cannot_be_chosen(world, bearer):
    alice = world.users["alice"]
    extra = do_grant(None, alice, Role.LEADER, world.org("BT-JY"))
    do_revoke(None, extra)
    assert bearer("alice", **{"X-Tianping-Grant": str(extra.pk)}).get("/me").status_code == 403


def test_a_session_keeps_the_scope_chosen_on_the_web(world):
    alice = world.users["alice"]
    leader = do_grant(None, alice, Role.LEADER, world.org("BT-JY"))
    client = world.client("alice")
    web_session = client.session
    web_session[SESSION_GRANT_KEY] = leader.pk
    web_session.save()
    assert ApiClient(client).get("/me").json()["scope"]["grant_id"] == leader.pk


def test_me_names_the_person_grants_and_scope(session):
    me = session("dave").get("/me").json()
    assert me["person"]["employee_no"] == "JY0002"
    assert me["person"]["name"] == "赵磊"
    assert [(g["role"], g["role_name"], g["org"]["code"]) for g in me["grants"]] == [
        ("member", "干警", "BT-JY")
    ]
    assert me["scope"]["self_only"] is True
    assert me["scope"]["capabilities"] == sorted(CAPABILITIES[Role.MEMBER])


def test_a_user_without_grants_may_sign_in_but_reads_nothing(world):
    nobody = do_create_user(None, "nobody", password=None)
    client = Client()
    client.force_login(nobody)
    api = ApiClient(client)
    me = api.get("/me").json()
    assert me["grants"] == []
    assert me["scope"] is None
    assert api.get("/people").status_code == 403


def test_json_carries_chinese_as_plain_utf8(session):
    r = session("alice").get("/people?q=zhq")
    assert r["Content-Type"].startswith("application/json")
    assert "张华庆".encode() in r.content


def test_a_token_request_acts_as_the_tokens_user_in_the_audit(world, bearer):
    bearer("alice").post(
        "/orgs",
        {"code": "BT-JY-B09", "name": "第九党支部", "kind": "branch", "parent": "BT-JY-JGDW"},
    )
    event = AuditEvent.objects.get(action="orgs.create", object_repr="第九党支部")
    assert event.user == world.users["alice"]
