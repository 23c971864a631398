"""Pages of the brands part: a court's brand matrix (支部一品) and its export, a brand's year
(plan, activities under it, evaluation), the demonstration posts (党员示范岗) with their
roster, what was handled and the year's figures. Thin: reads in `queries.brands`, writes in
`actions.brands`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from tianping.accounts.http import AuthenticatedHttpRequest
from tianping.accounts.permissions import requires
from tianping.accounts.scoping import get_scoped, scoped
from tianping.activities.models import Activity
from tianping.lib import uploads
from tianping.lib.errors import add_errors, error_text
from tianping.lib.pickers import org_pick_field, picked_key
from tianping.lib.sheets import employee_no_q, table_bytes
from tianping.orgs.models import Org, OrgKind
from tianping.people.models import Person
from tianping.service.actions import brands as actions
from tianping.service.models.brands import (
    WEEKDAY_NAMES,
    Brand,
    BrandGrade,
    BrandPlanItem,
    DemoPost,
    PostKind,
)
from tianping.service.queries import brands as queries

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _crumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [
        ("服务与品牌", reverse("service:home")),
        ("支部一品", reverse("service:brands")),
        *extra,
    ]


def _court(request: AuthenticatedHttpRequest) -> Org | None:
    code = picked_key(request.GET.get("court", ""))[:40]
    if not code:
        return None
    return get_scoped(request.scope, Org.objects.courts(), code=code)


def _year(request: AuthenticatedHttpRequest) -> int:
    raw = request.GET.get("year", "")
    this = timezone.localdate().year
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= this + 1 else this


class BrandForm(forms.Form):
    branch = org_pick_field(
        label="党支部", kinds=[OrgKind.BRANCH], active=True, queryset=Org.objects.none()
    )
    name = forms.CharField(label="品牌名称", max_length=100)
    theme = forms.CharField(label="品牌主题", max_length=200)
    aims = forms.CharField(
        label="创建目标", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    started_on = forms.DateField(label="创建日期", widget=DATE)

    def __init__(self, branches, *args, **kwargs) -> None:  # type: ignore[no-untyped-def,unused-ignore]
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches  # type: ignore[attr-defined]


def _branches(request: AuthenticatedHttpRequest):  # type: ignore[no-untyped-def,unused-ignore]
    return scoped(request.scope, Org.objects.filter(kind=OrgKind.BRANCH, is_active=True)).order_by(
        "path"
    )


@requires("service.view")
def matrix(request: AuthenticatedHttpRequest) -> HttpResponse:
    """支部一品: every branch in scope with its brand or none, the year's activities, grade."""
    court = _court(request)
    year = _year(request)
    found = queries.matrix(request.scope, court, year)
    form = None
    if request.scope.can("service.record"):
        branches = _branches(request).exclude(
            pk__in=Brand.objects.filter(retired_on__isnull=True).values("branch")
        )
        form = BrandForm(branches, initial={"started_on": timezone.localdate()})
        if request.method == "POST":
            form = BrandForm(branches, request.POST)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    brand = actions.do_create_brand(
                        request.user,
                        data["branch"],
                        name=data["name"],
                        theme=data["theme"],
                        aims=data["aims"],
                        started_on=data["started_on"],
                    )
                except ValidationError as e:
                    add_errors(form, e)
                else:
                    messages.success(request, f"已创建支部品牌{brand}")
                    return redirect("service:brand", brand_id=brand.pk)
    return render(
        request,
        "service/brands/matrix.html",
        {
            "court": court,
            "courts": uploads.courts_of(request),
            "year": year,
            "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
            "matrix": found,
            "form": form,
            "breadcrumbs": _crumbs(),
        },
    )


MATRIX_HEADERS = ["党支部", "品牌名称", "品牌主题", "年度计划事项", "年度品牌活动", "年度评定"]


@requires("service.view")
def matrix_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    court = _court(request)
    year = _year(request)
    found = queries.matrix(request.scope, court, year)
    rows = [
        [
            r.branch.name,
            r.brand.name if r.brand else "（未创建）",
            r.brand.theme if r.brand else "",
            r.plan_items,
            r.activities,
            r.grade_label or "未评定",
        ]
        for r in found.rows
    ]
    name = court.name if court else (request.scope.root_name or "全部")
    return uploads.xlsx_download(
        table_bytes(MATRIX_HEADERS, rows, title=f"{year}年支部一品"),
        f"{name}{year}年支部品牌矩阵.xlsx",
    )


class PlanItemForm(forms.Form):
    month = forms.IntegerField(label="计划月份", min_value=1, max_value=12, required=False)
    title = forms.CharField(label="计划事项", max_length=200)
    note = forms.CharField(label="说明", max_length=500, required=False)


class LinkForm(forms.Form):
    activity = forms.TypedChoiceField(label="支部活动", coerce=int)
    plan_item = forms.TypedChoiceField(
        label="对应计划事项", coerce=int, required=False, empty_value=None
    )

    def __init__(self, activities, items, *args, **kwargs) -> None:  # type: ignore[no-untyped-def,unused-ignore]
        super().__init__(*args, **kwargs)
        self.fields["activity"].choices = [  # type: ignore[attr-defined]
            (a.pk, f"{a.on:%Y-%m-%d} {a.title}") for a in activities
        ]
        self.fields["plan_item"].choices = [("", "（不对应）")] + [  # type: ignore[attr-defined]
            (i.pk, str(i)) for i in items
        ]


class EvaluateForm(forms.Form):
    grade = forms.ChoiceField(label="评定等次", choices=BrandGrade.choices)
    comment = forms.CharField(
        label="评语", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


def _brand(request: AuthenticatedHttpRequest, brand_id: int) -> Brand:
    return get_scoped(request.scope, Brand.objects.select_related("branch"), pk=brand_id)


def _brand_page(
    request: AuthenticatedHttpRequest,
    brand: Brand,
    year: int,
    plan_form: PlanItemForm | None = None,
    link_form: LinkForm | None = None,
    evaluate_form: EvaluateForm | None = None,
) -> HttpResponse:
    found = queries.brand_year(request.scope, brand, year)
    can_record = request.scope.can("service.record") and brand.retired_on is None
    if can_record:
        plan_form = plan_form or PlanItemForm()
        link_form = link_form or LinkForm(
            list(queries.branch_activities(brand, year)[:100]), found.items
        )
    can_manage = request.scope.can("service.manage")
    return render(
        request,
        "service/brands/brand.html",
        {
            "b": brand,
            "year": year,
            "years": range(timezone.localdate().year, brand.started_on.year - 1, -1),
            "found": found,
            "plan_form": plan_form if can_record else None,
            "link_form": link_form if can_record else None,
            "evaluate_form": (evaluate_form or EvaluateForm()) if can_manage else None,
            "breadcrumbs": _crumbs((brand.branch.name + str(brand), None)),
        },
    )


@requires("service.view")
def brand_detail(request: AuthenticatedHttpRequest, brand_id: int) -> HttpResponse:
    return _brand_page(request, _brand(request, brand_id), _year(request))


@requires("service.record")
def brand_plan(request: AuthenticatedHttpRequest, brand_id: int) -> HttpResponseBase:
    brand = _brand(request, brand_id)
    year = _year(request)
    if request.method != "POST":
        return redirect("service:brand", brand_id=brand.pk)
    form = PlanItemForm(request.POST)
    if form.is_valid():
        try:
            actions.do_add_plan_item(request.user, brand, year=year, **form.cleaned_data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, "已加入年度计划")
            return redirect(f"{reverse('service:brand', args=[brand.pk])}?year={year}")
    return _brand_page(request, brand, year, plan_form=form)


@requires("service.record")
def brand_link(request: AuthenticatedHttpRequest, brand_id: int) -> HttpResponseBase:
    brand = _brand(request, brand_id)
    year = _year(request)
    if request.method != "POST":
        return redirect("service:brand", brand_id=brand.pk)
    items = list(BrandPlanItem.objects.filter(brand=brand, year=year))
    activities = list(queries.branch_activities(brand, year)[:100])
    form = LinkForm(activities, items, request.POST)
    if form.is_valid():
        activity = scoped(
            request.scope, Activity.objects.filter(pk=form.cleaned_data["activity"])
        ).first()
        item = next((i for i in items if i.pk == form.cleaned_data["plan_item"]), None)
        if activity is None:
            form.add_error("activity", "找不到该活动")
        else:
            try:
                actions.do_link_activity(request.user, brand, activity, item)
            except ValidationError as e:
                add_errors(form, e)
            else:
                messages.success(request, f"已将“{activity.title}”计入品牌活动")
                return redirect(f"{reverse('service:brand', args=[brand.pk])}?year={year}")
    return _brand_page(request, brand, year, link_form=form)


@requires("service.manage")
def brand_evaluate(request: AuthenticatedHttpRequest, brand_id: int) -> HttpResponseBase:
    brand = _brand(request, brand_id)
    year = _year(request)
    if request.method != "POST":
        return redirect("service:brand", brand_id=brand.pk)
    form = EvaluateForm(request.POST)
    if form.is_valid():
        try:
            ev = actions.do_evaluate_brand(request.user, brand, year=year, **form.cleaned_data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, f"已评定{year}年度：{ev.get_grade_display()}")
            return redirect(f"{reverse('service:brand', args=[brand.pk])}?year={year}")
    return _brand_page(request, brand, year, evaluate_form=form)


class PostForm(forms.Form):
    org = forms.CharField(label="所属单位代码", max_length=60, help_text="部门或党支部的代码")
    kind = forms.ChoiceField(label="类别", choices=PostKind.choices)
    name = forms.CharField(label="岗位名称", max_length=100)
    place = forms.CharField(
        label="设岗地点", max_length=200, help_text="如：诉讼服务中心一站式服务大厅"
    )
    duties = forms.CharField(label="岗位职责", max_length=1000, required=False)
    established_on = forms.DateField(label="设岗日期", widget=DATE)


@requires("service.view")
def post_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    court = _court(request)
    form = None
    if request.scope.can("service.manage"):
        form = PostForm(initial={"established_on": timezone.localdate()})
        if request.method == "POST":
            form = PostForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                org = scoped(
                    request.scope, Org.objects.filter(code=picked_key(data.pop("org")))
                ).first()
                if org is None:
                    form.add_error("org", "找不到该单位，或不在您的范围内")
                else:
                    try:
                        post = actions.do_create_post(request.user, org, **data)
                    except ValidationError as e:
                        add_errors(form, e)
                    else:
                        messages.success(request, f"已设立{post}")
                        return redirect("service:post", post_id=post.pk)
    return render(
        request,
        "service/brands/posts.html",
        {
            "court": court,
            "courts": uploads.courts_of(request),
            "posts": list(queries.posts(request.scope, court)),
            "form": form,
            "breadcrumbs": _crumbs(("党员示范岗", None)),
        },
    )


class ShiftForm(forms.Form):
    person = forms.CharField(label="党员工号", max_length=60)
    starts_on = forms.DateField(label="上岗日期", widget=DATE)
    ends_on = forms.DateField(label="下岗日期", required=False, widget=DATE)
    weekdays = forms.TypedMultipleChoiceField(
        label="值岗日",
        coerce=int,
        required=False,
        choices=list(WEEKDAY_NAMES.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text="不选即每个工作日",
    )


class EntryForm(forms.Form):
    person = forms.TypedChoiceField(label="在岗党员", coerce=int)
    on = forms.DateField(label="日期", widget=DATE)
    summary = forms.CharField(label="办理事项", max_length=500)
    count = forms.IntegerField(label="件次", min_value=1, max_value=10000, initial=1)

    def __init__(self, people, *args, **kwargs) -> None:  # type: ignore[no-untyped-def,unused-ignore]
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, p.name) for p in people]  # type: ignore[attr-defined]


def _post(request: AuthenticatedHttpRequest, post_id: int) -> DemoPost:
    return get_scoped(request.scope, DemoPost.objects.select_related("org").distinct(), pk=post_id)


def _post_page(
    request: AuthenticatedHttpRequest,
    post: DemoPost,
    shift_form: ShiftForm | None = None,
    entry_form: EntryForm | None = None,
) -> HttpResponse:
    today = timezone.localdate()
    year = _year(request)
    shifts = queries.roster(request.scope, post, today)
    figures = queries.post_figures(post, year)
    on_roster = {s.person_id: s.person for s in shifts}
    can_record = request.scope.can("service.record")
    chart = {
        "按月服务件次": [
            {"name": f"{m}月", "value": n} for m, n in enumerate(figures.by_month, start=1)
        ]
    }
    return render(
        request,
        "service/brands/post.html",
        {
            "p": post,
            "year": year,
            "shifts": shifts,
            "entries": list(queries.entries(request.scope, post)[:100]),
            "figures": figures,
            "chart": chart,
            "shift_form": (shift_form or ShiftForm(initial={"starts_on": today}))
            if request.scope.can("service.manage")
            else None,
            "entry_form": (entry_form or EntryForm(on_roster.values(), initial={"on": today}))
            if can_record and on_roster
            else None,
            "breadcrumbs": _crumbs(("党员示范岗", reverse("service:posts")), (post.name, None)),
        },
    )


@requires("service.view")
def post_detail(request: AuthenticatedHttpRequest, post_id: int) -> HttpResponse:
    return _post_page(request, _post(request, post_id))


@requires("service.manage")
def post_shift(request: AuthenticatedHttpRequest, post_id: int) -> HttpResponseBase:
    post = _post(request, post_id)
    if request.method != "POST":
        return redirect("service:post", post_id=post.pk)
    form = ShiftForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        number = picked_key(data["person"])[:30]
        person = scoped(
            request.scope, Person.objects.serving().filter(employee_no_q(number))
        ).first()
        if person is None:
            form.add_error("person", "找不到该工号的在职人员，或不在您的范围内")
        else:
            try:
                actions.do_add_shift(
                    request.user,
                    post,
                    person,
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    weekdays=data["weekdays"],
                )
            except ValidationError as e:
                add_errors(form, e)
            else:
                messages.success(request, f"已安排{person.name}值岗")
                return redirect("service:post", post_id=post.pk)
    return _post_page(request, post, shift_form=form)


@requires("service.record")
def post_entry(request: AuthenticatedHttpRequest, post_id: int) -> HttpResponseBase:
    post = _post(request, post_id)
    if request.method != "POST":
        return redirect("service:post", post_id=post.pk)
    people = {
        s.person_id: s.person for s in queries.roster(request.scope, post, timezone.localdate())
    }
    form = EntryForm(people.values(), request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_record_duty(
                request.user,
                post,
                people[data["person"]],
                on=data["on"],
                summary=data["summary"],
                count=data["count"],
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, "已登记服务记录")
            return redirect("service:post", post_id=post.pk)
    elif not people:
        messages.error(request, error_text(ValidationError("本岗尚无值岗人员")))
        return redirect("service:post", post_id=post.pk)
    return _post_page(request, post, entry_form=form)


routes: list[URLPattern] = [
    path("brands/", matrix, name="brands"),
    path("brands/export/", matrix_export, name="brands_export"),
    path("brands/<int:brand_id>/", brand_detail, name="brand"),
    path("brands/<int:brand_id>/plan/", brand_plan, name="brand_plan"),
    path("brands/<int:brand_id>/link/", brand_link, name="brand_link"),
    path("brands/<int:brand_id>/evaluate/", brand_evaluate, name="brand_evaluate"),
    path("brands/posts/", post_list, name="posts"),
    path("brands/posts/<int:post_id>/", post_detail, name="post"),
    path("brands/posts/<int:post_id>/shift/", post_shift, name="post_shift"),
    path("brands/posts/<int:post_id>/entry/", post_entry, name="post_entry"),
]
