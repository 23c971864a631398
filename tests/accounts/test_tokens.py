"""API tokens: an expiry chosen when made, refused once past it, ended by any password change."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD
from tianping.accounts.actions import do_create_token, do_set_password
from tianping.accounts.models import ApiToken
from tianping.audit.models import AuditEvent

NEW_PASSWORD = "Tianping-new-2024!"


def me(raw: str):
    return Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})


def test_a_token_made_on_the_profile_page_lives_the_chosen_days(world) -> None:
    client = world.client("alice")
    response = client.post("/accounts/me/", {"name": "报表脚本", "days": "30"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=world.users["alice"], name="报表脚本")
    lifetime = token.expires_at - token.created_at
    assert dt.timedelta(days=30) - dt.timedelta(seconds=5) < lifetime <= dt.timedelta(days=30)
    page = client.get("/accounts/me/").content.decode()
    assert "到期时间" in page and "最近使用" in page
    assert timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M") in page


def test_the_default_lifetime_is_ninety_days_and_the_longest_a_year(world) -> None:
    alice = world.users["alice"]
    token, _ = do_create_token(alice, alice, "默认")
    assert (token.expires_at - token.created_at).days in (89, 90)
    response = world.client("alice").post("/accounts/me/", {"name": "永久", "days": "3650"})
    assert "永久" not in [t.name for t in ApiToken.objects.filter(user=alice)]
    assert "有效的选项" in response.content.decode()
    with pytest.raises(Exception, match="1 至 365"):
        do_create_token(alice, alice, "太长", days=366)


def test_an_expired_token_is_refused_with_401_in_chinese(world) -> None:
    alice = world.users["alice"]
    token, raw = do_create_token(alice, alice, "旧脚本", days=7)
    assert me(raw).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = me(raw)
    assert response.status_code == 401
    assert "已于" in response.json()["detail"] and "过期" in response.json()["detail"]
    assert "旧脚本" in response.json()["detail"]


def test_an_expired_token_is_marked_on_the_profile_page(world) -> None:
    alice = world.users["alice"]
    token, _ = do_create_token(alice, alice, "过期的")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    assert "已过期" in world.client("alice").get("/accounts/me/").content.decode()


def test_changing_ones_own_password_revokes_every_token(world) -> None:
    alice = world.users["alice"]
    _, first = do_create_token(alice, alice, "一")
    _, second = do_create_token(alice, alice, "二")
    response = world.client("alice").post(
        "/accounts/me/", {"old_password": PASSWORD, "new_password": NEW_PASSWORD}, follow=True
    )
    assert "API令牌已全部撤销" in response.content.decode()
    assert me(first).status_code == 401 and me(second).status_code == 401
    revoked = AuditEvent.objects.filter(action="accounts.revoke_token", user=alice)
    assert sorted(e.before["name"] for e in revoked) == ["一", "二"]
    assert all("密码已修改" in e.after["reason"] for e in revoked)


def test_an_administrators_reset_revokes_the_users_tokens(world) -> None:
    carol = world.users["carol"]
    _, raw = do_create_token(carol, carol, "手机")
    client = world.client("alice")
    page = client.get(f"/accounts/users/{carol.pk}/").content.decode()
    assert "重置密码" in page
    response = client.post(
        f"/accounts/users/{carol.pk}/", {"reset_password": NEW_PASSWORD}, follow=True
    )
    assert "已重置" in response.content.decode()
    carol.refresh_from_db()
    assert carol.check_password(NEW_PASSWORD)
    assert me(raw).status_code == 401
    event = AuditEvent.objects.get(action="accounts.revoke_token")
    assert event.user == world.users["alice"] and event.before == {"name": "手机"}
    assert AuditEvent.objects.filter(
        action="accounts.set_password", user=world.users["alice"], object_id=str(carol.pk)
    ).exists()


def test_a_weak_reset_password_is_refused_beside_the_field(world) -> None:
    carol = world.users["carol"]
    response = world.client("alice").post(f"/accounts/users/{carol.pk}/", {"reset_password": "123"})
    assert response.status_code == 200
    assert "密码" in response.content.decode() and "errorlist" in response.content.decode()
    carol.refresh_from_db()
    assert carol.check_password(PASSWORD)


def test_no_one_resets_the_password_of_an_account_reaching_beyond_their_scope(world) -> None:
    # alice (政治部 of BT) sees the platform admin's account but may not take it over.
    admin = world.users["admin"]
    client = world.client("alice")
    assert "重置密码" not in client.get(f"/accounts/users/{admin.pk}/").content.decode()
    response = client.post(f"/accounts/users/{admin.pk}/", {"reset_password": NEW_PASSWORD})
    assert response.status_code == 403
    admin.refresh_from_db()
    assert admin.check_password(PASSWORD)


def test_the_cli_sets_a_password_and_revokes_the_tokens(world) -> None:
    bob = world.users["bob"]
    _, raw = do_create_token(bob, bob, "脚本")
    out = io.StringIO()
    call_command("set_password", "bob", password=NEW_PASSWORD, stdout=out)
    assert "已全部撤销" in out.getvalue()
    bob.refresh_from_db()
    assert bob.check_password(NEW_PASSWORD)
    assert me(raw).status_code == 401
    with pytest.raises(CommandError, match="找不到用户"):
        call_command("set_password", "nobody", password=NEW_PASSWORD)


def test_a_password_set_outside_the_actions_still_ends_the_tokens(world) -> None:
    # Django's own `changepassword` saves the user directly.
    dave = world.users["dave"]
    _, raw = do_create_token(dave, dave, "脚本")
    dave.set_password(NEW_PASSWORD)
    dave.save()
    assert me(raw).status_code == 401
    assert AuditEvent.objects.filter(action="accounts.revoke_token", user=None).exists()


def test_a_hash_upgrade_at_log_in_keeps_the_tokens(world, settings) -> None:
    erin = world.users["erin"]
    _, raw = do_create_token(erin, erin, "看板")
    # The stored hash is from a hasher no longer preferred: the log-in rehashes it.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert (
        Client().post("/accounts/login/", {"username": "erin", "password": PASSWORD}).status_code
        == 302
    )
    erin.refresh_from_db()
    assert erin.password.startswith("pbkdf2_")
    assert me(raw).status_code == 200


def test_do_set_password_records_who_changed_it(world) -> None:
    carol = world.users["carol"]
    do_set_password(world.users["admin"], carol, NEW_PASSWORD)
    assert AuditEvent.objects.filter(
        action="accounts.set_password", user=world.users["admin"], object_id=str(carol.pk)
    ).exists()
