"""`tianping backup -o FILE`: a complete copy of the data and media, verified before it is kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tianping.backup.archive import ArchiveError, write_backup


class Command(BaseCommand):
    help = "Write a verified backup (zip: one JSON-lines file per table, media files, manifest)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("-o", "--output", required=True, help="the backup file to write (.zip)")

    def handle(self, *args: Any, output: str, **options: Any) -> None:
        target = Path(output)
        if target.is_dir():
            raise CommandError(f"{target} 是一个目录，请给出备份文件名")
        if not target.parent.is_dir():
            raise CommandError(f"目录 {target.parent} 不存在")
        try:
            manifest = write_backup(target)
        except (ArchiveError, OSError) as e:
            raise CommandError(f"备份失败，未生成文件：{e}") from e
        totals = manifest["totals"]
        size = target.stat().st_size / 1024 / 1024
        self.stdout.write(
            f"已备份到 {target}（{size:.1f} MB）：{totals['tables']} 张表共 {totals['rows']} 行，"
            f"{totals['media_files']} 个上传文件；已回读校验行数与 SHA-256。"
        )
