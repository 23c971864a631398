"""`tianping typing-score --reference REF.txt --typed TYPED.txt --seconds N [--json]`: scores a
stenography attempt (DOMAIN.md R6) with the same function as the web test."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tianping.lib.similarity import decode_text
from tianping.talent import typing

# A text file larger than this is not a typing test (10,000 characters of UTF-8 are ~30 KB).
MAX_FILE_BYTES = 1_000_000


def _read(name: str, what: str, problems: list[str]) -> str:
    path = Path(name)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            problems.append(f"{what}文件“{name}”超过{MAX_FILE_BYTES // 1000}KB")
            return ""
        return decode_text(path.read_bytes())
    except FileNotFoundError:
        problems.append(f"找不到{what}文件“{name}”")
    except IsADirectoryError:
        problems.append(f"{what}“{name}”是一个目录")
    except OSError as e:
        problems.append(f"无法读取{what}文件“{name}”：{e.strerror or e}")
    return ""


class Command(BaseCommand):
    help = (
        "Scores a stenography attempt: both texts NFKC-normalised with whitespace removed, the "
        "typed text aligned to the best prefix of the reference (R6.2), accuracy and characters "
        "per minute of the test's duration (R6.3), the level reached (R6.4)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--reference", required=True, metavar="FILE", help="the reference text")
        parser.add_argument("--typed", required=True, metavar="FILE", help="the text as typed")
        parser.add_argument(
            "--seconds", required=True, type=float, metavar="N", help="the test's duration"
        )
        parser.add_argument("--json", action="store_true", help="print one JSON document on stdout")

    def handle(
        self, *args: Any, reference: str, typed: str, seconds: float, json: bool, **options: Any
    ) -> None:
        problems: list[str] = []
        if not math.isfinite(seconds) or not 0 < seconds <= typing.MAX_SECONDS:
            problems.append(f"--seconds 应为大于0且不超过{typing.MAX_SECONDS}的秒数")
        ref_text = _read(reference, "范文", problems)
        typed_text = _read(typed, "录入", problems)
        if len(typing.normalise(ref_text)) > typing.MAX_CHARS:
            problems.append(f"范文超过{typing.MAX_CHARS}字")
        if len(typing.normalise(typed_text)) > typing.MAX_CHARS:
            problems.append(f"录入文本超过{typing.MAX_CHARS}字")
        if problems:
            raise CommandError("；".join(problems), returncode=1)
        result = typing.score(ref_text, typed_text, seconds)
        document = result.as_json()
        if json:
            self.stdout.write(_dumps(document))
            return
        self.stdout.write(
            f"范文{document['reference_chars']}字，录入{document['typed_chars']}字："
            f"正确{document['correct']}，错字{document['wrong']}，漏字{document['missing']}，"
            f"多字{document['extra']}；正确率{float(result.accuracy) * 100:.2f}%，"
            f"速度{document['cpm']}字/分钟，等级：{result.level or '未达等级'}"
        )


def _dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False)
