"""D3: which obligations one record may count for besides its own kind."""

from tianping.activities import kinds

# DOMAIN.md D3, as unordered pairs: one record, both obligations.
D3_PAIRS = {
    frozenset({"life_meeting", "democratic_review"}),
    frozenset({"theme_day", "party_lecture"}),
    frozenset({"branch_congress", "party_lecture"}),
    frozenset({"branch_congress", "life_meeting"}),
    frozenset({"branch_congress", "democratic_review"}),
}


def test_d3_the_registry_allows_exactly_the_listed_pairs_both_ways() -> None:
    declared = {
        frozenset({kind.code, other})
        for kind in kinds.KINDS.values()
        for other in kind.may_also_count_as
    }
    assert declared == D3_PAIRS
    for kind in kinds.KINDS.values():
        for other in kind.may_also_count_as:
            assert kind.code in kinds.KINDS[other].may_also_count_as, (kind.code, other)


def test_d3_a_group_meeting_never_counts_as_its_branchs_party_lecture() -> None:
    assert kinds.counts_for("group_meeting", ["party_lecture"]) == {"group_meeting"}


def test_d3_a_theme_day_is_no_committee_meeting() -> None:
    assert kinds.counts_for("theme_day", ["branch_committee", "party_lecture"]) == {
        "theme_day",
        "party_lecture",
    }
