"""A court's own term of an open column (正科级 in 职务层级) declared new: kept for the court,
stored as it is, shown, offered, exported and accepted next time; closed columns say why not."""

from __future__ import annotations

import io
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import World
from tests.people.sheets import person, roster
from tianping.accounts.scoping import scope_for
from tianping.audit.models import AuditEvent
from tianping.lib.uploads import DECLARE
from tianping.orgs.models import CourtTerm
from tianping.people.actions import do_declare_terms
from tianping.people.models import Person
from tianping.reports.queries import workforce_profile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _upload(book: Any) -> SimpleUploadedFile:
    return SimpleUploadedFile("花名册.xlsx", book.getvalue())


def _check(client: Any, *people: dict[str, Any]) -> Any:
    return client.post(
        reverse("people:import"), {"court": "BT-JY", "file": _upload(roster(*people))}
    )


def test_a_courts_own_post_level_declared_new_imports_next_time_unasked_and_shows_on_the_page(
    world: World,
) -> None:
    client = world.client("alice")
    response = client.post(
        reverse("people:import"),
        {
            "court": "BT-JY",
            "file": _upload(
                roster(
                    person("JY0100", "新人甲", 职务层级="正科级"),
                    person("JY0101", "新人乙", 职务层级="正科级"),
                )
            ),
        },
    )
    [unknown] = response.context["unknowns"]
    assert (unknown.column, unknown.value, unknown.rows, unknown.declarable) == (
        "职务层级",
        "正科级",
        [2, 3],
        True,
    )
    assert "新增为本院取值“正科级”" in response.content.decode()
    token = response.context["map_token"]

    response = client.post(
        reverse("people:import_map", args=[token]),
        {"column": "职务层级", "value": "正科级", "standard": DECLARE},
    )
    assert response.status_code == 200
    assert response.context["result"].created == 2
    term = CourtTerm.objects.get()
    assert (term.court.code, term.column, term.term) == ("BT-JY", "职务层级", "正科级")
    assert AuditEvent.objects.filter(action="people.declare_term", org__code="BT-JY").count() == 1
    client.post(reverse("people:import_confirm", args=[response.context["token"]]))
    newcomer = Person.objects.get(employee_no="JY0100")
    assert newcomer.post_level == "正科级"

    page = client.get(reverse("people:detail", args=[newcomer.pk])).content.decode()
    assert "<dt>职务层级</dt><dd>正科级</dd>" in page

    # The next sheet of the court writes the term and is accepted without asking.
    again = _check(client, person("JY0102", "新人丙", 职务层级="正 科 级"))
    assert again.context["errors"] == [] and again.context["result"].created == 1


def test_the_person_form_offers_the_courts_own_terms_and_saves_one(world: World) -> None:
    do_declare_terms(None, world.org("BT-JY"), [("职务层级", "正科级"), ("学历", "党校研究生")])
    wang = world.people["wang"]
    client = world.client("alice")
    form = client.get(reverse("people:edit", args=[wang.pk])).context["form"]
    assert ("正科级", "正科级") in form.fields["post_level"].choices
    assert ("党校研究生", "党校研究生") in form.fields["education"].choices
    # A person of another court is not offered this court's terms.
    hu = world.people["hu"]
    other = world.client("admin").get(reverse("people:edit", args=[hu.pk])).context["form"]
    assert ("正科级", "正科级") not in other.fields["post_level"].choices

    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(post_level="正科级", education="党校研究生")
    response = client.post(reverse("people:edit", args=[wang.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    wang.refresh_from_db()
    assert (wang.post_level, wang.education) == ("正科级", "党校研究生")
    # And the form still offers what the person holds.
    form = client.get(reverse("people:edit", args=[wang.pk])).context["form"]
    assert form.initial["post_level"] == "正科级"


def test_the_export_and_the_workforce_profile_write_a_term_as_it_is(world: World) -> None:
    do_declare_terms(None, world.org("BT-JY"), [("职务层级", "正科级")])
    Person.objects.filter(pk=world.people["wang"].pk).update(post_level="正科级")
    response = world.client("alice").get(reverse("people:export"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [v for row in book.active.iter_rows(values_only=True) for v in row]
    assert "正科级" in values
    profile = workforce_profile(scope_for(world.users["alice"]))
    [levels] = [b for b in profile.breakdowns if b.title == "职务层级"]
    assert ("正科级", 1) in levels.rows


def test_a_closed_column_refuses_declaration_with_the_reason(world: World) -> None:
    client = world.client("alice")
    response = _check(client, person("JY0100", "新人甲", 人员类别="律师"))
    [unknown] = response.context["unknowns"]
    assert not unknown.declarable
    assert "考核序列" in unknown.closed
    html = response.content.decode()
    assert "不能新增为本院取值：人员类别决定考核序列和人员统计口径" in html
    assert "新增为本院取值“律师”" not in html

    # Asking anyway declares nothing and the row is still refused.
    token = response.context["map_token"]
    response = client.post(
        reverse("people:import_map", args=[token]),
        {"column": "人员类别", "value": "律师", "standard": DECLARE},
    )
    assert CourtTerm.objects.count() == 0
    assert [(e.row, e.column) for e in response.context["errors"]] == [(2, "人员类别")]
    with pytest.raises(Exception, match="人员类别不能新增取值"):
        do_declare_terms(None, world.org("BT-JY"), [("人员类别", "律师")])


def test_the_command_line_declares_an_open_columns_term_for_one_run(
    world: World, tmp_path: Path
) -> None:
    path = roster(person("JY0100", "新人甲", 职务层级="正科级"), path=tmp_path / "r.xlsx")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_roster", str(path), court="BT-JY", stdout=out, stderr=StringIO())
    assert "--declare 职务层级:正科级" in out.getvalue()

    out = StringIO()
    call_command(
        "import_roster",
        str(path),
        court="BT-JY",
        declare=["职务层级:正科级"],
        json=True,
        stdout=out,
    )
    assert json.loads(out.getvalue())["created"] == 1
    assert Person.objects.get(employee_no="JY0100").post_level == "正科级"
    assert CourtTerm.objects.count() == 0, "--declare is not kept"

    out = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_roster",
            str(path),
            court="BT-JY",
            declare=["人员类别:律师"],
            json=True,
            stdout=out,
            stderr=StringIO(),
        )
    [error] = json.loads(out.getvalue())["errors"]
    assert (error["column"], error["value"]) == ("--declare", "人员类别:律师")
    assert "考核序列" in error["message"]
