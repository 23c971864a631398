"""`tianping similarity TEXT.txt --against FILE.txt … [--json]`: 查重 of one text over files.

The same comparison the reflections use (`lib.similarity`), on plain files (UTF-8 or GB18030,
or .docx): every source with its rate and its shared passages, highest rate first.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tianping.lib import similarity


def read_text(path: Path) -> str:
    content = path.read_bytes()
    if path.suffix.lower() == ".docx":
        return similarity.docx_text(content)
    return similarity.decode_text(content)


class Command(BaseCommand):
    help = (
        "Compares TEXT with each --against file after normalising both (NFKC, Traditional to "
        "Simplified, punctuation and whitespace removed); the rate is the share of TEXT's "
        "characters lying in passages of at least 8 characters shared with the source."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("text", help="the text to check (.txt or .docx)")
        parser.add_argument(
            "--against", nargs="+", required=True, metavar="FILE", help="the sources"
        )
        parser.add_argument("--json", action="store_true", help="print one JSON document on stdout")

    def handle(self, *args: Any, text: str, against: list[str], json: bool, **options: Any) -> None:
        problems: list[str] = []
        texts: dict[str, str] = {}
        for name in [text, *against]:
            path = Path(name)
            try:
                texts[name] = read_text(path)
            except FileNotFoundError:
                problems.append(f"找不到文件“{name}”")
            except (OSError, ValueError, KeyError) as e:
                problems.append(f"无法读取文件“{name}”：{e}")
        if problems:
            raise CommandError("；".join(problems), returncode=1)
        matches = similarity.check_texts(
            texts[text], [(Path(name).name, texts[name]) for name in against]
        )
        if json:
            self.stdout.write(_json_document(matches))
            return
        for m in matches:
            self.stdout.write(f"{m.source}\t{m.rate:.2%}\t相同段落{len(m.passages)}处")
            for p in m.passages:
                self.stdout.write(f"  [{p.chars}字] {p.text}")


def _json_document(matches: list[similarity.FileMatch]) -> str:
    return json.dumps(
        {
            "matches": [
                {
                    "source": m.source,
                    "rate": similarity.rounded(m.rate),
                    "passages": [{"text": p.text, "chars": p.chars} for p in m.passages],
                }
                for m in matches
            ]
        },
        ensure_ascii=False,
    )
