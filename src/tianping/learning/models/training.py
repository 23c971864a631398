"""Training classes (培训班): their courses, sessions, enrolments, results and certificates.

A session is an activity of the kind `training_class` with its attendance grid, so points,
the calendar and reports see it without a second entry; what a class adds is the plan
(courses and their hours, R7.1), who is enrolled, and the result of each enrolment.
Hours are credited from attendance (R7.2, `learning.hours`), never typed, except for a
class taken over from a past ledger, whose ledger states each participant's hours.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from tianping.activities.models import Activity
from tianping.orgs.models import Org, subtree_q
from tianping.people.models import Category, Person

# R7.1: the share of a business class's hours that is political education, by default.
DEFAULT_POLITICAL_SHARE = Decimal("0.20")


def hours_field(verbose_name: str, **options: Any) -> models.DecimalField:
    """Hours to one decimal (学时), never negative."""
    return models.DecimalField(
        verbose_name,
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0"))],
        **options,
    )


class TrainingKind(models.TextChoices):
    POLITICAL_ROTATION = "political_rotation", "政治轮训"
    BUSINESS = "business", "业务培训"
    SKILL_DRILL = "skill_drill", "岗位练兵"
    NEW_POST = "new_post", "新任职培训"
    DISPATCHED = "dispatched", "上级调训"
    OFF_SITE = "off_site", "异地培训"


class CourseCategory(models.TextChoices):
    POLITICAL = "political", "政治理论"
    BUSINESS = "business", "业务"
    SKILL = "skill", "技能"
    OTHER = "other", "其他"


class ClassStatus(models.TextChoices):
    DRAFT = "draft", "拟定中"
    FINAL = "final", "已定稿"
    FINISHED = "finished", "已结业"
    CANCELLED = "cancelled", "已取消"


# R7.1 weighs the plan of these kinds. A 政治轮训 is political education by its nature, and
# the plan of a 上级调训 belongs to the superior court that runs it (this court only sends
# people); every other kind is a business class in R7.1's sense.
SHARE_KINDS = frozenset(
    {TrainingKind.BUSINESS, TrainingKind.SKILL_DRILL, TrainingKind.NEW_POST, TrainingKind.OFF_SITE}
)
# The kinds taught elsewhere, whose host institution (承办机构) the class names.
HOSTED_KINDS = frozenset({TrainingKind.DISPATCHED, TrainingKind.OFF_SITE})


@dataclass(frozen=True)
class PlanShare:
    """A plan's political education by course hours, against the court's share (R7.1)."""

    total: Decimal
    political: Decimal
    required: Decimal
    applies: bool

    @property
    def share(self) -> Decimal | None:
        return self.political / self.total if self.total else None

    @property
    def below(self) -> bool:
        """Flagged: the share applies and the political hours fall short of it."""
        return self.applies and self.political < self.total * self.required

    @property
    def missing_hours(self) -> Decimal:
        """The political hours to add (all else kept) to reach the share."""
        if not self.below:
            return Decimal("0")
        # p + x >= r (t + x)  <=>  x >= (r t - p) / (1 - r)
        need = (self.required * self.total - self.political) / (1 - self.required)
        return need.quantize(Decimal("0.1"), rounding=ROUND_UP)


def plan_share(courses: Iterable[tuple[Decimal, bool]], kind: str, required: Decimal) -> PlanShare:
    """R7.1 over (hours, counts as political) pairs: the saved plan or the one being edited."""
    total = political = Decimal("0")
    for hours, is_political in courses:
        total += hours
        if is_political:
            political += hours
    return PlanShare(total, political, required, kind in SHARE_KINDS)


class ClassSource(models.TextChoices):
    WEB = "web", "网页录入"
    IMPORT = "import", "台账导入"
    API = "api", "接口"


def _people_in_scope(scope, prefix: str) -> Q:
    """People the scope covers by their court or their party organisation."""
    return Q(**{f"{prefix}court__path__startswith": scope.root_path}) | Q(
        **{f"{prefix}party_org__path__startswith": scope.root_path}
    )


def _class_scope(scope, prefix: str) -> Q:
    """A class is seen under its organiser, and by the officers and secretaries of the
    people enrolled in it (a city-wide class of the mid court, seen from a basic court or
    a branch); a member sees the classes they are enrolled in."""
    own = Q(**{f"{prefix}enrolments__person_id": scope.person_id})
    rule = subtree_q(scope, f"{prefix}organiser__path", own=own)
    if scope.is_global or scope.self_only:
        return rule
    enrolled = Enrolment.objects.filter(_people_in_scope(scope, "person__"))
    return rule | Q(**{f"{prefix}pk__in": enrolled.values("training_class_id")})


class TrainingSetting(models.Model):
    """A court's reading of R7.1: the political share its business classes must reach."""

    court = models.OneToOneField(
        Org, verbose_name="法院", on_delete=models.PROTECT, related_name="training_setting"
    )
    political_share = models.DecimalField(
        "政治教育课时占比下限",
        max_digits=4,
        decimal_places=3,
        default=DEFAULT_POLITICAL_SHARE,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "培训设置"
        verbose_name_plural = "培训设置"

    def __str__(self) -> str:
        return f"{self.court}：政治教育占比≥{self.political_share:.0%}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return subtree_q(scope, "court__path")


class TrainingRequirement(models.Model):
    """A court's yearly hours per personnel line: 每人每年不少于 N 学时, of which political ≥ M."""

    court = models.ForeignKey(
        Org, verbose_name="法院", on_delete=models.PROTECT, related_name="training_requirements"
    )
    line = models.CharField("人员类别", max_length=20, choices=Category.choices)
    hours = hours_field("每年学时不少于")
    political_hours = hours_field("其中政治理论学时不少于", default=Decimal("0"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "年度学时要求"
        verbose_name_plural = "年度学时要求"
        constraints = [
            models.UniqueConstraint(fields=["court", "line"], name="training_requirement_once"),
            models.CheckConstraint(
                condition=Q(political_hours__lte=models.F("hours")),
                name="training_requirement_political_within",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_line_display()}：每年不少于{self.hours}学时"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return subtree_q(scope, "court__path")


class TrainingClass(models.Model):
    # The court the class belongs to (its statistics and its code space); the organiser is
    # the court itself or one of its departments.
    court = models.ForeignKey(
        Org, verbose_name="所属法院", on_delete=models.PROTECT, related_name="training_classes"
    )
    organiser = models.ForeignKey(
        Org, verbose_name="主办单位", on_delete=models.PROTECT, related_name="organised_classes"
    )
    code = models.CharField("编号", max_length=30)
    name = models.CharField("培训班名称", max_length=200)
    kind = models.CharField("培训类型", max_length=30, choices=TrainingKind.choices)
    host_institution = models.CharField("承办机构", max_length=200, blank=True)
    audience = models.CharField("培训对象", max_length=200, blank=True)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    place = models.CharField("地点", max_length=200, blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=ClassStatus.choices, default=ClassStatus.DRAFT
    )
    # R7.1: why a plan below the court's political share was made final anyway.
    below_share_reason = models.CharField("政治教育占比不足的说明", max_length=500, blank=True)
    source = models.CharField(
        "来源", max_length=20, choices=ClassSource.choices, default=ClassSource.WEB
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "培训班"
        verbose_name_plural = "培训班"
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["court", "code"], name="training_class_code_once"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="training_class_dates"
            ),
        ]
        indexes = [models.Index(fields=["court", "starts_on"])]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope) -> Q:
        return _class_scope(scope, "")


class Course(models.Model):
    """One course of a class plan; R7.1 weighs the plan by these hours."""

    training_class = models.ForeignKey(
        TrainingClass, on_delete=models.CASCADE, related_name="courses", verbose_name="培训班"
    )
    title = models.CharField("课程名称", max_length=200)
    lecturer = models.CharField("授课人", max_length=100, blank=True)
    hours = hours_field("课时")
    category = models.CharField("类别", max_length=20, choices=CourseCategory.choices)
    # A business course may still be political education (a session on 党的建设 in a 业务
    # class); a 政治理论 course always is.
    political = models.BooleanField("计入政治教育", default=False)
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "课程"
        verbose_name_plural = "课程"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def counts_political(self) -> bool:
        return self.political or self.category == CourseCategory.POLITICAL

    @classmethod
    def scope_q(cls, scope) -> Q:
        return _class_scope(scope, "training_class__")


class ClassSession(models.Model):
    """A session of a class: one activity (kind training_class) with its attendance grid."""

    training_class = models.ForeignKey(
        TrainingClass, on_delete=models.CASCADE, related_name="sessions", verbose_name="培训班"
    )
    activity = models.OneToOneField(
        Activity, on_delete=models.PROTECT, related_name="class_session", verbose_name="活动"
    )
    # The course the session taught; its category decides whether its hours are political.
    course = models.ForeignKey(
        Course,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
        verbose_name="课程",
    )

    class Meta:
        verbose_name = "培训课次"
        verbose_name_plural = "培训课次"

    def __str__(self) -> str:
        return str(self.activity)

    @classmethod
    def scope_q(cls, scope) -> Q:
        return _class_scope(scope, "training_class__")


class EnrolmentResult(models.TextChoices):
    PASSED = "passed", "合格"
    FAILED = "failed", "不合格"


class Enrolment(models.Model):
    training_class = models.ForeignKey(
        TrainingClass, on_delete=models.CASCADE, related_name="enrolments", verbose_name="培训班"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="enrolments", verbose_name="学员"
    )
    # How the person came in: by hand, or the rule that chose them ("本院全部书记员").
    enrolled_by_rule = models.CharField("报名规则", max_length=200, blank=True)
    result = models.CharField(
        "结业结果", max_length=20, choices=EnrolmentResult.choices, blank=True
    )
    grade = models.CharField("成绩", max_length=20, blank=True)
    # A class taken over from a past ledger (import-training) states each participant's
    # hours; a class run here credits hours from its sessions' attendance instead.
    ledger_hours = hours_field("台账学时", null=True, blank=True)
    ledger_political_hours = hours_field("台账政治学时", null=True, blank=True)
    certificate_code = models.CharField(
        "证书验证码", max_length=20, null=True, blank=True, unique=True
    )
    certificate_issued_on = models.DateField("发证日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "参训记录"
        verbose_name_plural = "参训记录"
        constraints = [
            models.UniqueConstraint(
                fields=["training_class", "person"], name="enrolment_once_per_class"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person}：{self.training_class}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        if scope.self_only:
            return Q(person_id=scope.person_id)
        rule = subtree_q(scope, "training_class__organiser__path")
        return rule if scope.is_global else rule | _people_in_scope(scope, "person__")


class Feedback(models.Model):
    """What a participant thought of a class: only from someone who attended a session."""

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.CASCADE, related_name="feedback", verbose_name="参训记录"
    )
    rating = models.PositiveSmallIntegerField(
        "总体评价", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField("意见建议", max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "培训评价"
        verbose_name_plural = "培训评价"

    def __str__(self) -> str:
        return f"{self.enrolment}：{self.rating}分"

    @classmethod
    def scope_q(cls, scope) -> Q:
        if scope.self_only:
            return Q(enrolment__person_id=scope.person_id)
        rule = subtree_q(scope, "enrolment__training_class__organiser__path")
        return rule if scope.is_global else rule | _people_in_scope(scope, "enrolment__person__")
