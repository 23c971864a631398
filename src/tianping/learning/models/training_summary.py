"""What each class credits, kept beside the records (R7.2): the training statistics read
these rows instead of every attendance row of a province's year.

A row is derived, never typed: `learning.actions.summary.refresh_classes` rewrites a
class's rows from `learning.hours` (the one rule) inside the transaction of every write
that changes what the class credits: attendance and session status (through the
activities' `activity_changed` / `activities_changed` signals), sessions, courses, class
status, enrolments and ledger hours (through learning's own actions and imports). A
class's court, year and kind are read from its own row when the statistics are computed,
so a change to them needs no rewrite. A person's personnel line is kept on each row as it
was when written: every person changed after `CreditLineStamp` (their `updated_at`, which
every write of a person sets, the roster import's bulk update included) is read again by
the statistics, which count their rows under their line of now; `relines` brings the rows
up to date and moves the stamp on.
"""

from __future__ import annotations

import datetime as dt

from django.db import models

from tianping.learning.models.training import TrainingClass
from tianping.people.models import Person


class ClassCredit(models.Model):
    """One person credited by one class (one 人次), with the hours the class credits them."""

    training_class = models.ForeignKey(
        TrainingClass, on_delete=models.CASCADE, related_name="credits", verbose_name="培训班"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="+", verbose_name="学员"
    )
    # The person's personnel line when the row was written; the statistics correct it for
    # the people changed since `CreditLineStamp` (see `learning.queries.stats`).
    line = models.CharField("人员类别", max_length=20, blank=True)
    hours = models.DecimalField("学时", max_digits=8, decimal_places=1)
    political_hours = models.DecimalField("政治学时", max_digits=8, decimal_places=1)

    class Meta:
        verbose_name = "参训学时汇总"
        verbose_name_plural = "参训学时汇总"
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["training_class", "person"], name="class_credit_once_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.training_class_id}/{self.person_id}: {self.hours}"


class ClassLineTally(models.Model):
    """The `ClassCredit` rows of one class and line, summed: what the statistics read (a
    province's year is some ten thousand of these against a hundred thousand credits)."""

    training_class = models.ForeignKey(
        TrainingClass, on_delete=models.CASCADE, related_name="line_tallies", verbose_name="培训班"
    )
    line = models.CharField("人员类别", max_length=20, blank=True)
    participations = models.PositiveIntegerField("人次")
    hours = models.DecimalField("学时", max_digits=12, decimal_places=1)
    political_hours = models.DecimalField("政治学时", max_digits=12, decimal_places=1)

    class Meta:
        verbose_name = "参训人次汇总"
        verbose_name_plural = "参训人次汇总"
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["training_class", "line"], name="class_line_tally_once")
        ]

    def __str__(self) -> str:
        return f"{self.training_class_id}/{self.line}: {self.participations}"


class ClassCategoryHours(models.Model):
    """The hours a class credits by course category (ledger hours: their political part as
    政治理论, the rest under the blank category, as `learning.hours.hours_by_category`)."""

    training_class = models.ForeignKey(
        TrainingClass,
        on_delete=models.CASCADE,
        related_name="category_hours",
        verbose_name="培训班",
    )
    category = models.CharField("课程类别", max_length=20, blank=True)
    hours = models.DecimalField("学时", max_digits=10, decimal_places=1)

    class Meta:
        verbose_name = "分类学时汇总"
        verbose_name_plural = "分类学时汇总"
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["training_class", "category"], name="class_category_hours_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.training_class_id}/{self.category}: {self.hours}"


class CreditLineStamp(models.Model):
    """When the lines of every `ClassCredit` were last made equal to their people's."""

    lines_checked_at = models.DateTimeField("人员类别核对时间")

    class Meta:
        verbose_name = "参训学时汇总核对"
        verbose_name_plural = "参训学时汇总核对"
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.lines_checked_at:%Y-%m-%d %H:%M:%S}"


def lines_checked_at() -> dt.datetime | None:
    """Since when people's changed lines may not be on their rows (None: never checked)."""
    return CreditLineStamp.objects.values_list("lines_checked_at", flat=True).first()
