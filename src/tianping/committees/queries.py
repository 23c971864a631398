"""Reads of committees: member counts for a whole subtree, and each organisation's committee status.

`committee_status(branch, on)` is the one call other apps make (the compliance health
page): it answers a `CommitteeStatus` with

- `must_have_committee` — R1.3: a branch with ≥7 full members, or a general branch or
  party committee;
- `full_members` — the number of full members (正式党员) placed in the organisation or
  below it on `on`: placement kind party_org in force that day, political status member,
  full-membership date empty or on/before `on`;
- `party_members` — full and probationary members counted the same way;
- `members` — the committee seats (`CommitteeMember`, person selected) held on `on`,
  书记 first;
- `term` — the term running on `on` (None when no election is recorded), with `due_on`
  and `days_to_due` for the next election (R1.4);
- `warnings` — `rules.Alert`s (rule, code, text, level "bad"/"warn"/"info") for R1.1–R1.4.

It reads, never writes, and takes a handful of queries; `committee_statuses(orgs, on)`
answers many organisations with the same few queries (one for all placements).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from tianping.accounts.scoping import Scope, scoped
from tianping.committees import rules
from tianping.committees.models import (
    COMMITTEE_KINDS,
    CommitteeMember,
    CommitteeSetting,
    Post,
    Term,
)
from tianping.orgs.models import Org
from tianping.people.models import (
    PARTY_STATUSES,
    Person,
    Placement,
    PlacementKind,
    PoliticalStatus,
    placed_on,
)


@dataclass
class Counts:
    full: set[int] = field(default_factory=set)
    party: set[int] = field(default_factory=set)
    departments: set[int] = field(default_factory=set)


@dataclass
class CommitteeStatus:
    org: Org
    on: dt.date
    full_members: int
    party_members: int
    must_have_committee: bool
    term: Term | None
    members: list[CommitteeMember]
    warnings: list[rules.Alert]
    primary_committee_min: int = rules.PRIMARY_COMMITTEE_MIN

    @property
    def due_on(self) -> dt.date | None:
        return self.term.due_on if self.term is not None else None

    @property
    def days_to_due(self) -> int | None:
        due = self.due_on
        return (due - self.on).days if due is not None else None

    @property
    def secretary(self) -> CommitteeMember | None:
        return next((m for m in self.members if Post.SECRETARY in m.posts), None)

    @property
    def worst(self) -> str:
        """The level of the most serious warning: "bad", "warn", "info" or "ok"."""
        return self.warnings[0].level if self.warnings else "ok"

    def has(self, code: str) -> bool:
        return any(a.code == code for a in self.warnings)


def is_full_member(status: str, full_member_on: dt.date | None, on: dt.date) -> bool:
    return status == PoliticalStatus.MEMBER and (full_member_on is None or full_member_on <= on)


def member_counts(orgs: Sequence[Org], on: dt.date) -> dict[str, Counts]:
    """Counts per organisation path, each including everyone placed below it; one query.

    A person is counted once however many placements they hold that day.
    """
    counts: dict[str, Counts] = defaultdict(Counts)
    if not orgs:
        return counts
    wanted = {o.path for o in orgs}
    roots = _roots(wanted)
    within = Q()
    for path in roots:
        within |= Q(org__path__startswith=path)
    rows = (
        Placement.objects.filter(
            within,
            placed_on(on),
            kind=PlacementKind.PARTY_ORG,
            person__political_status__in=PARTY_STATUSES,
        )
        .values_list(
            "org__path",
            "person_id",
            "person__political_status",
            "person__full_member_on",
            "person__department_id",
        )
        .order_by()
    )
    step = Org.steplen
    for path, person_id, status, full_on, department_id in rows:
        full = is_full_member(status, full_on, on)
        for end in range(step, len(path) + 1, step):
            prefix = path[:end]
            if prefix not in wanted:
                continue
            c = counts[prefix]
            c.party.add(person_id)
            if full:
                c.full.add(person_id)
            if department_id is not None:
                c.departments.add(department_id)
    return counts


def _roots(paths: Iterable[str]) -> list[str]:
    """The fewest paths whose subtrees cover all of these."""
    roots: list[str] = []
    for path in sorted(paths):
        if not roots or not path.startswith(roots[-1]):
            roots.append(path)
    return roots


def primary_committee_minimums(orgs: Sequence[Org]) -> dict[str, int]:
    """R1.2's threshold for each organisation path, from the nearest court's setting."""
    ancestors = {
        o.path[:end] for o in orgs for end in range(Org.steplen, len(o.path) + 1, Org.steplen)
    }
    settings = dict(
        CommitteeSetting.objects.filter(court__path__in=ancestors).values_list(
            "court__path", "primary_committee_min"
        )
    )
    found: dict[str, int] = {}
    for o in orgs:
        own = [p for p in settings if o.path.startswith(p)]
        found[o.path] = settings[max(own, key=len)] if own else rules.PRIMARY_COMMITTEE_MIN
    return found


def terms_on(orgs: Sequence[Org], on: dt.date) -> dict[int, Term]:
    """The term running on `on` for each organisation that has one."""
    terms = Term.objects.filter(branch__in=[o.pk for o in orgs], elected_on__lte=on).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=on)
    )
    return {t.branch_id: t for t in terms.select_related("election")}


def seats_on(terms: Iterable[Term], on: dt.date) -> dict[int, list[CommitteeMember]]:
    seats: dict[int, list[CommitteeMember]] = defaultdict(list)
    rows = (
        CommitteeMember.objects.filter(term__in=[t.pk for t in terms], since__lte=on)
        .filter(Q(until__isnull=True) | Q(until__gt=on))
        .select_related("person")
        .order_by("id")
    )
    for seat in rows:
        seats[seat.term_id].append(seat)
    for found in seats.values():
        found.sort(key=lambda s: (s.rank, s.pk))
    return seats


def committee_statuses(orgs: Sequence[Org], on: dt.date) -> list[CommitteeStatus]:
    """The status of each organisation, in the order given, with a few queries in all."""
    orgs = [o for o in orgs if o.kind in COMMITTEE_KINDS]
    counts = member_counts(orgs, on)
    minimums = primary_committee_minimums(orgs)
    terms = terms_on(orgs, on)
    seats = seats_on(terms.values(), on)
    statuses: list[CommitteeStatus] = []
    for org in orgs:
        c = counts.get(org.path, Counts())
        term = terms.get(org.pk)
        members = seats.get(term.pk, []) if term is not None else []
        facts = rules.Facts(
            kind=org.kind,
            name=org.name,
            full_members=len(c.full),
            party_members=len(c.party),
            seats=[list(m.posts) for m in members],
            has_term=term is not None,
            due_on=term.due_on if term is not None else None,
            postponed=term is not None and term.postponed_to is not None,
            units=len(c.departments),
            primary_committee_min=minimums[org.path],
        )
        statuses.append(
            CommitteeStatus(
                org=org,
                on=on,
                full_members=facts.full_members,
                party_members=facts.party_members,
                must_have_committee=rules.must_have_committee(org.kind, facts.full_members),
                term=term,
                members=members,
                warnings=rules.alerts(facts, on),
                primary_committee_min=facts.primary_committee_min,
            )
        )
    return statuses


def committee_status(branch: Org, on: dt.date) -> CommitteeStatus:
    """R1.1–R1.4 for one party organisation on one day (see the module docstring)."""
    if branch.kind not in COMMITTEE_KINDS:
        raise ValueError(f"{branch.name} is a {branch.kind}, which elects no committee")
    return committee_statuses([branch], on)[0]


def full_members_on(org: Org, on: dt.date) -> QuerySet[Person]:
    """The full members placed in the organisation or below it on `on`: who may stand (R1.3)."""
    placed = Placement.objects.filter(
        placed_on(on), kind=PlacementKind.PARTY_ORG, org__path__startswith=org.path
    ).values("person_id")
    return Person.objects.filter(
        Q(full_member_on__isnull=True) | Q(full_member_on__lte=on),
        pk__in=placed,
        political_status=PoliticalStatus.MEMBER,
    ).order_by("employee_no")


def committee_orgs(scope: Scope, root: Org | None) -> QuerySet[Org]:
    """The party organisations that elect a committee, inside the scope and under `root`."""
    orgs = scoped(scope, Org.objects.filter(kind__in=COMMITTEE_KINDS))
    if root is not None:
        orgs = orgs.filter(path__startswith=root.path)
    return orgs.order_by("path")


def own_branch(scope: Scope) -> Org | None:
    """The organisation the scope's person belongs to now, if it elects a committee."""
    if scope.person_id is None:
        return None
    person = Person.objects.select_related("party_org").filter(pk=scope.person_id).first()
    org = person.party_org if person is not None else None
    if org is None or org.kind not in COMMITTEE_KINDS:
        return None
    if scope.self_only or scope.covers_path(org.path):
        return org
    return None


def committee_seats(orgs: Sequence[Org], on: dt.date) -> dict[int, list[Person]]:
    """Who sits on each organisation's committee on `on`, 书记 first, each person once."""
    terms = terms_on(orgs, on)
    seats = seats_on(terms.values(), on)
    found: dict[int, list[Person]] = {}
    for org_id, term in terms.items():
        people = {s.person_id: s.person for s in seats.get(term.pk, [])}
        found[org_id] = list(people.values())
    return found
