"""Stenography tests (速录测试, DOMAIN.md R6): a court's reference texts, its exams for a group
of clerks, and every attempt as typed.

An attempt keeps its input log (time offsets and the text each input changed), the pastes
and scripted insertions refused, the text rebuilt from the log on the server, and the
score the server computed from it (`talent.typing.score`): a score from the page is never
read. An attempt's deadline is its start plus the test's duration; input logged later than
the deadline and a short grace is ignored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

from tianping.learning.models.reading import above
from tianping.orgs.models import COURT_KINDS, Org, subtree_q
from tianping.people.models import Person


class TextKind(models.TextChoices):
    JUDGMENT = "judgment", "法律文书"
    HEARING = "hearing", "庭审笔录"
    OTHER = "other", "其他材料"


class TypingText(models.Model):
    """A reference text (范文) kept by a court; a practice text is open to its members."""

    court = models.ForeignKey(Org, verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("标题", max_length=200)
    kind = models.CharField("类型", max_length=20, choices=TextKind.choices)
    body = models.TextField("正文", max_length=12_000)
    # The characters scored (after R6.1's normalising), kept for the lists.
    chars = models.PositiveIntegerField("字数", default=0)
    for_practice = models.BooleanField("可供练习", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "速录范文"
        verbose_name_plural = "速录范文"
        ordering = ["court", "-pk"]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_q(cls, scope) -> Q:
        # A member sees their court's practice texts; an exam's text only inside an attempt.
        own = Q(for_practice=True, court__staff=scope.person_id)
        found = subtree_q(scope, "court__path", own=own)
        if scope.is_global or scope.self_only or scope.root_kind in COURT_KINDS:
            return found
        return Q(for_practice=True, court__path__in=above(scope)) | found


class PassRule(models.TextChoices):
    CPM = "cpm", "达到规定速度"
    LEVEL = "level", "达到速录等级"


class TypingExam(models.Model):
    """An exam session (速录考核) for a group of clerks, with its text, duration and pass line."""

    court = models.ForeignKey(Org, verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("考核名称", max_length=200)
    text = models.ForeignKey(
        TypingText, verbose_name="范文", on_delete=models.PROTECT, related_name="exams"
    )
    duration_seconds = models.PositiveIntegerField("测试时长（秒）")
    pass_rule = models.CharField(
        "合格标准", max_length=10, choices=PassRule.choices, default=PassRule.CPM
    )
    # PassRule.CPM: at least pass_cpm characters a minute at pass_accuracy (percent).
    pass_cpm = models.PositiveSmallIntegerField("合格速度（字/分钟）", null=True, blank=True)
    pass_accuracy = models.PositiveSmallIntegerField("合格正确率（%）", default=95)
    # PassRule.LEVEL: the name of an R6.4 level.
    pass_level = models.CharField("合格等级", max_length=20, blank=True)
    opens_at = models.DateTimeField("开始时间")
    closes_at = models.DateTimeField("截止时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "速录考核"
        verbose_name_plural = "速录考核"
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="typing_exam_closes_after"
            ),
            models.CheckConstraint(
                condition=Q(duration_seconds__gte=10, duration_seconds__lte=3600),
                name="typing_exam_duration_bounds",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def minutes(self) -> str:
        m, s = divmod(self.duration_seconds, 60)
        return f"{m}分{s}秒" if s else f"{m}分钟"

    @property
    def pass_line(self) -> str:
        if self.pass_rule == PassRule.LEVEL:
            return f"达到“{self.pass_level}”等级"
        return f"每分钟{self.pass_cpm}字以上，正确率{self.pass_accuracy}%以上"

    @classmethod
    def scope_q(cls, scope) -> Q:
        if scope.is_global:
            return Q()
        mine = Exists(TypingCandidate.objects.filter(exam=OuterRef("pk"), person=scope.person_id))
        found = subtree_q(scope, "court__path", own=Q(mine))
        if scope.self_only:
            return found
        if scope.root_kind in COURT_KINDS:
            # (An empty Q() would swallow the other side of an "or": never combine with one.)
            return found | Q(mine)
        # A branch secretary, a department: the exams of the people they see.
        theirs = TypingCandidate.objects.filter(
            exam=OuterRef("pk"), person__in=Person.objects.filter(Person.scope_q(scope))
        )
        return found | Q(Exists(theirs)) | Q(mine)


class TypingCandidate(models.Model):
    """A clerk called to an exam."""

    exam = models.ForeignKey(TypingExam, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey(Person, verbose_name="参考人员", on_delete=models.PROTECT)

    class Meta:
        verbose_name = "参考人员"
        verbose_name_plural = "参考人员"
        constraints = [
            models.UniqueConstraint(fields=["exam", "person"], name="typing_candidate_once")
        ]

    def __str__(self) -> str:
        return f"{self.exam}：{self.person.name}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        found = subtree_q(scope, "exam__court__path", own=Q(person_id=scope.person_id))
        if scope.is_global or scope.self_only:
            return found
        return found | Q(person__in=Person.objects.filter(Person.scope_q(scope)))


class AttemptState(models.TextChoices):
    OPEN = "open", "测试中"
    FINISHED = "finished", "已交卷"
    EXPIRED = "expired", "超时收卷"


class TypingAttempt(models.Model):
    """One sitting: an exam's (one per candidate) or a practice on a practice text."""

    person = models.ForeignKey(
        Person, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    exam = models.ForeignKey(
        TypingExam,
        verbose_name="考核",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attempts",
    )
    text = models.ForeignKey(
        TypingText, verbose_name="范文", on_delete=models.PROTECT, related_name="attempts"
    )
    duration_seconds = models.PositiveIntegerField("测试时长（秒）")
    started_at = models.DateTimeField("开始时间")
    deadline = models.DateTimeField("截止时间")
    finished_at = models.DateTimeField("交卷时间", null=True, blank=True)
    state = models.CharField(
        "状态", max_length=10, choices=AttemptState.choices, default=AttemptState.OPEN
    )
    # [[milliseconds since start, position, characters removed, text inserted], …]
    log = models.JSONField("录入记录", default=list, blank=True)
    # [{"t": ms, "kind": "insertFromPaste", "chars": n}, …]
    refusals = models.JSONField("拒绝的粘贴与脚本输入", default=list, blank=True)
    # How many of the page's events and refusals the server has taken in (applied, refused
    # or late): the index the page's next batch starts at.
    events_received = models.PositiveIntegerField("已接收输入", default=0)
    refusals_received = models.PositiveIntegerField("已接收拒绝记录", default=0)
    # Input received after the deadline and its grace, counted, never applied.
    late_events = models.PositiveIntegerField("超时未计的输入", default=0)
    typed = models.TextField("录入文本", blank=True)
    typed_chars = models.PositiveIntegerField("录入字数", default=0)
    reference_chars = models.PositiveIntegerField("范文字数", default=0)
    correct = models.PositiveIntegerField("正确", default=0)
    wrong = models.PositiveIntegerField("错字", default=0)
    missing = models.PositiveIntegerField("漏字", default=0)
    extra = models.PositiveIntegerField("多字", default=0)
    accuracy = models.DecimalField("正确率", max_digits=5, decimal_places=4, default=0)
    cpm = models.DecimalField("速度（字/分钟）", max_digits=6, decimal_places=1, default=0)
    level = models.CharField("等级", max_length=20, blank=True)
    passed = models.BooleanField("合格", null=True, blank=True)

    class Meta:
        verbose_name = "速录测试记录"
        verbose_name_plural = "速录测试记录"
        ordering = ["-started_at", "-pk"]
        constraints = [
            # One sitting per candidate and exam: a reload resumes it, never restarts it.
            models.UniqueConstraint(
                fields=["exam", "person"],
                condition=Q(exam__isnull=False),
                name="typing_attempt_once_per_exam",
            ),
        ]
        indexes = [models.Index(fields=["person", "started_at"])]

    def __str__(self) -> str:
        return f"{self.person.name}：{self.exam or self.text}"

    @property
    def is_open(self) -> bool:
        return self.state == AttemptState.OPEN

    @property
    def is_practice(self) -> bool:
        return self.exam_id is None

    @property
    def accuracy_percent(self) -> str:
        return f"{float(self.accuracy) * 100:.2f}%"

    @classmethod
    def scope_q(cls, scope) -> Q:
        found = subtree_q(scope, "person__court__path", own=Q(person_id=scope.person_id))
        if scope.is_global or scope.self_only:
            return found
        return found | Q(person__in=Person.objects.filter(Person.scope_q(scope)))
