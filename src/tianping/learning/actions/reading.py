"""Writes of the reading part: recommendations (荐书) and the drifting ledger (图书漂流).

A copy's path is append-only: each hand-over adds a Handover row and moves the copy's
holder with it, under a lock on the copy, so two hand-overs at once cannot both start from
the same reader.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tianping.activities.models import Activity
from tianping.audit.recording import record, snapshot
from tianping.learning.models import Book, BookCopy, Handover, Recommendation
from tianping.orgs.models import Org
from tianping.people.models import Person

# How long a reader keeps a drifting copy unless told otherwise.
LOAN_DAYS = 30
READING_KIND = "reading_session"


def _book(court: Org, title: str, author: str, publisher: str, isbn: str) -> Book:
    title, author = title.strip().strip("《》"), author.strip()
    if not title:
        raise ValidationError({"title": ["请填写书名"]})
    book, created = Book.objects.get_or_create(
        court=court,
        title=title,
        author=author,
        defaults={"publisher": publisher.strip(), "isbn": isbn.strip()},
    )
    if not created and (publisher or isbn) and not (book.publisher and book.isbn):
        book.publisher = book.publisher or publisher.strip()
        book.isbn = book.isbn or isbn.strip()
        book.save(update_fields=["publisher", "isbn"])
    return book


def do_recommend(
    user: Any,
    person: Person,
    *,
    title: str,
    author: str = "",
    publisher: str = "",
    isbn: str = "",
    review: str,
    session: Activity | None = None,
) -> Recommendation:
    """A reader recommends a book to their court, with a short review."""
    review = review.strip()
    errors: dict[str, list[str]] = {}
    if not review:
        errors["review"] = ["请写几句推荐语"]
    elif len(review) > 1000:
        errors["review"] = ["推荐语不超过1000字"]
    if session is not None and (
        session.kind != READING_KIND or not session.org.path.startswith(person.court.path)
    ):
        errors["session"] = ["只能关联本院的读书活动"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        book = _book(person.court, title, author, publisher, isbn)
        rec = Recommendation.objects.create(
            book=book, recommended_by=person, review=review, session=session
        )
        record(
            user,
            "learning.recommend",
            rec,
            after=snapshot(rec, ("book", "recommended_by", "review", "session")),
            org=person.court,
        )
    return rec


def do_add_copy(
    user: Any,
    home: Org,
    *,
    title: str,
    author: str = "",
    publisher: str = "",
    isbn: str = "",
) -> BookCopy:
    """Put one more copy of a book on a drifting shelf: the next copy number, on the shelf."""
    court = home.court()
    with transaction.atomic():
        book = _book(court, title, author, publisher, isbn)
        last = BookCopy.objects.select_for_update().filter(book=book).order_by("-number").first()
        copy = BookCopy.objects.create(
            book=book, number=(last.number + 1) if last else 1, home=home
        )
        record(
            user,
            "learning.book_copy",
            copy,
            after=snapshot(copy, ("book", "number", "home")),
            org=home,
        )
    return copy


def do_hand_over(
    user: Any,
    copy: BookCopy,
    to: Person | None,
    *,
    on: dt.date | None = None,
    due_on: dt.date | None = None,
    note: str = "",
    expected_holder: Person | None = None,
) -> Handover:
    """Pass a copy to the next reader, or (`to` None) return it to its shelf. With
    `expected_holder` (a reader passing on their own copy) it is refused unless they still
    hold it."""
    on = on or timezone.localdate()
    with transaction.atomic():
        copy = BookCopy.objects.select_for_update().select_related("book", "home").get(pk=copy.pk)
        if expected_holder is not None and copy.holder_id != expected_holder.pk:
            raise ValidationError("这本书已不在您手中")
        if to is not None and to.pk == copy.holder_id:
            raise ValidationError(f"{to.name}已持有这本书")
        if to is None and copy.holder_id is None:
            raise ValidationError("这本书已在书架上")
        if to is not None and to.court_id != copy.book.court_id:
            raise ValidationError("只能传递给本院人员")
        if copy.held_since and on < copy.held_since:
            raise ValidationError(f"交接日期不能早于上次交接（{copy.held_since:%Y-%m-%d}）")
        if to is not None:
            due_on = due_on or on + dt.timedelta(days=LOAN_DAYS)
            if due_on < on:
                raise ValidationError("应传递日期不能早于交接日期")
        else:
            due_on = None
        before = snapshot(copy, ("holder", "held_since", "due_on"))
        step = Handover.objects.create(
            copy=copy,
            from_person_id=copy.holder_id,
            to_person=to,
            on=on,
            due_on=due_on,
            note=note.strip()[:200],
            recorded_by=user if getattr(user, "is_authenticated", False) else None,
        )
        copy.holder = to
        copy.held_since = on if to is not None else None
        copy.due_on = due_on
        copy.save(update_fields=["holder", "held_since", "due_on"])
        record(
            user,
            "learning.handover",
            copy,
            before=before,
            after=snapshot(copy, ("holder", "held_since", "due_on")),
            org=copy.home,
        )
    return step
