"""`tianping backup` / `restore`: a verified, complete copy that restores identically, and only
into an empty database."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tianping.audit import generation
from tianping.backup.tables import backup_models, wipe
from tianping.orgs.models import Org
from tianping.people.models import Person

from .digest import data_digest


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist() if name != "manifest.json"}


def assert_same_data(original: Path, copy: Path) -> None:
    """Every member identical, except the restore's own audit event at the end."""
    a, b = members(original), members(copy)
    assert a.keys() == b.keys()
    for name in a:
        if name == "data/audit.auditevent.jsonl":
            extra = b[name][len(a[name]) :]
            assert (
                b[name].startswith(a[name]) and b"restore.load" in extra and extra.count(b"\n") == 1
            )
        else:
            assert a[name] == b[name], name


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "evidence").mkdir(parents=True)
    (settings.MEDIA_ROOT / "evidence" / "会议照片.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    return settings.MEDIA_ROOT


def test_a_backup_holds_every_table_with_counts_and_hashes(demo_db, tmp_path, media):
    target = tmp_path / "backup.zip"

    call_command("backup", "-o", str(target), stdout=io.StringIO())

    with zipfile.ZipFile(target) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["format"] == "tianping-backup" and manifest["version"] == 1
    assert "people" in manifest["migrations"]
    counts = {m["model"]: m["rows"] for m in manifest["models"]}
    assert counts.keys() == {m._meta.label_lower for m in backup_models()}
    assert counts["people.person"] == Person.objects.count()
    assert counts["orgs.org"] == Org.objects.count()
    assert [m["path"] for m in manifest["media"]] == ["evidence/会议照片.jpg"]
    assert not list(tmp_path.glob("*.partial"))


def test_restore_into_the_emptied_database_gives_back_the_same_data(demo_db, tmp_path, media):
    before = data_digest()
    first, second = tmp_path / "first.zip", tmp_path / "second.zip"
    call_command("backup", "-o", str(first), stdout=io.StringIO())
    wipe()
    (media / "evidence" / "会议照片.jpg").unlink()
    generation.current().put(0, "people")

    call_command("restore", str(first), stdout=io.StringIO())

    assert data_digest() == before
    # Nothing cached for the emptied database is read for the restored one.
    assert generation.current().get("people") is None
    assert (media / "evidence" / "会议照片.jpg").read_bytes() == b"\xff\xd8 not really a jpeg"
    call_command("backup", "-o", str(second), stdout=io.StringIO())
    assert_same_data(first, second)
    # The id sequences continue after the restored rows.
    assert Person.objects.create(
        court=Org.objects.get(code="BT"), employee_no="BT9999", name="新人"
    ).pk > max(Person.objects.exclude(employee_no="BT9999").values_list("pk", flat=True))


def test_restore_into_a_second_database_gives_back_the_same_data(demo_db, tmp_path, media):
    first, second = tmp_path / "first.zip", tmp_path / "second.zip"
    call_command("backup", "-o", str(first), stdout=io.StringIO())
    env = {
        **os.environ,
        "TIANPING_DATABASE_URL": f"sqlite:///{tmp_path / 'second.db'}",
        "TIANPING_MEDIA_ROOT": str(tmp_path / "second-media"),
        "TIANPING_SECRET_KEY": "test-only",
    }

    def tianping(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tianping.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    restored = tianping("restore", str(first))
    assert restored.returncode == 0, restored.stderr
    assert tianping("backup", "-o", str(second)).returncode == 0
    assert_same_data(first, second)
    assert (tmp_path / "second-media" / "evidence" / "会议照片.jpg").exists()

    again = tianping("restore", str(first))
    assert again.returncode == 1
    assert "数据库不是空的" in again.stderr


def test_restore_refuses_a_database_that_holds_data(world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    target = tmp_path / "world.zip"
    call_command("backup", "-o", str(target), stdout=io.StringIO())
    before = data_digest()

    with pytest.raises(CommandError, match="数据库不是空的"):
        call_command("restore", str(target), stdout=io.StringIO())
    assert data_digest() == before


def test_restore_refuses_a_damaged_backup_and_writes_nothing(world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    good, bad = tmp_path / "good.zip", tmp_path / "bad.zip"
    call_command("backup", "-o", str(good), stdout=io.StringIO())
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "data/people.person.jsonl":
                data = data.replace("王芳".encode(), "王方".encode())
            dst.writestr(item, data)
    wipe()

    with pytest.raises(CommandError, match="SHA-256"):
        call_command("restore", str(bad), stdout=io.StringIO())
    assert not Person.objects.exists()
