"""`tianping worker`: run queued tasks (big imports now; reports and reminders later).

Django's task framework with its database backend (lib/tasks.py): start as many workers as
the work needs, on one machine or several; each claims one task at a time from the shared
database. Ctrl-C (SIGINT) or SIGTERM finishes the running task, then stops.
"""

from typing import Any

from django_tasks.backends.database.management.commands.db_worker import (
    Command as DatabaseWorker,
)

from tianping.lib.tasks import tidy


class Command(DatabaseWorker):
    help = "Run queued tasks (big sheet imports, later reports and reminders) until stopped."

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        # Every queue unless told otherwise, and no code reloading: a worker is a service.
        parser.set_defaults(queue_name="*", reload=False)

    def handle(self, *args: Any, **options: Any) -> None:
        tidied = tidy()
        if tidied.abandoned or tidied.pruned:
            self.stdout.write(
                f"{tidied.abandoned} task(s) left running by a stopped worker marked failed; "
                f"{tidied.pruned} finished result(s) older than the keeping time pruned"
            )
        super().handle(*args, **options)
