"""Long work run outside the request: when it is a task, its progress, its outcome.

Django's task framework (the django-tasks backport) queues a task as a row in the database
(`django_tasks.backends.database`); `tianping worker` processes, as many as are started,
claim and run them. A module defines its work with `@task()` from `django_tasks` and starts
it with `.enqueue(...)`; what it shares is here:

- every task that works for a user takes `user_id`, and its outcome is read back for that
  user only (`outcome`);
- its progress goes to a small file under MEDIA_ROOT/tasks/ named by the user and a random
  key (`tracked`, `read_progress`): a file, not process memory, since the page that polls
  and the worker that writes are different processes, maybe on different machines.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus, default_task_backend
from django_tasks.exceptions import TaskResultDoesNotExist

from tianping.lib.sheets import progress_to

# A progress file nobody removed (its worker died) goes after a day.
STALE_SECONDS = 24 * 3600
PROGRESS_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def runs_as_task(rows: int) -> bool:
    """Whether work over `rows` sheet rows is big enough to leave the request."""
    return rows >= settings.TIANPING_TASK_ROWS


# ---------------------------------------------------------------------------------------
# Progress


def _folder() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "tasks"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def progress_path(user_id: Any, key: str) -> Path:
    # The user's id in the name: a key is useless to anyone else.
    return _folder() / f"progress-{user_id}-{key}.json"


def write_progress(user_id: Any, key: str, phase: str, count: int = 0) -> None:
    path = progress_path(user_id, key)
    partial = path.with_suffix(".part")
    partial.write_text(json.dumps({"phase": phase, "count": count}))
    partial.replace(path)


def read_progress(user_id: Any, key: str) -> dict[str, Any] | None:
    """The last progress written under this user and key, or None."""
    try:
        data = json.loads(progress_path(user_id, key).read_text())
    except (OSError, ValueError):
        return None
    return {"phase": str(data.get("phase", "")), "count": int(data.get("count", 0))}


def sweep() -> None:
    cutoff = time.time() - STALE_SECONDS
    for stale in _folder().glob("progress-*"):
        try:
            if stale.stat().st_mtime < cutoff:
                stale.unlink()
        except OSError:
            pass


@contextmanager
def tracked(user_id: Any, key: str, *, first: str = "check", keep: bool = False) -> Iterator[None]:
    """While the work inside runs, what it reports (`lib.sheets.report_progress`) is kept
    under this user and key. The file goes at the end, unless `keep`: then the last word is
    "done" (or "failed"), for a page that polls a task it no longer waits on."""
    if not PROGRESS_KEY.match(key):
        yield
        return
    sweep()
    write_progress(user_id, key, first)
    failed = True
    try:
        with progress_to(lambda phase, count: write_progress(user_id, key, phase, count)):
            yield
        failed = False
    finally:
        if keep:
            write_progress(user_id, key, "failed" if failed else "done")
        else:
            progress_path(user_id, key).unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------
# Outcome


@dataclass(frozen=True)
class Outcome:
    """Where a user's task is: "waiting", "running", "done" (with its value) or "failed"."""

    state: str
    value: Any = None

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")


_STATES = {
    TaskResultStatus.READY: "waiting",
    TaskResultStatus.RUNNING: "running",
    TaskResultStatus.SUCCEEDED: "done",
    TaskResultStatus.FAILED: "failed",
}


def outcome(result_id: str, user_id: Any) -> Outcome | None:
    """The outcome of the task `result_id` started for `user_id`; None for anyone else's
    task, an unknown id, or a backend that keeps no results (it ran in the request)."""
    if not default_task_backend.supports_get_result:
        return None
    try:
        result = default_task_backend.get_result(result_id)
    except TaskResultDoesNotExist:
        return None
    if result.kwargs.get("user_id") != user_id:
        return None
    state = _STATES.get(result.status, "failed")
    return Outcome(state, result.return_value if state == "done" else None)


# ---------------------------------------------------------------------------------------
# Housekeeping


class WorkerLost(RuntimeError):
    """What a task's record says when its worker stopped before finishing it."""


@dataclass(frozen=True)
class Tidied:
    abandoned: int
    pruned: int


def tidy(now: dt.datetime | None = None) -> Tidied:
    """What a worker does as it starts: a task "running" longer than any task runs lost its
    worker, so it is marked failed (its page stops waiting and says so); finished results
    older than the keeping time are deleted. Only the database backend keeps results."""
    from django_tasks.backends.database.models import DBTaskResult

    now = now or timezone.now()
    stale = now - dt.timedelta(minutes=settings.TIANPING_TASK_STALE_MINUTES)
    abandoned = 0
    for result in DBTaskResult.objects.running().filter(started_at__lt=stale):
        result.set_failed(WorkerLost("处理进程在任务完成前停止，请重新提交"), None)
        abandoned += 1
    old = now - dt.timedelta(days=settings.TIANPING_TASK_KEEP_DAYS)
    pruned, _ = DBTaskResult.objects.finished().filter(finished_at__lt=old).delete()
    return Tidied(abandoned, pruned)
