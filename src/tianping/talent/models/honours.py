"""Honours and awards (荣誉表彰): individual and collective, with who awarded them and when.

An honour is a record of a decision taken elsewhere (a 通报, a 决定 with its document
number): Tianping keeps it, derives counts from it ("60余名党员干警荣获省级以上荣誉") and feeds
it to talent-pool eligibility and appraisal. Competition awards and three consecutive 优秀
(R5.2) arrive here too, each remembering where it came from. An honour is never deleted: a
wrong one is withdrawn with a reason and stays in the ledger.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tianping.orgs.models import COURT_KINDS, Org, subtree_q
from tianping.people.models import Person


class HonourLevel(models.TextChoices):
    """The level of the awarding body, ordered from the highest (国家) down."""

    NATIONAL = "national", "国家级"
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    COURT = "court", "院级"


# Rank of each level, highest first: "省级以上" means rank <= LEVEL_RANK[PROVINCE].
LEVEL_RANK = {level: i for i, level in enumerate(HonourLevel.values)}


class HonourKind(models.TextChoices):
    MERIT_FIRST = "merit_1", "一等功"
    MERIT_SECOND = "merit_2", "二等功"
    MERIT_THIRD = "merit_3", "三等功"
    COMMENDATION = "commendation", "嘉奖"
    ADVANCED_PERSON = "advanced_person", "先进个人"
    EXCELLENT_MEMBER = "excellent_member", "优秀共产党员"
    EXCELLENT_PARTY_WORKER = "excellent_party_worker", "优秀党务工作者"
    ADVANCED_PARTY_ORG = "advanced_party_org", "先进基层党组织"
    TOP_BRANCH = "top_branch", "百强党支部"
    ADVANCED_COLLECTIVE = "advanced_collective", "先进集体"
    MODEL_POST = "model_post", "示范岗"
    COMPETITION = "competition", "竞赛获奖"
    OTHER = "other", "其他荣誉"


# The kinds a collective (an organisation) may hold, and those only a person may.
COLLECTIVE_KINDS = frozenset(
    {
        HonourKind.ADVANCED_PARTY_ORG,
        HonourKind.TOP_BRANCH,
        HonourKind.ADVANCED_COLLECTIVE,
        HonourKind.MODEL_POST,
        HonourKind.MERIT_FIRST,
        HonourKind.MERIT_SECOND,
        HonourKind.MERIT_THIRD,
        HonourKind.COMMENDATION,
        HonourKind.COMPETITION,
        HonourKind.OTHER,
    }
)
INDIVIDUAL_KINDS = frozenset(HonourKind.values) - {
    HonourKind.ADVANCED_PARTY_ORG,
    HonourKind.TOP_BRANCH,
    HonourKind.ADVANCED_COLLECTIVE,
}


class HonourSource(models.TextChoices):
    MANUAL = "manual", "手工登记"
    IMPORT = "import", "表格导入"
    COMPETITION = "competition", "技能竞赛"
    APPRAISAL = "appraisal", "年度考核"
    SERVICE = "service", "志愿服务"


class Honour(models.Model):
    """One honour awarded to a person or to an organisation (exactly one of the two)."""

    court = models.ForeignKey(
        Org, verbose_name="所属法院", on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        Person,
        verbose_name="获得者",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="honours",
    )
    org = models.ForeignKey(
        Org,
        verbose_name="获奖集体",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="honours",
    )
    title = models.CharField("荣誉名称", max_length=200)
    kind = models.CharField("类别", max_length=32, choices=HonourKind.choices)
    level = models.CharField("级别", max_length=16, choices=HonourLevel.choices)
    awarded_by = models.CharField("授予机关", max_length=200)
    awarded_on = models.DateField("授予日期")
    document_no = models.CharField("文号", max_length=100, blank=True)
    note = models.CharField("备注", max_length=500, blank=True)
    source = models.CharField(
        "来源", max_length=16, choices=HonourSource.choices, default=HonourSource.MANUAL
    )
    # Where a derived honour came from ("competition:12:track:3"): kept so that a second
    # award from the same source is refused and the honour links back.
    source_ref = models.CharField("来源记录", max_length=100, blank=True)
    withdrawn_on = models.DateField("撤销日期", null=True, blank=True)
    withdrawn_reason = models.CharField("撤销理由", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "荣誉"
        verbose_name_plural = "荣誉"
        ordering = ["-awarded_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False, org__isnull=True))
                | (Q(person__isnull=True, org__isnull=False)),
                name="honour_person_xor_org",
            ),
            models.UniqueConstraint(
                fields=["source", "source_ref", "person"],
                condition=~Q(source_ref=""),
                name="honour_once_per_source_person",
            ),
        ]
        indexes = [
            models.Index(fields=["court", "awarded_on"]),
            models.Index(fields=["level", "awarded_on"]),
        ]

    def __str__(self) -> str:
        who = self.person or self.org
        return f"{who.name if who else ''}：{self.title}"

    @property
    def is_collective(self) -> bool:
        return self.org_id is not None

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_on is not None

    @classmethod
    def scope_q(cls, scope) -> Q:
        """A court's honours to those who see the court; a member sees their own; a branch
        secretary sees its members' honours and the branch's own."""
        own = Q(person_id=scope.person_id)
        if scope.is_global or scope.self_only or scope.root_kind in COURT_KINDS:
            return subtree_q(scope, "court__path", own=own)
        return Q(person__in=Person.objects.filter(Person.scope_q(scope))) | Q(
            org__path__startswith=scope.root_path
        )
