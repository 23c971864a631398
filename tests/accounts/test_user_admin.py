"""The user-admin page (账户与授权): a bad new account is a form error beside its field, never a 500."""

from __future__ import annotations

from typing import Any

from tianping.accounts.actions import do_create_user
from tianping.accounts.models import User
from tianping.audit.models import AuditEvent

GOOD_PASSWORD = "Lin-Court-2024!"


def create(client: Any, **fields: str) -> Any:
    data = {"username": "linxia", "password": GOOD_PASSWORD, "employee_no": "", **fields}
    return client.post("/accounts/users/", data)


def test_an_officer_creates_an_account_linked_to_a_person(world):
    response = create(world.client("alice"), employee_no="JY0003")
    user = User.objects.get(username="linxia")
    assert response.status_code == 302 and response["Location"] == f"/accounts/users/{user.pk}/"
    assert user.person == world.people["sun"] and user.check_password(GOOD_PASSWORD)


def test_a_weak_password_is_a_form_error_in_chinese(world):
    client = world.client("alice")
    for weak, says in (
        ("123", "密码长度太短"),
        ("20240601123", "密码只包含数字"),
        ("password123", "这个密码太常见了"),
        ("linxia2024", "太相似"),
    ):
        response = create(client, password=weak)
        page = response.content.decode()
        assert response.status_code == 200, weak
        assert says in page, (weak, page[page.find("errorlist") - 200 :][:600])
    assert not User.objects.filter(username="linxia").exists()
    assert not AuditEvent.objects.filter(
        action="accounts.create_user", user=world.users["alice"]
    ).exists()


def test_a_second_account_of_the_same_person_is_a_form_error(world):
    do_create_user(None, "sunli", password=None, person=world.people["sun"])
    response = create(world.client("alice"), employee_no="JY0003")
    assert response.status_code == 200
    assert "孙丽已有账户“sunli”" in response.content.decode()
    assert User.objects.filter(person=world.people["sun"]).count() == 1


def test_a_user_name_with_spaces_or_slashes_is_refused(world):
    response = create(world.client("alice"), username="lin xia/../")
    assert response.status_code == 200
    assert "用户名" in response.content.decode()
    assert not User.objects.filter(username__startswith="lin").exists()


def test_a_taken_user_name_is_a_form_error(world):
    response = create(world.client("alice"), username="carol")
    assert response.status_code == 200
    assert "用户名“carol”已存在" in response.content.decode()


def test_a_search_with_a_nul_byte_lists_as_without_it(world):
    response = world.client("alice").get("/accounts/users/", {"q": "car\x00ol"})
    assert response.status_code == 200
    assert "carol" in response.content.decode()
