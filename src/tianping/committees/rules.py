"""The rules of R1.1–R1.4 as pure functions: sizes, terms, postponements and the warnings they raise.

Nothing here reads the database: callers count, these functions judge. The wording of
each warning is what the overview and the health page show, so it names the rule id.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from tianping.committees.models import SINGLE_POSTS, Post
from tianping.lib.dates import add_years
from tianping.orgs.models import OrgKind

# R1.1: a unit with at least 3 full members sets up its own branch; fewer join a joint
# branch of at most 5 units; a branch normally has at most 50 members.
BRANCH_MIN_FULL_MEMBERS = 3
JOINT_BRANCH_MAX_UNITS = 5
BRANCH_MAX_MEMBERS = 50
# R1.2: from this many members a primary party committee (configurable per court).
PRIMARY_COMMITTEE_MIN = 100
# R1.3: from 7 full members a committee of 3–5, never over 7.
COMMITTEE_THRESHOLD = 7
COMMITTEE_MIN = 3
COMMITTEE_USUAL_MAX = 5
COMMITTEE_MAX = 7
# The posts a committee of a branch with 7 or more full members divides among its members.
COMMITTEE_DUTIES = (Post.ORGANISATION, Post.PUBLICITY, Post.DISCIPLINE)
# Below the threshold a branch elects a 书记 and may elect a 副书记, nothing more.
SECRETARY_POSTS = frozenset({Post.SECRETARY, Post.DEPUTY_SECRETARY})
# R1.4: term lengths, the most an election may move with approval, the reminder lead time.
TERM_YEARS: dict[str, int] = {
    OrgKind.PARTY_COMMITTEE: 5,
    OrgKind.GENERAL_BRANCH: 3,
    OrgKind.BRANCH: 3,
}
MAX_POSTPONEMENT_YEARS = 1
# D7: an early election, with approval, comes at most as far before term end.
MAX_ADVANCE_YEARS = 1
REMIND_DAYS = 90

JOINT_MARK = "联合"

BAD, WARN, INFO = "bad", "warn", "info"


@dataclass(frozen=True)
class Alert:
    """One warning about an organisation: the rule it cites, a stable code, the sentence."""

    rule: str
    code: str
    text: str
    level: str = WARN


def term_years(kind: str) -> int:
    """R1.4: a primary party committee serves 5 years, a (general) branch committee 3."""
    return TERM_YEARS.get(kind, 3)


def latest_postponement(ends_on: dt.date) -> dt.date:
    """R1.4: an election may move by at most one year past the end of the term."""
    return add_years(ends_on, MAX_POSTPONEMENT_YEARS)


def postponement_error(ends_on: dt.date, postponed_to: dt.date) -> str | None:
    if postponed_to <= ends_on:
        return f"延期后的日期应晚于任期届满日期{ends_on:%Y-%m-%d}"
    latest = latest_postponement(ends_on)
    if postponed_to > latest:
        return (
            f"换届最多延期1年（《中国共产党支部工作条例（试行）》第六章、《中国共产党基层组织选举工作条例》）：任期{ends_on:%Y-%m-%d}届满，"
            f"最晚可延至{latest:%Y-%m-%d}，不能延至{postponed_to:%Y-%m-%d}"
        )
    return None


def earliest_early_election(ends_on: dt.date) -> dt.date:
    """R1.4, D7: an election may come at most one year before the end of the term."""
    return add_years(ends_on, -MAX_ADVANCE_YEARS)


def is_early(ends_on: dt.date, held_on: dt.date) -> bool:
    """An election held before the running term ends (D7): it needs approval."""
    return held_on < ends_on


def early_election_error(ends_on: dt.date, held_on: dt.date) -> str | None:
    earliest = earliest_early_election(ends_on)
    if held_on < earliest:
        return (
            f"换届选举最多提前1年：本届任期{ends_on:%Y-%m-%d}届满，"
            f"最早可于{earliest:%Y-%m-%d}经批准提前换届，不能在{held_on:%Y-%m-%d}换届"
        )
    return None


def must_have_committee(kind: str, full_members: int) -> bool:
    """R1.3: a branch with 7 or more full members; a general branch or party committee always."""
    if kind == OrgKind.BRANCH:
        return full_members >= COMMITTEE_THRESHOLD
    return kind in (OrgKind.GENERAL_BRANCH, OrgKind.PARTY_COMMITTEE)


def election_errors(
    kind: str, full_members: int, elected_posts: Sequence[Sequence[str]]
) -> list[str]:
    """What is wrong with the result of an election: the posts of each person elected (R1.3)."""
    errors: list[str] = []
    elected = len(elected_posts)
    if elected == 0:
        return ["至少应有一人当选"]
    held = Counter(p for posts in elected_posts for p in set(posts))
    secretaries = held[Post.SECRETARY]
    if secretaries != 1:
        errors.append(
            "当选人中应有且只有一名书记（《中国共产党支部工作条例（试行）》第六章）"
            + (f"：本次有{secretaries}名" if secretaries else "：本次没有")
        )
    for post in Post:
        if post in SINGLE_POSTS and post != Post.SECRETARY and held[post] > 1:
            errors.append(f"{post.label}只能由一人担任：本次有{held[post]}人")
    if kind == OrgKind.BRANCH:
        if full_members >= COMMITTEE_THRESHOLD and not COMMITTEE_MIN <= elected <= COMMITTEE_MAX:
            errors.append(
                f"正式党员{full_members}人（7人以上）的支部，支委会应由{COMMITTEE_MIN}至"
                f"{COMMITTEE_USUAL_MAX}人组成，最多不超过{COMMITTEE_MAX}人（《中国共产党支部工作条例（试行）》第六章）：本次当选{elected}人"
            )
        elif elected > COMMITTEE_MAX:
            errors.append(
                f"支部委员会最多不超过{COMMITTEE_MAX}人（《中国共产党支部工作条例（试行）》第六章）：本次当选{elected}人"
            )
    return errors


@dataclass(frozen=True)
class Facts:
    """What is known of one party organisation on one day, counted by the caller."""

    kind: str
    name: str
    full_members: int
    party_members: int
    # The posts of each person sitting on the committee that day.
    seats: Sequence[Sequence[str]] = field(default_factory=tuple)
    has_term: bool = False
    due_on: dt.date | None = None
    postponed: bool = False
    # Departments the members come from: the "units" of a joint branch (R1.1).
    units: int = 0
    primary_committee_min: int = PRIMARY_COMMITTEE_MIN


def _size_alerts(facts: Facts) -> list[Alert]:
    """R1.1 and R1.2: too few full members for a branch, too many members for one."""
    found: list[Alert] = []
    n, full = facts.party_members, facts.full_members
    if facts.kind == OrgKind.BRANCH and full < BRANCH_MIN_FULL_MEMBERS:
        found.append(
            Alert(
                "R1.1",
                "too_few_full_members",
                f"正式党员不足3人，应成立联合党支部（现有正式党员{full}人，《中国共产党支部工作条例（试行）》第二章）",
            )
        )
    if (
        facts.kind == OrgKind.BRANCH
        and JOINT_MARK in facts.name
        and facts.units > JOINT_BRANCH_MAX_UNITS
    ):
        found.append(
            Alert(
                "R1.1",
                "joint_branch_units",
                f"联合党支部涵盖{facts.units}个单位，一般不超过{JOINT_BRANCH_MAX_UNITS}个（《中国共产党支部工作条例（试行）》第二章）",
            )
        )
    threshold = facts.primary_committee_min
    if facts.kind in (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH) and n >= threshold:
        found.append(
            Alert(
                "R1.2",
                "should_be_primary_committee",
                f"党员{n}人，达到{threshold}人，应成立基层党委（《中国共产党章程》第三十条、《中国共产党党和国家机关基层组织工作条例》）",
                BAD,
            )
        )
    elif facts.kind == OrgKind.BRANCH and n > BRANCH_MAX_MEMBERS:
        found.append(
            Alert(
                "R1.1",
                "over_fifty_members",
                f"党员{n}人，超过{BRANCH_MAX_MEMBERS}人，应分设党支部或成立党总支（《中国共产党支部工作条例（试行）》第二章、《中国共产党章程》第三十条、《中国共产党党和国家机关基层组织工作条例》）",
            )
        )
    return found


def _committee_alerts(facts: Facts) -> list[Alert]:
    """R1.3: whether there must be a committee, and whether the one there fits."""
    found: list[Alert] = []
    seats = facts.seats
    size = len(seats)
    held = {p for posts in seats for p in posts}
    must = must_have_committee(facts.kind, facts.full_members)
    if must and size == 0:
        if facts.kind == OrgKind.BRANCH:
            text = f"正式党员{facts.full_members}人（7人以上），应设立支部委员会，目前没有（《中国共产党支部工作条例（试行）》第六章）"
            return [Alert("R1.3", "no_committee", text, BAD)]
        text = f"应设立{_body(facts.kind)}，目前没有记录（《中国共产党章程》第三十条、《中国共产党党和国家机关基层组织工作条例》、《中国共产党支部工作条例（试行）》第六章、《中国共产党基层组织选举工作条例》）"
        return [Alert("R1.2", "no_committee", text, BAD)]
    if size == 0:
        if facts.kind == OrgKind.BRANCH:
            found.append(
                Alert(
                    "《中国共产党支部工作条例（试行）》第六章",
                    "no_secretary_recorded",
                    "尚未记录支部书记的选举（《中国共产党支部工作条例（试行）》第六章）",
                    INFO,
                )
            )
        return found
    if Post.SECRETARY not in held:
        found.append(
            Alert(
                "《中国共产党支部工作条例（试行）》第六章",
                "no_secretary",
                "现任委员中没有书记（《中国共产党支部工作条例（试行）》第六章）",
                BAD,
            )
        )
    if facts.kind != OrgKind.BRANCH:
        return found
    if must:
        if size < COMMITTEE_MIN:
            found.append(
                Alert(
                    "R1.3",
                    "committee_too_small",
                    f"支委会只有{size}人，少于{COMMITTEE_MIN}人（《中国共产党支部工作条例（试行）》第六章：3至5人，最多7人）",
                    BAD,
                )
            )
        elif size > COMMITTEE_MAX:
            found.append(
                Alert(
                    "R1.3",
                    "committee_too_large",
                    f"支委会{size}人，超过{COMMITTEE_MAX}人的上限（《中国共产党支部工作条例（试行）》第六章）",
                    BAD,
                )
            )
        elif size > COMMITTEE_USUAL_MAX:
            found.append(
                Alert(
                    "R1.3",
                    "committee_over_five",
                    f"支委会{size}人，一般应为{COMMITTEE_MIN}至{COMMITTEE_USUAL_MAX}人（《中国共产党支部工作条例（试行）》第六章）",
                )
            )
        missing = [p.label for p in COMMITTEE_DUTIES if p not in held]
        if missing and size >= COMMITTEE_MIN:
            found.append(
                Alert(
                    "R1.3",
                    "duties_unassigned",
                    f"支委会尚未明确{'、'.join(missing)}的分工（《中国共产党支部工作条例（试行）》第六章）",
                    INFO,
                )
            )
    else:
        beyond = size > 2 or any(set(posts) - SECRETARY_POSTS for posts in seats)
        if beyond:
            found.append(
                Alert(
                    "R1.3",
                    "committee_not_needed",
                    f"正式党员不足7人，不设支委会，只设书记（可设副书记）（《中国共产党支部工作条例（试行）》第六章）："
                    f"目前有{size}名委员",
                )
            )
    return found


def _term_alerts(facts: Facts, on: dt.date) -> list[Alert]:
    """R1.4: the election falls due at term end (or the approved later date)."""
    if not facts.has_term or facts.due_on is None:
        return []
    due = facts.due_on
    what = "经批准延期的换届日期" if facts.postponed else "任期届满日期"
    if on > due:
        days = (on - due).days
        return [
            Alert(
                "R1.4",
                "election_overdue",
                f"换届选举已逾期{days}天：{what}为{due:%Y-%m-%d}（《中国共产党支部工作条例（试行）》第六章、《中国共产党基层组织选举工作条例》）",
                BAD,
            )
        ]
    days = (due - on).days
    if days <= REMIND_DAYS:
        left = "今天到期" if days == 0 else f"还有{days}天"
        return [
            Alert(
                "R1.4",
                "election_due",
                f"换届选举将于{due:%Y-%m-%d}到期，{left}，请提前准备（《中国共产党支部工作条例（试行）》第六章、《中国共产党基层组织选举工作条例》）",
            )
        ]
    return []


def _body(kind: str) -> str:
    bodies: dict[str, str] = {
        OrgKind.PARTY_COMMITTEE: "党委委员会",
        OrgKind.GENERAL_BRANCH: "党总支委员会",
    }
    return bodies.get(kind, "支部委员会")


def alerts(facts: Facts, on: dt.date) -> list[Alert]:
    """Every warning R1.1–R1.4 raise for one organisation on one day, worst first."""
    found = _size_alerts(facts) + _committee_alerts(facts) + _term_alerts(facts, on)
    order = {BAD: 0, WARN: 1, INFO: 2}
    return sorted(found, key=lambda a: order[a.level])
