"""Run the whole suite on SQLite, then on PostgreSQL when one answers (required under CI)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

PG_URL = os.environ.get("TIANPING_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/tianping")


def postgres_answers() -> bool:
    try:
        import psycopg
    except ImportError:
        return False
    try:
        with psycopg.connect(
            "host=127.0.0.1 port=5432 user=postgres dbname=postgres", connect_timeout=3
        ):
            return True
    except psycopg.Error:
        return False


def run(label: str, database_url: str, extra: list[str], **more_env: str) -> int:
    env = dict(os.environ, TIANPING_DATABASE_URL=database_url, **more_env)
    print(f"\n===== {label}: pytest =====", flush=True)
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-n",
        os.environ.get("TIANPING_TEST_WORKERS", "2"),
        "--dist",
        "loadfile",
        *extra,
    ]
    return subprocess.call(cmd, env=env)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args, extra = parser.parse_known_args()
    ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    results: dict[str, int] = {}
    if args.only in (None, "sqlite"):
        if any(not a.startswith("-") for a in extra):  # tests named: one run as asked
            results["SQLite"] = run("SQLite", "sqlite:///:memory:", extra)
        else:
            # A RAM file per worker for the suite; the browser journeys on the in-memory
            # database, whose connection the live server shares (settings.py).
            code = run("SQLite", "sqlite:///:memory:", [*extra, "--ignore=tests/e2e"])
            browser = run(
                "SQLite, browser journeys",
                "sqlite:///:memory:",
                [*extra, "tests/e2e"],
                TIANPING_TEST_SQLITE="memory",
            )
            results["SQLite"] = code or browser
    if args.only in (None, "postgres"):
        if postgres_answers():
            results["PostgreSQL"] = run("PostgreSQL", PG_URL, extra)
        elif ci or args.only == "postgres":
            print(
                "PostgreSQL is required (CI=true) but nothing answers at 127.0.0.1:5432",
                file=sys.stderr,
            )
            results["PostgreSQL"] = 1
        else:
            print(
                "\nPostgreSQL not reachable at 127.0.0.1:5432: skipped (it is required under CI)."
            )
    print("\n===== summary =====")
    for label, code in results.items():
        print(f"{label}: {'passed' if code == 0 else f'FAILED (exit {code})'}")
    return 0 if all(code == 0 for code in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
