"""An attacker who gets markup into a page tries to run script: the Content-Security-Policy refuses it.

Every response carries a policy that allows scripts only from the server's own files (no
inline script, no eval), so an injected <script> or onerror= does not run. The templates
themselves carry no inline script, or the policy would break them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

SRC = Path(__file__).resolve().parents[2] / "src" / "tianping"
INLINE_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.IGNORECASE)


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/", "/people/", "/no-such-page/", "/api/v1/me"]
)
def test_every_response_carries_the_policy(world, path) -> None:
    policy = directives(world.client("alice").get(path))
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_anonymous_pages_carry_it_too(db) -> None:
    assert "script-src 'self'" in Client().get("/accounts/login/")["Content-Security-Policy"]


def test_the_policy_allows_no_inline_script_and_no_eval(world) -> None:
    policy = directives(world.client("alice").get("/"))
    for name in ("script-src", "default-src"):
        assert "'unsafe-inline'" not in policy[name] and "'unsafe-eval'" not in policy[name]


@pytest.mark.parametrize(
    "template", sorted(SRC.rglob("templates/**/*.html")), ids=lambda p: str(p.relative_to(SRC))
)
def test_no_template_carries_inline_script(template: Path) -> None:
    text = template.read_text()
    assert not INLINE_HANDLER.search(text), "an on…= handler: use a data- attribute (site.js)"
    assert not INLINE_SCRIPT.search(text), "an inline <script>: move it to a static file"
    assert "hx-on" not in text, "hx-on needs eval, which the policy refuses"
    assert "javascript:" not in text
