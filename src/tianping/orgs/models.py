"""The organisation tree: courts, departments and party organisations in one materialised path."""

from __future__ import annotations

import datetime as dt
import re

from django.db import models
from django.db.models import Q
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

# An organisation's code goes into URLs, sheets and page scripts: letters, digits and
# single hyphens between them (BT-JY-B01), nothing a path or a script could read otherwise.
ORG_CODE = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
ORG_CODE_MAX = 40


def org_code_problem(code: str) -> str | None:
    """Why a code cannot name an organisation, in words; None when it can."""
    if not code:
        return "代码不能为空"
    if len(code) > ORG_CODE_MAX:
        return f"代码不能超过{ORG_CODE_MAX}个字符"
    if not ORG_CODE.fullmatch(code):
        return f"代码“{code}”只能由字母、数字和连字符“-”组成（如 BT-JY-B01）"
    return None


class OrgKind(models.TextChoices):
    HIGH_COURT = "high_court", "高级人民法院"
    MID_COURT = "mid_court", "中级人民法院"
    BASIC_COURT = "basic_court", "基层人民法院"
    DEPARTMENT = "department", "部门"
    LEADING_GROUP = "leading_group", "党组"
    PARTY_COMMITTEE = "party_committee", "机关党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    GROUP = "group", "党小组"


COURT_KINDS = frozenset({OrgKind.HIGH_COURT, OrgKind.MID_COURT, OrgKind.BASIC_COURT})
PARTY_KINDS = frozenset(
    {
        OrgKind.LEADING_GROUP,
        OrgKind.PARTY_COMMITTEE,
        OrgKind.GENERAL_BRANCH,
        OrgKind.BRANCH,
        OrgKind.GROUP,
    }
)

# Which kinds may sit under which: the tree a clerk can build, and nothing stranger.
ALLOWED_PARENTS: dict[str, frozenset[str]] = {
    OrgKind.HIGH_COURT: frozenset(),
    OrgKind.MID_COURT: frozenset({OrgKind.HIGH_COURT}),
    OrgKind.BASIC_COURT: frozenset({OrgKind.MID_COURT}),
    OrgKind.DEPARTMENT: COURT_KINDS | {OrgKind.DEPARTMENT},
    OrgKind.LEADING_GROUP: COURT_KINDS,
    OrgKind.PARTY_COMMITTEE: COURT_KINDS,
    OrgKind.GENERAL_BRANCH: COURT_KINDS | {OrgKind.PARTY_COMMITTEE},
    OrgKind.BRANCH: COURT_KINDS | {OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH},
    OrgKind.GROUP: frozenset({OrgKind.BRANCH}),
}


def subtree_q(scope, path: str, own: Q | None = None) -> Q:
    """The common scope rule for a model reached through an organisation's tree path.

    A global scope sees everything; a member sees `own` (nothing when not given); any other
    scope sees what lies under its root through the lookup `path` (e.g. "org__path").
    """
    if scope.is_global:
        return Q()
    if scope.self_only:
        return own if own is not None else Q(pk__in=[])
    return Q(**{f"{path}__startswith": scope.root_path})


class OrgQuerySet(MP_NodeQuerySet):
    def active(self) -> OrgQuerySet:
        return self.filter(is_active=True)

    def courts(self) -> OrgQuerySet:
        return self.filter(kind__in=COURT_KINDS)

    def party(self) -> OrgQuerySet:
        return self.filter(kind__in=PARTY_KINDS)

    def within(self, path: str) -> OrgQuerySet:
        return self.filter(path__startswith=path)


class OrgManager(MP_NodeManager.from_queryset(OrgQuerySet)):  # type: ignore[misc]
    """Treebeard's manager, handing out our queryset (with courts(), within(), …)."""

    def get_queryset(self) -> OrgQuerySet:
        return OrgQuerySet(self.model, using=self._db).order_by("path")


class Org(MP_Node):
    # MP_Node is untyped, so the type checker reads the fields from these annotations.
    code: models.CharField[str, str] = models.CharField("代码", max_length=40, unique=True)
    name: models.CharField[str, str] = models.CharField("名称", max_length=100)
    kind: models.CharField[str, str] = models.CharField(
        "类型", max_length=20, choices=OrgKind.choices
    )
    is_active: models.BooleanField[bool, bool] = models.BooleanField("有效", default=True)
    merged_into: models.ForeignKey[Org | None, Org | None] = models.ForeignKey(
        "self",
        verbose_name="并入",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    dissolved_on: models.DateField[dt.date | None, dt.date | None] = models.DateField(
        "撤销日期", null=True, blank=True
    )
    # D2: an organisation owes its obligations from the day it was founded, where known.
    founded_on: models.DateField[dt.date | None, dt.date | None] = models.DateField(
        "成立日期", null=True, blank=True
    )
    created_at: models.DateTimeField[dt.datetime, dt.datetime] = models.DateTimeField(
        auto_now_add=True
    )

    objects = OrgManager()

    class Meta:
        verbose_name = "组织"
        verbose_name_plural = "组织"
        indexes = [models.Index(fields=["kind", "path"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_court(self) -> bool:
        return self.kind in COURT_KINDS

    @property
    def is_party(self) -> bool:
        return self.kind in PARTY_KINDS

    def court(self) -> Org:
        """The nearest court at or above this node (every node below the root has one)."""
        if self.is_court:
            return self
        return (
            Org.objects.filter(kind__in=COURT_KINDS, path__in=self.ancestor_paths())
            .order_by("-depth")
            .first()
            or self
        )

    def ancestor_paths(self) -> list[str]:
        return [self.path[: i * self.steplen] for i in range(1, self.depth)]

    def breadcrumbs(self) -> list[Org]:
        ancestors = {o.path: o for o in Org.objects.filter(path__in=self.ancestor_paths())}
        return [ancestors[p] for p in self.ancestor_paths() if p in ancestors] + [self]

    @classmethod
    def scope_q(cls, scope) -> Q:
        # A member sees their own record, not the tree around it.
        return subtree_q(scope, "path")


class ValueMapping(models.Model):
    """A court's own word for a value a sheet column takes (D9): 正科 in 职务层级 means 中层正职.

    Kept per court and read by every import of that court, so a term mapped once is
    understood on the next sheet. `value` is the written word as sheets compare it
    (lib.sheets.match_key); `written` is how it was first written, for people to read.
    """

    court = models.ForeignKey(
        Org, on_delete=models.CASCADE, related_name="value_mappings", verbose_name="法院"
    )
    column = models.CharField("列", max_length=30)
    value = models.CharField("原值（比较形式）", max_length=100)
    written = models.CharField("原值", max_length=100)
    standard = models.CharField("标准值", max_length=100)
    created_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = "取值对照"
        verbose_name_plural = "取值对照"
        constraints = [
            models.UniqueConstraint(
                fields=["court", "column", "value"], name="value_mapping_once_per_court"
            )
        ]

    def __str__(self) -> str:
        return f"{self.column}：{self.written}→{self.standard}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return subtree_q(scope, "court__path")


class CourtTerm(models.Model):
    """A court's own term for a value of an open column (a 职务层级 of its own, say 正科级):
    declared new in an import's preview instead of mapped to a standard value.

    The person's field then stores the term itself; the court's imports accept it without
    asking, and its person form offers it beside the standard values. Only columns no rule
    reads are open (people.importing.OPEN_COLUMNS). `value` is the term as sheets compare it
    (lib.sheets.match_key); `term` is how it was declared, the value stored and shown.
    """

    court = models.ForeignKey(
        Org, on_delete=models.CASCADE, related_name="court_terms", verbose_name="法院"
    )
    column = models.CharField("列", max_length=30)
    value = models.CharField("取值（比较形式）", max_length=100)
    term = models.CharField("取值", max_length=20)
    created_at = models.DateTimeField("新增时间", auto_now_add=True)

    class Meta:
        verbose_name = "本院取值"
        verbose_name_plural = "本院取值"
        constraints = [
            models.UniqueConstraint(
                fields=["court", "column", "value"], name="court_term_once_per_court"
            )
        ]

    def __str__(self) -> str:
        return f"{self.column}：{self.term}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return subtree_q(scope, "court__path")
