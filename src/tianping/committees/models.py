"""支部委员会与换届 models: elections, the terms they open, committee seats, a court's setting."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from tianping.activities.models import Activity
from tianping.orgs.models import Org, OrgKind, subtree_q
from tianping.people.models import Person

# The party organisations that elect a committee (or, below R1.3's seven, a 书记).
COMMITTEE_KINDS = frozenset({OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.PARTY_COMMITTEE})


class Post(models.TextChoices):
    SECRETARY = "secretary", "书记"
    DEPUTY_SECRETARY = "deputy_secretary", "副书记"
    ORGANISATION = "organisation", "组织委员"
    PUBLICITY = "publicity", "宣传委员"
    DISCIPLINE = "discipline", "纪检委员"
    MEMBER = "member", "委员"


# Display order of posts, and the posts one person at most holds in a committee.
POST_ORDER = [p.value for p in Post]
SINGLE_POSTS = frozenset(p.value for p in Post if p != Post.MEMBER)


def post_names(posts: list[str]) -> str:
    ordered = sorted(posts, key=lambda p: POST_ORDER.index(p) if p in POST_ORDER else 99)
    return "、".join(Post(p).label if p in POST_ORDER else p for p in ordered)


def _branch_scope(scope, branch_field: str) -> Q:
    if scope.is_global:
        return Q()
    if scope.self_only:
        # A member sees the committee of the branch they belong to now, read-only.
        own = Person.objects.filter(pk=scope.person_id).values("party_org_id")
        return Q(**{f"{branch_field}_id__in": own})
    return Q(**{f"{branch_field}__path__startswith": scope.root_path})


class CommitteeSetting(models.Model):
    """A court's reading of the rules where DOMAIN.md leaves a choice."""

    court = models.OneToOneField(
        Org, verbose_name="法院", on_delete=models.PROTECT, related_name="committee_setting"
    )
    # R1.2 is ambiguous at exactly 100 members: 100 means "100 counts", 101 "more than 100".
    primary_committee_min = models.PositiveSmallIntegerField(
        "成立基层党委的党员人数下限", default=100
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "支委会设置"
        verbose_name_plural = "支委会设置"

    def __str__(self) -> str:
        return f"{self.court.name} 支委会设置"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return subtree_q(scope, "court__path")


class Election(models.Model):
    """A 换届选举 of a party organisation: who stood, their votes, who was elected to what."""

    branch = models.ForeignKey(
        Org, verbose_name="党组织", on_delete=models.PROTECT, related_name="committee_elections"
    )
    held_on = models.DateField("选举日期")
    congress = models.ForeignKey(
        Activity,
        verbose_name="支部党员大会",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="committee_elections",
    )
    entitled = models.PositiveIntegerField("有选举权的正式党员数")
    present = models.PositiveIntegerField("实到人数", null=True, blank=True)
    # R1.4, D7: an election before the running term ends is held only with approval.
    early_approved_by = models.CharField("提前换届批准机关（文件）", max_length=100, blank=True)
    early_approved_on = models.DateField("提前换届批准日期", null=True, blank=True)
    early_reason = models.CharField("提前换届原因", max_length=200, blank=True)
    note = models.TextField("备注", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "换届选举"
        verbose_name_plural = "换届选举"
        ordering = ["-held_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "held_on"], name="election_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.branch.name} {self.held_on:%Y-%m-%d} 换届选举"

    @property
    def is_early(self) -> bool:
        """Held with approval before the term it ended was due to end (R1.4, D7)."""
        return self.early_approved_on is not None

    @classmethod
    def scope_q(cls, scope) -> Q:
        return _branch_scope(scope, "branch")


class Candidate(models.Model):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey(
        Person, verbose_name="候选人", on_delete=models.PROTECT, related_name="+"
    )
    votes = models.PositiveIntegerField("得票数")
    elected = models.BooleanField("当选", default=False)
    posts = models.JSONField("分工", default=list, blank=True)

    class Meta:
        verbose_name = "候选人"
        verbose_name_plural = "候选人"
        ordering = ["-elected", "-votes", "id"]
        constraints = [
            models.UniqueConstraint(fields=["election", "person"], name="candidate_once")
        ]

    def __str__(self) -> str:
        return f"{self.person.name} {self.votes}票"

    @property
    def post_names(self) -> str:
        return post_names(self.posts)

    @classmethod
    def scope_q(cls, scope) -> Q:
        return _branch_scope(scope, "election__branch")


class Term(models.Model):
    """One 届 of a committee: opened by an election, closed by the next one (R1.4)."""

    branch = models.ForeignKey(
        Org, verbose_name="党组织", on_delete=models.PROTECT, related_name="committee_terms"
    )
    election = models.OneToOneField(
        Election, verbose_name="换届选举", on_delete=models.PROTECT, related_name="term"
    )
    elected_on = models.DateField("选举产生日期")
    years = models.PositiveSmallIntegerField("任期（年）")
    ends_on = models.DateField("任期届满日期")
    postponed_to = models.DateField("经批准延期至", null=True, blank=True)
    postponement_approved_by = models.CharField("批准机关", max_length=100, blank=True)
    postponement_approved_on = models.DateField("批准日期", null=True, blank=True)
    postponement_reason = models.CharField("延期原因", max_length=200, blank=True)
    closed_on = models.DateField("换届日期", null=True, blank=True)

    class Meta:
        verbose_name = "委员会任期"
        verbose_name_plural = "委员会任期"
        ordering = ["-elected_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch"],
                condition=Q(closed_on__isnull=True),
                name="committee_one_open_term",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("elected_on")), name="term_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["branch", "elected_on"])]

    def __str__(self) -> str:
        return f"{self.branch.name} {self.elected_on:%Y-%m-%d}起 {self.years}年任期"

    @property
    def due_on(self) -> dt.date:
        """The date the next election is due: term end, or the approved later date (R1.4)."""
        return self.postponed_to or self.ends_on

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    @classmethod
    def scope_q(cls, scope) -> Q:
        return _branch_scope(scope, "branch")


class CommitteeMember(models.Model):
    """A seat on a committee: a person, their posts, from `since` (inclusive) to `until`."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        Person, verbose_name="委员", on_delete=models.PROTECT, related_name="committee_seats"
    )
    posts = models.JSONField("职务", default=list)
    since = models.DateField("任职日期")
    until = models.DateField("离任日期", null=True, blank=True)

    class Meta:
        verbose_name = "委员会委员"
        verbose_name_plural = "委员会委员"
        ordering = ["term", "id"]
        constraints = [
            models.UniqueConstraint(fields=["term", "person"], name="committee_seat_once"),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gt=models.F("since")),
                name="committee_seat_until_after_since",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.post_names}）"

    @property
    def post_names(self) -> str:
        return post_names(self.posts)

    @property
    def rank(self) -> int:
        """Where the seat sits in a list: 书记 first, then 副书记, then by post."""
        return min((POST_ORDER.index(p) for p in self.posts if p in POST_ORDER), default=99)

    @classmethod
    def scope_q(cls, scope) -> Q:
        return _branch_scope(scope, "term__branch")
