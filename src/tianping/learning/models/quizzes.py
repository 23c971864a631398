"""Quizzes (应知应会测试): a court's question bank, its quizzes and each person's attempts.

An attempt is kept from the moment it starts, with what it was served (the order of the
questions and of their options) and its deadline, so the attempt limit counts attempts
started, not finished, and neither a reload nor a second tab gives a fresh try. Its deadline
is its start plus the time limit, or the quiz's closing time if that comes first; a
submission up to `actions.quizzes.GRACE` after it is taken. Scoring is done on the server
only (`learning.actions.quizzes`); the page never holds an answer.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, OuterRef, Q

from tianping.learning.models.reading import above
from tianping.orgs.models import Org, subtree_q
from tianping.people.models import Person

# Option letters as a Chinese paper prints them (full width: Ａ．, Ｂ．…); a sheet may write
# them half width, which the import folds.
LETTERS = "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"


def letter(index: int) -> str:
    return LETTERS[index] if 0 <= index < len(LETTERS) else str(index + 1)


class QuestionKind(models.TextChoices):
    SINGLE = "single", "单选题"
    MULTIPLE = "multiple", "多选题"
    TRUE_FALSE = "true_false", "判断题"
    FILL_IN = "fill_in", "填空题"


class Question(models.Model):
    court = models.ForeignKey(Org, verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("题型", max_length=20, choices=QuestionKind.choices)
    text = models.TextField("题目", max_length=2000)
    # The options as written (choice questions only), in the bank's order.
    options = models.JSONField("选项", default=list, blank=True)
    # Choice: the indices of the right options; true/false: [true] or [false];
    # fill-in: every accepted wording.
    answer = models.JSONField("答案", default=list)
    tags = models.JSONField("标签", default=list, blank=True)
    explanation = models.TextField("解析", max_length=2000, blank=True)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "试题"
        verbose_name_plural = "试题"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.text[:30]}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        # The bank is for those who keep it; a member meets questions only inside an attempt.
        return subtree_q(scope, "court__path")

    def lettered_options(self) -> list[tuple[str, str]]:
        return [(letter(i), str(o)) for i, o in enumerate(self.options)]

    def answer_text(self) -> str:
        if self.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            return "".join(letter(i) for i in self.answer)
        if self.kind == QuestionKind.TRUE_FALSE:
            return "正确" if self.answer and self.answer[0] else "错误"
        return " / ".join(str(a) for a in self.answer)


def _audience_q(scope, prefix: str) -> Q:
    """A member sees the quizzes whose audience holds their court, department or branch."""
    audience = OuterRef(f"{prefix}audience__path")
    person = Person.objects.filter(pk=scope.person_id).filter(
        Q(court__path__startswith=audience)
        | Q(department__path__startswith=audience)
        | Q(party_org__path__startswith=audience)
    )
    return Q(Exists(person))


class Quiz(models.Model):
    court = models.ForeignKey(Org, verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("测试名称", max_length=200)
    audience = models.ForeignKey(
        Org, verbose_name="参加范围", on_delete=models.PROTECT, related_name="+"
    )
    opens_at = models.DateTimeField("开始时间")
    closes_at = models.DateTimeField("截止时间")
    pass_mark = models.PositiveSmallIntegerField("及格分（百分制）", default=60)
    time_limit = models.PositiveSmallIntegerField("答题时限（分钟）", default=30)
    attempt_limit = models.PositiveSmallIntegerField("可答次数", default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "测试"
        verbose_name_plural = "测试"
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="quiz_closes_after_opening"
            ),
            models.CheckConstraint(condition=Q(pass_mark__lte=100), name="quiz_pass_mark_percent"),
            models.CheckConstraint(
                condition=Q(attempt_limit__gte=1), name="quiz_one_attempt_at_least"
            ),
            models.CheckConstraint(condition=Q(time_limit__gte=1), name="quiz_time_limit_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_q(cls, scope) -> Q:
        found = subtree_q(scope, "court__path", own=_audience_q(scope, ""))
        if scope.is_global or scope.self_only:
            return found
        # A branch secretary sees the quizzes set for their branch or anything above it.
        return found | Q(audience__path__in=above(scope))


class QuizQuestion(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField("序号")
    points = models.PositiveSmallIntegerField("分值", default=1)

    class Meta:
        verbose_name = "测试试题"
        verbose_name_plural = "测试试题"
        constraints = [
            models.UniqueConstraint(fields=["quiz", "question"], name="quiz_question_once")
        ]

    def __str__(self) -> str:
        return f"{self.quiz}第{self.position}题"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return subtree_q(scope, "quiz__court__path")


class AttemptStatus(models.TextChoices):
    OPEN = "open", "答题中"
    SUBMITTED = "submitted", "已交卷"
    EXPIRED = "expired", "超时交卷"


class Attempt(models.Model):
    quiz = models.ForeignKey(
        Quiz, verbose_name="测试", on_delete=models.PROTECT, related_name="attempts"
    )
    person = models.ForeignKey(
        Person, verbose_name="答题人", on_delete=models.PROTECT, related_name="+"
    )
    # The n-th attempt of this person at this quiz: unique, so two starts at once cannot
    # both become the first.
    number = models.PositiveSmallIntegerField("第几次")
    started_at = models.DateTimeField("开始时间")
    deadline = models.DateTimeField("截止时间")
    # [{"question": id, "options": [bank indices in the order shown], "points": n}, …]
    served = models.JSONField("所发试题", default=list)
    # {str(question id): what was chosen or written, in bank terms}
    answers = models.JSONField("作答", default=dict, blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=AttemptStatus.choices, default=AttemptStatus.OPEN
    )
    submitted_at = models.DateTimeField("交卷时间", null=True, blank=True)
    score = models.PositiveSmallIntegerField("得分", null=True, blank=True)
    max_score = models.PositiveSmallIntegerField("满分", default=0)
    percent = models.PositiveSmallIntegerField("百分制成绩", null=True, blank=True)
    passed = models.BooleanField("及格", null=True, blank=True)

    class Meta:
        verbose_name = "答题记录"
        verbose_name_plural = "答题记录"
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "person", "number"], name="attempt_number_once"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="attempt_number_positive"),
        ]
        indexes = [models.Index(fields=["quiz", "person"])]

    def __str__(self) -> str:
        return f"{self.person.name}：{self.quiz}第{self.number}次"

    @property
    def is_open(self) -> bool:
        return self.status == AttemptStatus.OPEN

    @classmethod
    def scope_q(cls, scope) -> Q:
        found = subtree_q(scope, "quiz__court__path", own=Q(person_id=scope.person_id))
        if scope.is_global or scope.self_only:
            return found
        # …and the attempts of the people in their scope.
        return found | Q(person__in=Person.objects.filter(Person.scope_q(scope)))
