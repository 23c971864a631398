"""The roster (花名册): people, their enumerations, and where each was placed when."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q

from tianping.lib.dates import age_on
from tianping.orgs.models import COURT_KINDS, Org, OrgKind


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class Category(models.TextChoices):
    JUDGE = "judge", "员额法官"
    JUDGE_ASSISTANT = "judge_assistant", "法官助理"
    CLERK = "clerk", "书记员"
    JUDICIAL_POLICE = "judicial_police", "司法警察"
    ADMIN_STAFF = "admin_staff", "司法行政人员"


class PostLevel(models.TextChoices):
    COURT_CHIEF = "court_chief", "院级正职"
    COURT_DEPUTY = "court_deputy", "院级副职"
    DIVISION_CHIEF = "division_chief", "中层正职"
    DIVISION_DEPUTY = "division_deputy", "中层副职"
    STAFF = "staff", "一般干警"


# Seed 004 counts "正职" and "副职" across court leadership and department heads.
CHIEF_POSTS = frozenset({PostLevel.COURT_CHIEF, PostLevel.DIVISION_CHIEF})
DEPUTY_POSTS = frozenset({PostLevel.COURT_DEPUTY, PostLevel.DIVISION_DEPUTY})


class Education(models.TextChoices):
    DOCTORATE = "doctorate", "博士研究生"
    MASTER = "master", "硕士研究生"
    BACHELOR = "bachelor", "大学本科"
    COLLEGE = "college", "大学专科"
    SECONDARY = "secondary", "高中及以下"


class Degree(models.TextChoices):
    DOCTOR = "doctor", "博士"
    MASTER = "master", "硕士"
    BACHELOR = "bachelor", "学士"


class JudgeGrade(models.TextChoices):
    """法官法 第二十七条: twelve grades, from 首席大法官 to 五级法官."""

    CHIEF_JUSTICE = "chief_justice", "首席大法官"
    GRAND_1 = "grand_1", "一级大法官"
    GRAND_2 = "grand_2", "二级大法官"
    SENIOR_1 = "senior_1", "一级高级法官"
    SENIOR_2 = "senior_2", "二级高级法官"
    SENIOR_3 = "senior_3", "三级高级法官"
    SENIOR_4 = "senior_4", "四级高级法官"
    JUDGE_1 = "judge_1", "一级法官"
    JUDGE_2 = "judge_2", "二级法官"
    JUDGE_3 = "judge_3", "三级法官"
    JUDGE_4 = "judge_4", "四级法官"
    JUDGE_5 = "judge_5", "五级法官"


class PoliceRank(models.TextChoices):
    """人民警察警衔条例 第七条, the ranks a court's judicial police hold (警监 down to 警员)."""

    SUPERINTENDENT_1 = "superintendent_1", "一级警监"
    SUPERINTENDENT_2 = "superintendent_2", "二级警监"
    SUPERINTENDENT_3 = "superintendent_3", "三级警监"
    INSPECTOR_1 = "inspector_1", "一级警督"
    INSPECTOR_2 = "inspector_2", "二级警督"
    INSPECTOR_3 = "inspector_3", "三级警督"
    SERGEANT_1 = "sergeant_1", "一级警司"
    SERGEANT_2 = "sergeant_2", "二级警司"
    SERGEANT_3 = "sergeant_3", "三级警司"
    CONSTABLE_1 = "constable_1", "一级警员"
    CONSTABLE_2 = "constable_2", "二级警员"


class CivilRank(models.TextChoices):
    """公务员职级 (《公务员职务与职级并行规定》), held beside a judge's grade or a police rank."""

    INSPECTOR_1 = "inspector_1", "一级巡视员"
    INSPECTOR_2 = "inspector_2", "二级巡视员"
    RESEARCHER_1 = "researcher_1", "一级调研员"
    RESEARCHER_2 = "researcher_2", "二级调研员"
    RESEARCHER_3 = "researcher_3", "三级调研员"
    RESEARCHER_4 = "researcher_4", "四级调研员"
    PRINCIPAL_1 = "principal_1", "一级主任科员"
    PRINCIPAL_2 = "principal_2", "二级主任科员"
    PRINCIPAL_3 = "principal_3", "三级主任科员"
    PRINCIPAL_4 = "principal_4", "四级主任科员"
    CLERK_1 = "clerk_1", "一级科员"
    CLERK_2 = "clerk_2", "二级科员"


class PoliticalStatus(models.TextChoices):
    MEMBER = "member", "中共党员"
    PROBATIONARY = "probationary", "中共预备党员"
    LEAGUE = "league", "共青团员"
    DEMOCRATIC_PARTY = "democratic_party", "民主党派"
    NON_PARTY = "non_party", "无党派人士"
    MASSES = "masses", "群众"


PARTY_STATUSES = frozenset({PoliticalStatus.MEMBER, PoliticalStatus.PROBATIONARY})


class PersonStatus(models.TextChoices):
    SERVING = "serving", "在职"
    RETIRED = "retired", "退休"
    TRANSFERRED = "transferred", "调离"
    RESIGNED = "resigned", "辞职"
    DECEASED = "deceased", "去世"


class PersonQuerySet(models.QuerySet["Person"]):
    def serving(self) -> PersonQuerySet:
        return self.filter(status=PersonStatus.SERVING)

    def party_members(self) -> PersonQuerySet:
        return self.filter(political_status__in=PARTY_STATUSES)


class Person(models.Model):
    court = models.ForeignKey(
        Org, verbose_name="所在法院", on_delete=models.PROTECT, related_name="staff"
    )
    employee_no = models.CharField("工号", max_length=30)
    name = models.CharField("姓名", max_length=50)
    name_pinyin = models.CharField("姓名全拼", max_length=200, editable=False, db_index=True)
    name_initials = models.CharField("姓名首字母", max_length=50, editable=False, db_index=True)
    gender = models.CharField("性别", max_length=10, choices=Gender.choices, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    ethnicity = models.CharField("民族", max_length=20, blank=True)
    education = models.CharField("学历", max_length=20, choices=Education.choices, blank=True)
    category = models.CharField("人员类别", max_length=20, choices=Category.choices, blank=True)
    post_level = models.CharField("职务层级", max_length=20, choices=PostLevel.choices, blank=True)
    # What a court's 干部 record holds beside the roster's enumerations.
    title = models.CharField("职务", max_length=50, blank=True)
    judge_grade = models.CharField(
        "法官等级", max_length=20, choices=JudgeGrade.choices, blank=True
    )
    police_rank = models.CharField("警衔", max_length=20, choices=PoliceRank.choices, blank=True)
    civil_rank = models.CharField("职级", max_length=20, choices=CivilRank.choices, blank=True)
    work_started_on = models.DateField("参加工作时间", null=True, blank=True)
    joined_court_on = models.DateField("入院时间", null=True, blank=True)
    native_place = models.CharField("籍贯", max_length=50, blank=True)
    degree = models.CharField("学位", max_length=20, choices=Degree.choices, blank=True)
    # Shown only to the person and to officers: people.queries.can_see_phone.
    phone = models.CharField("联系电话", max_length=30, blank=True)
    political_status = models.CharField(
        "政治面貌", max_length=20, choices=PoliticalStatus.choices, blank=True
    )
    party_joined_on = models.DateField("入党日期", null=True, blank=True)
    full_member_on = models.DateField("转正日期", null=True, blank=True)
    # The current placements, kept in step with the open Placement rows by the actions in
    # people.actions: a list page must not rebuild them from history for every row.
    department = models.ForeignKey(
        Org,
        verbose_name="部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="department_members",
    )
    party_org = models.ForeignKey(
        Org,
        verbose_name="所在支部",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_members",
    )
    party_group = models.ForeignKey(
        Org,
        verbose_name="所在党小组",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="group_members",
    )
    status = models.CharField(
        "状态", max_length=20, choices=PersonStatus.choices, default=PersonStatus.SERVING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ["employee_no"]
        constraints = [
            models.UniqueConstraint(fields=["court", "employee_no"], name="person_unique_no")
        ]
        indexes = [
            models.Index(fields=["court", "category"]),
            models.Index(fields=["court", "name_initials"]),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.employee_no}）"

    @property
    def is_party_member(self) -> bool:
        return self.political_status in PARTY_STATUSES

    @property
    def age(self) -> int | None:
        from django.utils import timezone

        return self.age_on(timezone.localdate())

    def age_on(self, day: dt.date) -> int | None:
        if self.birth_date is None:
            return None
        return age_on(self.birth_date, day)

    @classmethod
    def scope_q(cls, scope) -> Q:
        if scope.is_global:
            return Q()
        if scope.self_only:
            return Q(pk=scope.person_id)
        if scope.root_kind in COURT_KINDS:
            return Q(court__path__startswith=scope.root_path)
        if scope.root_kind == OrgKind.DEPARTMENT:
            return Q(department__path__startswith=scope.root_path)
        return Q(party_org__path__startswith=scope.root_path) | Q(
            party_group__path__startswith=scope.root_path
        )


class PlacementKind(models.TextChoices):
    DEPARTMENT = "department", "部门"
    PARTY_ORG = "party_org", "党组织"
    PARTY_GROUP = "party_group", "党小组"


class Placement(models.Model):
    """Where a person was, from `since` (inclusive) to `until` (exclusive).

    An unknown start (`since` is None) means "since before our records": a court may
    import today's roster first and older ledgers later.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="placements")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="placements")
    kind = models.CharField(max_length=20, choices=PlacementKind.choices)
    since = models.DateField("起始日期", null=True, blank=True)
    until = models.DateField("截止日期", null=True, blank=True)
    reason = models.CharField("原因", max_length=100, blank=True)

    class Meta:
        verbose_name = "任职/隶属记录"
        verbose_name_plural = "任职/隶属记录"
        indexes = [
            models.Index(fields=["org", "since", "until"]),
            models.Index(fields=["person", "kind", "until"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True)
                | Q(since__isnull=True)
                | Q(until__gt=models.F("since")),
                name="placement_until_after_since",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person.name} @ {self.org.name}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return Q(person__in=Person.objects.filter(Person.scope_q(scope)))


def placed_on(day: dt.date) -> Q:
    """Placements in force on `day` (half-open intervals; an unknown start counts)."""
    return (Q(since__isnull=True) | Q(since__lte=day)) & (Q(until__isnull=True) | Q(until__gt=day))
