"""查重 (lib.similarity and `tianping similarity`): normalising, passages, rates, the CLI's JSON."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tianping.lib import similarity

from .texts import COPIED, ORIGINAL, REFERENCE, REWRITTEN, UNRELATED


def test_normalising_drops_punctuation_and_spaces_and_converts_traditional() -> None:
    assert (
        similarity.normalised_text("學習　貫徹，「黨的」二十大！ ＡＢ１") == "学习贯彻党的二十大ab1"
    )


def test_each_normalised_character_remembers_its_place_in_the_original() -> None:
    original = "學習，貫徹"
    norm = similarity.normalise(original)
    assert norm.text == "学习贯彻"
    assert [original[i] for i in norm.origin] == ["學", "習", "貫", "徹"]


def test_paragraphs_reordered_in_traditional_with_new_punctuation_are_found_whole() -> None:
    match = similarity.compare(
        similarity.normalised_text(REWRITTEN), similarity.normalised_text(ORIGINAL)
    )
    assert match.rate == 1.0
    texts = [p.text for p in match.passages]
    assert "通过参加本次理论学习中心组专题学习" in texts[1]
    assert texts[0].startswith("今后我将把学习成果转化为推动工作的实际行动")
    assert sum(p.chars for p in match.passages) == len(similarity.normalised_text(REWRITTEN))


def test_unrelated_texts_on_the_same_topic_score_low() -> None:
    rate = similarity.rate_of(
        similarity.normalised_text(UNRELATED), similarity.normalised_text(ORIGINAL)
    )
    assert rate < 0.05


def test_the_rate_is_the_share_of_the_checked_text_in_shared_passages() -> None:
    checked = similarity.normalised_text(COPIED)
    match = similarity.compare(checked, similarity.normalised_text(REFERENCE))
    copied = similarity.normalised_text(REFERENCE)
    assert [p.text for p in match.passages] == [copied]
    assert match.rate == pytest.approx(len(copied) / len(checked))


def test_a_run_shorter_than_eight_characters_is_not_a_passage() -> None:
    assert similarity.compare("甲乙丙丁戊己庚", "甲乙丙丁戊己庚辛").rate == 0.0
    assert similarity.compare("甲乙丙丁戊己庚辛壬", "子甲乙丙丁戊己庚辛").rate == pytest.approx(
        8 / 9
    )


def test_signatures_of_a_rewrite_share_lsh_bands_and_of_unrelated_texts_do_not() -> None:
    original = similarity.signature(similarity.normalised_text(ORIGINAL))
    rewrite = similarity.signature(similarity.normalised_text(REWRITTEN))
    other = similarity.signature(similarity.normalised_text(UNRELATED))
    assert len(original) == similarity.NUM_PERM * 4
    keys = set(similarity.band_keys(original))
    assert len(keys & set(similarity.band_keys(rewrite))) > similarity.BANDS // 2
    assert not keys & set(similarity.band_keys(other))


def test_highlighted_segments_keep_the_original_text_and_its_punctuation() -> None:
    norm = similarity.normalise(COPIED)
    match = similarity.compare(norm.text, similarity.normalised_text(REFERENCE))
    segments = similarity.segments(COPIED, norm, match.covered)
    assert "".join(s.text for s in segments) == COPIED
    shared = "".join(s.text for s in segments if s.shared)
    assert shared.startswith("司法为民是人民法院的根本宗旨，各级法院")
    assert not any(s.shared and "学习之后" in s.text for s in segments)


def _run(*args: str) -> str:
    out = StringIO()
    call_command("similarity", *args, stdout=out)
    return out.getvalue()


def test_the_command_answers_every_source_highest_rate_first_in_json(tmp_path) -> None:
    (tmp_path / "mine.txt").write_text(REWRITTEN, encoding="utf-8")
    (tmp_path / "other.txt").write_text(UNRELATED, encoding="utf-8")
    (tmp_path / "orig.txt").write_text(ORIGINAL, encoding="gb18030")
    body = json.loads(
        _run(
            str(tmp_path / "mine.txt"),
            "--against",
            str(tmp_path / "other.txt"),
            str(tmp_path / "orig.txt"),
            "--json",
        )
    )
    assert [m["source"] for m in body["matches"]] == ["orig.txt", "other.txt"]
    top = body["matches"][0]
    assert top["rate"] == 1.0
    assert all(set(p) == {"text", "chars"} for p in top["passages"])
    assert sum(p["chars"] for p in top["passages"]) == len(similarity.normalised_text(REWRITTEN))
    assert body["matches"][1] == {"source": "other.txt", "rate": 0.0, "passages": []}


def test_the_command_reports_a_missing_file_as_bad_input(tmp_path) -> None:
    (tmp_path / "mine.txt").write_text(ORIGINAL, encoding="utf-8")
    with pytest.raises(CommandError) as e:
        _run(str(tmp_path / "mine.txt"), "--against", str(tmp_path / "nope.txt"), "--json")
    assert e.value.returncode == 1
    assert "nope.txt" in str(e.value)


def test_the_quick_rate_agrees_with_the_full_comparison() -> None:
    pairs = [(REWRITTEN, ORIGINAL), (COPIED, REFERENCE), (UNRELATED, ORIGINAL), (ORIGINAL, COPIED)]
    for checked, source in pairs:
        a, b = similarity.normalised_text(checked), similarity.normalised_text(source)
        match = similarity.compare(a, b)
        assert similarity.rate_and_passages(a, b) == (match.rate, len(match.passages))
    assert similarity.rate_and_passages(
        "甲乙丙丁戊己庚辛壬癸", "子甲乙丙丁戊己庚辛丑乙丙丁戊己庚辛壬癸"
    ) == (1.0, 1)
