"""An attacker floods the log-in form or the API from one address: the flood stops before it costs.

Each log-in attempt runs argon2 with about 100 MiB of memory. Random usernames get round
the lock-out (it counts per username and address), so one address may only try so many
times a minute; past that it gets a Chinese 429 page and the password hash never runs.
"""

from __future__ import annotations

from unittest import mock

from django.contrib.auth.hashers import check_password as real_check_password
from django.test import Client

from tests.conftest import PASSWORD


def login(address: str, username: str, password: str = "guess", **extra):
    return Client(REMOTE_ADDR=address).post(
        "/accounts/login/", {"username": username, "password": password}, **extra
    )


def test_random_usernames_from_one_address_are_stopped_with_429(world, settings) -> None:
    settings.TIANPING_LOGIN_RATE_PER_MINUTE = 5
    for i in range(5):
        assert login("203.0.113.9", f"nobody{i}").status_code == 200
    refused = login("203.0.113.9", "nobody99")
    assert refused.status_code == 429
    assert "登录尝试过于频繁" in refused.content.decode()
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_a_refused_attempt_never_reaches_the_password_hash(world, settings) -> None:
    settings.TIANPING_LOGIN_RATE_PER_MINUTE = 2
    login("203.0.113.9", "alice")
    login("203.0.113.9", "alice")
    with (
        mock.patch(
            "django.contrib.auth.base_user.check_password", side_effect=real_check_password
        ) as hashed,
        mock.patch("django.contrib.auth.hashers.make_password") as dummy,
    ):
        assert login("203.0.113.9", "alice", PASSWORD).status_code == 429
        assert login("203.0.113.9", "ghost").status_code == 429
    assert hashed.call_count == 0 and dummy.call_count == 0


def test_another_address_still_logs_in(world, settings) -> None:
    settings.TIANPING_LOGIN_RATE_PER_MINUTE = 3
    for i in range(6):
        login("203.0.113.9", f"nobody{i}")
    assert login("10.1.2.3", "carol", PASSWORD).status_code == 302


def test_successful_log_ins_behind_one_address_do_not_use_up_the_limit(world, settings) -> None:
    # A courthouse behind one NAT address: its clerks signing in are not an attack.
    settings.TIANPING_LOGIN_RATE_PER_MINUTE = 3
    for _ in range(6):
        assert login("10.1.2.3", "carol", PASSWORD).status_code == 302


def test_a_forged_forwarded_for_does_not_reset_the_count(world, settings) -> None:
    settings.TIANPING_LOGIN_RATE_PER_MINUTE = 3
    for i in range(3):
        login("203.0.113.9", "x", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
    assert login("203.0.113.9", "x", HTTP_X_FORWARDED_FOR="198.51.100.77").status_code == 429


def test_behind_a_proxy_the_address_it_appended_is_the_one_counted(world, settings) -> None:
    settings.TIANPING_LOGIN_RATE_PER_MINUTE = 3
    settings.BEHIND_PROXY = True
    # The client forges a first entry; the proxy (10.0.0.1) appends the address it saw.
    for i in range(3):
        login("10.0.0.1", "x", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 203.0.113.9")
    assert login("10.0.0.1", "x", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    # Everyone shares the proxy's own address; another client behind it goes on.
    assert login("10.0.0.1", "carol", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.5").status_code == 302


def test_behind_a_proxy_the_lock_out_counts_the_same_address(world, settings) -> None:
    settings.BEHIND_PROXY = True
    settings.AXES_FAILURE_LIMIT = 3
    for i in range(4):
        login("10.0.0.1", "carol", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 203.0.113.9")
    assert (
        login("10.0.0.1", "carol", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code != 302
    )
    assert login("10.0.0.1", "carol", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.5").status_code == 302


def bearer(address: str, token: str):
    return Client(REMOTE_ADDR=address).get(
        "/api/v1/me", headers={"Authorization": f"Bearer {token}"}
    )


def test_guessing_api_tokens_from_one_address_is_stopped_with_429(world, settings) -> None:
    settings.TIANPING_TOKEN_FAILURES_PER_MINUTE = 4
    from tianping.accounts.actions import do_create_token

    _, raw = do_create_token(world.users["alice"], world.users["alice"], "脚本")
    for i in range(4):
        assert bearer("203.0.113.9", f"tp_guess{i}").status_code == 401
    refused = bearer("203.0.113.9", "tp_guess99")
    assert refused.status_code == 429
    assert "次数过多" in refused.json()["detail"]
    # Even the right token waits out the minute from that address; elsewhere it works.
    assert bearer("203.0.113.9", raw).status_code == 429
    assert bearer("10.1.2.3", raw).status_code == 200


def test_good_tokens_do_not_count_towards_the_limit(world, settings) -> None:
    settings.TIANPING_TOKEN_FAILURES_PER_MINUTE = 2
    from tianping.accounts.actions import do_create_token

    _, raw = do_create_token(world.users["alice"], world.users["alice"], "脚本")
    for _ in range(5):
        assert bearer("203.0.113.9", raw).status_code == 200


def test_a_garbage_forwarded_for_falls_back_to_the_connection(world, settings) -> None:
    settings.BEHIND_PROXY = True
    settings.TIANPING_LOGIN_RATE_PER_MINUTE = 2
    for _ in range(2):
        assert login("10.0.0.1", "x", HTTP_X_FORWARDED_FOR="'; DROP TABLE x; --").status_code == 200
    assert login("10.0.0.1", "x", HTTP_X_FORWARDED_FOR="999.1.1.1").status_code == 429
