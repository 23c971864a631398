"""The scoring rules of a skill competition (docs/rules.md, 技能竞赛), as plain numbers."""

from decimal import Decimal as D

from tianping.talent import competition_scoring as rules


def test_judge_total_is_points_times_weight_and_waits_for_every_criterion():
    criteria = [(1, D("1")), (2, D("0.5"))]
    assert rules.judge_total({1: D("50"), 2: D("40")}, criteria) == D("70")
    assert rules.judge_total({1: D("50")}, criteria) is None


def test_drop_highest_and_lowest_judge_totals_with_three_judges_or_more():
    final, dropped = rules.final_score([D("90"), D("70"), D("80"), D("85"), D("60")], True)
    assert final == D("78.33")  # (70 + 80 + 85) / 3
    assert dropped == {0: rules.HIGH, 4: rules.LOW}


def test_drop_only_one_of_several_equal_highest_totals():
    final, dropped = rules.final_score([D("90"), D("90"), D("80")], True)
    assert final == D("90.00")
    assert sorted(dropped.values()) == [rules.HIGH, rules.LOW]


def test_nothing_dropped_with_fewer_than_three_judges():
    final, dropped = rules.final_score([D("90"), D("80")], True)
    assert (final, dropped) == (D("85.00"), {})


def test_nothing_dropped_where_the_competition_does_not_say_so():
    final, dropped = rules.final_score([D("90"), D("70"), D("80")], False)
    assert (final, dropped) == (D("80.00"), {})


def test_final_score_rounds_half_up_to_two_decimals():
    assert rules.final_score([D("80.005")], False)[0] == D("80.01")


def _s(entrant: int, final: str | None) -> rules.Standing:
    return rules.Standing(entrant, {}, final=D(final) if final else None)


def test_ties_share_a_rank_and_the_next_rank_is_skipped():
    ranked = rules.rank([_s(1, "88"), _s(2, "90"), _s(3, "88"), _s(4, "70"), _s(5, None)])
    assert [(s.entrant_id, s.rank, s.tied) for s in ranked] == [
        (2, 1, False),
        (1, 2, True),
        (3, 2, True),
        (4, 4, False),
        (5, None, False),
    ]


def test_top_n_advances_everyone_tied_at_the_line():
    ranked = rules.rank([_s(1, "90"), _s(2, "88"), _s(3, "88"), _s(4, "70")])
    assert sorted(rules.advancing(ranked, "top", D("2"))) == [1, 2, 3]


def test_score_line_advances_those_at_or_above_it():
    ranked = rules.rank([_s(1, "90"), _s(2, "85"), _s(3, "84.99")])
    assert sorted(rules.advancing(ranked, "score", D("85"))) == [1, 2]


def test_prizes_by_rank_and_quota_with_ties_sharing_the_higher_prize():
    ranked = rules.rank([_s(1, "95"), _s(2, "90"), _s(3, "90"), _s(4, "80"), _s(5, "70")])
    given = rules.prizes(ranked, (1, 1, 1, 0))
    assert given == {1: "first", 2: "second", 3: "second"}
    # rank 4 is past the third prize's line (1 + 1 + 1 = 3), rank 5 gets nothing either
