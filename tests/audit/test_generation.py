"""The data generation: every kind of write renews it, in the writer's transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from tests.conftest import World
from tianping.activities.models import Activity
from tianping.audit import generation
from tianping.audit.models import DataGeneration
from tianping.audit.recording import bulk, event, record
from tianping.backup.tables import backup_models, is_empty, wipe
from tianping.lib.bulk import insert, insert_values
from tianping.people.models import Person

pytestmark = pytest.mark.django_db


def token() -> str:
    return generation.current().token


def test_an_audited_write_renews_the_generation(world: World) -> None:
    before = token()
    record(world.users["admin"], "orgs.update", world.org("BT-JY"), after={"name": "九原"})
    assert token() != before


def test_bulk_writes_renew_it_audited_or_not(world: World) -> None:
    before = token()
    insert_values(Person, [{"court_id": world.org("BT").pk, "employee_no": "X1", "name": "甲"}])
    after_rows = token()
    assert after_rows != before
    insert([Activity(org=world.org("BT-B01"), kind="theme_day", title="甲", on=dt.date.today())])
    after_instances = token()
    assert after_instances != after_rows
    bulk([event(None, "people.import", world.org("BT"), after={"name": "甲"})])
    assert token() != after_instances


def test_a_write_rolled_back_leaves_the_generation_as_it_was(world: World) -> None:
    before = token()
    with pytest.raises(RuntimeError), transaction.atomic():
        record(world.users["admin"], "orgs.update", world.org("BT-JY"), after={"name": "九原"})
        raise RuntimeError("the action failed")
    assert token() == before


def test_a_figure_is_counted_again_after_a_write(world: World) -> None:
    counted: list[int] = []

    def count() -> int:
        counted.append(1)
        return Person.objects.count()

    first = generation.current().cached(count, "people")
    assert generation.current().cached(count, "people") == first and len(counted) == 1
    insert_values(Person, [{"court_id": world.org("BT").pk, "employee_no": "X2", "name": "乙"}])
    assert generation.current().cached(count, "people") == first + 1 and len(counted) == 2


def test_the_generation_is_runtime_state_not_data(empty_db) -> None:
    generation.bump()
    assert is_empty()
    assert "audit.datageneration" not in {m._meta.label_lower for m in backup_models()}


def test_a_wipe_forgets_every_cached_figure(world: World) -> None:
    generation.current().put(6, "people")
    wipe()
    # The marks start again from nothing, so a later generation could meet this key.
    assert generation.current().get("people") is None


def test_each_write_adds_its_own_mark_rather_than_updating_a_shared_row(world: World) -> None:
    before = DataGeneration.objects.count()
    record(world.users["admin"], "orgs.update", world.org("BT-JY"), after={"name": "九原"})
    record(world.users["admin"], "orgs.update", world.org("BT-JY"), after={"name": "九原区"})
    assert DataGeneration.objects.count() == before + 2
