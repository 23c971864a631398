"""The backup file: a zip of one JSON-lines member per table, the media files, and a manifest.

`manifest.json` names the format and version, the migrations the data was written under,
and for every member its row count (or size) and SHA-256. A backup is verified by reading
the finished file back before it replaces the target; a restore verifies the same way
before it touches the database, migrates to the backup's schema, loads every table in one
transaction with the original primary keys, checks the counts, then migrates to the
current schema.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import json
import os
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath
from typing import Any

import django
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from tianping.audit import generation
from tianping.backup.tables import backup_models, nonempty_models, reference_models

FORMAT = "tianping-backup"
VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1 << 20
ROWS_PER_WRITE = 2000

Codec = Callable[[Any], Any]


class ArchiveError(Exception):
    """A backup that cannot be written, read or restored; the message is for the user."""


def _same(value: Any) -> Any:
    return value


def _codecs(field: models.Field) -> tuple[Codec, Codec]:
    """(to JSON, from JSON) for one column; a foreign key travels as its target's value."""
    if field.is_relation and field.target_field is not None:  # type: ignore[attr-defined]
        field = field.target_field  # type: ignore[attr-defined]
    kind = field.get_internal_type()
    if kind in ("DateTimeField", "DateField", "TimeField"):
        parse = {
            "DateTimeField": dt.datetime.fromisoformat,
            "DateField": dt.date.fromisoformat,
            "TimeField": dt.time.fromisoformat,
        }[kind]
        return (lambda v: None if v is None else v.isoformat()), (
            lambda v: None if v is None else parse(v)
        )
    if kind == "DecimalField":
        return (lambda v: None if v is None else str(v)), (
            lambda v: None if v is None else decimal.Decimal(v)
        )
    if kind == "UUIDField":
        return (lambda v: None if v is None else str(v)), (
            lambda v: None if v is None else uuid.UUID(v)
        )
    if kind == "DurationField":
        return (lambda v: None if v is None else v // dt.timedelta(microseconds=1)), (
            lambda v: None if v is None else dt.timedelta(microseconds=v)
        )
    if kind == "BinaryField":
        return (lambda v: None if v is None else base64.b64encode(bytes(v)).decode()), (
            lambda v: None if v is None else base64.b64decode(v)
        )
    return _same, _same


def _line(values: Iterable[Any]) -> bytes:
    return json.dumps(list(values), ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def _app_version() -> str:
    try:
        return version("tianping")
    except PackageNotFoundError:
        return "unknown"


def _applied(using: str) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connections[using]).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def _media_files() -> list[tuple[str, Path]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    return sorted(
        (path.relative_to(root).as_posix(), path) for path in root.rglob("*") if path.is_file()
    )


def _member_info(member: str) -> zipfile.ZipInfo:
    """A member stamped with the time of the backup (zip's default is 1980)."""
    info = zipfile.ZipInfo(member, date_time=timezone.localtime().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _dump_table(zf: zipfile.ZipFile, model: type[models.Model], using: str) -> dict[str, Any]:
    fields = model._meta.concrete_fields
    columns = [f.attname for f in fields]
    encoders = [_codecs(f)[0] for f in fields]
    member = f"data/{model._meta.label_lower}.jsonl"
    digest, rows, pending = hashlib.sha256(), 0, []
    query = model._base_manager.using(using).order_by("pk").values_list(*columns)
    with zf.open(_member_info(member), "w", force_zip64=True) as out:
        for row in query.iterator(chunk_size=ROWS_PER_WRITE):
            pending.append(_line(enc(v) for enc, v in zip(encoders, row, strict=True)))
            rows += 1
            if len(pending) >= ROWS_PER_WRITE:
                block = b"".join(pending)
                digest.update(block)
                out.write(block)
                pending = []
        block = b"".join(pending)
        digest.update(block)
        out.write(block)
    return {
        "model": model._meta.label_lower,
        "member": member,
        "columns": columns,
        "rows": rows,
        "sha256": digest.hexdigest(),
    }


def _store_file(zf: zipfile.ZipFile, member: str, path: Path) -> dict[str, Any]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as src, zf.open(_member_info(member), "w", force_zip64=True) as out:
        while block := src.read(CHUNK):
            digest.update(block)
            size += len(block)
            out.write(block)
    return {"member": member, "bytes": size, "sha256": digest.hexdigest()}


def write_backup(target: Path, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Write a verified backup to `target`; the file appears only once it is complete."""
    connection = connections[using]
    partial = target.with_name(target.name + ".partial")
    try:
        outermost = not connection.in_atomic_block
        with transaction.atomic(using):
            if outermost and connection.vendor == "postgresql":
                # One snapshot for every table, while the app keeps writing.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            manifest: dict[str, Any] = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": timezone.now().isoformat(),
                "tianping": _app_version(),
                "django": django.get_version(),
                "database": connection.vendor,
                "migrations": _applied(using),
                "models": [],
                "media": [],
            }
            with zipfile.ZipFile(
                partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6
            ) as zf:
                for model in backup_models():
                    manifest["models"].append(_dump_table(zf, model, using))
                for relative, path in _media_files():
                    entry = _store_file(zf, f"media/{relative}", path)
                    manifest["media"].append({"path": relative, **entry})
                manifest["totals"] = {
                    "tables": len(manifest["models"]),
                    "rows": sum(m["rows"] for m in manifest["models"]),
                    "media_files": len(manifest["media"]),
                    "media_bytes": sum(m["bytes"] for m in manifest["media"]),
                }
                zf.writestr(
                    _member_info(MANIFEST), json.dumps(manifest, ensure_ascii=False, indent=1)
                )
        if verify(partial) != manifest:
            raise ArchiveError("备份文件回读后与清单不一致")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


def _read_member(zf: zipfile.ZipFile, member: str) -> Iterator[bytes]:
    with zf.open(member) as src:
        while block := src.read(CHUNK):
            yield block


def read_manifest(zf: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(zf.read(MANIFEST))
    except KeyError as e:
        raise ArchiveError("不是天平备份文件：缺少 manifest.json") from e
    except ValueError as e:
        raise ArchiveError("备份清单 manifest.json 已损坏") from e
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError("不是天平备份文件：清单格式不符")
    if manifest.get("version") != VERSION:
        raise ArchiveError(
            f"备份格式版本为 {manifest.get('version')}，本程序只能读取版本 {VERSION}"
        )
    return manifest


def verify(path: Path) -> dict[str, Any]:
    """Read the whole file back: every member present, its rows counted and its hash right."""
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError as e:
        raise ArchiveError(f"找不到备份文件：{path}") from e
    except OSError as e:
        raise ArchiveError(f"无法读取备份文件 {path}：{e.strerror or e}") from e
    except zipfile.BadZipFile as e:
        raise ArchiveError(f"备份文件已损坏或不是 zip 文件：{path}") from e
    problems: list[str] = []
    with zf:
        manifest = read_manifest(zf)
        names = set(zf.namelist())
        expected = (
            {MANIFEST}
            | {m["member"] for m in manifest["models"]}
            | {m["member"] for m in manifest["media"]}
        )
        for extra in sorted(names - expected):
            problems.append(f"清单中没有的成员：{extra}")
        for entry in [*manifest["models"], *manifest["media"]]:
            member = entry["member"]
            if member not in names:
                problems.append(f"缺少成员：{member}")
                continue
            digest, lines, size = hashlib.sha256(), 0, 0
            try:
                for block in _read_member(zf, member):
                    digest.update(block)
                    lines += block.count(b"\n")
                    size += len(block)
            except (zipfile.BadZipFile, OSError) as e:
                problems.append(f"{member} 无法读取：{e}")
                continue
            if digest.hexdigest() != entry["sha256"]:
                problems.append(f"{member} 的 SHA-256 校验不符")
            if "rows" in entry and lines != entry["rows"]:
                problems.append(f"{member} 应有 {entry['rows']} 行，实有 {lines} 行")
            if "bytes" in entry and size != entry["bytes"]:
                problems.append(f"{member} 应有 {entry['bytes']} 字节，实有 {size} 字节")
    if problems:
        raise ArchiveError("备份文件校验失败：" + "；".join(problems))
    return manifest


def _leaves(executor: MigrationExecutor, applied: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """The last applied migration(s) of each app: the state to migrate to before loading."""
    graph = executor.loader.graph
    return sorted(
        key
        for key in applied
        if key in graph.node_map
        and not any(
            child.key in applied for child in graph.node_map[key].children if child.key[0] == key[0]
        )
    )


def _media_target(relative: str) -> Path:
    root = Path(settings.MEDIA_ROOT).resolve()
    pure = PurePosixPath(relative)
    if pure.is_absolute() or ".." in pure.parts:
        raise ArchiveError(f"备份中的文件路径不安全：{relative}")
    return root.joinpath(*pure.parts)


def restore_backup(path: Path, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Load a verified backup into an empty database. Returns the manifest."""
    manifest = verify(path)
    if busy := nonempty_models(using):
        raise ArchiveError(
            f"数据库不是空的（{', '.join(busy)} 中已有数据），未做任何改动。"
            "恢复只能写入空数据库：请新建一个数据库，或确认后先清空。"
        )
    connection = connections[using]
    executor = MigrationExecutor(connection)
    wanted = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    # A squashed migration stands in the graph for the ones it replaces, which are what
    # django_migrations records.
    replaced: set[tuple[str, str]] = set()
    for key, squashed in executor.loader.replacements.items():
        replaced.update(squashed.replaces)
        if set(squashed.replaces) <= wanted:
            wanted.add(key)
    unknown = sorted(wanted - set(executor.loader.graph.nodes) - replaced)
    if unknown:
        raise ArchiveError(
            "备份来自更新版本的天平（本程序不认识这些数据库迁移："
            + "、".join(f"{a}.{n}" for a, n in unknown)
            + "），请先升级天平再恢复。"
        )
    ahead = sorted(set(executor.recorder.applied_migrations()) - wanted)
    if ahead:
        raise ArchiveError(
            "目标数据库的结构比备份新（已执行备份中没有的迁移："
            + "、".join(f"{a}.{n}" for a, n in ahead[:5])
            + "），请恢复到一个新建的空数据库。"
        )
    media = [(entry, _media_target(entry["path"])) for entry in manifest["media"]]
    clashes = [str(target) for _, target in media if target.exists()]
    if clashes:
        raise ArchiveError("媒体目录中已有同名文件，未做任何改动：" + "、".join(clashes[:5]))

    targets = _leaves(executor, wanted)
    if executor.migration_plan(targets):
        executor.migrate(targets)
    state = MigrationExecutor(connection).loader.project_state(targets, at_end=True).apps

    written: list[Path] = []
    try:
        with transaction.atomic(using), zipfile.ZipFile(path) as zf:
            _clear_reference_rows(using)
            loaded = [
                _load_table(zf, state.get_model(entry["model"]), entry, using)
                for entry in manifest["models"]
            ]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    for sql in connection.ops.sequence_reset_sql(no_style(), loaded):
                        cursor.execute(sql)
            for entry, target in media:
                target.parent.mkdir(parents=True, exist_ok=True)
                written.append(target)
                with target.open("wb") as out:
                    for block in _read_member(zf, entry["member"]):
                        out.write(block)
    except BaseException:
        for target in written:
            target.unlink(missing_ok=True)
        raise
    # Cached content types may carry the ids of rows the backup replaced.
    ContentType.objects.clear_cache()
    # Figures cached for whatever this database held before are not the backup's.
    generation.forget(using)
    return manifest


def _clear_reference_rows(using: str) -> None:
    """Drop the content types and permissions `migrate` just made: the backup's ids replace them."""
    connection = connections[using]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in reversed(reference_models()):
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")


def _load_table(
    zf: zipfile.ZipFile, model: type[models.Model], entry: dict[str, Any], using: str
) -> type[models.Model]:
    by_name = {f.attname: f for f in model._meta.concrete_fields}
    missing = [c for c in entry["columns"] if c not in by_name]
    if missing:
        raise ArchiveError(f"{entry['model']} 的列 {', '.join(missing)} 在数据库结构中不存在")
    fields = [by_name[c] for c in entry["columns"]]
    decoders = [_codecs(f)[1] for f in fields]
    manager = model._base_manager.using(using)
    # The backend's own limit (SQLite: 999 parameters), and PostgreSQL's 65,535 at most.
    limit = connections[using].ops.bulk_batch_size(fields, [None] * ROWS_PER_WRITE)
    batch_size = max(1, min(limit, 60_000 // len(fields)))
    batch: list[models.Model] = []
    rest = b""
    for block in _read_member(zf, entry["member"]):
        lines = (rest + block).split(b"\n")
        rest = lines.pop()
        for line in lines:
            values = json.loads(line)
            batch.append(
                model(
                    **{
                        f.attname: dec(v)
                        for f, dec, v in zip(fields, decoders, values, strict=True)
                    }
                )
            )
            if len(batch) >= batch_size:
                # raw: keep stored timestamps; auto_now fields must not stamp the restore time.
                manager._insert(batch, fields=fields, raw=True, using=using)  # type: ignore[attr-defined]  # raw insert keeps stored timestamps
                batch = []
    if batch:
        manager._insert(batch, fields=fields, raw=True, using=using)  # type: ignore[attr-defined]  # raw insert keeps stored timestamps
    count = manager.count()
    if count != entry["rows"]:
        raise ArchiveError(f"{entry['model']} 恢复后有 {count} 行，备份中有 {entry['rows']} 行")
    return model
