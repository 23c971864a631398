"""Log-in, lock-out after repeated failures, scope switching, the script switch, grants."""

from django.test import Client

from tests.conftest import PASSWORD
from tianping.accounts.models import RoleGrant
from tianping.audit.models import AuditEvent


def _login(client: Client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_a_user_logs_in_with_the_right_password(world):
    client = Client()
    response = _login(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_a_wrong_password_is_refused_in_chinese(world):
    response = _login(Client(), "alice", "wrong")
    assert response.status_code == 200 and "用户名或密码不正确" in response.content.decode()


def test_the_account_locks_after_repeated_failures(world, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "carol", "wrong")
    response = _login(client, "carol", PASSWORD)
    assert response.status_code == 429
    assert "账户已暂时锁定" in response.content.decode()
    # Someone else at the same desk is not locked out.
    assert _login(Client(), "alice", PASSWORD).status_code == 302


def test_passwords_are_hashed_with_argon2(world, settings):
    from django.conf import settings as live
    from django.test import override_settings

    from tianping import settings as project

    with override_settings(PASSWORD_HASHERS=project.PASSWORD_HASHERS):
        alice = world.users["alice"]
        alice.set_password(PASSWORD)
        assert alice.password.startswith("argon2")
        assert live.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_a_user_with_several_grants_switches_scope(world):
    from tianping.accounts.actions import do_grant

    alice = world.users["alice"]
    grant = do_grant(None, alice, "leader", world.orgs["BT-JY"])
    client = world.client("alice")
    response = client.post("/accounts/scope/", {"grant": grant.pk})
    assert response.status_code == 302
    body = client.get("/people/").content.decode()
    assert "王芳" in body and "张华庆" not in body


def test_switching_to_someone_elses_grant_is_refused(world):
    other = RoleGrant.objects.get(user=world.users["oscar"])
    assert world.client("alice").post("/accounts/scope/", {"grant": other.pk}).status_code == 403


def test_the_traditional_switch_converts_pages(world):
    client = world.client("alice")
    client.get("/accounts/script/hant/")
    body = client.get("/people/").content.decode()
    assert "人員花名冊" in body
    client.get("/accounts/script/hans/")
    assert "人员花名册" in client.get("/people/").content.decode()


def test_an_officer_grants_and_revokes_a_role(world):
    client = world.client("alice")
    target = world.users["dave"]
    response = client.post(
        f"/accounts/users/{target.pk}/", {"role": "branch_secretary", "org_code": "BT-JY-B01"}
    )
    assert response.status_code == 302
    grant = RoleGrant.objects.current().get(user=target, role="branch_secretary")
    client.post(f"/accounts/users/{target.pk}/", {"revoke": grant.pk})
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert (
        AuditEvent.objects.filter(
            action__in=["accounts.grant", "accounts.revoke"], user=world.users["alice"]
        ).count()
        == 2
    )


def test_an_officer_cannot_grant_outside_their_scope(world):
    response = world.client("alice").post(
        f"/accounts/users/{world.users['dave'].pk}/", {"role": "leader", "org_code": "EH"}
    )
    assert response.status_code == 200 and "找不到" in response.content.decode()


def test_only_a_platform_admin_makes_platform_admins(world):
    response = world.client("alice").post(
        f"/accounts/users/{world.users['dave'].pk}/", {"role": "platform_admin", "org_code": "BT"}
    )
    assert response.status_code == 200
    assert not RoleGrant.objects.filter(user=world.users["dave"], role="platform_admin").exists()
