"""Reading (读书): book recommendations (荐书) and the book-drifting ledger (图书漂流).

读书分享会 are activities of the kind `reading_session`: this module holds only what an
activity cannot, the books, who recommends them, and each copy's path from reader to reader.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from tianping.activities.models import Activity
from tianping.orgs.models import Org, subtree_q
from tianping.people.models import Person


def above(scope) -> list[str]:
    """The tree paths of a scope's root and of every node above it: a branch secretary
    reads what its court keeps for all its readers."""
    step = Org.steplen
    return [scope.root_path[: i * step] for i in range(1, len(scope.root_path) // step + 1)]


def _court_scope(scope, court: str, subtree: str, own: Q) -> Q:
    found = subtree_q(scope, subtree, own=own)
    if scope.is_global or scope.self_only:
        return found
    return found | Q(**{f"{court}__in": above(scope)})


def _own_court(scope, prefix: str) -> Q:
    # A member sees the books of the court they serve in.
    return Q(**{f"{prefix}court__in": Person.objects.filter(pk=scope.person_id).values("court")})


class Book(models.Model):
    """A title a court's readers know, recommended or on its drifting shelf."""

    court = models.ForeignKey(Org, verbose_name="法院", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("书名", max_length=200)
    author = models.CharField("作者", max_length=100, blank=True)
    publisher = models.CharField("出版社", max_length=100, blank=True)
    isbn = models.CharField("ISBN", max_length=20, blank=True)

    class Meta:
        verbose_name = "图书"
        verbose_name_plural = "图书"
        constraints = [
            models.UniqueConstraint(fields=["court", "title", "author"], name="book_once_per_court")
        ]

    def __str__(self) -> str:
        return f"《{self.title}》"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return _court_scope(scope, "court__path", "court__path", _own_court(scope, ""))


class Recommendation(models.Model):
    """荐书: a reader recommends a book with a short review, perhaps at a reading session."""

    book = models.ForeignKey(
        Book, verbose_name="图书", on_delete=models.PROTECT, related_name="recommendations"
    )
    recommended_by = models.ForeignKey(
        Person, verbose_name="推荐人", on_delete=models.PROTECT, related_name="+"
    )
    review = models.TextField("推荐语", max_length=1000)
    session = models.ForeignKey(
        Activity,
        verbose_name="读书分享会",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("推荐时间", auto_now_add=True)

    class Meta:
        verbose_name = "荐书"
        verbose_name_plural = "荐书"

    def __str__(self) -> str:
        return f"{self.recommended_by.name}推荐{self.book}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return _court_scope(
            scope, "book__court__path", "book__court__path", _own_court(scope, "book__")
        )


class BookCopy(models.Model):
    """One copy of a book on a drifting shelf: its number, its home and its present reader."""

    book = models.ForeignKey(
        Book, verbose_name="图书", on_delete=models.PROTECT, related_name="copies"
    )
    number = models.PositiveIntegerField("册号")
    home = models.ForeignKey(
        Org, verbose_name="所属单位", on_delete=models.PROTECT, related_name="+"
    )
    # The present reader, kept in step with the last Handover by the actions; empty on the shelf.
    holder = models.ForeignKey(
        Person,
        verbose_name="当前持有人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="held_copies",
    )
    held_since = models.DateField("持有起始日", null=True, blank=True)
    due_on = models.DateField("应归还/传递日期", null=True, blank=True)

    class Meta:
        verbose_name = "漂流图书"
        verbose_name_plural = "漂流图书"
        constraints = [
            models.UniqueConstraint(fields=["book", "number"], name="book_copy_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.book}第{self.number}册"

    def overdue_on(self, day: dt.date) -> bool:
        return self.holder_id is not None and self.due_on is not None and self.due_on < day

    @classmethod
    def scope_q(cls, scope) -> Q:
        return _court_scope(
            scope,
            "book__court__path",
            "home__path",
            Q(holder_id=scope.person_id) | _own_court(scope, "book__"),
        )


class Handover(models.Model):
    """One step of a copy's path (append-only): from a reader (or the shelf) to a reader
    (or back to the shelf)."""

    copy = models.ForeignKey(
        BookCopy, verbose_name="漂流图书", on_delete=models.PROTECT, related_name="handovers"
    )
    from_person = models.ForeignKey(
        Person,
        verbose_name="交出人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_person = models.ForeignKey(
        Person,
        verbose_name="接收人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    on = models.DateField("交接日期")
    due_on = models.DateField("应归还/传递日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "图书交接"
        verbose_name_plural = "图书交接"

    def __str__(self) -> str:
        giver = self.from_person.name if self.from_person else "书架"
        taker = self.to_person.name if self.to_person else "书架"
        return f"{self.copy}：{giver}→{taker}"

    @classmethod
    def scope_q(cls, scope) -> Q:
        return _court_scope(
            scope,
            "copy__book__court__path",
            "copy__home__path",
            Q(copy__holder_id=scope.person_id) | _own_court(scope, "copy__book__"),
        )
