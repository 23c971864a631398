"""A worker starting up tidies the task table: tasks its dead predecessor left "running" are
marked failed, so the page polling them stops waiting, and old finished results go."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.backends.database.models import DBTaskResult

from tianping.lib import tasks

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 6, 1, 12, 0))


def result(
    status: str, *, started: dt.datetime | None = None, finished: dt.datetime | None = None
) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=status,
        started_at=started,
        finished_at=finished,
        args_kwargs={"args": [], "kwargs": {"user_id": 1}},
        task_path="tianping.people.import_views.write_roster",
        backend_name="default",
        queue_name="default",
        run_after=NOW,
    )


def test_a_task_left_running_past_the_stale_time_is_marked_failed(settings: Any) -> None:
    settings.TIANPING_TASK_STALE_MINUTES = 60
    lost = result(TaskResultStatus.RUNNING, started=NOW - dt.timedelta(minutes=61))
    busy = result(TaskResultStatus.RUNNING, started=NOW - dt.timedelta(minutes=5))
    tidied = tasks.tidy(NOW)
    lost.refresh_from_db()
    busy.refresh_from_db()
    assert tidied.abandoned == 1
    assert lost.status == TaskResultStatus.FAILED
    assert lost.exception_class_path.endswith("WorkerLost")
    assert busy.status == TaskResultStatus.RUNNING  # a task still within its time runs on


def test_finished_results_older_than_the_keeping_time_are_pruned(settings: Any) -> None:
    settings.TIANPING_TASK_KEEP_DAYS = 14
    old = result(
        TaskResultStatus.SUCCEEDED,
        started=NOW - dt.timedelta(days=20),
        finished=NOW - dt.timedelta(days=15),
    )
    recent = result(
        TaskResultStatus.FAILED,
        started=NOW - dt.timedelta(days=2),
        finished=NOW - dt.timedelta(days=2),
    )
    waiting = result(TaskResultStatus.READY)
    assert tasks.tidy(NOW).pruned == 1
    left = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert left == {recent.pk, waiting.pk}
    assert old.pk not in left


@pytest.mark.django_db(transaction=True)
def test_the_worker_tidies_before_it_claims_work(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.database.DatabaseBackend"}}
    settings.TIANPING_TASK_STALE_MINUTES = 60
    lost = result(TaskResultStatus.RUNNING, started=timezone.now() - dt.timedelta(hours=3))
    call_command("worker", max_tasks=0, batch=True, startup_delay=False, verbosity=0)
    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.FAILED
