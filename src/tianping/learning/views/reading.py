"""Pages of the reading part (读书): reading sessions and recommendations on one page, the
drifting ledger (图书漂流) and each copy's path. Thin: reads in `queries.reading`, writes in
`actions.reading`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tianping.accounts.http import AuthenticatedHttpRequest
from tianping.accounts.permissions import requires
from tianping.accounts.scoping import get_scoped, scoped
from tianping.learning.actions import reading as actions
from tianping.learning.models import BookCopy
from tianping.learning.queries import reading as queries
from tianping.lib import uploads
from tianping.lib.errors import add_errors, error_text
from tianping.lib.pickers import picked_key
from tianping.lib.sheets import employee_no_q
from tianping.orgs.models import Org
from tianping.people.models import Person

LIST_LIMIT = 100


def _crumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [("教育培训", reverse("learning:home")), ("读书", reverse("learning:reading")), *extra]


def _court(request: AuthenticatedHttpRequest) -> Org | None:
    code = picked_key(request.GET.get("court", ""))
    if not code:
        return None
    return get_scoped(request.scope, Org.objects.courts(), code=code)


class RecommendForm(forms.Form):
    title = forms.CharField(label="书名", max_length=200)
    author = forms.CharField(label="作者", max_length=100, required=False)
    publisher = forms.CharField(label="出版社", max_length=100, required=False)
    isbn = forms.CharField(label="ISBN", max_length=20, required=False)
    review = forms.CharField(
        label="推荐语", max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )
    session = forms.TypedChoiceField(
        label="读书分享会", required=False, coerce=int, empty_value=None
    )

    def __init__(self, sessions: list[Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = [("", "（不关联）")] + [  # type: ignore[attr-defined]
            (a.pk, f"{a.on:%Y-%m-%d} {a.title}") for a in sessions
        ]


@requires("learning.view")
def reading(request: AuthenticatedHttpRequest) -> HttpResponse:
    """读书: the court's reading sessions (activities), its recommendations, my copies."""
    court = _court(request)
    sessions = list(queries.reading_sessions(request.scope, court)[:LIST_LIMIT])
    person = request.user.person
    form = None
    if person is not None:
        form = RecommendForm([s for s in sessions if s.org.path.startswith(person.court.path)][:50])
    return render(
        request,
        "learning/reading/home.html",
        {
            "court": court,
            "courts": uploads.courts_of(request),
            "sessions": sessions,
            "recommendations": list(queries.recommendations(request.scope, court)[:LIST_LIMIT]),
            "held": queries.held_by(request.scope, request.user.person_id),
            "form": form,
            "breadcrumbs": _crumbs(),
        },
    )


@requires("learning.view")
@require_POST
def reading_recommend(request: AuthenticatedHttpRequest) -> HttpResponse:
    person = request.user.person
    if person is None:
        raise PermissionDenied("no person")
    sessions = list(queries.reading_sessions(request.scope, person.court)[:50])
    form = RecommendForm(sessions, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        session = next((s for s in sessions if s.pk == data["session"]), None)
        try:
            actions.do_recommend(
                request.user,
                person,
                title=data["title"],
                author=data["author"],
                publisher=data["publisher"],
                isbn=data["isbn"],
                review=data["review"],
                session=session,
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, f"已推荐《{data['title'].strip('《》')}》")
            return redirect("learning:reading")
    messages.error(
        request, "推荐未保存：" + "；".join(str(m) for errs in form.errors.values() for m in errs)
    )
    return redirect("learning:reading")


class CopyForm(forms.Form):
    home = forms.CharField(label="所属单位", max_length=40, help_text="组织代码，如 BT-JY-B01")
    title = forms.CharField(label="书名", max_length=200)
    author = forms.CharField(label="作者", max_length=100, required=False)
    publisher = forms.CharField(label="出版社", max_length=100, required=False)
    isbn = forms.CharField(label="ISBN", max_length=20, required=False)


@requires("learning.view")
def reading_ledger(request: AuthenticatedHttpRequest) -> HttpResponse:
    """图书漂流: every copy, who holds it since when and until when, the overdue first."""
    court = _court(request)
    ledger = queries.copies(request.scope, court)
    can_manage = request.scope.can("learning.manage")
    return render(
        request,
        "learning/reading/ledger.html",
        {
            "court": court,
            "courts": uploads.courts_of(request),
            "copies": ledger,
            "overdue": sum(1 for c in ledger if getattr(c, "overdue", False)),
            "form": CopyForm() if can_manage else None,
            "breadcrumbs": _crumbs(("图书漂流", None)),
        },
    )


@requires("learning.manage")
@require_POST
def reading_copy_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = CopyForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        home = scoped(request.scope, Org.objects.filter(code=picked_key(data["home"]))).first()
        if home is None:
            messages.error(request, "找不到所属单位，或不在您的范围内")
        else:
            try:
                copy = actions.do_add_copy(
                    request.user,
                    home,
                    title=data["title"],
                    author=data["author"],
                    publisher=data["publisher"],
                    isbn=data["isbn"],
                )
            except ValidationError as e:
                messages.error(request, error_text(e))
            else:
                messages.success(request, f"已登记{copy}")
                return redirect("learning:reading_copy", copy_id=copy.pk)
    else:
        messages.error(request, "请填写所属单位和书名")
    return redirect("learning:reading_ledger")


def _copy(request: AuthenticatedHttpRequest, copy_id: int) -> BookCopy:
    return get_scoped(
        request.scope, BookCopy.objects.select_related("book", "home", "holder"), pk=copy_id
    )


@requires("learning.view")
def reading_copy(request: AuthenticatedHttpRequest, copy_id: int) -> HttpResponse:
    copy = _copy(request, copy_id)
    mine = copy.holder_id is not None and copy.holder_id == request.user.person_id
    can_manage = request.scope.can("learning.manage")
    return render(
        request,
        "learning/reading/copy.html",
        {
            "copy": copy,
            "overdue": copy.overdue_on(timezone.localdate()),
            "path": list(queries.copy_path(copy)),
            "mine": mine,
            "can_pass": mine or can_manage,
            "breadcrumbs": _crumbs(
                ("图书漂流", reverse("learning:reading_ledger")), (str(copy), None)
            ),
        },
    )


@requires("learning.view")
def reading_pass(request: AuthenticatedHttpRequest, copy_id: int) -> HttpResponse:
    """The holder passes their copy on (or returns it); an officer records any hand-over."""
    copy = _copy(request, copy_id)
    if request.method != "POST":
        return redirect("learning:reading_copy", copy_id=copy.pk)
    me = request.user.person
    mine = me is not None and copy.holder_id == me.pk
    if not mine and not request.scope.can("learning.manage"):
        raise PermissionDenied("not the holder")
    to = None
    if request.POST.get("to_shelf") != "1":
        number = request.POST.get("to", "").strip()[:30]
        to = (
            Person.objects.serving()
            .filter(employee_no_q(number), court_id=copy.book.court_id)
            .first()
            if number
            else None
        )
        if to is None:
            messages.error(request, "找不到该工号的本院在职人员")
            return redirect("learning:reading_copy", copy_id=copy.pk)
    try:
        actions.do_hand_over(
            request.user,
            copy,
            to,
            note=request.POST.get("note", "")[:200],
            expected_holder=me if mine else None,
        )
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(request, f"已传递给{to.name}" if to else "已归还书架")
    return redirect("learning:reading_copy", copy_id=copy.pk)


routes: list[URLPattern] = [
    path("reading/", reading, name="reading"),
    path("reading/recommend/", reading_recommend, name="reading_recommend"),
    path("reading/drift/", reading_ledger, name="reading_ledger"),
    path("reading/drift/add/", reading_copy_add, name="reading_copy_add"),
    path("reading/drift/<int:copy_id>/", reading_copy, name="reading_copy"),
    path("reading/drift/<int:copy_id>/pass/", reading_pass, name="reading_pass"),
]
