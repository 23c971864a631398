"""The `tianping` command line: Django management commands under their contract names."""

from __future__ import annotations

import os
import sys

# Contract names (CONTRACT.md) and the management commands that implement them.
COMMANDS = {
    "serve": "serve",
    "worker": "worker",
    "demo": "demo",
    "createuser": "createuser",
    "set-password": "set_password",
    "pg-roles": "pg_roles",
    "import-orgs": "import_orgs",
    "import-roster": "import_roster",
    "export-roster": "export_roster",
    "import-activities": "import_activities",
    "dues-sheet": "dues_sheet",
    "backup": "backup",
    "restore": "restore",
    "generate": "generate",
    "bench": "bench",
    "compliance": "compliance",
    "points": "points",
    "typing-score": "typing_score",
    "report": "report",
    "training-stats": "training_stats",
    "import-training": "import_training",
    "similarity": "similarity",
    "import-honours": "import_honours",
    "training-summary": "training_summary",
}
# Commands that must not migrate first (restore checks an empty database itself; similarity
# reads files only).
NO_AUTO_MIGRATE = {"restore", "typing_score", "similarity"}


def _usage() -> str:
    from django.core.management import get_commands

    available = get_commands()
    lines = ["用法: tianping <command> [options]", "", "commands:"]
    for public, internal in COMMANDS.items():
        if internal in available:
            lines.append(f"  {public}")
    lines.append("")
    lines.append(
        "Django's own commands (migrate, shell, …) work too. `tianping <command> --help` for options."
    )
    return "\n".join(lines)


def ensure_migrated() -> None:
    from django.core.management import call_command
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    if not executor.migration_plan(targets):
        return
    try:
        call_command("migrate", interactive=False, verbosity=0)
    except DatabaseError as e:
        # On PostgreSQL the app role owns no table (`tianping pg-roles`): it cannot migrate.
        sys.stderr.write(
            "数据库有尚未执行的迁移，而当前数据库账号无权执行（"
            f"{str(e).strip().splitlines()[0]}）。请以数据库所有者账号运行 "
            "`tianping migrate`（见 docs/cli.md 的 pg-roles），再启动本命令。\n"
        )
        sys.exit(1)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tianping.settings")
    import django

    django.setup()
    from django.core.management import execute_from_command_line

    if not argv or argv[0] in ("-h", "--help", "help"):
        print(_usage())
        sys.exit(0 if argv else 2)
    name = COMMANDS.get(argv[0], argv[0])
    if name in COMMANDS.values() and name not in NO_AUTO_MIGRATE and "--help" not in argv:
        ensure_migrated()
    execute_from_command_line(["tianping", name, *argv[1:]])


if __name__ == "__main__":
    main()
