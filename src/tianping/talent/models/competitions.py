"""Skill competitions (岗位练兵, 业务技能竞赛): a competition with its tracks, rounds, judges'
panels, scoring criteria, entrants, the judges' score sheets and the confirmed awards.

A track is one personnel type and specialty ("员额法官·民事审判"), or the 优秀裁判文书评选 whose
entries are anonymous: a judge sees an entry's code, never its author, until the track's
scoring is closed and an officer reveals the authors (audited). Scores are a sheet being
filled while a round is open, one cell per judge, entrant and criterion; once the round is
closed they are fixed. Rankings and prizes are derived (`talent.competition_scoring`); an
award is stored only when confirmed, and then it goes into honours once.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q

from tianping.learning.models.reading import above
from tianping.orgs.models import Org, subtree_q
from tianping.people.models import Category, Person
from tianping.talent.models.honours import Honour, HonourLevel


class CompetitionStatus(models.TextChoices):
    DRAFT = "draft", "筹备中"
    OPEN = "open", "报名中"
    SCORING = "scoring", "评分中"
    CLOSED = "closed", "已结束"


# The order a competition moves through; it never goes back.
STATUS_ORDER = list(CompetitionStatus.values)


class TrackKind(models.TextChoices):
    SKILL = "skill", "岗位技能比武"
    DOCUMENT = "document", "优秀裁判文书评选"


class Stage(models.TextChoices):
    PRELIMINARY = "preliminary", "初赛"
    SEMIFINAL = "semifinal", "复赛"
    FINAL = "final", "决赛"


class AdvanceRule(models.TextChoices):
    NONE = "none", "不设晋级（本轮定名次）"
    TOP = "top", "前若干名晋级"
    SCORE = "score", "达到分数线晋级"


class RoundStatus(models.TextChoices):
    OPEN = "open", "评分中"
    CLOSED = "closed", "评分结束"


class Prize(models.TextChoices):
    FIRST = "first", "一等奖"
    SECOND = "second", "二等奖"
    THIRD = "third", "三等奖"
    EXCELLENT = "excellent", "优秀奖"


def _person_in_scope(scope) -> Q:
    return Q(person__in=Person.objects.filter(Person.scope_q(scope)))


class Competition(models.Model):
    court = models.ForeignKey(
        Org, verbose_name="主办法院", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("竞赛名称", max_length=200)
    year = models.PositiveSmallIntegerField("年度")
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    status = models.CharField(
        "状态", max_length=16, choices=CompetitionStatus.choices, default=CompetitionStatus.DRAFT
    )
    # Drop each entrant's highest and lowest judge total (needs three judge totals at least).
    drop_extremes = models.BooleanField("去掉一个最高分和一个最低分", default=True)
    honour_level = models.CharField(
        "获奖荣誉级别", max_length=16, choices=HonourLevel.choices, default=HonourLevel.COURT
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "技能竞赛"
        verbose_name_plural = "技能竞赛"
        ordering = ["-year", "-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="competition_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope) -> Q:
        """The organiser's subtree; a court below the organiser reads it too (its people
        take part); a member sees the competitions they enter or judge."""
        own = Q(
            Exists(
                Entrant.objects.filter(track__competition=OuterRef("pk"), person_id=scope.person_id)
            )
        ) | Q(
            Exists(
                Judge.objects.filter(
                    round__track__competition=OuterRef("pk"), person_id=scope.person_id
                )
            )
        )
        found = subtree_q(scope, "court__path", own=own)
        if scope.is_global or scope.self_only:
            return found
        return found | Q(court__path__in=above(scope)) | own

    @property
    def is_closed(self) -> bool:
        return self.status == CompetitionStatus.CLOSED


class Track(models.Model):
    competition = models.ForeignKey(
        Competition, verbose_name="竞赛", on_delete=models.CASCADE, related_name="tracks"
    )
    name = models.CharField("项目名称", max_length=100)
    kind = models.CharField(
        "项目类型", max_length=16, choices=TrackKind.choices, default=TrackKind.SKILL
    )
    # The personnel type who may enter; blank: any.
    category = models.CharField("人员类别", max_length=20, choices=Category.choices, blank=True)
    specialty = models.CharField("专业", max_length=50)
    position = models.PositiveSmallIntegerField("序号", default=1)
    # Prizes by rank: the first N get 一等奖, the next M 二等奖… (ties share the higher prize).
    quota_first = models.PositiveSmallIntegerField("一等奖名额", default=1)
    quota_second = models.PositiveSmallIntegerField("二等奖名额", default=2)
    quota_third = models.PositiveSmallIntegerField("三等奖名额", default=3)
    quota_excellent = models.PositiveSmallIntegerField("优秀奖名额", default=0)
    revealed_at = models.DateTimeField("揭晓作者时间", null=True, blank=True)
    awards_confirmed_at = models.DateTimeField("奖项确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "竞赛项目"
        verbose_name_plural = "竞赛项目"
        ordering = ["competition", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.competition.name}：{self.name}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return Q(competition__in=Competition.objects.filter(Competition.scope_q(scope)))

    @property
    def is_anonymous(self) -> bool:
        return self.kind == TrackKind.DOCUMENT

    @property
    def hides_authors(self) -> bool:
        """Entries are shown by their code only until the authors are revealed."""
        return self.is_anonymous and self.revealed_at is None


class Criterion(models.Model):
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField("评分项", max_length=100)
    max_points = models.DecimalField(
        "满分", max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    weight = models.DecimalField("权重", max_digits=5, decimal_places=2, default=Decimal("1"))
    position = models.PositiveSmallIntegerField("序号", default=1)

    class Meta:
        verbose_name = "评分标准"
        verbose_name_plural = "评分标准"
        ordering = ["track", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(max_points__gt=0), name="criterion_max_positive"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.max_points}分）"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return Q(track__in=Track.objects.filter(Track.scope_q(scope)))


class Round(models.Model):
    track = models.ForeignKey(
        Track, verbose_name="项目", on_delete=models.CASCADE, related_name="rounds"
    )
    stage = models.CharField("赛程", max_length=16, choices=Stage.choices)
    position = models.PositiveSmallIntegerField("轮次")
    held_on = models.DateField("比赛日期", null=True, blank=True)
    advance_rule = models.CharField(
        "晋级办法", max_length=16, choices=AdvanceRule.choices, default=AdvanceRule.NONE
    )
    # top: how many advance (ties at the line all advance); score: the final score needed.
    advance_value = models.DecimalField(
        "晋级名额或分数线", max_digits=6, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        "状态", max_length=16, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "比赛轮次"
        verbose_name_plural = "比赛轮次"
        ordering = ["track", "position"]
        constraints = [
            models.UniqueConstraint(fields=["track", "position"], name="round_position_once")
        ]

    def __str__(self) -> str:
        return f"{self.track.name}{self.get_stage_display()}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        own = Q(Exists(Judge.objects.filter(round=OuterRef("pk"), person_id=scope.person_id)))
        return Q(track__in=Track.objects.filter(Track.scope_q(scope))) | own

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN


class Judge(models.Model):
    """A seat on a round's panel (评委)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="judges")
    person = models.ForeignKey(
        Person, verbose_name="评委", on_delete=models.PROTECT, related_name="+"
    )
    is_chief = models.BooleanField("评委会主任", default=False)

    class Meta:
        verbose_name = "评委"
        verbose_name_plural = "评委"
        ordering = ["round", "-is_chief", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="judge_once_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.round}评委{self.person.name}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return Q(round__in=Round.objects.filter(Round.scope_q(scope)))


class Entrant(models.Model):
    """A person entered in a track; in the 文书评选 an entry (a document) with its code."""

    track = models.ForeignKey(
        Track, verbose_name="项目", on_delete=models.CASCADE, related_name="entrants"
    )
    person = models.ForeignKey(
        Person, verbose_name="参赛人", on_delete=models.PROTECT, related_name="+"
    )
    # What judges and the results show while authors are hidden: drawn at random per track.
    code = models.CharField("参赛编号", max_length=20)
    document_title = models.CharField("文书标题", max_length=200, blank=True)
    document_text = models.TextField("文书正文", blank=True)
    enrolled_at = models.DateTimeField("报名时间", auto_now_add=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "参赛人员"
        verbose_name_plural = "参赛人员"
        ordering = ["track", "code"]
        constraints = [
            models.UniqueConstraint(fields=["track", "person"], name="entrant_once_per_track"),
            models.UniqueConstraint(fields=["track", "code"], name="entrant_code_once_per_track"),
        ]

    def __str__(self) -> str:
        return f"{self.track.name}（编号 {self.code}）"

    @classmethod
    def scope_q(cls, scope) -> Q:
        own = Q(person_id=scope.person_id)
        found = subtree_q(scope, "track__competition__court__path", own=own)
        if scope.is_global or scope.self_only:
            return found
        return found | _person_in_scope(scope)


class RoundEntry(models.Model):
    """Who advanced into a later round (the first round takes every entrant)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="entries")
    entrant = models.ForeignKey(Entrant, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "晋级人员"
        verbose_name_plural = "晋级人员"
        constraints = [
            models.UniqueConstraint(fields=["round", "entrant"], name="round_entry_once")
        ]

    def __str__(self) -> str:
        return f"{self.round}：{self.entrant}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return Q(entrant__in=Entrant.objects.filter(Entrant.scope_q(scope)))


class Score(models.Model):
    """One cell of a judge's sheet: the points a judge gave an entrant on a criterion."""

    judge = models.ForeignKey(Judge, on_delete=models.CASCADE, related_name="scores")
    entrant = models.ForeignKey(Entrant, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    points = models.DecimalField("得分", max_digits=6, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "评分"
        verbose_name_plural = "评分"
        constraints = [
            models.UniqueConstraint(
                fields=["judge", "entrant", "criterion"], name="score_once_per_cell"
            ),
            models.CheckConstraint(condition=Q(points__gte=0), name="score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.judge}：{self.entrant} {self.points}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        own = Q(judge__person_id=scope.person_id)
        return (
            Q(
                judge__round__in=Round.objects.filter(Round.scope_q(scope)),
                entrant__in=Entrant.objects.filter(Entrant.scope_q(scope)),
            )
            | own
        )


class Award(models.Model):
    """A confirmed prize, with the honour it went into."""

    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="awards")
    entrant = models.ForeignKey(
        Entrant, verbose_name="获奖人", on_delete=models.PROTECT, related_name="awards"
    )
    prize = models.CharField("奖项", max_length=16, choices=Prize.choices)
    rank = models.PositiveSmallIntegerField("名次")
    final_score = models.DecimalField("最后得分", max_digits=8, decimal_places=2)
    honour = models.ForeignKey(
        Honour, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField("确认时间")

    class Meta:
        verbose_name = "竞赛奖项"
        verbose_name_plural = "竞赛奖项"
        ordering = ["track", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["track", "entrant"], name="award_once_per_entrant")
        ]

    def __str__(self) -> str:
        return f"{self.entrant}：{self.get_prize_display()}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return Q(entrant__in=Entrant.objects.filter(Entrant.scope_q(scope)))
