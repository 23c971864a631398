"""Builder steps (demo): branch committees, their terms and the elections that opened them (R1.3, R1.4).

`plan_committees` runs before the records are drawn: it decides who sat on each committee
when, so that `add_activities` holds the 支部党员大会 of each election that falls within the
records and has each committee member hold the year's 谈心谈话 with the branch (D5).
`add_committees` then stores the elections, terms and seats, each election linked to its
congress and counting its present from that meeting's attendance (D4).

Every party organisation has the committee R1.3 asks of its size: three or five members
from seven full members, else a secretary alone; the courts' 机关党委 and 党总支 five
(R1.2). The running term of each was elected in the last three (five) years, and an
election that falls within the records closed a term that had run its course, so none was
early and none needs the approval an early one would (R1.4, D7). A few elections fall due
within the 90 days the reminder looks ahead, one is overdue, and one was postponed with the
higher committee's approval. The rows are what `committees.actions.do_record_election` and
`do_postpone_term` store, written in bulk.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tianping.activities.models import Activity
from tianping.committees.models import Candidate, CommitteeMember, Election, Post, Term
from tianping.committees.queries import full_members_on
from tianping.committees.rules import (
    COMMITTEE_THRESHOLD,
    REMIND_DAYS,
    latest_postponement,
    term_years,
)
from tianping.demo.activities import Roll, by_rank, full_members, serving_on
from tianping.demo.days import meeting_day_before, meeting_day_from
from tianping.demo.roster import CourtRoster, OrgNode, PersonDraft
from tianping.lib.dates import add_years
from tianping.orgs.models import Org, OrgKind
from tianping.people.models import PlacementKind
from tianping.recruitment import queries as recruitment_queries

if TYPE_CHECKING:
    from tianping.demo.builder import Build

# How many terms across the city end soon after the records, and how.
DUE_SOON = 3  # within the reminder's 90 days, whichever day of this month one looks
# A term that does not end soon ends at least this long after the records, so that no
# day of the month shown brings it within the reminder.
NOT_SOON_DAYS = REMIND_DAYS + 35
LARGE_BRANCH = 15  # R1.3: a committee of 5 from here, else of 3 (as the activities hold it)
ATTEMPTS = 8  # dates drawn for an election until the branch's size then and now agree

POSTS_OF_FIVE = (
    [Post.SECRETARY],
    [Post.DEPUTY_SECRETARY],
    [Post.ORGANISATION],
    [Post.PUBLICITY],
    [Post.DISCIPLINE],
)
POSTS_OF_THREE = ([Post.SECRETARY], [Post.ORGANISATION, Post.DISCIPLINE], [Post.PUBLICITY])
POSTPONEMENT_REASONS = (
    "支部所在部门正在进行机构调整，经上级党组织批准推迟换届",
    "支部主要成员参加集中执行攻坚行动，经上级党组织批准推迟换届",
)


@dataclass
class ElectionDraft:
    org: str
    kind: str
    held_on: dt.date
    years: int
    seats: list[tuple[PersonDraft, list[str]]]
    runner_up: PersonDraft | None = None
    # Held at a 支部党员大会 of the records (add_activities holds it on `held_on`).
    at_congress: bool = False
    closed_on: dt.date | None = None
    postponed_to: dt.date | None = None
    approved_by: str = ""
    approved_on: dt.date | None = None
    reason: str = ""


@dataclass
class CommitteePlan:
    elections: list[ElectionDraft]

    def congresses(self) -> dict[str, list[ElectionDraft]]:
        """The elections add_activities holds a branch congress for, by branch."""
        found: dict[str, list[ElectionDraft]] = defaultdict(list)
        for e in self.elections:
            if e.at_congress:
                found[e.org].append(e)
        return found

    def seated(self) -> dict[str, list[ElectionDraft]]:
        by_org: dict[str, list[ElectionDraft]] = defaultdict(list)
        for e in sorted(self.elections, key=lambda e: e.held_on):
            by_org[e.org].append(e)
        return by_org


class Seats:
    """Who sat on an organisation's committee on a day, by the plan (for add_activities)."""

    def __init__(self, plan: CommitteePlan) -> None:
        self.by_org = plan.seated()

    def on(self, org: str, day: dt.date) -> list[PersonDraft] | None:
        """The committee in force that day, 书记 first; None where the plan has no term then."""
        running = None
        for e in self.by_org.get(org, []):
            if e.held_on <= day and (e.closed_on is None or day < e.closed_on):
                running = e
        return [p for p, _ in running.seats] if running is not None else None


class Planner:
    def __init__(self, build: Build) -> None:
        self.build = build
        self.as_of = build.plan.as_of
        self.first = first_day(build)
        self.rng = build.rng("committees")
        self.rolls: dict[str, Roll] = defaultdict(Roll)
        for person in build.people():
            for stint in person.stints:
                if stint.kind == PlacementKind.PARTY_ORG:
                    self.rolls[stint.org].stays.append((person, stint.since, stint.until))
        self.elections: list[ElectionDraft] = []
        # The member log-in is an ordinary member, the court chief sits on no branch
        # committee: the personas are what they do (demo.logins).
        from tianping.demo.logins import login_people

        people = login_people(build)
        self.bystanders = {id(people[u]) for u in ("dangyuan", "yuanzhang") if people.get(u)}

    # Who sits ------------------------------------------------------------------------

    def members_on(self, codes: list[str], day: dt.date) -> list[PersonDraft]:
        seen: dict[int, PersonDraft] = {}
        for code in codes:
            for p in self.rolls[code].on(day):
                seen.setdefault(id(p), p)
        return list(seen.values())

    def full_count(self, codes: list[str], day: dt.date) -> int:
        return len(full_members(self.members_on(codes, day), day))

    def size(self, node: OrgNode, codes: list[str], day: dt.date) -> int:
        """R1.3: a branch of seven full members or more elects a committee of 3 (5 from
        fifteen), a smaller one its secretary alone, though it may elect a committee ahead
        of growing to seven; a 机关党委 or 党总支 elects a committee of 5."""
        if node.kind != OrgKind.BRANCH:
            return 5
        then = self.full_count(codes, day)
        if then >= LARGE_BRANCH:
            return 5
        now = self.full_count(codes, self.as_of)
        return 3 if COMMITTEE_THRESHOLD <= max(then, now) else 1

    def agrees(self, node: OrgNode, codes: list[str], day: dt.date) -> bool:
        """Whether the committee elected that day is the kind the branch must have now: not
        a committee where it has fallen below seven full members since (R1.3)."""
        if node.kind != OrgKind.BRANCH:
            return True
        now = self.full_count(codes, self.as_of) >= COMMITTEE_THRESHOLD
        return now or self.full_count(codes, day) < COMMITTEE_THRESHOLD

    def seats(
        self,
        node: OrgNode,
        codes: list[str],
        day: dt.date,
        secretary: PersonDraft | None,
        *,
        staying: bool,
    ) -> tuple[list[tuple[PersonDraft, list[str]]], PersonDraft | None]:
        """The committee elected on `day` (of `size`'s size): full members serving then
        (and, for the running term, still here now), the secretary first, by rank; the next
        one stood and lost."""
        size = self.size(node, codes, day)
        full = [
            p
            for p in full_members(self.members_on(codes, day), day)
            if serving_on(p, day) and id(p) not in self.bystanders
        ]
        if staying:
            now = {id(p) for p in self.members_on(codes, self.as_of)}
            full = [p for p in full if id(p) in now and serving_on(p, self.as_of)]
        ranked = by_rank(full, day)
        if secretary is not None and any(p is secretary for p in ranked):
            ranked = [secretary, *(p for p in ranked if p is not secretary)]
        size = min(size, len(ranked))
        posts = POSTS_OF_FIVE if size >= 5 else POSTS_OF_THREE
        chosen: list[tuple[PersonDraft, list[str]]] = [
            (p, list(post)) for p, post in zip(ranked[:size], posts, strict=False)
        ]
        runner_up = ranked[size] if size >= 5 and len(ranked) > size else None
        return chosen, runner_up

    # When -----------------------------------------------------------------------------

    def later(self, node: OrgNode, codes: list[str], years: int) -> dt.date:
        """A day in the last term's length whose term ends well after the records, on which
        the branch was the size it is now."""
        low = add_years(self.as_of, -years) + dt.timedelta(days=NOT_SOON_DAYS + 10)
        high = self.as_of - dt.timedelta(days=30)
        for _ in range(ATTEMPTS):
            held = meeting_day_from(low + dt.timedelta(days=self.rng.randint(0, (high - low).days)))
            if held <= high and self.agrees(node, codes, held):
                return held
        day = meeting_day_before(high)
        while day > low and not self.agrees(node, codes, day):
            day = meeting_day_before(day - dt.timedelta(days=7))
        return max(day, meeting_day_from(low))

    def plan_org(
        self,
        roster: CourtRoster,
        node: OrgNode,
        codes: list[str],
        secretary: PersonDraft | None,
        fate: str,
    ) -> None:
        rng, as_of = self.rng, self.as_of
        years = term_years(node.kind)
        if fate == "later":
            held = self.later(node, codes, years)
        else:
            ends = as_of + dt.timedelta(
                days=rng.randint(35, REMIND_DAYS - 5)
                if fate == "due"
                else -rng.randint(20, 60)
                if fate == "overdue"
                else -rng.randint(10, 80)  # postponed
            )
            held = meeting_day_before(add_years(ends, -years))
        seats, runner_up = self.seats(node, codes, held, secretary, staying=True)
        branch = node.kind == OrgKind.BRANCH
        current = ElectionDraft(
            node.code, node.kind, held, years, seats, runner_up, branch and held >= self.first
        )
        if fate == "postponed":
            term_end = add_years(held, years)
            current.postponed_to = min(
                latest_postponement(term_end),
                max(term_end + dt.timedelta(days=183), as_of + dt.timedelta(days=120)),
            )
            current.approved_by = self.approver(roster, node)
            current.approved_on = meeting_day_before(
                term_end - dt.timedelta(days=rng.randint(10, 40))
            )
            current.reason = rng.choice(POSTPONEMENT_REASONS)
        if held >= self.first:
            # The election closed a term that had run its course (never an early one).
            previous = meeting_day_before(
                add_years(held, -years) - dt.timedelta(days=rng.randint(0, 40))
            )
            seats, runner_up = self.seats(node, codes, previous, None, staying=False)
            self.elections.append(
                ElectionDraft(
                    node.code,
                    node.kind,
                    previous,
                    years,
                    seats,
                    runner_up,
                    branch and previous >= self.first,
                    closed_on=held,
                )
            )
        self.elections.append(current)

    def approver(self, roster: CourtRoster, node: OrgNode) -> str:
        """Who approves a branch's postponement: the party committee above it, else the
        organ above the court's own party organisation (R1.4)."""
        court = roster.plan.name
        root = next((n for n in roster.tree.children if n.kind == OrgKind.PARTY_COMMITTEE), None)
        if node.kind == OrgKind.BRANCH and root is not None:
            return f"中共{court}机关党委"
        return f"中共{court.removesuffix('人民法院')}直属机关工作委员会"

    def plan(self, demo_branch: str | None, demo_court: str) -> CommitteePlan:
        """Which terms end soon, which one is overdue and which was postponed; the rest ends
        well after the records."""
        rng = self.rng
        branches = sorted(b.code for r in self.build.rosters for b in r.branches)
        fates: dict[str, str] = {}
        if demo_branch is not None:
            fates[demo_branch] = "due"
        # Terms ending about now were elected about a term ago: the branch must then have
        # been of the size it is now, with a committee (R1.3).
        ago = add_years(self.as_of, -term_years(OrgKind.BRANCH))
        steady = {
            c
            for c in branches
            if self.agrees(OrgNode(c, "", OrgKind.BRANCH), [c], ago)
            and self.size(OrgNode(c, "", OrgKind.BRANCH), [c], ago) > 1
        }
        others = [c for c in branches if c not in fates and c in steady]
        rng.shuffle(others)
        overdue = next((c for c in others if c.startswith(f"{demo_court}-")), others[0])
        fates[overdue] = "overdue"
        postponed = next(c for c in others if c not in fates and not c.startswith(f"{demo_court}-"))
        fates[postponed] = "postponed"
        for code in others:
            if sum(f == "due" for f in fates.values()) >= DUE_SOON:
                break
            fates.setdefault(code, "due")
        for roster in self.build.rosters:
            for branch in roster.branches:
                self.plan_org(
                    roster,
                    OrgNode(branch.code, branch.name, OrgKind.BRANCH),
                    [branch.code],
                    branch.secretary,
                    fates.get(branch.code, "later"),
                )
            root = next(
                (
                    n
                    for n in roster.tree.children
                    if n.kind in (OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH)
                ),
                None,
            )
            if root is not None:
                leaders = roster.leaders
                # The court's 机关党委 (党总支) is led by the leader who lectures as its secretary.
                secretary = leaders[2] if len(leaders) > 2 else (leaders[0] if leaders else None)
                self.plan_org(roster, root, [b.code for b in roster.branches], secretary, "later")
        return CommitteePlan(self.elections)


def first_day(build: Build) -> dt.date:
    """The first day of the records (demo.activities.window), before they are drawn."""
    from tianping.demo.activities import window

    return window(build)[0]


# ---------------------------------------------------------------------------------------
# Writing


def write(build: Build, plan: CommitteePlan, congresses: dict[tuple[str, dt.date], int]) -> int:
    rng = build.rng("committees:votes")
    ids = build.org_ids
    orgs = {o.code: o for o in Org.objects.filter(code__in={e.org for e in plan.elections})}
    elections = sorted(plan.elections, key=lambda e: (e.org, e.held_on))
    rows: list[Election] = []
    present_of: list[int] = []
    for e in elections:
        org = orgs[e.org]
        entitled = full_members_on(org, e.held_on).count()
        congress_id = congresses.get((e.org, e.held_on)) if e.at_congress else None
        if congress_id is not None:
            congress = Activity.objects.get(pk=congress_id)
            present = recruitment_queries.congress_counts(org, [congress])[congress_id].present
        else:
            present = max(entitled // 2 + 1, entitled - rng.randint(0, max(1, entitled // 8)))
        present_of.append(present)
        rows.append(
            Election(
                branch_id=ids[e.org],
                held_on=e.held_on,
                congress_id=congress_id,
                entitled=entitled,
                present=present,
                note="差额选举" if e.runner_up is not None else "",
            )
        )
    Election.objects.bulk_create(rows, batch_size=500)
    candidates: list[Candidate] = []
    terms: list[Term] = []
    for e, election, present in zip(elections, rows, present_of, strict=True):
        candidates.extend(
            Candidate(  # type: ignore[misc]  # the roster is saved: its people have ids
                election=election,
                person_id=person.pk,
                votes=max(present // 2 + 1, present - rng.randint(0, 2)),
                elected=True,
                posts=posts,
            )
            for person, posts in e.seats
        )
        if e.runner_up is not None:
            candidates.append(
                Candidate(  # type: ignore[misc]  # the roster is saved: its people have ids
                    election=election,
                    person_id=e.runner_up.pk,
                    votes=rng.randint(present // 5, present // 2),
                    elected=False,
                    posts=[],
                )
            )
        terms.append(
            Term(
                branch_id=ids[e.org],
                election=election,
                elected_on=e.held_on,
                years=e.years,
                ends_on=add_years(e.held_on, e.years),
                postponed_to=e.postponed_to,
                postponement_approved_by=e.approved_by,
                postponement_approved_on=e.approved_on,
                postponement_reason=e.reason,
                closed_on=e.closed_on,
            )
        )
    Candidate.objects.bulk_create(candidates, batch_size=1000)
    Term.objects.bulk_create(terms, batch_size=500)
    CommitteeMember.objects.bulk_create(
        [
            CommitteeMember(  # type: ignore[misc]  # the roster is saved: its people have ids
                term=term, person_id=person.pk, posts=posts, since=e.held_on, until=e.closed_on
            )
            for e, term in zip(elections, terms, strict=True)
            for person, posts in e.seats
        ],
        batch_size=1000,
    )
    return len(rows)


def plan_committees(build: Build) -> None:
    """Who sat on each committee when (R1.3, R1.4), for the records drawn next."""
    from tianping.demo.logins import BASIC_COURT, demo_branch

    build.results["committee_plan"] = Planner(build).plan(demo_branch(build).code, BASIC_COURT)


def add_committees(build: Build) -> None:
    """The planned elections, terms and seats, linked to the congresses that held them."""
    plan: CommitteePlan = build.results["committee_plan"]
    elections = write(build, plan, build.results.get("election_congresses", {}))
    build.counts.update(elections=elections)
