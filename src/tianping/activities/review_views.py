"""Democratic review (民主评议党员, R1.6) pages: the list, opening one, the grid, a person's results."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from tianping.accounts.http import AuthenticatedHttpRequest
from tianping.accounts.permissions import requires
from tianping.accounts.scoping import get_scoped, scoped
from tianping.activities import review as reviews
from tianping.activities.models import (
    Activity,
    DemocraticReview,
    ReviewEntry,
    ReviewGrade,
    ReviewStatus,
)
from tianping.lib.errors import add_errors, error_text
from tianping.lib.pickers import org_pick_field
from tianping.orgs.models import Org, OrgKind
from tianping.people.models import Person

GRADE_CHOICES = [("", "—"), *ReviewGrade.choices]


def _crumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    if not extra:
        return [("民主评议党员", None)]
    return [("民主评议党员", reverse("activities:reviews")), *extra]


# ---------------------------------------------------------------------------------------
# The list


class ReviewFilterForm(forms.Form):
    year = forms.IntegerField(label="年度", required=False, widget=forms.Select)
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *ReviewStatus.choices]
    )

    def __init__(self, years: list[int], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.choices = [("", "全部"), *((y, f"{y}年") for y in years)]


@requires("activities.view")
def review_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = request.scope
    qs = reviews.reviews_for(scope)
    today = timezone.localdate()
    years = sorted(
        {today.year, *scoped(scope, DemocraticReview.objects.all()).values_list("year", flat=True)},
        reverse=True,
    )
    form = ReviewFilterForm(years, request.GET or None)
    if form.is_valid():
        if form.cleaned_data["year"]:
            qs = qs.filter(year=form.cleaned_data["year"])
        if form.cleaned_data["status"]:
            qs = qs.filter(status=form.cleaned_data["status"])
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    mine: dict[int, ReviewEntry] = {}
    if scope.self_only:
        mine = {
            e.review_id: e
            for e in ReviewEntry.objects.filter(
                person_id=scope.person_id,  # type: ignore[misc]  # a member's scope names them
                review__in=[r.pk for r in page],
            )
        }
    rows = [
        {
            "review": r,
            "full": r.members - r.probationary_count,  # type: ignore[attr-defined]  # annotated
            "cap": reviews.excellent_cap(r.members - r.probationary_count),  # type: ignore[attr-defined]
            "mine": mine.get(r.pk),
        }
        for r in page
    ]
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "querystring_page": (params.urlencode() + "&") if params else "",
        "hx_target": "#results",
        "can_record": scope.can("activities.record"),
        "breadcrumbs": _crumbs(),
    }
    if request.htmx and request.htmx.target == "results":
        return render(request, "activities/reviews_results.html", context)
    return render(request, "activities/review_list.html", context)


# ---------------------------------------------------------------------------------------
# Opening a review


class OpenForm(forms.Form):
    branch = org_pick_field(
        label="党支部", kinds=[OrgKind.BRANCH], active=True, queryset=Org.objects.none()
    )
    year = forms.IntegerField(label="年度", min_value=reviews.EARLIEST_YEAR)
    on = forms.DateField(
        label="名单日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="按该日在本支部的党员生成参评名单；不填则为今天（往年为当年12月31日）",
    )

    def __init__(self, branches: QuerySet[Org], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["branch"]).queryset = branches


@requires("activities.record")
def review_open(request: AuthenticatedHttpRequest) -> HttpResponse:
    branches = scoped(request.scope, Org.objects.filter(kind=OrgKind.BRANCH, is_active=True))
    today = timezone.localdate()
    if request.method == "POST":
        form = OpenForm(branches, request.POST)
        if form.is_valid():
            chosen = form.cleaned_data["branch"]
            try:
                review = reviews.do_open_review(
                    request.user,
                    chosen,
                    form.cleaned_data["year"],
                    on=form.cleaned_data["on"],
                )
            except ValidationError as e:
                add_errors(form, e)
            else:
                messages.success(
                    request,
                    f"已开启{chosen.name}{review.year}年度民主评议，参评党员{review.entries.count()}人。",
                )
                return redirect("activities:review", pk=review.pk)
    else:
        initial: dict[str, Any] = {"year": today.year}
        if code := request.GET.get("branch", ""):
            initial["branch"] = code
        form = OpenForm(branches, initial=initial)
    return render(
        request,
        "activities/review_open.html",
        {"form": form, "breadcrumbs": _crumbs(("开启评议", None))},
    )


# ---------------------------------------------------------------------------------------
# The grid


class EntryForm(forms.Form):
    """One member's row; hidden initial values let a save send only what this user changed."""

    self_assessment = forms.CharField(
        label="个人自评",
        required=False,
        show_hidden_initial=True,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 28}),
    )
    votes_excellent = forms.IntegerField(
        label="优秀票", required=False, min_value=0, show_hidden_initial=True
    )
    votes_qualified = forms.IntegerField(
        label="合格票", required=False, min_value=0, show_hidden_initial=True
    )
    votes_basic = forms.IntegerField(
        label="基本合格票", required=False, min_value=0, show_hidden_initial=True
    )
    votes_unqualified = forms.IntegerField(
        label="不合格票", required=False, min_value=0, show_hidden_initial=True
    )
    grade = forms.ChoiceField(
        label="评定等次", required=False, choices=GRADE_CHOICES, show_hidden_initial=True
    )

    def __init__(self, entry: ReviewEntry, data: QueryDict | None = None) -> None:
        initial = {name: getattr(entry, name) for name in reviews.ENTRY_FIELDS}
        super().__init__(data, prefix=f"e{entry.pk}", initial=initial)
        self.entry = entry
        for name in reviews.VOTE_FIELDS:
            self.fields[name].widget.attrs.update({"class": "votes", "min": 0})
        if entry.probationary:
            # R1.6: a probationary member takes part but is not graded.
            self.fields["grade"].disabled = True
            cast(forms.ChoiceField, self.fields["grade"]).choices = [("", "不评定等次")]

    def changes(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.changed_data:
            value = self.cleaned_data[name]
            out[name] = 0 if name in reviews.VOTE_FIELDS and value is None else value
        return out


class MeetingForm(forms.Form):
    meeting = forms.TypedChoiceField(
        label="评议会议",
        required=False,
        coerce=int,
        empty_value=None,
        show_hidden_initial=True,
        help_text="本支部当年的民主评议党员会议（可与组织生活会合并召开）",
    )

    def __init__(
        self, review: DemocraticReview, meetings: list[Activity], data: QueryDict | None = None
    ) -> None:
        super().__init__(data, initial={"meeting": review.meeting_id})
        self.meetings = {m.pk: m for m in meetings}
        cast(forms.ChoiceField, self.fields["meeting"]).choices = [
            ("", "未关联"),
            *((m.pk, f"{m.on:%Y-%m-%d} {m.title}（{m.kind_info.name}）") for m in meetings),
        ]


def _grid_context(
    request: AuthenticatedHttpRequest,
    review: DemocraticReview,
    entries: list[ReviewEntry],
    entry_forms: list[EntryForm] | None,
    meeting_form: MeetingForm | None,
    errors: list[str],
) -> dict[str, Any]:
    scope = request.scope
    full = [e for e in entries if not e.probationary]
    return {
        "review": review,
        "rows": list(zip(entries, entry_forms or [None] * len(entries), strict=True)),  # type: ignore[list-item]  # no forms: each row shows its entry alone
        "editing": entry_forms is not None,
        "meeting_form": meeting_form,
        "errors": errors,
        "full_count": len(full),
        "probationary_count": len(entries) - len(full),
        "cap": reviews.excellent_cap(len(full)),
        "graded": sum(1 for e in full if e.grade),
        "excellent": sum(1 for e in full if e.grade == ReviewGrade.EXCELLENT),
        "self_only": scope.self_only,
        "breadcrumbs": _crumbs((f"{review.branch.name}{review.year}年度", None)),
    }


@requires("activities.view")
def review_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    scope = request.scope
    review = get_scoped(scope, DemocraticReview.objects.select_related("branch", "meeting"), pk=pk)
    entries = list(reviews.entries_for(scope, review))
    editable = (
        review.status == ReviewStatus.OPEN
        and scope.can("activities.record")
        and not scope.self_only
    )
    entry_forms: list[EntryForm] | None
    meeting_form: MeetingForm | None
    if request.method == "POST":
        if not editable:
            if not scope.can("activities.record"):
                raise PermissionDenied("activities.record")
            messages.error(request, "本次民主评议已完成，不能再修改。")
            return redirect("activities:review", pk=review.pk)
        meetings = reviews.eligible_meetings(review)
        entry_forms = [EntryForm(e, request.POST) for e in entries]
        meeting_form = MeetingForm(review, meetings, request.POST)
        if all(f.is_valid() for f in entry_forms) and meeting_form.is_valid():
            changes = {f.entry.pk: c for f in entry_forms if (c := f.changes())}
            kwargs: dict[str, Any] = {"entries": changes}
            if "meeting" in meeting_form.changed_data:
                chosen = meeting_form.cleaned_data["meeting"]
                kwargs["meeting"] = meeting_form.meetings.get(chosen) if chosen else None
            try:
                reviews.do_update_review(request.user, review, **kwargs)
            except ValidationError as e:
                context = _grid_context(
                    request, review, entries, entry_forms, meeting_form, e.messages
                )
                return render(request, "activities/review_detail.html", context)
            if request.POST.get("action") == "close":
                try:
                    reviews.do_close_review(request.user, review)
                except ValidationError as e:
                    messages.error(request, "已保存，但未能完成评议：" + error_text(e))
                else:
                    messages.success(
                        request,
                        f"{review.branch.name}{review.year}年度民主评议已完成，评议结果已记入党员档案。",
                    )
            else:
                messages.success(request, "评议情况已保存。")
            return redirect("activities:review", pk=review.pk)
        context = _grid_context(request, review, entries, entry_forms, meeting_form, [])
        return render(request, "activities/review_detail.html", context)
    entry_forms = meeting_form = None
    if editable:
        entry_forms = [EntryForm(e) for e in entries]
        meeting_form = MeetingForm(review, reviews.eligible_meetings(review))
    context = _grid_context(request, review, entries, entry_forms, meeting_form, [])
    return render(request, "activities/review_detail.html", context)


# ---------------------------------------------------------------------------------------
# A person's results, loaded into the person page


@requires("people.view")
def person_reviews(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    scope = request.scope
    person = get_scoped(scope, Person.objects.all(), pk=pk)
    entries = list(reviews.results_for(scope, person))
    return render(
        request,
        "activities/review_person.html",
        {
            "person": person,
            "entries": entries,
            "can_view_reviews": scope.can("activities.view"),
        },
    )


routes = [
    path("reviews/", review_list, name="reviews"),
    path("reviews/open/", review_open, name="review_open"),
    path("reviews/<int:pk>/", review_detail, name="review"),
    path("people/<int:pk>/reviews/", person_reviews, name="person_reviews"),
]
