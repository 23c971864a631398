"""A big roster is checked and written by tasks: the requests return at once, a worker
checks and writes, the pages follow its progress and then show the preview and the kept
result."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.conftest import World
from tests.people.sheets import person, roster
from tests.people.test_import_views import counts, upload
from tianping.audit.models import AuditEvent
from tianping.lib import tasks
from tianping.orgs.actions import do_move_org
from tianping.people import importing
from tianping.people.models import Person, Placement

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks.backends.database.DatabaseBackend"}}


def sheet() -> Any:
    return roster(
        person("JY0100", "新人甲", 性别="男", 部门="民事审判庭", 所在支部="第一党支部"),
        person("JY0101", "新人乙", 性别="女", 部门="政治部", 所在支部="第二党支部"),
        person("JY0001", "王芳", 性别="女", 部门="政治部", 所在支部="第二党支部", 状态="在职"),
    )


def stored() -> dict[str, list[Any]]:
    """What the roster import leaves in the database, without ids or times."""
    people = Person.objects.filter(court__code="BT-JY").order_by("employee_no")
    return {
        "people": list(
            people.values_list(
                "employee_no",
                "name",
                "gender",
                "status",
                "name_pinyin",
                "department__code",
                "party_org__code",
            )
        ),
        "placements": sorted(
            Placement.objects.filter(person__court__code="BT-JY").values_list(
                "person__employee_no", "org__code", "kind", "since", "until", "reason"
            )
        ),
        "audit": sorted(
            (e.user_id, e.object_repr, repr(e.before), repr(e.after))
            for e in AuditEvent.objects.filter(action="people.import")
        ),
    }


def preview(client: Client) -> str:
    response = client.post(
        reverse("people:import"), {"court": "BT-JY", "file": upload(sheet())}, follow=True
    )
    assert response.status_code == 200, response.content.decode()
    return str(response.context["token"])


def direct_import(client: Client) -> dict[str, list[Any]]:
    """The same sheet confirmed in the request, its writes rolled back: what it stores."""
    with transaction.atomic():
        token = preview(client)
        client.post(reverse("people:import_confirm", args=[token]))
        result = stored()
        transaction.set_rollback(True)
    return result


def progress(client: Client, key: str) -> dict[str, Any]:
    return dict(client.get(reverse("people:import_progress"), {"key": key}).json())


@pytest.mark.django_db
def test_a_roster_written_by_a_task_stores_exactly_what_the_direct_import_stores(
    world: World, settings: Any, monkeypatch: Any
) -> None:
    client = world.client("alice")
    direct = direct_import(client)
    assert len(direct["people"]) > 2 and direct["audit"], "the direct import wrote the sheet"
    settings.TIANPING_TASK_ROWS = 1
    token = preview(client)
    heard = []
    apply_roster = importing.apply_roster

    def listening(plan: Any, user: Any) -> Any:
        heard.append(tasks.read_progress(world.users["alice"].pk, token))
        return apply_roster(plan, user)

    monkeypatch.setattr(importing, "apply_roster", listening)
    response = client.post(reverse("people:import_confirm", args=[token]))
    assert response["Location"] == reverse("people:import_summary", args=[token])
    assert heard == [{"phase": "write", "count": 3}]  # the task's progress, where the page polls
    assert stored() == direct
    page = client.get(response["Location"]).content.decode()
    assert 'id="count-created">2<' in page and 'id="count-updated">1<' in page


@pytest.mark.django_db
def test_a_task_run_import_that_no_longer_fits_writes_nothing_and_names_the_row(
    world: World, settings: Any
) -> None:
    settings.TIANPING_TASK_ROWS = 1
    client = world.client("alice")
    token = preview(client)
    do_move_org(None, world.org("BT-JY-MS"), world.org("BT"))
    before = counts()
    response = client.post(reverse("people:import_confirm", args=[token]))
    page = client.get(response["Location"])
    assert [(e.row, e.column, e.value) for e in page.context["errors"]] == [
        (2, "部门", "民事审判庭")
    ]
    assert "未写入任何数据" in page.content.decode()
    assert counts() == before


@pytest.mark.django_db
def test_a_task_that_breaks_off_midway_writes_nothing(
    world: World, settings: Any, monkeypatch: Any
) -> None:
    settings.TIANPING_TASK_ROWS = 1
    client = world.client("alice")
    token = preview(client)
    before = counts()

    def broken(*args: Any) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(importing, "_update", broken)  # after the new people are inserted
    response = client.post(reverse("people:import_confirm", args=[token]))
    page = client.get(response["Location"]).content.decode()
    assert "写入过程中出错，未写入任何数据" in page
    assert counts() == before


@pytest.mark.django_db(transaction=True)
def test_a_big_roster_is_checked_and_written_by_workers_while_its_pages_follow(
    transactional_world: World, settings: Any
) -> None:
    world = transactional_world
    client = world.client("alice")
    direct = direct_import(client)
    settings.TIANPING_TASK_ROWS = 1
    settings.TASKS = DATABASE_TASKS
    before = counts()

    # The check of a big sheet is a task too: the upload page follows it.
    response = client.post(reverse("people:import"), {"court": "BT-JY", "file": upload(sheet())})
    token = response["Location"].split("checked=")[1]
    assert response["Location"] == reverse("people:import") + f"?checked={token}"
    page = client.get(response["Location"]).content.decode()
    assert "正在后台检查" in page and "确认导入" not in page
    poll = client.get(response["Location"] + "&poll=1").json()
    assert poll["phase"] == "check" and poll["text"] == "正在检查…"
    assert world.client("oscar").get(response["Location"]).status_code == 404
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    assert client.get(response["Location"] + "&poll=1").json()["phase"] == "done"
    page = client.get(response["Location"]).content.decode()
    assert "确认导入" in page and f"/people/import/{token}/confirm/" in page
    assert 'id="count-created">2<' in page and 'id="count-updated">1<' in page
    assert counts() == before

    response = client.post(reverse("people:import_confirm", args=[token]))
    summary = reverse("people:import_summary", args=[token])
    assert response["Location"] == summary
    assert counts() == before, "the request only queued the write"
    page = client.get(summary).content.decode()
    assert "正在后台写入" in page and f'data-key="{token}"' in page
    assert progress(client, token)["text"] == "已排队，等待后台写入…"

    # Nobody else sees the task: not its summary, its progress or its outcome.
    task_id = client.session["tianping_roster_imports"][token]["task"]
    for name in ("oscar", "admin"):
        other = world.client(name)
        assert other.get(summary).status_code == 404
        assert progress(other, token)["phase"] == "upload"  # nothing kept for them
        assert tasks.outcome(task_id, world.users[name].pk) is None
    assert tasks.outcome(task_id, world.users["alice"].pk) == tasks.Outcome("waiting")

    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)

    assert progress(client, token)["phase"] == "done"
    assert stored() == direct
    page = client.get(summary).content.decode()
    assert 'id="count-created">2<' in page and 'id="count-updated">1<' in page
    assert "正在后台写入" not in page
    # The result is kept: the page shows it again, and a second confirm writes nothing more.
    assert client.post(reverse("people:import_confirm", args=[token]))["Location"] == summary
    assert 'id="count-created">2<' in client.get(summary).content.decode()
    assert stored() == direct
