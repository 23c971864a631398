"""Reads of study: plans and their progress, reflections for their author and their reviewer,
the similarity report, and the candidate search of the 查重 index."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from tianping.accounts.scoping import Scope, scoped
from tianping.activities.models import Activity, ActivityStatus
from tianping.learning.models.study import (
    PlanTopic,
    ReferenceText,
    Reflection,
    ReflectionStatus,
    SimilarityBand,
    SimilarityMatch,
    StudyPlan,
)
from tianping.lib import similarity
from tianping.orgs.models import OrgKind
from tianping.people.models import Person

PLAN_KINDS = frozenset(
    {OrgKind.LEADING_GROUP, OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH}
)
# Candidates read in full after the band search, most shared bands first.
CANDIDATES = 20


# ---------------------------------------------------------------------------------------
# Plans


def plans(scope: Scope, year: int | None = None) -> QuerySet[StudyPlan]:
    qs = scoped(scope, StudyPlan.objects.all()).select_related("org").distinct()
    if year:
        qs = qs.filter(year=year)
    return qs.annotate(topic_count=Count("topics", distinct=True)).order_by("-year", "org__path")


@dataclass
class TopicProgress:
    topic: PlanTopic
    held: list[Activity]
    state: str  # done / overdue / due / planned

    @property
    def label(self) -> str:
        return {"done": "已落实", "overdue": "逾期未落实", "due": "本月进行", "planned": "未开始"}[
            self.state
        ]


@dataclass
class MonthProgress:
    month: int
    topics: list[TopicProgress] = field(default_factory=list)


@dataclass
class PlanProgress:
    months: list[MonthProgress]
    done: int
    overdue: int
    total: int


def topic_state(year: int, month: int, held: bool, today: dt.date) -> str:
    if held:
        return "done"
    month_end = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    if month_end < today:
        return "overdue"
    if (year, month) == (today.year, today.month):
        return "due"
    return "planned"


def plan_progress(plan: StudyPlan, today: dt.date | None = None) -> PlanProgress:
    """Each topic by month: done once an activity linked to it was held, else overdue after
    its month ends."""
    today = today or timezone.localdate()
    topics = plan.topics.prefetch_related(
        Prefetch(
            "activities",
            queryset=Activity.objects.select_related("org").order_by("on", "id"),
        )
    ).order_by("month", "position", "id")
    months: dict[int, MonthProgress] = {}
    done = overdue = total = 0
    for topic in topics:
        held = [a for a in topic.activities.all() if a.status == ActivityStatus.HELD]
        state = topic_state(plan.year, topic.month, bool(held), today)
        months.setdefault(topic.month, MonthProgress(topic.month)).topics.append(
            TopicProgress(topic, list(topic.activities.all()), state)
        )
        total += 1
        done += state == "done"
        overdue += state == "overdue"
    return PlanProgress([months[m] for m in sorted(months)], done, overdue, total)


def plan_topics(person: Person) -> QuerySet[PlanTopic]:
    """Topics a member may link a reflection to, this year's and last: those of the plans of
    their party organisation and the organisations above it, and of their court's 党组."""
    year = timezone.localdate().year
    own = Q(pk__in=[])
    if person.party_org is not None:
        org = person.party_org
        own = Q(plan__org__path__in=[*org.ancestor_paths(), org.path])
    court = person.court
    group = Q(
        plan__org__kind=OrgKind.LEADING_GROUP,
        plan__org__path__startswith=court.path,
        plan__org__depth=court.depth + 1,
    )
    return (
        PlanTopic.objects.filter(own | group, plan__year__in=[year - 1, year])
        .select_related("plan__org")
        .order_by("-plan__year", "plan__org__path", "month", "position")
    )


# ---------------------------------------------------------------------------------------
# Reflections


def my_reflections(scope: Scope) -> QuerySet[Reflection]:
    """The reflections the user wrote themself (whatever their role)."""
    if scope.person_id is None:
        return Reflection.objects.none()
    return (
        scoped(scope, Reflection.objects.all())
        .filter(person_id=scope.person_id)
        .select_related("activity", "topic")
        .defer("normalised", "signature")
    )


def reviewable(scope: Scope, status: str = "") -> QuerySet[Reflection]:
    """The reflections a reviewer reads: those of the organisations in their scope."""
    qs = (
        scoped(scope, Reflection.objects.all())
        .select_related("person", "org")
        .defer("body", "normalised", "signature")
    )
    if status in ReflectionStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("status", "-submitted_at", "-id")


def references(scope: Scope) -> QuerySet[ReferenceText]:
    return (
        scoped(scope, ReferenceText.objects.all())
        .select_related("court")
        .defer("body", "normalised", "signature")
    )


# ---------------------------------------------------------------------------------------
# The 查重 index


@dataclass
class Found:
    reflection_id: int | None
    reference_id: int | None
    rate: float
    passages: int


def similar_texts(
    court_id: int,
    normalised: str,
    sig: bytes,
    *,
    before_reflection: int | None = None,
    limit: int = 5,
) -> list[Found]:
    """The court's texts most similar to a normalised text, highest rate first.

    LSH bands find the candidates in the index (one indexed query); the few with most
    shared bands are then compared passage by passage. Earlier reflections only (those
    submitted before `before_reflection`), and every reference text of the court.
    """
    bands = SimilarityBand.objects.filter(court_id=court_id, key__in=similarity.band_keys(sig))
    if before_reflection is not None:
        bands = bands.filter(Q(reflection_id__lt=before_reflection) | Q(reflection__isnull=True))
    candidates = list(
        bands.values("reflection_id", "reference_id")
        .annotate(shared=Count("id"))
        .order_by("-shared", "reflection_id", "reference_id")[:CANDIDATES]
    )
    reflection_ids = [c["reflection_id"] for c in candidates if c["reflection_id"]]
    reference_ids = [c["reference_id"] for c in candidates if c["reference_id"]]
    texts = {
        ("r", pk): text
        for pk, text in Reflection.objects.filter(pk__in=reflection_ids).values_list(
            "pk", "normalised"
        )
    } | {
        ("t", pk): text
        for pk, text in ReferenceText.objects.filter(pk__in=reference_ids).values_list(
            "pk", "normalised"
        )
    }
    found = []
    for c in candidates:
        key = ("r", c["reflection_id"]) if c["reflection_id"] else ("t", c["reference_id"])
        source = texts.get(key)
        if source is None:
            continue
        rate, passages = similarity.rate_and_passages(normalised, source)
        if passages:
            found.append(Found(c["reflection_id"], c["reference_id"], rate, passages))
    found.sort(key=lambda f: -f.rate)
    return found[:limit]


@dataclass
class SideBySide:
    """One similar text beside the reflection, its shared passages highlighted on both sides."""

    title: str
    author: str  # "参考文本" for the corpus
    rate: float
    passages: list[similarity.Passage]
    mine: list[similarity.Segment]
    theirs: list[similarity.Segment]


def similarity_report(reflection: Reflection) -> list[SideBySide]:
    """The stored matches of a reflection (got through the reviewer's scope), side by side.

    The matched texts are shown as part of this reviewer's report only: they may come from
    another branch of the court or from the court's corpus, which the reviewer cannot list.
    """
    matches = (
        SimilarityMatch.objects.filter(reflection=reflection)
        .select_related("source_reflection__person", "source_reference")
        .order_by("-rate", "id")
    )
    mine = similarity.normalise(reflection.body)
    out = []
    for m in matches:
        if m.source_reflection is not None:
            src_body = m.source_reflection.body
            title = m.source_reflection.title
            author = m.source_reflection.person.name
        elif m.source_reference is not None:
            src_body = m.source_reference.body
            title = m.source_reference.title
            author = "参考文本"
        else:
            continue
        theirs = similarity.normalise(src_body)
        match = similarity.compare(mine.text, theirs.text)
        out.append(
            SideBySide(
                title,
                author,
                match.rate,
                match.passages,
                similarity.segments(reflection.body, mine, match.covered),
                similarity.segments(src_body, theirs, match.source_covered),
            )
        )
    out.sort(key=lambda s: -s.rate)
    return out


def report_for(scope: Scope, reflection: Reflection) -> list[SideBySide]:
    """The report, for a scope that reviews (a member sees none, not even of their own)."""
    if scope.self_only or not scope.can("learning.review"):
        return []
    return similarity_report(reflection)
