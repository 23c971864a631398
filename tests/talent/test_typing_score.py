"""The scoring of a stenography attempt (DOMAIN.md R6.1–R6.4) and `tianping typing-score`."""

from __future__ import annotations

import io
import json
import random
from fractions import Fraction

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st

from tianping.talent import typing
from tianping.talent.typing import align, normalise, score

REFERENCE = (
    "原告张某与被告李某民间借贷纠纷一案，本院于二〇二四年三月五日立案后，依法适用简易程序，"
    "公开开庭进行了审理。原告张某及其委托诉讼代理人王某到庭参加诉讼。"
    "被告李某经本院传票传唤，无正当理由拒不到庭参加诉讼，本院依法缺席审理。本案现已审理终结。"
)
SENTENCES = REFERENCE.split("。")


def reference_dp(ref: str, typed: str) -> tuple[int, int, int]:
    """A plain DP over (edits, -correct) with the shortest prefix last: the rule as written."""
    prev = [(j, 0) for j in range(len(ref) + 1)]
    for i in range(1, len(typed) + 1):
        cur = [(i, 0)]
        for j in range(1, len(ref) + 1):
            d = prev[j - 1]
            diagonal = (d[0], d[1] - 1) if typed[i - 1] == ref[j - 1] else (d[0] + 1, d[1])
            cur.append(
                min(diagonal, (prev[j][0] + 1, prev[j][1]), (cur[j - 1][0] + 1, cur[j - 1][1]))
            )
        prev = cur
    edits, negative_correct, j = min((e, c, j) for j, (e, c) in enumerate(prev))
    return edits, -negative_correct, j


# R6.1


def test_r6_1_full_width_and_whitespace_differences_cost_nothing() -> None:
    reference = "依照《中华人民共和国民法典》第六百六十七条，判决如下：ABC123"
    typed = "依照 《中华人民共和国民法典》\u3000第六百六十七条,判决如下:\nＡＢＣ１２３"
    result = score(reference, typed, 60)
    assert result.alignment.correct == len(normalise(reference))
    assert result.alignment.edits == 0
    assert result.accuracy == 1


def test_r6_1_punctuation_counts() -> None:
    result = score("本案现已审理终结。", "本案现已审理终结", 60).alignment
    # The missing full stop is at the end: not reached, not missing.
    assert (result.correct, result.missing) == (8, 0)
    inner = score("甲，乙。", "甲乙。", 60).alignment
    assert (inner.correct, inner.missing) == (3, 1)


def test_r6_1_every_unicode_whitespace_is_removed() -> None:
    assert normalise("甲\u00a0乙\u2003丙\t丁\r\n戊\u3000己") == "甲乙丙丁戊己"


# R6.2


def test_r6_2_skipped_sentence_scores_its_characters_missing_and_the_rest_correct() -> None:
    skipped = SENTENCES[1]
    typed = "。".join(SENTENCES[:1] + SENTENCES[2:])
    result = score(REFERENCE, typed, 600).alignment
    assert result.missing == len(skipped) + 1  # the sentence and its full stop
    assert result.wrong == 0 and result.extra == 0
    assert result.correct == len(REFERENCE) - len(skipped) - 1


def test_r6_2_unreached_reference_is_not_missing() -> None:
    typed = REFERENCE[:40]
    result = score(REFERENCE, typed, 60)
    assert result.alignment.correct == 40
    assert result.alignment.missing == 0
    assert result.alignment.prefix_chars == 40
    assert result.accuracy == 1


def test_r6_2_a_wrong_character_is_wrong_not_missing_and_extra() -> None:
    result = align("本院依法缺席审理", "本院依法却席审理")
    assert (result.correct, result.wrong, result.missing, result.extra) == (7, 1, 0, 0)


def test_r6_2_an_extra_character_is_extra() -> None:
    result = align("本院依法缺席审理", "本院依依法缺席审理")
    assert (result.correct, result.wrong, result.missing, result.extra) == (8, 0, 0, 1)


def test_r6_2_ties_take_the_most_correct_then_the_shortest_prefix() -> None:
    # "abx" against "abc": one edit either way (x wrong against c, or x extra after "ab");
    # both keep two correct, so the shorter prefix wins: x is extra, c not reached.
    result = align("abc", "abx")
    assert (result.prefix_chars, result.correct, result.wrong, result.extra) == (2, 2, 0, 1)
    # "ab" against "bab": the prefix "" (two extra) and "ba" (a wrong, a wrong… or b extra,
    # a correct) cost two edits or fewer; the least edits win, then the most correct.
    tie = align("bab", "ab")
    assert (tie.edits, tie.correct, tie.prefix_chars) == reference_dp("bab", "ab")
    assert (tie.edits, tie.correct, tie.prefix_chars) == (1, 2, 3)


def test_r6_2_nothing_typed_scores_nothing_and_accuracy_zero() -> None:
    result = score(REFERENCE, "  \n", 600)
    assert result.alignment.typed_chars == 0
    assert result.alignment.correct == result.alignment.missing == 0
    assert result.accuracy == 0
    assert result.as_json()["accuracy"] == 0.0
    assert result.level is None


def test_r6_2_the_fast_alignment_agrees_with_the_plain_dp_on_many_cases() -> None:
    rng = random.Random(11)
    for _ in range(1500):
        ref = "".join(rng.choice("甲乙丙，") for _ in range(rng.randint(0, 10)))
        typed = "".join(rng.choice("甲乙丙丁，") for _ in range(rng.randint(0, 10)))
        fast = align(ref, typed)
        if typed:
            assert (fast.edits, fast.correct, fast.prefix_chars) == reference_dp(ref, typed)
        assert fast.correct + fast.wrong + fast.missing == fast.prefix_chars
        assert fast.correct + fast.wrong + fast.extra == fast.typed_chars


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab，c", max_size=14), st.text(alphabet="abd，", min_size=1, max_size=14))
def test_r6_2_property_fast_alignment_is_the_rule(ref: str, typed: str) -> None:
    fast = align(ref, typed)
    assert (fast.edits, fast.correct, fast.prefix_chars) == reference_dp(ref, typed)
    assert min(fast.wrong, fast.missing, fast.extra) >= 0


# R6.3


def test_r6_3_accuracy_and_cpm_follow_the_definitions_and_the_contract_rounding() -> None:
    result = score("甲乙丙丁戊己庚辛", "甲乙丙丁戊己庚辛", 7)
    assert result.cpm == Fraction(8 * 60, 7)
    assert result.as_json()["cpm"] == 68.6
    wrongs = score("甲乙丙丁戊己", "甲乙丙丁戊午", 60)
    # "午" against "己" ties with "午" extra after the prefix of five: extra, shorter prefix.
    assert wrongs.accuracy == Fraction(5, 6)
    assert wrongs.as_json()["accuracy"] == 0.8333


def test_r6_3_cpm_counts_the_whole_duration_even_when_handed_in_early() -> None:
    assert score(REFERENCE, REFERENCE[:30], 600).cpm == 3


# R6.4


def test_r6_4_levels_need_their_speed_and_95_percent() -> None:
    assert typing.level_of(Fraction(140), Fraction(95, 100)) == "速录员"
    assert typing.level_of(Fraction(18 * 10 - 1), Fraction(1)) == "速录员"
    assert typing.level_of(Fraction(180), Fraction(1)) == "速录师"
    assert typing.level_of(Fraction(220), Fraction(96, 100)) == "高级速录师"
    assert typing.level_of(Fraction(250), Fraction(9499, 10000)) is None
    assert typing.level_of(Fraction(139), Fraction(1)) is None


def test_r6_4_levels_are_configurable() -> None:
    own = (typing.Level("初级", 60, Fraction(90, 100)),)
    assert typing.level_of(Fraction(70), Fraction(91, 100), own) == "初级"
    assert score(REFERENCE[:70], REFERENCE[:70], 60, own).level == "初级"


def test_r6_4_level_of_a_scored_attempt() -> None:
    text = normalise(REFERENCE * 20)[:1500]
    # 1,400 correct characters in ten minutes: exactly 140 a minute at 100%.
    assert score(text, text[:1400], 600).cpm == 140
    assert score(text, text[:1400], 600).level == "速录员"
    assert score(text, text[:1399], 600).level is None


def test_scoring_refuses_texts_and_durations_out_of_bounds() -> None:
    with pytest.raises(ValueError):
        score("甲", "甲", 0)
    with pytest.raises(ValueError):
        score("甲" * (typing.MAX_CHARS + 1), "甲", 60)


# The command (CONTRACT.md typing-score)


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("typing_score", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_the_contract_json(tmp_path) -> None:
    (tmp_path / "ref.txt").write_text(REFERENCE, encoding="utf-8")
    typed = "。".join(SENTENCES[:1] + SENTENCES[2:])
    (tmp_path / "typed.txt").write_text(typed, encoding="gb18030")
    body = json.loads(
        _run(
            "--reference",
            str(tmp_path / "ref.txt"),
            "--typed",
            str(tmp_path / "typed.txt"),
            "--seconds",
            "120",
            "--json",
        )
    )
    expected = score(REFERENCE, typed, 120)
    assert list(body) == [
        "reference_chars",
        "typed_chars",
        "correct",
        "wrong",
        "missing",
        "extra",
        "accuracy",
        "cpm",
        "level",
    ]
    assert body == expected.as_json()
    assert body["missing"] == len(SENTENCES[1]) + 1
    assert body["reference_chars"] == len(REFERENCE)
    assert isinstance(body["accuracy"], float) and body["level"] is None


def test_the_command_reports_bad_input_with_exit_status_1(tmp_path) -> None:
    (tmp_path / "ref.txt").write_text(REFERENCE, encoding="utf-8")
    with pytest.raises(CommandError) as e:
        _run(
            "--reference",
            str(tmp_path / "ref.txt"),
            "--typed",
            str(tmp_path / "nope.txt"),
            "--seconds",
            "0",
            "--json",
        )
    assert e.value.returncode == 1
    assert "nope.txt" in str(e.value) and "--seconds" in str(e.value)


def test_the_command_refuses_a_file_too_large(tmp_path) -> None:
    (tmp_path / "ref.txt").write_text("甲" * (typing.MAX_CHARS + 5), encoding="utf-8")
    (tmp_path / "typed.txt").write_text("甲", encoding="utf-8")
    with pytest.raises(CommandError) as e:
        _run(
            "--reference",
            str(tmp_path / "ref.txt"),
            "--typed",
            str(tmp_path / "typed.txt"),
            "--seconds",
            "60",
        )
    assert e.value.returncode == 1
