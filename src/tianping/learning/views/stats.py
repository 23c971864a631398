"""Pages of the learning part 'stats': training statistics (R7.2) with drill-down and export,
and the training-ledger import (培训台账导入: upload, preview, confirm, summary)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tianping.accounts.permissions import requires
from tianping.learning.importing import (
    CLASS_COLUMNS,
    PEOPLE_COLUMNS,
    TrainingPlan,
    parse_training,
    training_template,
)
from tianping.learning.models import TrainingKind
from tianping.learning.queries.stats import (
    EXPORT_HEADERS,
    OWN,
    Filters,
    cached_training_stats,
    class_rows,
    export_rows,
    people_rows,
    years_with_classes,
)
from tianping.lib import uploads
from tianping.lib.pickers import picked_key
from tianping.lib.sheets import match_key, table_bytes
from tianping.orgs.actions import do_map_values
from tianping.orgs.models import COURT_KINDS, Org
from tianping.people.models import Category

# The people behind a province's figure are tens of thousands: the page lists the first.
PEOPLE_LIMIT = 500


def _crumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [("教育培训", reverse("learning:home")), *extra]


def _choice(request: HttpRequest) -> tuple[list[Org], Org | None, int]:
    """The courts in scope, the one asked for (else the topmost), and the year asked for
    (else the current one)."""
    courts = uploads.courts_of(request)
    code = picked_key(request.GET.get("org", ""))
    org = uploads.court_of(request, code) if code else (courts[0] if courts else None)
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and 1900 <= int(raw) <= 2100 else timezone.localdate().year
    return courts, org, year


def _filters(request: HttpRequest) -> Filters:
    kind = request.GET.get("kind", "")
    line = request.GET.get("line", "")
    return Filters(
        kind=kind if kind in TrainingKind.values else "",
        court=request.GET.get("court", "")[:30],
        line=line if line in Category.values else "",
    )


def _query(org: Org, year: int, **extra: Any) -> str:
    return urlencode({"org": org.code, "year": year, **{k: v for k, v in extra.items() if v}})


def _filter_label(org: Org, filters: Filters) -> str:
    parts = []
    if filters.court == OWN:
        parts.append(f"{org.name}本级")
    elif filters.court:
        court = Org.objects.filter(code=filters.court, path__startswith=org.path).first()
        parts.append(court.name if court else filters.court)
    if filters.kind:
        parts.append(str(TrainingKind(filters.kind).label))
    if filters.line:
        parts.append(str(Category(filters.line).label))
    return "·".join(parts) or "全部"


@requires("learning.stats")
def stats(request: HttpRequest) -> HttpResponse:
    courts, org, year = _choice(request)
    context: dict[str, Any] = {
        "courts": courts,
        "org": org,
        "year": year,
        "picker_kinds": ",".join(sorted(COURT_KINDS)),
        "breadcrumbs": _crumbs(("培训统计", None)),
    }
    if org is None:
        return render(request, "learning/stats/page.html", context)
    years = years_with_classes(org)
    if not request.GET.get("year") and years and year not in years:
        year = years[0]  # no class this year yet: the latest year that has some
    figures = cached_training_stats(org, year)
    if year not in years:
        years = sorted({*years, year}, reverse=True)

    def link(view: str, **extra: Any) -> str:
        return f"{reverse(view)}?{_query(org, year, **extra)}"

    context.update(
        stats=figures,
        years=years,
        courts_rows=[
            {
                "tally": t,
                "classes_url": link("learning:stats_classes", court=t.key),
                "people_url": link("learning:stats_people", court=t.key),
                "drill_url": f"{reverse('learning:stats')}?{urlencode({'org': t.key, 'year': year})}"
                if t.key != OWN
                else "",
            }
            for t in figures.by_court
            if t.classes or t.participations
        ],
        kind_rows=[
            {
                "tally": t,
                "classes_url": link("learning:stats_classes", kind=t.key),
                "people_url": link("learning:stats_people", kind=t.key),
            }
            for t in figures.by_kind
            if t.classes
        ],
        line_rows=[
            {
                "tally": t,
                "classes_url": link("learning:stats_classes", line=t.key),
                "people_url": link("learning:stats_people", line=t.key),
            }
            for t in figures.by_line
        ],
        classes_url=link("learning:stats_classes"),
        people_url=link("learning:stats_people"),
        export_url=link("learning:stats_export"),
        charts={
            "按法院（班次）": [
                {"name": t.label, "value": t.classes} for t in figures.by_court if t.classes
            ],
            "按培训类型（人次）": [
                {"name": t.label, "value": t.participations}
                for t in figures.by_kind
                if t.participations
            ],
            "按课程类别（学时）": [
                {"name": label, "value": float(hours)} for _, label, hours in figures.by_category
            ],
        },
    )
    return render(request, "learning/stats/page.html", context)


@requires("learning.stats")
def classes(request: HttpRequest) -> HttpResponse:
    """The classes behind a figure of the statistics."""
    _, org, year = _choice(request)
    if org is None:
        raise Http404
    filters = _filters(request)
    rows = class_rows(org, year, filters)
    return render(
        request,
        "learning/stats/classes.html",
        {
            "org": org,
            "year": year,
            "label": _filter_label(org, filters),
            "rows": [
                {
                    "row": r,
                    "people_url": f"{reverse('learning:stats_people')}?"
                    + _query(org, year, line=filters.line, **{"class": r.pk}),
                }
                for r in rows
            ],
            "total": sum(r.participations for r in rows),
            "breadcrumbs": _crumbs(
                ("培训统计", f"{reverse('learning:stats')}?{_query(org, year)}"), ("培训班", None)
            ),
        },
    )


@requires("learning.stats")
def people(request: HttpRequest) -> HttpResponse:
    """The people behind a figure (or a class): each once, with their classes and hours."""
    _, org, year = _choice(request)
    if org is None:
        raise Http404
    filters = _filters(request)
    raw = request.GET.get("class", "")
    class_id = int(raw) if raw.isdigit() and len(raw) < 12 else None
    rows = people_rows(org, year, filters, class_id)
    label = _filter_label(org, filters)
    if class_id is not None:
        found = [r for r in class_rows(org, year, filters) if r.pk == class_id]
        if not found:
            raise Http404
        label = f"{found[0].name}（{found[0].code}）"
    return render(
        request,
        "learning/stats/people.html",
        {
            "org": org,
            "year": year,
            "label": label,
            "rows": rows[:PEOPLE_LIMIT],
            "count": len(rows),
            "limit": PEOPLE_LIMIT,
            "breadcrumbs": _crumbs(
                ("培训统计", f"{reverse('learning:stats')}?{_query(org, year)}"), ("参训人员", None)
            ),
        },
    )


@requires("learning.stats")
def export(request: HttpRequest) -> HttpResponseBase:
    """The statistics as an Excel sheet (through the one formula-safe writer)."""
    _, org, year = _choice(request)
    if org is None:
        raise Http404
    figures = cached_training_stats(org, year)
    rows = [*export_rows(figures), [], [figures.sentence]]
    return uploads.xlsx_download(
        table_bytes(EXPORT_HEADERS, rows, title=f"{year}年培训统计"),
        f"{org.name}{year}年培训统计.xlsx",
    )


# ---------------------------------------------------------------------------------------
# The training-ledger import

SESSION_KEY = "tianping_training_imports"
PREVIEW_LIMIT = 200


class UploadForm(uploads.SheetUploadForm):
    file_label = "培训台账文件"
    file_help = "Excel工作簿（.xlsx），含“培训班”和“参训人员”两张工作表"


PENDING = uploads.PendingUploads(SESSION_KEY)


def _import_crumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    if not extra:
        return _crumbs(("培训台账导入", None))
    return _crumbs(("培训台账导入", reverse("learning:stats_import")), *extra)


def _preview_context(plan: TrainingPlan, court: Org, filename: str) -> dict[str, Any]:
    per_class = plan.participants_of()
    kinds = dict(TrainingKind.choices)
    rows = []
    for row in plan.classes[:PREVIEW_LIMIT]:
        key = _key(row.code)
        rows.append(
            {
                "row": row.row,
                "code": row.code,
                "name": row.values["name"],
                "kind": kinds.get(row.values["kind"], ""),
                "starts_on": row.values["starts_on"],
                "ends_on": row.values["ends_on"],
                "participants": len(per_class.get(key, [])),
                "hours": sum(p.hours for p in per_class.get(key, [])),
                "state": "更新" if _key(row.code) in plan.existing else "新增",
            }
        )
    return {
        "court": court,
        "filename": filename,
        "plan": plan,
        "result": plan.result(),
        "errors": plan.errors,
        "classes": rows,
        "participants": len(plan.participants),
        "limit": PREVIEW_LIMIT,
        "map_route": "learning:stats_import_map",
        "breadcrumbs": _import_crumbs(("预览", None)),
    }


def _key(code: str) -> str:
    return match_key(code)


@requires("learning.manage")
def upload(request: HttpRequest) -> HttpResponse:
    form, preview = uploads.upload_form(
        request,
        UploadForm,
        PENDING,
        parse_training,
        _preview_context,
        "learning/stats/import_preview.html",
    )
    if preview is not None:
        return preview
    return render(
        request,
        "learning/stats/import_upload.html",
        {
            "form": form,
            "class_columns": CLASS_COLUMNS,
            "people_columns": PEOPLE_COLUMNS,
            "kinds": [label for _, label in TrainingKind.choices],
            "breadcrumbs": _import_crumbs(),
        },
    )


@requires("learning.manage")
@require_POST
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Write the checked ledger: now, or (a big one) by a task the summary page follows."""
    return uploads.confirm(
        request,
        PENDING,
        token,
        "tianping.learning.importing.apply_training",
        "learning:stats_import_summary",
        message="培训台账已导入{court}：新增{created}个培训班，更新{updated}个，未变{unchanged}个。",
    )


@requires("learning.manage")
@require_POST
def map_values(request: HttpRequest, token: str) -> HttpResponse:
    """Map the unknown words of a held ledger to standard values, kept for the court."""
    return uploads.map_values(
        request,
        token,
        UploadForm,
        PENDING,
        parse_training,
        _preview_context,
        "learning/stats/import_preview.html",
        do_map_values,
    )


@requires("learning.manage")
def progress(request: HttpRequest) -> HttpResponse:
    return uploads.progress(request)


@requires("learning.manage")
def summary(request: HttpRequest, token: str) -> HttpResponse:
    context = uploads.written(request, PENDING, token)
    return render(
        request,
        "learning/stats/import_summary.html",
        {**context, "breadcrumbs": _import_crumbs(("导入结果", None))},
    )


@requires("learning.manage")
def template(request: HttpRequest) -> HttpResponseBase:
    """A ledger to fill in: both sheets, an example row each, drop-down lists."""
    return uploads.xlsx_download(training_template(), "培训台账导入模板.xlsx")


routes: list[URLPattern] = [
    path("stats/", stats, name="stats"),
    path("stats/classes/", classes, name="stats_classes"),
    path("stats/people/", people, name="stats_people"),
    path("stats/export/", export, name="stats_export"),
    path("stats/import/", upload, name="stats_import"),
    # Before the token routes, which would otherwise take "template" for a token.
    path("stats/import/template/", template, name="stats_import_template"),
    path("stats/import/progress/", progress, name="stats_import_progress"),
    path("stats/import/<str:token>/confirm/", confirm, name="stats_import_confirm"),
    path("stats/import/<str:token>/map/", map_values, name="stats_import_map"),
    path("stats/import/<str:token>/", summary, name="stats_import_summary"),
]
