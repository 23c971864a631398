"""Pinyin keys for names, so typing "zhq" or "zhanghuaqing" finds 张华庆."""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

# Surnames read differently from the same character in ordinary words.
SURNAME_READINGS = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "区": "ou",
    "查": "zha",
    "盖": "ge",
    "乐": "yue",
    "覃": "qin",
    "翟": "zhai",
    "缪": "miao",
    "尉": "yu",
    "长": "chang",
    "华": "hua",
    "任": "ren",
    "沈": "shen",
    "员": "yun",
    "万": "wan",
    "秘": "bi",
    "句": "gou",
    "黑": "he",
    "折": "she",
    "种": "chong",
    "繁": "po",
    "燕": "yan",
    "葛": "ge",
    "宁": "ning",
    "纪": "ji",
    "单于": "chanyu",
}
COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "令狐",
    "单于",
    "夏侯",
    "西门",
    "端木",
    "长孙",
    "宇文",
    "司徒",
    "独孤",
)

_NOT_LETTER = re.compile(r"[^a-z]")


def _syllables(name: str) -> list[str]:
    name = name.replace("·", "").replace("•", "")
    surname_len = 2 if name.startswith(COMPOUND_SURNAMES) else 1
    surname, given = name[:surname_len], name[surname_len:]
    if surname in SURNAME_READINGS:
        head = [SURNAME_READINGS[surname]]
    else:
        head = lazy_pinyin(surname, style=Style.NORMAL, errors="ignore")
    return head + lazy_pinyin(given, style=Style.NORMAL, errors="ignore")


def name_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) in lower-case ASCII: ("zhanghuaqing", "zhq")."""
    syllables = [_NOT_LETTER.sub("", s.lower().replace("ü", "v")) for s in _syllables(name)]
    syllables = [s for s in syllables if s]
    return "".join(syllables), "".join(s[0] for s in syllables)


def is_pinyin_query(text: str) -> bool:
    return bool(text) and text.isascii() and text.isalpha()
