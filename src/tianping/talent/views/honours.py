"""荣誉表彰 pages: the ledger with its filters and export, recording and withdrawing an honour,
the counts by level and year with their sentence, the fragments a person's and an
organisation's pages include, and the honours sheet import. Reads in `queries.honours`,
writes in `actions.honours`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tianping.accounts.http import AuthenticatedHttpRequest
from tianping.accounts.permissions import requires
from tianping.accounts.scoping import get_scoped, scoped
from tianping.lib import uploads
from tianping.lib.errors import add_errors
from tianping.lib.pickers import org_pick_field, person_pick_field
from tianping.lib.sheets import table_bytes
from tianping.orgs.models import Org
from tianping.people.models import Person
from tianping.talent.actions.honours import do_record_honour, do_withdraw_honour
from tianping.talent.honours_import import COLUMNS, HonourPlan, honours_template, parse_honours
from tianping.talent.models import Honour, HonourKind, HonourLevel
from tianping.talent.queries import honours as queries

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PREVIEW_LIMIT = 200


def _crumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [("人才与荣誉", reverse("talent:home")), *extra]


def _ledger_crumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return _crumbs(("荣誉表彰", reverse("talent:honours")), *extra)


def _years() -> list[tuple[str, str]]:
    this = timezone.localdate().year
    return [("", "全部年度")] + [(str(y), f"{y}年") for y in range(this, this - 15, -1)]


class FilterForm(forms.Form):
    q = forms.CharField(
        label="关键词",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "荣誉、姓名、集体或文号"}),
    )
    level = forms.ChoiceField(label="级别", required=False)
    kind = forms.ChoiceField(label="类别", required=False)
    year = forms.TypedChoiceField(label="年度", required=False, coerce=int, empty_value=None)
    holder = forms.ChoiceField(
        label="个人/集体",
        required=False,
        choices=[("", "全部"), ("person", "个人"), ("org", "集体")],
    )
    court = org_pick_field(label="法院", queryset=Org.objects.none(), required=False)
    withdrawn = forms.BooleanField(label="含已撤销", required=False)

    def __init__(self, courts: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", "全部"), *HonourLevel.choices]  # type: ignore[attr-defined]
        self.fields["kind"].choices = [("", "全部"), *HonourKind.choices]  # type: ignore[attr-defined]
        self.fields["year"].choices = _years()  # type: ignore[attr-defined]
        court = self.fields["court"]
        court.queryset = courts  # type: ignore[attr-defined]
        court.widget.params["kinds"] = "high_court,mid_court,basic_court"


def _filter(request: AuthenticatedHttpRequest) -> tuple[FilterForm, queries.HonourFilter]:
    form = FilterForm(scoped(request.scope, Org.objects.courts()), request.GET or None)
    f = queries.HonourFilter()
    if form.is_valid():
        d = form.cleaned_data
        f = queries.HonourFilter(
            level=d["level"],
            kind=d["kind"],
            year=d["year"],
            holder=d["holder"],
            court=d["court"],
            q=d["q"] or "",
            withdrawn=d["withdrawn"],
        )
    return form, f


@requires("talent.view")
def ledger(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, f = _filter(request)
    page = Paginator(queries.honour_list(request.scope, f), 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "querystring_page": (params.urlencode() + "&") if params else "",
        "export_query": params.urlencode(),
        "breadcrumbs": _crumbs(("荣誉表彰", None)),
    }
    if request.htmx and request.htmx.target == "results":
        return render(request, "talent/honours/_results.html", context)
    return render(request, "talent/honours/ledger.html", context)


@requires("talent.view")
def export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    _, f = _filter(request)
    rows = [
        [
            h.person.employee_no if h.person else "",
            h.person.name if h.person else "",
            h.org.code if h.org else "",
            h.org.name if h.org else "",
            h.title,
            h.get_kind_display(),
            h.get_level_display(),
            h.awarded_by,
            h.awarded_on,
            h.document_no,
            h.court.name,
            "已撤销：" + h.withdrawn_reason if h.withdrawn_on else "",
        ]
        for h in queries.honour_list(request.scope, f).iterator(chunk_size=2000)
    ]
    headers = [
        "工号",
        "姓名",
        "集体代码",
        "集体名称",
        "荣誉名称",
        "类别",
        "级别",
        "授予机关",
        "授予日期",
        "文号",
        "所属法院",
        "状态",
    ]
    return uploads.xlsx_download(table_bytes(headers, rows, title="荣誉表彰"), "荣誉表彰台账.xlsx")


class HonourForm(forms.Form):
    holder = forms.ChoiceField(
        label="获得者",
        choices=[("person", "个人"), ("org", "集体")],
        initial="person",
        widget=forms.RadioSelect,
    )
    person = person_pick_field(label="个人", queryset=Person.objects.none(), required=False)
    org = org_pick_field(label="集体（组织）", queryset=Org.objects.none(), required=False)
    title = forms.CharField(label="荣誉名称", max_length=200)
    kind = forms.ChoiceField(label="类别", choices=[("", "请选择"), *HonourKind.choices])
    level = forms.ChoiceField(label="级别", choices=[("", "请选择"), *HonourLevel.choices])
    awarded_by = forms.CharField(label="授予机关", max_length=200)
    awarded_on = forms.DateField(label="授予日期", widget=DATE_WIDGET)
    document_no = forms.CharField(label="文号", max_length=100, required=False)
    note = forms.CharField(label="备注", max_length=500, required=False)

    def __init__(self, scope: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = scoped(scope, Person.objects.all())  # type: ignore[attr-defined]
        self.fields["org"].queryset = scoped(scope, Org.objects.all())  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("holder") == "person" and not data.get("person"):
            self.add_error("person", "请选择获得荣誉的人员")
        if data.get("holder") == "org" and not data.get("org"):
            self.add_error("org", "请选择获得荣誉的集体")
        return data


@requires("talent.honours")
def record_honour(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = HonourForm(request.scope, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        person = d["person"] if d["holder"] == "person" else None
        org = d["org"] if d["holder"] == "org" else None
        try:
            honour = do_record_honour(
                request.user,
                person=person,
                org=org,
                title=d["title"],
                kind=d["kind"],
                level=d["level"],
                awarded_by=d["awarded_by"],
                awarded_on=d["awarded_on"],
                document_no=d["document_no"],
                note=d["note"],
                today=timezone.localdate(),
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, f"已登记：{honour}")
            return redirect("talent:honour", honour_id=honour.pk)
    return render(
        request,
        "talent/honours/form.html",
        {"form": form, "breadcrumbs": _ledger_crumbs(("登记荣誉", None))},
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="撤销理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


def _honour(request: AuthenticatedHttpRequest, honour_id: int) -> Honour:
    return get_scoped(
        request.scope,
        Honour.objects.select_related("court", "person", "org", "created_by"),
        pk=honour_id,
    )


@requires("talent.view")
def honour_detail(request: AuthenticatedHttpRequest, honour_id: int) -> HttpResponse:
    honour = _honour(request, honour_id)
    can_withdraw = request.scope.can("talent.honours") and not honour.is_withdrawn
    return render(
        request,
        "talent/honours/detail.html",
        {
            "honour": honour,
            "form": WithdrawForm() if can_withdraw else None,
            "breadcrumbs": _ledger_crumbs((honour.title, None)),
        },
    )


@requires("talent.honours")
def withdraw(request: AuthenticatedHttpRequest, honour_id: int) -> HttpResponse:
    honour = _honour(request, honour_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            do_withdraw_honour(request.user, honour, reason=form.cleaned_data["reason"])
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, "已撤销该荣誉，记录保留在台账中。")
            return redirect("talent:honour", honour_id=honour.pk)
    return render(
        request,
        "talent/honours/detail.html",
        {"honour": honour, "form": form, "breadcrumbs": _ledger_crumbs((honour.title, None))},
    )


class CountsForm(forms.Form):
    court = org_pick_field(label="法院", queryset=Org.objects.none(), required=False)
    year = forms.TypedChoiceField(label="年度", required=False, coerce=int, empty_value=None)
    level = forms.ChoiceField(
        label="荣誉级别不低于",
        choices=HonourLevel.choices,
        initial=HonourLevel.PROVINCE,
        required=False,
    )
    merit = forms.TypedChoiceField(
        label="或立功不低于",
        choices=[(1, "一等功"), (2, "二等功"), (3, "三等功")],
        coerce=int,
        initial=2,
        required=False,
    )
    rounding = forms.ChoiceField(
        label="人数写法",
        choices=[("exact", "精确（62名）"), ("tens", "取整加“余”（60余名）")],
        required=False,
    )

    def __init__(self, courts: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["court"].queryset = courts  # type: ignore[attr-defined]
        self.fields["court"].widget.params["kinds"] = "high_court,mid_court,basic_court"
        self.fields["year"].choices = _years()  # type: ignore[attr-defined]


@requires("talent.view")
def counts(request: AuthenticatedHttpRequest) -> HttpResponse:
    courts = scoped(request.scope, Org.objects.courts())
    form = CountsForm(courts, request.GET or None)
    court = year = None
    level, merit, rounding = HonourLevel.PROVINCE, 2, "exact"
    if form.is_valid():
        d = form.cleaned_data
        court, year = d["court"], d["year"]
        level, merit, rounding = d["level"] or level, d["merit"] or 2, d["rounding"] or "exact"
    if court is None and not request.scope.self_only:
        court = courts.order_by("path").first()
    result = queries.counts(request.scope, court, year, level=level, merit=merit, rounding=rounding)
    levels = HonourLevel.choices
    rows = [
        (y, [result.table[y].get(lv, 0) for lv, _ in levels], sum(result.table[y].values()))
        for y in result.years
    ]
    return render(
        request,
        "talent/honours/counts.html",
        {
            "form": form,
            "result": result,
            "levels": levels,
            "rows": rows,
            "totals": [result.totals.get(lv, 0) for lv, _ in levels],
            "total": sum(result.totals.values()),
            "breadcrumbs": _ledger_crumbs(("统计", None)),
        },
    )


@requires("talent.view")
def person_honours(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The honours section of a person's page (HTMX fragment)."""
    person = get_scoped(request.scope, Person.objects.all(), pk=pk)
    return render(
        request,
        "talent/honours/_holder.html",
        {"honours": list(queries.person_honours(request.scope, person.pk)), "who": person.name},
    )


@requires("talent.view")
def org_honours(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The collective honours section of an organisation's page (HTMX fragment)."""
    org = get_scoped(request.scope, Org.objects.all(), code=code)
    return render(
        request,
        "talent/honours/_holder.html",
        {"honours": list(queries.org_honours(request.scope, org)), "who": org.name},
    )


# ---------------------------------------------------------------------------------------
# The honours sheet, through the one sheet pipeline


class UploadForm(uploads.SheetUploadForm):
    file_label = "荣誉表彰台账"
    file_help = (
        "Excel工作簿（.xlsx），表头含荣誉名称、类别、级别、授予机关、授予日期等列，可有标题行"
    )


PENDING = uploads.PendingUploads("talent_honours_import")


def _import_crumbs() -> list[tuple[str, str | None]]:
    return _ledger_crumbs(("导入", None))


def _preview_context(plan: HonourPlan, court: Org, filename: str) -> dict[str, Any]:
    kinds, levels = dict(HonourKind.choices), dict(HonourLevel.choices)
    return {
        "court": court,
        "filename": filename,
        "plan": plan,
        "result": plan.result(),
        "errors": plan.errors,
        "new": [
            {
                "row": r.row,
                "holder": r.holder,
                "title": r.title,
                "kind": kinds[r.kind],
                "level": levels[r.level],
                "awarded_on": r.awarded_on,
            }
            for r in plan.new[:PREVIEW_LIMIT]
        ],
        "breadcrumbs": _import_crumbs(),
    }


@requires("talent.honours")
def import_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, preview = uploads.upload_form(
        request,
        UploadForm,
        PENDING,
        parse_honours,
        _preview_context,
        "talent/honours/import_preview.html",
    )
    if preview is not None:
        return preview
    return render(
        request,
        "talent/honours/import_upload.html",
        {"form": form, "columns": COLUMNS, "breadcrumbs": _import_crumbs()},
    )


@requires("talent.honours")
@require_POST
def import_confirm(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    return uploads.confirm(
        request,
        PENDING,
        token,
        "tianping.talent.honours_import.apply_honours",
        "talent:honours_import_summary",
        message="荣誉已导入{court}：新增{created}项，已有{unchanged}项未变。",
    )


@requires("talent.honours")
def import_progress(request: AuthenticatedHttpRequest) -> HttpResponse:
    return uploads.progress(request)


@requires("talent.honours")
def import_summary(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    context = uploads.written(request, PENDING, token)
    return render(
        request, "talent/honours/import_summary.html", {**context, "breadcrumbs": _import_crumbs()}
    )


@requires("talent.honours")
def import_template(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    return uploads.xlsx_download(honours_template(), "荣誉表彰导入模板.xlsx")


routes: list[URLPattern] = [
    path("honours/", ledger, name="honours"),
    path("honours/export/", export, name="honours_export"),
    path("honours/new/", record_honour, name="honour_new"),
    path("honours/counts/", counts, name="honours_counts"),
    path("honours/<int:honour_id>/", honour_detail, name="honour"),
    path("honours/<int:honour_id>/withdraw/", withdraw, name="honour_withdraw"),
    path("honours/people/<int:pk>/", person_honours, name="person_honours"),
    path("honours/orgs/<str:code>/", org_honours, name="org_honours"),
    path("honours/import/", import_upload, name="honours_import"),
    path("honours/import/template/", import_template, name="honours_import_template"),
    path("honours/import/progress/", import_progress, name="honours_import_progress"),
    path("honours/import/<str:token>/confirm/", import_confirm, name="honours_import_confirm"),
    path("honours/import/<str:token>/", import_summary, name="honours_import_summary"),
]
