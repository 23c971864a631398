"""发展党员 (R2): each applicant's file, its dated steps with their people, and a court's settings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from tianping.activities.models import Activity, EvidenceBlob
from tianping.orgs.models import Org, subtree_q
from tianping.people.models import Person


class Stage(models.TextChoices):
    """The five stages of R2, and the two ways a file closes before the last one."""

    APPLICANT = "applicant", "入党申请人"
    ACTIVIST = "activist", "入党积极分子"
    CANDIDATE = "candidate", "发展对象"
    PROBATIONARY = "probationary", "预备党员"
    MEMBER = "member", "正式党员"
    CANCELLED = "cancelled", "已取消预备党员资格"
    STOPPED = "stopped", "已终止发展"


# The columns of the pipeline board, in order.
PIPELINE = (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY, Stage.MEMBER)
OPEN_STAGES = frozenset({Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY})


class StepKind(models.TextChoices):
    APPLICATION = "application", "递交入党申请书"
    TALK = "talk", "党组织派人谈话"
    ACTIVIST = "activist", "确定为入党积极分子"
    CONTACTS = "contacts", "调整培养联系人"
    ASSESSMENT = "assessment", "培养考察（每半年）"
    CANDIDATE_NOTICE = "candidate_notice", "发展对象公示"
    CANDIDATE = "candidate", "确定为发展对象"
    INTRODUCERS = "introducers", "确定入党介绍人"
    POLITICAL_REVIEW = "political_review", "政治审查"
    TRAINING = "training", "集中培训"
    ADMISSION_NOTICE = "admission_notice", "接收预备党员公示"
    ADMISSION = "admission", "支部党员大会讨论接收"
    APPROVAL = "approval", "上级党委审批"
    EXTENSION = "extension", "延长预备期"
    FULL = "full", "转为正式党员"
    CANCEL = "cancel", "取消预备党员资格"
    STOP = "stop", "终止发展"


NOTICE_KINDS = frozenset({StepKind.CANDIDATE_NOTICE, StepKind.ADMISSION_NOTICE})


class StepRole(models.TextChoices):
    CONTACT = "contact", "培养联系人"
    INTRODUCER = "introducer", "入党介绍人"


class Recruit(models.Model):
    """One applicant's file (入党档案), from the application to full membership.

    The dates of the decisive steps are kept on the file as well as on its steps, so the
    board and the due list read one row per person.
    """

    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.PROTECT, related_name="recruit_files"
    )
    branch = models.ForeignKey(
        Org, verbose_name="党支部", on_delete=models.PROTECT, related_name="recruit_files"
    )
    stage = models.CharField(
        "当前阶段", max_length=20, choices=Stage.choices, default=Stage.APPLICANT
    )
    # The political status before the file opened, restored if probation is cancelled.
    status_before = models.CharField("原政治面貌", max_length=20, blank=True)
    applied_on = models.DateField("申请日期")
    talked_on = models.DateField("谈话日期", null=True, blank=True)
    activist_on = models.DateField("确定为积极分子日期", null=True, blank=True)
    candidate_on = models.DateField("确定为发展对象日期", null=True, blank=True)
    resolution_on = models.DateField("支部大会通过日期", null=True, blank=True)
    approved_on = models.DateField("上级党委审批日期", null=True, blank=True)
    probation_ends_on = models.DateField("预备期满日期", null=True, blank=True)
    extension_months = models.PositiveSmallIntegerField("延长预备期（月）", null=True, blank=True)
    full_on = models.DateField("转正日期", null=True, blank=True)
    closed_on = models.DateField("终止日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "发展党员档案"
        verbose_name_plural = "发展党员档案"
        ordering = ["applied_on", "id"]
        constraints = [
            # One file in progress per person; a closed file may be followed by a new one.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(stage__in=["applicant", "activist", "candidate", "probationary"]),
                name="recruit_one_open_file",
            )
        ]
        indexes = [models.Index(fields=["branch", "stage"])]

    def __str__(self) -> str:
        return f"{self.person.name}的发展党员档案"

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def stage_started_on(self) -> dt.date:
        """The day the file entered its current stage: no step of this stage is dated earlier."""
        by_stage = {
            Stage.APPLICANT: self.applied_on,
            Stage.ACTIVIST: self.activist_on,
            Stage.CANDIDATE: self.resolution_on or self.candidate_on,
            Stage.PROBATIONARY: self.approved_on,
            Stage.MEMBER: self.full_on,
            Stage.CANCELLED: self.closed_on,
            Stage.STOPPED: self.closed_on,
        }
        return by_stage.get(Stage(self.stage)) or self.applied_on

    @property
    def awaiting_approval(self) -> bool:
        return self.stage == Stage.CANDIDATE and self.resolution_on is not None

    @classmethod
    def scope_q(cls, scope) -> Q:
        return subtree_q(scope, "branch__path", own=Q(person_id=scope.person_id))


class Step(models.Model):
    """One dated step of a file. Steps are facts: they are added, never edited."""

    recruit = models.ForeignKey(Recruit, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField("步骤", max_length=30, choices=StepKind.choices)
    on = models.DateField("日期")
    ends_on = models.DateField("截止日期", null=True, blank=True)
    note = models.TextField("情况说明", blank=True)
    people: models.ManyToManyField[Person, StepPerson] = models.ManyToManyField(
        Person, through="StepPerson", related_name="recruit_steps", verbose_name="相关人员"
    )
    # 集中培训 (R2.5)
    days = models.PositiveSmallIntegerField("培训天数", null=True, blank=True)
    hours = models.DecimalField("培训学时", max_digits=5, decimal_places=1, null=True, blank=True)
    # 支部党员大会表决 (R2.6)
    entitled = models.PositiveIntegerField("有表决权的正式党员数", null=True, blank=True)
    entitled_note = models.CharField("人数说明", max_length=200, blank=True)
    present = models.PositiveIntegerField("到会有表决权党员数", null=True, blank=True)
    votes_yes = models.PositiveIntegerField("赞成票", null=True, blank=True)
    votes_no = models.PositiveIntegerField("反对票", null=True, blank=True)
    votes_abstain = models.PositiveIntegerField("弃权票", null=True, blank=True)
    activity = models.ForeignKey(
        Activity,
        verbose_name="支部党员大会",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recruit_steps",
    )
    # 上级党委审批 (R2.6) and 延长预备期 (R2.7)
    approver = models.CharField("审批党组织", max_length=100, blank=True)
    special = models.BooleanField("特殊情况延长审批", default=False)
    months = models.PositiveSmallIntegerField("延长月数", null=True, blank=True)
    # What a rule noted without refusing: a late talk, a late assessment, a late approval.
    flags = models.JSONField("提示", default=list, blank=True)
    evidence = models.ForeignKey(
        EvidenceBlob,
        verbose_name="佐证材料",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recruit_steps",
    )
    evidence_name = models.CharField("文件名", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "发展党员步骤"
        verbose_name_plural = "发展党员步骤"
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["recruit", "kind", "on"])]

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.get_kind_display()}"

    @property
    def training_hours(self) -> Decimal:
        return self.hours or Decimal("0")

    def names(self, role: str) -> list[str]:
        # Reads the prefetched rows when the list was prefetched (no query per step).
        return [sp.person.name for sp in self.step_people.all() if sp.role == role]

    @classmethod
    def scope_q(cls, scope) -> Q:
        return subtree_q(scope, "recruit__branch__path", own=Q(recruit__person_id=scope.person_id))


class StepPerson(models.Model):
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="step_people")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    role = models.CharField("身份", max_length=20, choices=StepRole.choices)

    class Meta:
        verbose_name = "步骤相关人员"
        verbose_name_plural = "步骤相关人员"
        constraints = [models.UniqueConstraint(fields=["step", "person"], name="step_person_once")]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.get_role_display()}）"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return Q(step__in=Step.objects.filter(Step.scope_q(scope)))


DEFAULT_NOTICE_WORKING_DAYS = 5


class RecruitmentSetting(models.Model):
    """A court's own length of the public notice (R2.8, configurable)."""

    court = models.OneToOneField(Org, on_delete=models.CASCADE, related_name="recruitment_setting")
    notice_working_days = models.PositiveSmallIntegerField(
        "公示期（工作日）",
        default=DEFAULT_NOTICE_WORKING_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )

    class Meta:
        verbose_name = "发展党员设置"
        verbose_name_plural = "发展党员设置"

    def __str__(self) -> str:
        return f"{self.court.name} 公示{self.notice_working_days}个工作日"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return subtree_q(scope, "court__path")


class CalendarDay(models.Model):
    """A day China's calendar sets apart from Monday to Friday (D6, R2.8).

    A statutory holiday (放假) is not a working day; a weekend day worked in its place
    (调休上班) is. The platform keeps one table for every court, seeded from the
    `chinesecalendar` package and edited by the platform admin as the State Council
    publishes each year's arrangement. A date with no row is a working day from Monday
    to Friday.
    """

    day = models.DateField("日期", unique=True)
    working = models.BooleanField("调休上班", default=False)
    name = models.CharField("节日", max_length=100)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "节假日安排"
        verbose_name_plural = "节假日安排"
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.name}{'调休上班' if self.working else '放假'}"

    @property
    def arrangement(self) -> str:
        return "调休上班" if self.working else "放假"

    @classmethod
    def scope_q(cls, scope) -> Q:
        # The national calendar is public: every scope reads the same table.
        return Q()
