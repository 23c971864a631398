"""Settings an operator gets wrong: a yes/no they misspell, a proxy they forget to name."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def settings_of(**env: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='tianping.settings'; "
        "from django.conf import settings; "
        "print(settings.DEBUG, settings.SECURE_PROXY_SSL_HEADER, settings.SECURE_HSTS_SECONDS)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("value", ["ture", "enabled", "2"])
def test_a_yes_no_setting_refuses_a_word_it_does_not_know(value: str) -> None:
    done = settings_of(TIANPING_DEBUG=value)
    assert done.returncode != 0
    assert "TIANPING_DEBUG" in done.stderr and "ImproperlyConfigured" in done.stderr


def test_a_known_word_reads_as_it_says() -> None:
    assert settings_of(TIANPING_DEBUG="off").stdout.split()[0] == "False"
    assert settings_of(TIANPING_DEBUG="yes").stdout.split()[0] == "True"


def test_behind_a_proxy_the_forwarded_scheme_is_trusted_and_hsts_can_be_set() -> None:
    out = settings_of(TIANPING_BEHIND_PROXY="1", TIANPING_HSTS_SECONDS="31536000").stdout
    assert "('HTTP_X_FORWARDED_PROTO', 'https')" in out and out.split()[-1] == "31536000"
    assert settings_of().stdout.split()[1] == "None"
