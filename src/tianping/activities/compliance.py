"""The compliance engine: every statutory obligation of every party organisation, per period (R1.5).

Pure reads. One call answers a whole subtree for a year with a constant number of queries:
the organisations, their courts and the courts' settings, one read of branch placements
(the full-member counts of R1.3 and the members a 谈心谈话 must reach, D5), one aggregate
over held activities (a row per organisation and kind, a count per month); where branches
owe the 谈心谈话 pair by pair (D5), the committees' terms and seats and one read of the
talks' attendance; and, only where an organisation's life is not known to cover the year
(D2), one or two aggregates that date its start. Nothing is queried per organisation.
"""

from __future__ import annotations

import calendar
import datetime as dt
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from itertools import accumulate
from typing import Any

from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from tianping.accounts.scoping import Scope
from tianping.activities import committee_hooks, kinds
from tianping.activities.kinds import Obligation, Period
from tianping.activities.models import (
    Activity,
    ActivityStatus,
    Attendance,
    AttendanceRole,
    AttendanceStatus,
    ObligationSetting,
)
from tianping.audit import generation
from tianping.orgs.models import COURT_KINDS, Org, OrgKind
from tianping.people.models import (
    PARTY_STATUSES,
    Placement,
    PlacementKind,
    PoliticalStatus,
    placed_on,
)

MET = "met"
MISSING = "missing"
UPCOMING = "upcoming"
STATUS_NAMES = {MET: "已完成", MISSING: "缺项", UPCOMING: "未到期"}

# R1.3: a branch with at least this many full members has a committee (支委会).
COMMITTEE_THRESHOLD = 7
# R1.1: a branch needs 3 full members; above 50 members it should be split.
BRANCH_MIN_FULL_MEMBERS = 3
BRANCH_MAX_MEMBERS = 50
# R1.2 (configurable: the source is ambiguous at exactly 100).
PARTY_COMMITTEE_MEMBERS = 100
GENERAL_BRANCH_MEMBERS = 50
# The dashboard names a branch that has recorded nothing held for this many days.
IDLE_DAYS = 30
# D2: organisations that hold no placements of their own (a court's 党组, its 机关党委)
# live as long as their court.
COURT_LIFE_KINDS = frozenset({OrgKind.LEADING_GROUP, OrgKind.PARTY_COMMITTEE})
HEART_TALK = "heart_talk"

HOLDER_KINDS = frozenset(k for o in kinds.OBLIGATIONS.values() for k in o.holders)
OBLIGATION_KINDS = frozenset(o.kind for o in kinds.OBLIGATIONS.values())
# Kinds whose records can count for some obligation, directly or through also_counts_as.
COUNTING_KINDS = frozenset(
    k.code for k in kinds.KINDS.values() if ({k.code} | set(k.may_also_count_as)) & OBLIGATION_KINDS
)
SHORT_NAMES = {
    "branch_congress": "大会",
    "branch_committee": "支委",
    "group_meeting": "小组",
    "party_lecture": "党课",
    "secretary_lecture": "书记党课",
    "theme_day": "党日",
    "life_meeting": "生活会",
    "democratic_review": "评议",
    "heart_talk": "谈心",
    "center_group_study": "中心组",
}
OBLIGATION_ORDER = {code: i for i, code in enumerate(kinds.OBLIGATIONS)}

# Where each obligation and check comes from, as a court user cites it (never a rule id).
BRANCH_RULES = "《中国共产党支部工作条例（试行）》"
CENTER_GROUP_RULES = "《中国共产党党委（党组）理论学习中心组学习规则》"
SOURCES = {
    "branch_congress": f"{BRANCH_RULES}第十一条",
    "branch_committee": f"{BRANCH_RULES}第十二条",
    "group_meeting": f"{BRANCH_RULES}第十三条",
    "party_lecture": f"{BRANCH_RULES}第十六条（频次按本院规定）",
    "secretary_lecture": f"{BRANCH_RULES}第十六条",
    "theme_day": f"{BRANCH_RULES}第十六条",
    "life_meeting": f"{BRANCH_RULES}第十七条",
    "democratic_review": f"{BRANCH_RULES}第十八条",
    "heart_talk": f"{BRANCH_RULES}第十九条",
    "center_group_study": CENTER_GROUP_RULES,
    # The health page's sections.
    "setup": f"{BRANCH_RULES}第五条",
    "structure": "《中国共产党章程》第三十条、《中国共产党党和国家机关基层组织工作条例》",
    "committee": f"{BRANCH_RULES}关于党支部委员会的规定",
    "term": f"{BRANCH_RULES}、《中国共产党党和国家机关基层组织工作条例》关于任期的规定",
    "six_have": CENTER_GROUP_RULES,
}


# ---------------------------------------------------------------------------------------
# Periods


@dataclass(frozen=True)
class Span:
    """One period of a year, with the code CONTRACT.md uses: 2024-03, 2024-Q1, 2024."""

    code: str
    period: Period
    start: dt.date
    end: dt.date  # inclusive
    months: tuple[int, ...]

    @property
    def index(self) -> int:
        """Month 1–12, quarter 1–4, or 1 for the year."""
        if self.period == Period.MONTH:
            return self.months[0]
        if self.period == Period.QUARTER:
            return (self.months[0] + 2) // 3
        return 1

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def spans(year: int, period: str) -> list[Span]:
    if period == Period.MONTH:
        return [
            Span(f"{year}-{m:02d}", Period.MONTH, dt.date(year, m, 1), month_end(year, m), (m,))
            for m in range(1, 13)
        ]
    if period == Period.QUARTER:
        return [
            Span(
                f"{year}-Q{q}",
                Period.QUARTER,
                dt.date(year, 3 * q - 2, 1),
                month_end(year, 3 * q),
                (3 * q - 2, 3 * q - 1, 3 * q),
            )
            for q in range(1, 5)
        ]
    return [
        Span(
            str(year), Period.YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31), tuple(range(1, 13))
        )
    ]


def default_as_of(year: int, today: dt.date | None = None) -> dt.date:
    """Today in Asia/Shanghai, or the year's last day once the year is over."""
    today = today or timezone.localdate()
    return today if year >= today.year else dt.date(year, 12, 31)


# ---------------------------------------------------------------------------------------
# The answer


@dataclass(frozen=True)
class Due:
    """One obligation of one organisation in one period, and how it stands."""

    org: Org
    obligation: Obligation
    span: Span
    required: int
    held: int
    status: str
    activity_ids: tuple[int, ...] = ()
    # What required and held count: records (次), or for 谈心谈话 checked pair by pair (D5),
    # pairs of a committee member and a member (对).
    unit: str = "次"
    # Why the row cannot be met as it stands (a branch without a committee recorded).
    note: str = ""

    @property
    def kind(self) -> str:
        return self.obligation.kind

    @property
    def kind_name(self) -> str:
        return self.obligation.name

    @property
    def short_name(self) -> str:
        return SHORT_NAMES.get(self.obligation.code, self.obligation.name)

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.status]

    @property
    def by_pairs(self) -> bool:
        return self.unit == PAIR_UNIT

    @property
    def tally(self) -> str:
        """How the row stands in words: 应开展1次，已开展0次 / 应谈心谈话12对，已谈9对."""
        if self.note:
            return self.note
        if self.by_pairs:
            return f"应谈心谈话{self.required}对，已谈{self.held}对"
        return f"应开展{self.required}次，已开展{self.held}次"

    def as_row(self) -> dict[str, Any]:
        """A row of `tianping compliance --json` (CONTRACT.md), keys exactly as published."""
        return {
            "org": self.org.code,
            "org_name": self.org.name,
            "kind": self.kind,
            "kind_name": self.kind_name,
            "period": self.span.code,
            "required": self.required,
            "held": self.held,
            "status": self.status,
        }


@dataclass(frozen=True)
class Summary:
    required: int
    met: int
    missing: int
    upcoming: int

    @property
    def rate(self) -> float | None:
        """met / (met + missing), four decimals; None while nothing has fallen due."""
        due = self.met + self.missing
        return round(self.met / due, 4) if due else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "required": self.required,
            "met": self.met,
            "missing": self.missing,
            "upcoming": self.upcoming,
            "rate": self.rate,
        }


def summarise(rows: Iterable[Due]) -> Summary:
    counts = {MET: 0, MISSING: 0, UPCOMING: 0}
    for row in rows:
        counts[row.status] += 1
    return Summary(sum(counts.values()), counts[MET], counts[MISSING], counts[UPCOMING])


PAIR_UNIT = "对"


@dataclass(frozen=True)
class TalkMatrix:
    """D5: who in a branch must talk with whom in a year, and which pairs have.

    Every committee member with every member of the branch, committee members with each
    other included; a pair is one talk whichever of the two was the talker. Committee and
    members are read on the year's last day (or as_of if earlier).
    """

    branch_id: int
    on: dt.date
    committee: tuple[int, ...]  # person ids, 书记 first (empty: no committee recorded)
    members: tuple[int, ...]  # the party members placed in the branch that day, by 工号
    talked: frozenset[frozenset[int]]
    # The records that covered a required pair, by date.
    activity_ids: tuple[int, ...] = ()

    @property
    def committee_known(self) -> bool:
        return bool(self.committee)

    @property
    def pairs(self) -> list[tuple[int, int]]:
        """(committee member, the one they must talk with), each pair once."""
        found: list[tuple[int, int]] = []
        seen: set[frozenset[int]] = set()
        everyone = [*self.members, *(c for c in self.committee if c not in self.members)]
        for c in self.committee:
            for m in everyone:
                pair = frozenset((c, m))
                if m != c and pair not in seen:
                    seen.add(pair)
                    found.append((c, m))
        return found

    @property
    def missing(self) -> list[tuple[int, int]]:
        return [(c, m) for c, m in self.pairs if frozenset((c, m)) not in self.talked]

    @property
    def required(self) -> int:
        return len(self.pairs)

    @property
    def held(self) -> int:
        return self.required - len(self.missing)

    def missing_by_talker(self) -> list[tuple[int, list[int]]]:
        """The missing pairs grouped by committee member, in committee order."""
        grouped: dict[int, list[int]] = {}
        for c, m in self.missing:
            grouped.setdefault(c, []).append(m)
        return [(c, grouped[c]) for c in self.committee if c in grouped]


@dataclass
class Report:
    root: Org | None
    year: int
    as_of: dt.date
    orgs: list[Org]  # every party organisation of the subtree that may owe something, by path
    rows: list[Due]
    # R1.3: full members of each branch counted on each month's last day (or as_of if earlier).
    full_members: dict[int, list[int]] = field(default_factory=dict)
    # The life of each organisation: first day known to exist (None: before our records),
    # and the day it was dissolved (None: still alive).
    life: dict[int, tuple[dt.date | None, dt.date | None]] = field(default_factory=dict)
    courts: dict[int, Org] = field(default_factory=dict)  # org id → its nearest court
    # D5: each branch that owes its 谈心谈话 pair by pair, and how far it has got.
    talks: dict[int, TalkMatrix] = field(default_factory=dict)

    @property
    def summary(self) -> Summary:
        return summarise(self.rows)

    def committee_months(self, branch: Org) -> list[int]:
        """The months in which the branch had to have a committee (R1.3)."""
        counts = self.full_members.get(branch.pk, [])
        return [m for m, n in enumerate(counts, start=1) if n >= COMMITTEE_THRESHOLD]

    def as_json(self) -> dict[str, Any]:
        """The document `tianping compliance --json` prints (CONTRACT.md)."""
        return {
            "org": self.root.code if self.root is not None else "",
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "rows": [r.as_row() for r in self.rows],
            "summary": self.summary.as_dict(),
        }


# ---------------------------------------------------------------------------------------
# The engine


def _subtree(root: Org | None, lookup: str = "path") -> Q:
    return Q() if root is None else Q(**{f"{lookup}__startswith": root.path})


def _in_subtree(root: Org | None, org_kinds: Iterable[str]) -> Q:
    """Activities of organisations of these kinds under `root`, as an `org_id IN (subquery)`.

    Written as a subquery rather than a join on the organisation's path, so that SQLite
    reads activities through the (org, status, on) index instead of scanning every
    organisation's activities of the year and throwing most away.
    """
    return Q(org_id__in=_subtree_ids(root, org_kinds))


def _subtree_ids(root: Org | None, org_kinds: Iterable[str]) -> Any:
    return Org.objects.filter(_subtree(root), kind__in=list(org_kinds)).values("id")


def _nearest_courts(root: Org | None, orgs: list[Org]) -> dict[int, Org]:
    """Each organisation's court: the deepest court whose path prefixes its own."""
    courts_q = Q(kind__in=COURT_KINDS)
    if root is not None:
        courts_q &= Q(path__startswith=root.path) | Q(path__in=root.ancestor_paths())
    by_path = {
        c.path: c
        for c in Org.objects.filter(courts_q).only(
            "id", "path", "name", "code", "kind", "founded_on", "created_at"
        )
    }
    step = Org.steplen
    found: dict[int, Org] = {}
    for org in orgs:
        for length in range(len(org.path), 0, -step):
            court = by_path.get(org.path[:length])
            if court is not None:
                found[org.pk] = court
                break
    return found


def _settings(courts: Iterable[Org]) -> dict[tuple[int, str], tuple[str, int]]:
    """A court's own period and count for its configurable obligations (R1.5)."""
    rows = ObligationSetting.objects.filter(court_id__in={c.pk for c in courts}).values_list(
        "court_id", "obligation", "period", "count"
    )
    return {(court, code): (period, count) for court, code, period, count in rows}


def _covering(root: Org | None, subjects: Iterable[Org], lookup: str) -> Q:
    """Rows under `root` or under any of these organisations (courts above the root)."""
    if root is None:
        return Q()
    q = Q(**{f"{lookup}__startswith": root.path})
    outside = {o.path for o in subjects if not o.path.startswith(root.path)}
    for path in _top_paths(outside):
        q |= Q(**{f"{lookup}__startswith": path})
    return q


def _top_paths(paths: Iterable[str]) -> list[str]:
    """The fewest paths whose subtrees cover all of these."""
    tops: list[str] = []
    for path in sorted(paths):
        if not tops or not path.startswith(tops[-1]):
            tops.append(path)
    return tops


def _records_start(
    root: Org | None, subjects: list[Org], year_start: dt.date
) -> dict[int, dt.date | None]:
    """When each organisation's records begin, where it was entered after the year began.

    A court that brings in its tree today and its older ledgers later must not be told its
    branches did not exist then. So an organisation exists from the earliest of: the day
    it was entered, the first placement of anyone in it or below it (an undated placement
    means "before our records"), and its or its sub-organisations' first recorded
    activity. None means it existed before the year began.
    """
    entered = {o.pk: timezone.localdate(o.created_at) for o in subjects}
    late = [o for o in subjects if entered[o.pk] > year_start]
    starts: dict[int, dt.date | None] = {o.pk: None for o in subjects}
    if not late:
        return starts
    earliest: dict[str, dt.date] = {}

    def note(path: str, day: dt.date) -> None:
        for length in range(Org.steplen, len(path) + 1, Org.steplen):
            prefix = path[:length]
            if day < earliest.get(prefix, dt.date.max):
                earliest[prefix] = day

    placements = (
        Placement.objects.filter(_covering(root, late, "org__path"))
        .values("org__path")
        .annotate(first=Min("since"), undated=Count("id", filter=Q(since__isnull=True)))
        .order_by()
    )
    for row in placements:
        note(row["org__path"], dt.date.min if row["undated"] else row["first"])
    # Activities date only what placements leave open (a 党组 has nobody placed in it).
    open_paths = _top_paths(
        o.path for o in late if min(entered[o.pk], earliest.get(o.path, dt.date.max)) > year_start
    )
    if open_paths:
        within = Q()
        for path in open_paths:
            within |= Q(path__startswith=path)
        activities = (
            Activity.objects.filter(org_id__in=Org.objects.filter(within).values("id"))
            .values("org__path")
            .annotate(first=Min("on"))
            .order_by()
        )
        for row in activities:
            note(row["org__path"], row["first"])
    for org in late:
        start = min(entered[org.pk], earliest.get(org.path, dt.date.max))
        starts[org.pk] = None if start <= year_start else start
    return starts


def _life_starts(
    root: Org | None, orgs: list[Org], courts: dict[int, Org], year_start: dt.date
) -> dict[int, dt.date | None]:
    """D2: the first day of each organisation's life, None when it began before the year.

    Its founding date where one is known; else, for an organisation that holds no
    placements of its own (a 党组, a 机关党委), its court's life (the court's founding date,
    else the court's records); else its own records (_records_start).
    """

    def from_founding(day: dt.date) -> dt.date | None:
        return day if day > year_start else None

    starts: dict[int, dt.date | None] = {}
    by_records: list[Org] = []
    court_bound: list[Org] = []
    for org in orgs:
        if org.founded_on is not None:
            starts[org.pk] = from_founding(org.founded_on)
        elif org.kind in COURT_LIFE_KINDS and org.pk in courts:
            court_bound.append(org)
        else:
            by_records.append(org)
    court_start: dict[int, dt.date | None] = {}
    for court in {courts[o.pk] for o in court_bound}:
        if court.founded_on is not None:
            court_start[court.pk] = from_founding(court.founded_on)
        else:
            by_records.append(court)
    recorded = _records_start(root, by_records, year_start)
    for org in orgs:
        if org.pk in recorded:
            starts[org.pk] = recorded[org.pk]
    for org in court_bound:
        court = courts[org.pk]
        starts[org.pk] = court_start[court.pk] if court.pk in court_start else recorded[court.pk]
    return starts


def _branch_rolls(
    root: Org | None,
    branch_ids: set[int],
    year: int,
    as_of: dt.date,
    roll_day: dt.date,
    *,
    only_listed: bool,
) -> tuple[dict[int, list[int]], dict[int, tuple[int, ...]]]:
    """Who each branch holds, from one read of its party placements over the year.

    - R1.3: its full members on each month's last day, or on as_of if earlier. A full
      member is a person placed in the branch that day (Placement of kind party_org) whose
      political status is member and who became a full member on or before that day (an
      unknown date counts as long ago). A member who moved branch mid-month counts for the
      branch they were in at the month's end.
    - D5: its party members (full and probationary) placed in it on `roll_day`, by 工号.
    """
    if not branch_ids:
        return {}, {}
    year_start, year_end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows = (
        Placement.objects.filter(
            _subtree(root, "org__path"),
            kind=PlacementKind.PARTY_ORG,
            org__kind=OrgKind.BRANCH,
            person__political_status__in=PARTY_STATUSES,
        )
        .filter(Q(since__isnull=True) | Q(since__lte=year_end))
        .filter(Q(until__isnull=True) | Q(until__gt=year_start))
        .values_list(
            "org_id",
            "since",
            "until",
            "person__full_member_on",
            "person__political_status",
            "person_id",
            "person__employee_no",
        )
    )
    if only_listed:
        rows = rows.filter(org_id__in=branch_ids)
    days = [min(month_end(year, m), as_of) for m in range(1, 13)]
    # Placements of one person in one branch never overlap (half-open history), so a
    # count of placements in force on a day is a count of people. Each placement covers
    # a run of count days: from the first on or after it began (and the person was full)
    # to the last before it ended; a difference array adds the runs up.
    steps: dict[int, list[int]] = {b: [0] * 13 for b in branch_ids}
    rolls: dict[int, dict[int, str]] = {b: {} for b in branch_ids}
    for org_id, since, until, full_on, status, person_id, number in rows:
        step = steps.get(org_id)
        if step is None:
            continue
        if (since is None or since <= roll_day) and (until is None or until > roll_day):
            rolls[org_id][person_id] = number
        if status != PoliticalStatus.MEMBER:
            continue
        begins = max(since or dt.date.min, full_on or dt.date.min)
        first = bisect_left(days, begins)
        last = bisect_left(days, until) if until is not None else 12
        if first < last:
            step[first] += 1
            step[last] -= 1
    counts = {b: list(accumulate(step[:12])) for b, step in steps.items()}
    members = {
        b: tuple(sorted(people, key=lambda pk: (people[pk], pk))) for b, people in rolls.items()
    }
    return counts, members


def _talk_matrices(
    root: Org | None,
    branches: list[Org],
    year: int,
    as_of: dt.date,
    roll_day: dt.date,
    members: dict[int, tuple[int, ...]],
    *,
    descendants: bool,
) -> dict[int, TalkMatrix]:
    """D5: each branch's committee and members on `roll_day`, and the pairs that have talked.

    A talk is a held 谈心谈话 record dated in the year up to as_of: every present attendee
    with the role 谈话人 has talked with every other present attendee. Talks recorded in a
    branch merged into this one count too: its members passed to this one (D2).
    """
    if not branches:
        return {}
    committees = {
        branch_id: tuple(p.pk for p in people)
        for branch_id, people in committee_hooks.seats_on(branches, roll_day).items()
    }
    ids = {b.pk for b in branches}
    start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), as_of)
    records: dict[int, dict[str, Any]] = {}
    if start <= end:
        if descendants:
            branches_q = _subtree_ids(root, [OrgKind.BRANCH])
            where = Q(activity__org_id__in=branches_q) | Q(
                activity__org__merged_into_id__in=branches_q
            )
        else:
            where = Q(activity__org_id__in=ids) | Q(activity__org__merged_into_id__in=ids)
        rows = (
            Attendance.objects.filter(
                where,
                activity__kind=HEART_TALK,
                activity__status=ActivityStatus.HELD,
                activity__on__gte=start,
                activity__on__lte=end,
                status=AttendanceStatus.PRESENT,
            )
            .values_list(
                "activity_id",
                "activity__org_id",
                "activity__org__merged_into_id",
                "activity__on",
                "person_id",
                "role",
            )
            .order_by()
        )
        for activity_id, org_id, merged_into_id, on, person_id, role in rows:
            record = records.setdefault(
                activity_id,
                {"on": on, "orgs": {org_id, merged_into_id} & ids, "talkers": set(), "with": set()},
            )
            record["talkers" if role == AttendanceRole.TALKER else "with"].add(person_id)
    talked: dict[int, set[frozenset[int]]] = {pk: set() for pk in ids}
    counted: dict[int, list[tuple[dt.date, int, set[frozenset[int]]]]] = {pk: [] for pk in ids}
    for activity_id, record in records.items():
        pairs = {frozenset((t, w)) for t in record["talkers"] for w in record["with"] if t != w}
        for branch_id in record["orgs"]:
            talked[branch_id] |= pairs
            counted[branch_id].append((record["on"], activity_id, pairs))
    matrices: dict[int, TalkMatrix] = {}
    for branch in branches:
        matrix = TalkMatrix(
            branch.pk,
            roll_day,
            committees.get(branch.pk, ()),
            members.get(branch.pk, ()),
            frozenset(),
        )
        # Only the pairs D5 asks for count, and only the records that talked one of them.
        required = {frozenset(p) for p in matrix.pairs}
        useful = sorted((on, pk) for on, pk, pairs in counted[branch.pk] if pairs & required)
        matrices[branch.pk] = replace(
            matrix,
            talked=frozenset(talked[branch.pk] & required),
            activity_ids=tuple(pk for _, pk in useful),
        )
    return matrices


# Held records by (org id, obligation kind): a count per month, and the records' ids.
Tally = dict[tuple[int, str], list[int]]
IdTally = dict[tuple[int, str], list[list[int]]]
SECRETARY = "party_lecture/secretary"


def _counted_as(kind: str, also: list[str] | None, secretary: bool) -> set[str]:
    codes = kinds.counts_for(kind, also or [])
    if secretary and "party_lecture" in codes:
        codes = codes | {SECRETARY}
    return codes


def _held(
    root: Org | None, year: int, as_of: dt.date, org_ids: set[int] | None, with_ids: bool
) -> tuple[Tally, IdTally]:
    """Held activities dated in the year up to as_of, tallied by what they count for.

    A planned or cancelled record counts for nothing. A record counts for its own kind and
    for the kinds it also declares where the registry allows it (a 主题党日 with a 党课).
    Without ids this is one aggregate: a row per organisation and kind, a count per month.
    """
    start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), as_of)
    counts: Tally = {}
    ids: IdTally = {}
    if end < start:
        return counts, ids
    held = Activity.objects.filter(
        _in_subtree(root, HOLDER_KINDS) if org_ids is None else Q(org_id__in=org_ids),
        status=ActivityStatus.HELD,
        on__gte=start,
        on__lte=end,
        kind__in=COUNTING_KINDS,
    )
    if with_ids:
        # Unordered: an ORDER BY on the date lets SQLite walk the date index of every
        # organisation's records; the few rows of one organisation are sorted here.
        records = held.values_list(
            "id", "org_id", "kind", "also_counts_as", "lecturer_is_secretary", "on"
        ).order_by()
        for pk, org_id, kind, also, secretary, on in sorted(records, key=lambda r: (r[5], r[0])):
            for code in _counted_as(kind, also, secretary):
                counts.setdefault((org_id, code), [0] * 12)[on.month - 1] += 1
                ids.setdefault((org_id, code), [[] for _ in range(12)])[on.month - 1].append(pk)
        return counts, ids
    firsts = [dt.date(year, m, 1) for m in range(1, 13)] + [dt.date(year + 1, 1, 1)]
    per_month = {
        f"m{m}": Count("id", filter=Q(on__gte=firsts[m - 1], on__lt=firsts[m]))
        for m in range(1, 13)
    }
    rows = (
        held.values("org_id", "kind", "also_counts_as", "lecturer_is_secretary")
        .annotate(**per_month)
        .order_by()
    )
    for row in rows:
        monthly = [row[f"m{m}"] for m in range(1, 13)]
        for code in _counted_as(row["kind"], row["also_counts_as"], row["lecturer_is_secretary"]):
            tally = counts.setdefault((row["org_id"], code), [0] * 12)
            for i, n in enumerate(monthly):
                tally[i] += n
    return counts, ids


def _status(required: int, held: int, span: Span, as_of: dt.date) -> str:
    if held >= required:
        return MET
    # A period has ended by as_of when its last day is on or before it: as_of is read as
    # "at the close of that day", so a past year asked at its 31 December is final.
    return MISSING if span.end <= as_of else UPCOMING


def _owes(span: Span, born: dt.date | None, dissolved: dt.date | None, merged: bool) -> bool:
    """D2: a period of the organisation's life. A branch founded mid-period owes that
    period; a branch merged into another owes the periods that ended before the merge (the
    rest pass with its members to the branch they joined); a dissolved one owes nothing
    from the day it was dissolved."""
    if born is not None and span.end < born:
        return False
    if dissolved is not None and (span.end >= dissolved if merged else span.start >= dissolved):
        return False
    return True


NO_COMMITTEE = "尚未登记支部委员会（书记），无法逐对核对谈心谈话"


def compliance(
    root: Org | None,
    year: int,
    as_of: dt.date | None = None,
    *,
    descendants: bool = True,
    with_ids: bool = False,
    court_only: bool = False,
) -> Report:
    """Every obligation of every party organisation at or under `root`, in every period of `year`.

    - required: the obligation's count per period (R1.5), or the court's own period and
      count for a configurable one (ObligationSetting).
    - held: held activities of that organisation dated in the period (and not after
      as_of) whose kind, or declared also_counts_as, is the obligation's kind; the
      secretary's lecture counts only lectures with lecturer_is_secretary.
    - status: met when held ≥ required; else missing once the period has ended by as_of,
      upcoming before that.
    - Who owes what: the obligation's holders (kinds.OBLIGATIONS); the branch committee
      meeting only in months when the branch must have a committee (R1.3: ≥7 full members
      on the month's last day, or on as_of if earlier); only the periods of an
      organisation's life (D2, _life_starts and _owes).
    - 谈心谈话 (D5): met for the year when every committee member has talked with every
      member of the branch, committee members with each other included; required and
      held count those pairs (unit 对). A branch with no committee recorded cannot meet
      it (required 1, held 0, with a note). A court that sets its own frequency
      (ObligationSetting) asks instead for that plain count of 谈心谈话 records.

    `root=None` answers for every organisation; `descendants=False` for `root` alone.
    `with_ids` also lists the activities that count for each row (for linking to them).
    `court_only` (with a court as `root`) answers for the court's own organisations, not
    those of the courts under it: one court of a 中院 or a province at a time.
    """
    as_of = as_of or default_as_of(year)
    year_start, year_end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    roll_day = max(min(as_of, year_end), year_start)
    orgs_q = Q(kind__in=HOLDER_KINDS) & ~Q(is_active=False, dissolved_on__lte=year_start)
    if root is not None:
        orgs_q &= Q(path__startswith=root.path) if descendants else Q(pk=root.pk)
    orgs = list(
        Org.objects.filter(orgs_q)
        .only(
            "id",
            "code",
            "name",
            "kind",
            "path",
            "depth",
            "is_active",
            "dissolved_on",
            "merged_into",
            "founded_on",
            "created_at",
        )
        .order_by("path")
    )
    courts = _nearest_courts(root, orgs)
    if court_only and root is not None:
        orgs = [o for o in orgs if o.pk in courts and courts[o.pk].pk == root.pk]
    settings = _settings(set(courts.values()))
    starts = _life_starts(root, orgs, courts, year_start)
    life = {o.pk: (starts.get(o.pk), o.dissolved_on if not o.is_active else None) for o in orgs}
    branch_ids = {o.pk for o in orgs if o.kind == OrgKind.BRANCH}
    full_members, rolls = _branch_rolls(
        root, branch_ids, year, as_of, roll_day, only_listed=not descendants
    )
    org_ids = None if descendants else {o.pk for o in orgs}
    counts, ids = _held(root if descendants else None, year, as_of, org_ids, with_ids)

    def by_pairs(org: Org) -> bool:
        court = courts.get(org.pk)
        return org.kind in kinds.OBLIGATIONS[HEART_TALK].holders and (
            court is None or (court.pk, HEART_TALK) not in settings
        )

    talks = _talk_matrices(
        root,
        [o for o in orgs if by_pairs(o)],
        year,
        as_of,
        roll_day,
        rolls,
        descendants=descendants,
    )

    rows: list[Due] = []
    span_cache = {p: spans(year, p) for p in Period}
    none = [0] * 12
    no_ids: list[list[int]] = [[] for _ in range(12)]
    # Organisations by path, obligations in registry order, periods in time: rows come out
    # in the order the contract's consumers read them.
    for org in orgs:
        born, dissolved = life[org.pk]
        merged = org.merged_into_id is not None
        court = courts.get(org.pk)
        for obligation in kinds.OBLIGATIONS.values():
            if org.kind not in obligation.holders:
                continue
            period: str = obligation.period
            required = obligation.count
            if obligation.configurable and court is not None:
                period, required = settings.get((court.pk, obligation.code), (period, required))
            if required <= 0:
                continue
            key = (org.pk, SECRETARY if obligation.lecturer_must_be_secretary else obligation.kind)
            monthly = counts.get(key, none)
            monthly_ids = ids.get(key, no_ids)
            members = full_members.get(org.pk, none)
            matrix = talks.get(org.pk) if obligation.code == HEART_TALK else None
            for span in span_cache[Period(period)]:
                if not _owes(span, born, dissolved, merged):
                    continue
                first, last = span.months[0] - 1, span.months[-1]
                if obligation.needs_committee and members[last - 1] < COMMITTEE_THRESHOLD:
                    continue
                need, unit, note = required, "次", ""
                activity_ids: tuple[int, ...] = ()
                if matrix is not None:
                    unit = PAIR_UNIT
                    if not matrix.committee_known:
                        need, held, note = 1, 0, NO_COMMITTEE
                    elif matrix.required == 0:
                        continue  # a secretary alone in a branch has nobody to talk with
                    else:
                        need, held = matrix.required, matrix.held
                    if with_ids:
                        activity_ids = matrix.activity_ids
                else:
                    held = sum(monthly[first:last])
                    if with_ids:
                        activity_ids = tuple(
                            pk for month in monthly_ids[first:last] for pk in month
                        )
                rows.append(
                    Due(
                        org,
                        obligation,
                        span,
                        need,
                        held,
                        _status(need, held, span, as_of),
                        activity_ids,
                        unit,
                        note,
                    )
                )
    return Report(root, year, as_of, orgs, rows, full_members, life, courts, talks)


# ---------------------------------------------------------------------------------------
# Membership figures for the health check (R1.1–R1.3)


@dataclass(frozen=True)
class Membership:
    full: int
    probationary: int

    @property
    def total(self) -> int:
        return self.full + self.probationary


def membership_on(org: Org, day: dt.date) -> Membership:
    """Party members placed in `org` or below it on `day`: full and probationary (R1.1–R1.3).

    A member whose full-membership date lies after `day` was still probationary then.
    """
    rows = (
        Placement.objects.filter(
            placed_on(day),
            kind=PlacementKind.PARTY_ORG,
            org__path__startswith=org.path,
            person__political_status__in=[PoliticalStatus.MEMBER, PoliticalStatus.PROBATIONARY],
        )
        .values_list("person_id", "person__political_status", "person__full_member_on")
        .distinct()
    )
    full: set[int] = set()
    probationary: set[int] = set()
    for person_id, status, full_on in rows:
        if status == PoliticalStatus.MEMBER and (full_on is None or full_on <= day):
            full.add(person_id)
        else:
            probationary.add(person_id)
    return Membership(len(full), len(probationary - full))


# ---------------------------------------------------------------------------------------
# The dashboard


@dataclass(frozen=True)
class IdleBranch:
    org: Org
    court: Org | None
    last_held_on: dt.date | None
    days: int | None  # days since the last held activity; None when there has never been one

    @property
    def sentence(self) -> str:
        if self.last_held_on is None:
            return f"{self.org.name} 尚无已开展的活动记录"
        return f"{self.org.name} 已连续{self.days}天没有活动记录"


@dataclass
class DashboardSummary:
    today: dt.date
    due: list[Due]  # not yet met in a period that is running now
    overdue: list[Due]  # missing this year
    idle: list[IdleBranch]
    several_courts: bool = False
    # How many there are of each, also when the lists hold only the first few (`trimmed`).
    due_count: int = 0
    overdue_count: int = 0
    idle_count: int = 0

    @property
    def empty(self) -> bool:
        return not (self.due_count or self.overdue_count or self.idle_count)

    def trimmed(self, shown: int) -> DashboardSummary:
        """The first `shown` of each list, and the counts of all: what the card shows."""
        return replace(
            self, due=self.due[:shown], overdue=self.overdue[:shown], idle=self.idle[:shown]
        )


def _idle_branches(root: Org | None, report: Report, today: dt.date) -> list[IdleBranch]:
    """Live branches with no held activity of their own or their groups' for IDLE_DAYS days."""
    branches = [
        o
        for o in report.orgs
        if o.kind == OrgKind.BRANCH
        and o.is_active
        and ((born := report.life[o.pk][0]) is None or (today - born).days >= IDLE_DAYS)
    ]
    if not branches:
        return []
    last = (
        Activity.objects.filter(
            _in_subtree(root, [OrgKind.BRANCH, OrgKind.GROUP]),
            status=ActivityStatus.HELD,
            on__lte=today,
        )
        .values("org__path")
        .annotate(last=Max("on"))
        .order_by()
    )
    by_branch: dict[str, dt.date] = {}
    for row in last:
        path = row["org__path"]
        for branch_path in (path, path[: -Org.steplen]):
            if row["last"] > by_branch.get(branch_path, dt.date.min):
                by_branch[branch_path] = row["last"]
    idle = []
    for branch in branches:
        held_on = by_branch.get(branch.path)
        days = (today - held_on).days if held_on else None
        if days is None or days >= IDLE_DAYS:
            idle.append(IdleBranch(branch, report.courts.get(branch.pk), held_on, days))
    idle.sort(key=lambda i: (i.days is not None, -(i.days or 0), i.org.path))
    return idle


def dashboard_summary(scope: Scope | None, today: dt.date | None = None) -> DashboardSummary:
    """What the dashboard says about organisational life in the scope, as of `today`.

    Due: obligations of a period running today that are not yet met. Overdue: the year's
    missing ones. Idle: branches with no held activity recorded for IDLE_DAYS days
    ("第二党支部 已连续45天没有活动记录").
    """
    today = today or timezone.localdate()
    sees, root = _scope_root(scope)
    if not sees:
        return DashboardSummary(today, [], [], [])
    return _summary_of(compliance(root, today.year, today), today)


def _summary_of(report: Report, today: dt.date) -> DashboardSummary:
    due = [r for r in report.rows if r.status == UPCOMING and r.span.contains(today)]
    due.sort(key=lambda r: (r.span.end, r.org.path, OBLIGATION_ORDER[r.obligation.code]))
    overdue = [r for r in report.rows if r.status == MISSING]
    overdue.sort(key=lambda r: (-r.span.end.toordinal(), r.org.path))
    idle = _idle_branches(report.root, report, today)
    several = len({c.pk for c in report.courts.values()}) > 1
    return DashboardSummary(today, due, overdue, idle, several, len(due), len(overdue), len(idle))


# ---------------------------------------------------------------------------------------
# Cached figures: counted once per data generation (audit.generation)

# Items of each list the dashboard card names; the rest it counts.
CARD_ITEMS = 10


@dataclass(frozen=True)
class StatusTally:
    """How many obligations stand how in each period and court of a report: its summaries,
    for the whole subtree or one court, without its rows."""

    # (court id or None, period, index of the span, status) → rows.
    counts: dict[tuple[int | None, str, int, str], int]

    @classmethod
    def of(cls, report: Report) -> StatusTally:
        court_of = {pk: court.pk for pk, court in report.courts.items()}
        spans: dict[str, Span] = {}
        by_code: Counter[tuple[int | None, str, str]] = Counter()
        for r in report.rows:
            spans[r.span.code] = r.span
            by_code[(court_of.get(r.org.pk), r.span.code, r.status)] += 1
        return cls(
            {
                (court, str(spans[code].period), spans[code].index, status): n
                for (court, code, status), n in by_code.items()
            }
        )

    def summary(
        self, keeps: Callable[[str, int], bool] | None = None, court_id: int | None = None
    ) -> Summary:
        """The summary of the rows whose (period, index) `keeps` keeps, of one court or all."""
        by_status = {MET: 0, MISSING: 0, UPCOMING: 0}
        for (court, period, index, status), n in self.counts.items():
            if court_id is not None and court != court_id:
                continue
            if keeps is None or keeps(period, index):
                by_status[status] += n
        return Summary(
            sum(by_status.values()), by_status[MET], by_status[MISSING], by_status[UPCOMING]
        )

    @property
    def court_ids(self) -> list[int]:
        return sorted({c for c, _, _, _ in self.counts if c is not None})


def _scope_root(scope: Scope | None) -> tuple[bool, Org | None]:
    """Whether the scope sees compliance, and the root it is counted under (None: all)."""
    if scope is None or scope.self_only or not scope.can("compliance.view"):
        return False, None
    if scope.is_global:
        return True, None
    root = Org.objects.filter(pk=scope.root_id).first()
    return root is not None, root


def cached_dashboard_summary(
    scope: Scope | None, today: dt.date, current: generation.Generation | None = None
) -> DashboardSummary:
    """`dashboard_summary` as the card shows it (CARD_ITEMS of each list, and the counts),
    computed once per scope, day and data generation. The report it comes from also
    leaves its tally for `cached_tally` of the same root, year and day."""
    empty = DashboardSummary(today, [], [], [])
    if scope is None or scope.self_only or not scope.can("compliance.view"):
        return empty
    current = current or generation.current()
    key = ("compliance-card", "all" if scope.is_global else scope.root_id, today.isoformat())
    card = current.get(*key)
    if card is None:
        sees, root = _scope_root(scope)
        if not sees:
            return empty
        report = compliance(root, today.year, today)
        card = _summary_of(report, today).trimmed(CARD_ITEMS)
        current.put(card, *key)
        current.put(StatusTally.of(report), *_tally_key(root, today.year, today))
    return card


def _tally_key(root: Org | None, year: int, as_of: dt.date) -> tuple[object, ...]:
    return ("compliance-tally", root.pk if root else "all", year, as_of.isoformat())


def cached_tally(
    root: Org | None,
    year: int,
    as_of: dt.date | None = None,
    current: generation.Generation | None = None,
) -> StatusTally:
    """The tally of `compliance(root, year, as_of)`, computed once per data generation.
    The caller has checked that the scope covers `root`."""
    as_of = as_of or default_as_of(year)
    current = current or generation.current()
    return current.cached(
        lambda: StatusTally.of(compliance(root, year, as_of)), *_tally_key(root, year, as_of)
    )


def membership_checks(
    org: Org, day: dt.date, report: Report, scope: Scope
) -> list[committee_hooks.Check]:
    """Health checks: set-up and size (R1.1, R1.2), then committee and term (R1.3, R1.4)."""
    members = membership_on(org, day)
    on = f"{day:%Y年%m月%d日}"
    checks: list[committee_hooks.Check] = []
    if org.kind == OrgKind.BRANCH:
        lines = [f"截至{on}，正式党员{members.full}名，预备党员{members.probationary}名。"]
        level = "ok"
        if members.full < BRANCH_MIN_FULL_MEMBERS:
            level = "bad"
            lines.append(
                "正式党员不足3名，按规定应与其他单位联合成立党支部（联合党支部不超过5个单位）。"
            )
        if members.total > BRANCH_MAX_MEMBERS:
            level = "warn" if level == "ok" else level
            lines.append(f"党员{members.total}名，超过50名，宜分设党支部。")
        checks.append(
            committee_hooks.Check("setup", "设立条件与规模", SOURCES["setup"], level, lines)
        )
    elif org.kind in (OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH):
        total = members.total
        if total >= PARTY_COMMITTEE_MEMBERS:
            fits, should = OrgKind.PARTY_COMMITTEE, "党员100名以上，应设立基层党委"
        elif total >= GENERAL_BRANCH_MEMBERS:
            fits, should = OrgKind.GENERAL_BRANCH, "党员50至99名，可设立党总支"
        else:
            fits, should = OrgKind.BRANCH, "党员不足50名，设立党支部即可"
        level = "ok" if fits == org.kind else "warn"
        checks.append(
            committee_hooks.Check(
                "structure",
                "组织设置",
                SOURCES["structure"],
                level,
                [
                    f"截至{on}，下属党员{total}名（正式党员{members.full}名，预备党员{members.probationary}名）。",
                    f"{should}；本组织现为{org.get_kind_display()}。",
                    "默认阈值：100名以上设基层党委，50至99名设党总支（条文在恰好100名处表述不一，各院可另行掌握）。",
                ],
            )
        )
    # The committee and its term, as the committees module records them (R1.3, R1.4).
    checks += committee_hooks.health_checks(
        org, day, scope, members.full, report.committee_months(org)
    )
    return checks
