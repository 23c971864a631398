"""Writes a plan's synthetic data to the database: an ordered list of steps, in bulk, audited once.

Each step is a function of the `Build` under way. `STEPS` is what every data set gets (the
demo and `tianping generate` alike); the records of later issues (activities with
attendance, points, training) are further steps appended here, each drawing from its own
seeded generator so that adding a step never changes what the steps before it wrote. The
demo adds the steps of its own (`demo.city.DEMO_STEPS`): every module's records.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from tianping.activities.models import Activity, Attendance
from tianping.audit.recording import record
from tianping.demo.activities import add_activities
from tianping.demo.plans import PROFILE_NAMES, Plan
from tianping.demo.roster import CourtRoster, OrgNode, PersonDraft, RosterDrawer
from tianping.demo.training_credits import refresh_training_credits
from tianping.demo.training_generate import add_training
from tianping.demo.volunteer import add_volunteer
from tianping.orgs.models import COURT_KINDS, Org, OrgKind
from tianping.people.models import PARTY_STATUSES, Person, PersonStatus, Placement, PlacementKind
from tianping.people.pinyin import name_keys
from tianping.points.models import PointEntry, PointRule, PointScheme

BATCH = 1000


@dataclass
class Build:
    plan: Plan
    rosters: list[CourtRoster] = field(default_factory=list)
    org_ids: dict[str, int] = field(default_factory=dict)  # org code → primary key
    counts: Counter[str] = field(default_factory=Counter)
    # What a step leaves for the steps after it or for the command that ran the build.
    results: dict[str, Any] = field(default_factory=dict)

    def rng(self, step: str) -> random.Random:
        """A generator of this step's own, so steps stay independent of each other."""
        return random.Random(f"{self.plan.seed}:{step}")

    @property
    def root(self) -> Org:
        return Org.objects.get(pk=self.org_ids[self.plan.root.code])

    def people(self) -> Iterator[PersonDraft]:
        for roster in self.rosters:
            yield from roster.people


Step = Callable[[Build], None]


def _assemble(rosters: Sequence[CourtRoster]) -> OrgNode:
    """One tree: each court's own nodes first, then the courts under it."""
    by_code = {r.plan.code: r for r in rosters}
    for roster in rosters:
        if roster.plan.parent is not None:
            by_code[roster.plan.parent].tree.children.append(roster.tree)
    return rosters[0].tree


def _materialise(root: OrgNode, first_root_step: int) -> list[Org]:
    """Org rows with treebeard's materialised paths (steplen 4, numbered from 1 per parent)."""
    rows: list[Org] = []

    def walk(node: OrgNode, path: str, depth: int) -> None:
        rows.append(
            Org(
                path=path,
                depth=depth,
                numchild=len(node.children),
                code=node.code,
                name=node.name,
                kind=node.kind,
            )
        )
        for step, child in enumerate(node.children, 1):
            walk(child, Org._get_path(path, depth + 1, step), depth + 1)

    walk(root, Org._get_path(None, 1, first_root_step), 1)
    return rows


def add_roster(build: Build) -> None:
    """Courts, departments, party organisations, people and their placement histories."""
    plan = build.plan
    build.rosters = [RosterDrawer(court, plan.as_of, plan.seed).draw() for court in plan.courts]

    last_root = Org.objects.get_last_root_node()
    first_step = Org._str2int(last_root.path[: Org.steplen]) + 1 if last_root else 1
    orgs = Org.objects.bulk_create(
        _materialise(_assemble(build.rosters), first_step), batch_size=BATCH
    )
    build.org_ids = {o.code: o.pk for o in orgs}
    ids = build.org_ids

    drafts = list(build.people())
    people: list[Person] = []
    for d in drafts:
        pinyin, initials = name_keys(d.name)
        department, party_org, party_group = (
            d.current(PlacementKind.DEPARTMENT),
            d.current(PlacementKind.PARTY_ORG),
            d.current(PlacementKind.PARTY_GROUP),
        )
        people.append(
            Person(
                court_id=ids[d.court],
                employee_no=d.employee_no,
                name=d.name,
                name_pinyin=pinyin,
                name_initials=initials,
                gender=d.gender,
                birth_date=d.birth_date,
                ethnicity=d.ethnicity,
                education=d.education,
                category=d.category,
                post_level=d.post_level,
                political_status=d.political_status,
                party_joined_on=d.party_joined_on,
                full_member_on=d.full_member_on,
                department_id=ids[department] if department else None,
                party_org_id=ids[party_org] if party_org else None,
                party_group_id=ids[party_group] if party_group else None,
                status=d.status,
            )
        )
    Person.objects.bulk_create(people, batch_size=BATCH)
    placements: list[Placement] = []
    for draft, person in zip(drafts, people, strict=True):
        draft.pk = person.pk
        placements.extend(
            Placement(
                person_id=person.pk,
                org_id=ids[s.org],
                kind=s.kind,
                since=s.since,
                until=s.until,
                reason=s.reason,
            )
            for s in draft.stints
        )
    Placement.objects.bulk_create(placements, batch_size=BATCH * 2)

    kinds = Counter(o.kind for o in orgs)
    build.counts.update(
        courts=sum(kinds[k] for k in COURT_KINDS),
        departments=kinds[OrgKind.DEPARTMENT],
        party_committees=kinds[OrgKind.PARTY_COMMITTEE],
        general_branches=kinds[OrgKind.GENERAL_BRANCH],
        branches=kinds[OrgKind.BRANCH],
        groups=kinds[OrgKind.GROUP],
        orgs=len(orgs),
        people=len(drafts),
        serving=sum(1 for d in drafts if d.status == PersonStatus.SERVING),
        party_members=sum(1 for d in drafts if d.political_status in PARTY_STATUSES),
        placements=len(placements),
    )


def refresh_statistics(build: Build) -> None:
    """On PostgreSQL, planner statistics for the tables just filled, as after any bulk load.

    autovacuum would gather them in time, but a server may run without it, and a benchmark
    right after `generate` must not time plans made for empty tables. SQLite is left as a
    Django deployment leaves it, without ANALYZE: its statistics count an all-NULL unique
    column (a ledger with no reversals yet) as one value, and the planner then scans the
    whole ledger for every row that joins on it.
    """
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    models = (Org, Person, Placement, Activity, Attendance, PointScheme, PointRule, PointEntry)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(quote(m._meta.db_table) for m in models)}")


# Every data set gets these, in this order.
STEPS: list[Step] = [
    add_roster,
    add_activities,
    add_training,
    add_volunteer,
    refresh_training_credits,
    refresh_statistics,
]


def build(
    plan: Plan, *, action: str, steps: Sequence[Step] | None = None, actor: Any = None
) -> Build:
    """Run the steps in one transaction and leave one audit event summarising the batch."""
    result = Build(plan)
    with transaction.atomic():
        for step in STEPS if steps is None else steps:
            step(result)
        root = result.root
        record(
            actor,
            action,
            root,
            after={
                "profile": PROFILE_NAMES.get(plan.profile, plan.profile),
                "seed": plan.seed,
                "as_of": plan.as_of.isoformat(),
                **dict(sorted(result.counts.items())),
            },
            org=root,
        )
    return result
