"""Activities with their attendance and evidence: the single fact everything else derives from."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from tianping.activities import kinds
from tianping.orgs.models import Org, subtree_q
from tianping.people.models import Person


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", "计划"
    HELD = "held", "已召开"
    CANCELLED = "cancelled", "已取消"


class ActivitySource(models.TextChoices):
    WEB = "web", "网页录入"
    IMPORT = "import", "台账导入"
    API = "api", "接口"


class Activity(models.Model):
    kind = models.CharField("活动类型", max_length=40, choices=kinds.choices())
    # Further obligations the same record meets where R1.5 allows it (a 主题党日 with a 党课).
    also_counts_as = models.JSONField("同时计为", default=list, blank=True)
    org = models.ForeignKey(
        Org, verbose_name="组织", on_delete=models.PROTECT, related_name="activities"
    )
    title = models.CharField("标题", max_length=200)
    on = models.DateField("日期", db_index=True)
    start_time = models.TimeField("开始时间", null=True, blank=True)
    end_time = models.TimeField("结束时间", null=True, blank=True)
    hours = models.DecimalField(
        "时长（小时）", max_digits=5, decimal_places=1, null=True, blank=True
    )
    location = models.CharField("地点", max_length=200, blank=True)
    agenda = models.TextField("议程", blank=True)
    summary = models.TextField("会议记录/内容摘要", blank=True)
    host = models.ForeignKey(
        Person,
        verbose_name="主持人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorder = models.ForeignKey(
        Person,
        verbose_name="记录人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lecturer = models.ForeignKey(
        Person,
        verbose_name="授课人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lecturer_is_secretary = models.BooleanField("授课人为党委（党组）书记", default=False)
    external_audience = models.PositiveIntegerField("群众/外部参与人数", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    source = models.CharField(
        "来源", max_length=20, choices=ActivitySource.choices, default=ActivitySource.WEB
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "活动"
        verbose_name_plural = "活动"
        ordering = ["-on", "-id"]
        indexes = [
            models.Index(fields=["org", "status", "on"]),
            models.Index(fields=["status", "on", "kind"]),
            # One kind's held records of a year (a province's volunteer services, training
            # sessions, liaison visits): a few thousand among a quarter of a million.
            models.Index(fields=["kind", "status", "on"]),
        ]

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.title}"

    @property
    def kind_info(self) -> kinds.Kind:
        return kinds.kind(self.kind)

    @property
    def counts_for(self) -> set[str]:
        return kinds.counts_for(self.kind, self.also_counts_as or [])

    @property
    def is_held(self) -> bool:
        return self.status == ActivityStatus.HELD

    @classmethod
    def scope_q(cls, scope) -> Q:
        # A member sees the activities they were listed in.
        return subtree_q(scope, "org__path", own=Q(attendance__person_id=scope.person_id))


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "出席"
    LEAVE = "leave", "请假"
    ABSENT = "absent", "缺席"


class AttendanceRole(models.TextChoices):
    PARTICIPANT = "participant", "参加"
    LECTURER = "lecturer", "授课"
    SPEAKER = "speaker", "发言/主讲"
    HOST = "host", "主持"
    RECORDER = "recorder", "记录"
    # D5: in a 谈心谈话 record, who talked; the others present are the members talked with.
    TALKER = "talker", "谈话人"


# Offered on the grid for a leave or an absence; any other reason is kept as typed.
COMMON_REASONS = ("出差", "病假", "事假", "公务", "休假")
# Offered for a make-up study (补学); any other way is kept as typed.
MAKEUP_METHODS = ("自学会议精神", "补看录像", "书记当面传达", "参加其他支部学习")
REASON_MAX_LENGTH = 100
MAKEUP_METHOD_MAX_LENGTH = 200


class Attendance(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField("出勤", max_length=20, choices=AttendanceStatus.choices)
    role = models.CharField(
        "角色", max_length=20, choices=AttendanceRole.choices, default=AttendanceRole.PARTICIPANT
    )
    hours = models.DecimalField("计入学时", max_digits=5, decimal_places=1, null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    # Why a member was on leave or absent (出差, 病假 …); empty for whoever was present.
    reason = models.CharField("请假/缺席原因", max_length=REASON_MAX_LENGTH, blank=True)
    # 补学: a member on leave or absent studies the meeting's content afterwards. It is kept
    # for the file and earns no points (R4.2: points reward the meeting attended).
    makeup_on = models.DateField("补学日期", null=True, blank=True)
    makeup_method = models.CharField("补学方式", max_length=MAKEUP_METHOD_MAX_LENGTH, blank=True)
    makeup_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="补学登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "出勤"
        verbose_name_plural = "出勤"
        constraints = [
            models.UniqueConstraint(fields=["activity", "person"], name="attendance_unique_person")
        ]
        indexes = [models.Index(fields=["person", "status"])]

    def __str__(self) -> str:
        return f"{self.person.name} {self.status_text}"

    @property
    def status_text(self) -> str:
        """The attendance as a court writes it: 请假（出差）."""
        return status_text(self.status, self.reason)

    @property
    def makeup_text(self) -> str:
        """补学 as the record shows it: 2024-04-02 自学会议精神; empty when none."""
        return makeup_text(self.makeup_on, self.makeup_method)

    @classmethod
    def scope_q(cls, scope) -> Q:
        return subtree_q(scope, "activity__org__path", own=Q(person_id=scope.person_id))


def status_text(status: str, reason: str = "") -> str:
    label = AttendanceStatus(status).label if status in AttendanceStatus.values else "未记录"
    return f"{label}（{reason}）" if reason and status != AttendanceStatus.PRESENT else label


def makeup_text(on: dt.date | None, method: str) -> str:
    return f"{on:%Y-%m-%d} {method}".strip() if on else ""


class EvidenceBlob(models.Model):
    """File content stored once by its SHA-256, however many times it is uploaded."""

    sha256 = models.CharField(max_length=64, unique=True)
    file = models.FileField(upload_to="evidence/%Y/%m/")
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "佐证文件内容"
        verbose_name_plural = "佐证文件内容"

    def __str__(self) -> str:
        return self.sha256[:12]

    @classmethod
    def scope_q(cls, scope) -> Q:
        return Q(uses__activity__in=Activity.objects.filter(Activity.scope_q(scope)))


class Evidence(models.Model):
    """An optional file attached to an activity (never compulsory, R4.2)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="evidence")
    blob = models.ForeignKey(EvidenceBlob, on_delete=models.PROTECT, related_name="uses")
    name = models.CharField("文件名", max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        constraints = [
            models.UniqueConstraint(fields=["activity", "blob"], name="evidence_once_per_activity")
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope) -> Q:
        return Q(activity__in=Activity.objects.filter(Activity.scope_q(scope)))


class ObligationSetting(models.Model):
    """A court's own frequency for a configurable obligation (R1.5 党课, 谈心谈话, 中心组学习)."""

    court = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="obligation_settings")
    obligation = models.CharField(
        "制度",
        max_length=40,
        choices=[(o.code, o.name) for o in kinds.OBLIGATIONS.values() if o.configurable],
    )
    period = models.CharField(
        "周期", max_length=10, choices=[("month", "每月"), ("quarter", "每季度"), ("year", "每年")]
    )
    count = models.PositiveSmallIntegerField("至少次数", default=1)

    class Meta:
        verbose_name = "组织生活频次设置"
        verbose_name_plural = "组织生活频次设置"
        constraints = [
            models.UniqueConstraint(fields=["court", "obligation"], name="obligation_setting_once")
        ]

    def __str__(self) -> str:
        return f"{self.court.name} {self.get_obligation_display()}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return subtree_q(scope, "court__path")


class ReviewGrade(models.TextChoices):
    """R1.6 民主评议 grades."""

    EXCELLENT = "excellent", "优秀"
    QUALIFIED = "qualified", "合格"
    BASIC = "basic", "基本合格"
    UNQUALIFIED = "unqualified", "不合格"


class ReviewStatus(models.TextChoices):
    OPEN = "open", "进行中"
    CLOSED = "closed", "已完成"


class DemocraticReview(models.Model):
    """A branch's yearly 民主评议党员 (R1.6)."""

    branch = models.ForeignKey(
        Org, verbose_name="支部", on_delete=models.PROTECT, related_name="reviews"
    )
    year = models.PositiveSmallIntegerField("年度")
    meeting = models.ForeignKey(
        Activity,
        verbose_name="评议会议",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        "状态", max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "民主评议党员"
        verbose_name_plural = "民主评议党员"
        constraints = [
            models.UniqueConstraint(fields=["branch", "year"], name="review_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.branch.name} {self.year}年民主评议"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return subtree_q(scope, "branch__path", own=Q(entries__person_id=scope.person_id))


class ReviewEntry(models.Model):
    review = models.ForeignKey(DemocraticReview, on_delete=models.CASCADE, related_name="entries")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="review_entries")
    # Probationary members take part but are not graded (R1.6); fixed when the review opens.
    probationary = models.BooleanField("预备党员", default=False)
    self_assessment = models.TextField("个人自评", blank=True)
    votes_excellent = models.PositiveIntegerField("优秀票", default=0)
    votes_qualified = models.PositiveIntegerField("合格票", default=0)
    votes_basic = models.PositiveIntegerField("基本合格票", default=0)
    votes_unqualified = models.PositiveIntegerField("不合格票", default=0)
    grade = models.CharField("评定等次", max_length=20, choices=ReviewGrade.choices, blank=True)

    class Meta:
        verbose_name = "民主评议结果"
        verbose_name_plural = "民主评议结果"
        constraints = [
            models.UniqueConstraint(fields=["review", "person"], name="review_entry_once")
        ]

    def __str__(self) -> str:
        return f"{self.person.name} {self.get_grade_display()}"

    @property
    def total_votes(self) -> int:
        return (
            self.votes_excellent + self.votes_qualified + self.votes_basic + self.votes_unqualified
        )

    @classmethod
    def scope_q(cls, scope) -> Q:
        return subtree_q(scope, "review__branch__path", own=Q(person_id=scope.person_id))


class StudyItem(models.TextChoices):
    """The parts of the center group's "六有" (R1.7) that no activity record holds."""

    PLAN = "plan", "年度学习计划"
    NOTES = "notes", "个人学习笔记"
    ARTICLE = "article", "心得体会文章"
    BUDGET = "budget", "专项经费"


class StudyRecord(models.Model):
    """A record of the center group's year that proves one item of its "六有" (R1.7).

    Sessions, their discussion records and attendance are activities; the plan, the
    members' notes, their articles and the budget are kept here, each optionally with a
    file (stored once by content, like activity evidence).
    """

    org = models.ForeignKey(
        Org, verbose_name="党组", on_delete=models.PROTECT, related_name="study_records"
    )
    year = models.PositiveSmallIntegerField("年度")
    item = models.CharField("项目", max_length=20, choices=StudyItem.choices)
    title = models.CharField("标题/说明", max_length=200)
    person = models.ForeignKey(
        Person,
        verbose_name="本人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="study_records",
    )
    amount = models.DecimalField(
        "金额（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    evidence = models.ForeignKey(
        EvidenceBlob,
        verbose_name="佐证文件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="study_records",
    )
    evidence_name = models.CharField("文件名", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "中心组学习“六有”记录"
        verbose_name_plural = "中心组学习“六有”记录"
        ordering = ["year", "item", "id"]
        indexes = [models.Index(fields=["org", "year", "item"])]

    def __str__(self) -> str:
        return f"{self.year}年{self.get_item_display()}：{self.title}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return subtree_q(scope, "org__path", own=Q(person_id=scope.person_id))
