"""DESIGN.md's layering, checked over the imports: an app imports only the base and apps above it.

The base layer every app may use: the tree's models (`orgs.models`), `accounts`, `audit` and
`lib`. Above it the apps stand in this order; an app may import from the apps before it in
`ORDER`, never from those after it (orgs and people know nothing of activities). The
project's glue (`urls`, `api`, `cli`, `settings`, `demo`, `backup`, `benchmarks`, the
management commands of the project) may import anything.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "tianping"
ORDER = [
    "orgs",
    "people",
    "activities",
    "points",
    ("recruitment", "dues", "committees"),
    "learning",
    ("service", "talent"),
    "appraisal",
    "quality",
    "plans",
    "reports",
]
BASE = ("tianping.orgs.models", "tianping.accounts", "tianping.audit", "tianping.lib")
GLUE = {
    "urls",
    "api",
    "cli",
    "settings",
    "wsgi",
    "demo",
    "backup",
    "benchmarks",
    "management",
    "templatetags",
}


def rank(app: str) -> int | None:
    for i, entry in enumerate(ORDER):
        if app == entry or (isinstance(entry, tuple) and app in entry):
            return i
    return None


def imports_of(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, node.module)]
    return found


def app_files() -> list[tuple[str, Path]]:
    return [
        (path.relative_to(SRC).parts[0], path)
        for path in sorted(SRC.rglob("*.py"))
        if len(path.relative_to(SRC).parts) > 1 and path.relative_to(SRC).parts[0] not in GLUE
    ]


def test_the_layers_are_known_for_every_app() -> None:
    apps = {app for app, _ in app_files()}
    unknown = {a for a in apps if rank(a) is None and a not in ("accounts", "audit", "lib")}
    assert not unknown, f"place these apps in ORDER (DESIGN.md): {sorted(unknown)}"


@pytest.mark.parametrize("app", sorted({app for app, _ in app_files()}))
def test_an_app_imports_only_the_base_and_the_apps_above_it(app: str) -> None:
    own = rank(app)
    wrong: list[str] = []
    for owner, path in app_files():
        if owner != app or "migrations" in path.parts:
            continue
        for line, module in imports_of(path):
            if not module.startswith("tianping.") or module.startswith(BASE):
                continue
            other = module.split(".")[1]
            if other == app or other in GLUE:
                continue
            if app in ("accounts", "audit", "lib"):
                # The base layer stands under every app: it imports only the base, and an
                # account names the person it belongs to.
                if not module.startswith(("tianping.orgs.models", "tianping.people.models")):
                    wrong.append(f"{path.relative_to(SRC)}:{line} imports {module}")
                continue
            theirs = rank(other)
            if own is None or theirs is None or theirs >= own:
                wrong.append(f"{path.relative_to(SRC)}:{line} imports {module}")
    assert not wrong, "\n".join(wrong)
