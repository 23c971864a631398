"""`tianping restore FILE`: load a backup into an empty database, then bring its schema up to date."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tianping.audit.recording import record
from tianping.backup.archive import ArchiveError, restore_backup
from tianping.cli import ensure_migrated


class Command(BaseCommand):
    help = "Restore a backup made by `tianping backup` into an empty database (refuses any other)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the backup file (.zip)")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        path = Path(file)
        try:
            manifest = restore_backup(path)
        except ArchiveError as e:
            raise CommandError(f"未恢复：{e}") from e
        # The backup may predate migrations this version has; they run on the restored data.
        ensure_migrated()
        totals = manifest["totals"]
        record(
            None,
            "restore.load",
            object_type="backup",
            object_repr=path.name,
            after={"file": path.name, "created_at": manifest["created_at"], **totals},
        )
        self.stdout.write(
            f"已从 {path} 恢复（备份于 {manifest['created_at']}）：{totals['tables']} 张表共 "
            f"{totals['rows']} 行，{totals['media_files']} 个上传文件；行数已核对。"
        )
