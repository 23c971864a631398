"""An attacker tries to lock a clerk (or the platform admin) out by failing their log-in."""

from __future__ import annotations

from django.test import Client

from tests.conftest import PASSWORD


def attempt(address: str, username: str, password: str):
    return Client(REMOTE_ADDR=address).post(
        "/accounts/login/", {"username": username, "password": password}
    )


def test_failures_from_elsewhere_do_not_lock_the_owner_out(world, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(8):
        attempt("203.0.113.9", "carol", "guess")
    locked = attempt("203.0.113.9", "carol", PASSWORD)
    assert locked.status_code != 302  # the attacker's address stays locked, even with the password
    response = attempt("10.1.2.3", "carol", PASSWORD)
    assert response.status_code == 302, response.content.decode()[:500]


def test_a_forged_forwarded_for_header_does_not_move_the_lock(world, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    client = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(5):
        client.post(
            "/accounts/login/",
            {"username": "admin", "password": "guess"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
        )
    again = client.post(
        "/accounts/login/",
        {"username": "admin", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.77",
    )
    assert again.status_code != 302
