"""The roster import in the web: upload → preview (every problem, nothing written) → confirm → summary.

The uploaded file waits under MEDIA_ROOT/imports/ between preview and confirm, named by a
random token that only the uploading user's session knows; confirm reads it again, so what
is written is exactly what a clean check of that file allows, and then the file goes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from tianping.accounts.permissions import requires
from tianping.lib import uploads
from tianping.lib.sheets import ImportResult, report_progress
from tianping.orgs.actions import do_map_values
from tianping.orgs.models import Org
from tianping.people.importing import (
    ROSTER_COLUMNS,
    RosterPlan,
    apply_roster,
    parse_roster,
    roster_template,
)

SESSION_KEY = "tianping_roster_imports"
PREVIEW_LIMIT = 200
FIELD_LABELS = {
    **{field: column for column, field in ROSTER_COLUMNS.items()},
    "name_pinyin": "",
    "name_initials": "",
}


class UploadForm(uploads.SheetUploadForm):
    file_label = "花名册文件"
    file_help = "Excel工作簿（.xlsx），表头含工号、姓名等列，可有标题行"


PENDING = uploads.PendingUploads(SESSION_KEY)


def _preview_context(plan: RosterPlan, court: Org, filename: str) -> dict[str, Any]:
    changed = [
        {
            "row": c.row,
            "employee_no": c.before["employee_no"],
            "name": c.changes.get("name", c.before["name"]),
            "fields": [
                label
                for label in dict.fromkeys(
                    [
                        *(FIELD_LABELS.get(f, f) for f in c.changes),
                        *(_move_label(k) for k in c.moves),
                    ]
                )
                if label
            ],
        }
        for c in plan.changed[:PREVIEW_LIMIT]
    ]
    return {
        "court": court,
        "filename": filename,
        "plan": plan,
        "result": plan.result(),
        "errors": plan.errors,
        "new": [
            {"row": n.row, "employee_no": n.employee_no, "name": n.values["name"]}
            for n in plan.new[:PREVIEW_LIMIT]
        ],
        "changed": changed,
        "limit": PREVIEW_LIMIT,
        "map_route": "people:import_map",
        "breadcrumbs": [
            ("人员花名册", reverse("people:list")),
            ("花名册导入", reverse("people:import")),
            ("预览", None),
        ],
    }


def _move_label(kind: str) -> str:
    return {"department": "部门", "party_org": "所在支部", "party_group": "所在党小组"}[kind]


@requires("people.import")
def upload(request: HttpRequest) -> HttpResponse:
    form, preview = uploads.upload_form(
        request, UploadForm, PENDING, parse_roster, _preview_context, "people/import_preview.html"
    )
    if preview is not None:
        return preview
    return render(
        request,
        "people/import_upload.html",
        {
            "form": form,
            "columns": list(ROSTER_COLUMNS),
            "breadcrumbs": [("人员花名册", reverse("people:list")), ("花名册导入", None)],
        },
    )


@requires("people.import")
@require_POST
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    entry = PENDING.get(request, token)
    if "result" in entry:
        return redirect("people:import_summary", token=token)
    court = uploads.court_of(request, entry["court"])
    source = uploads.upload_path(token)
    if not source.is_file():
        PENDING.forget(request, token)
        raise Http404
    with uploads.tracking(request):
        plan = parse_roster(source, court)
        if plan.ok:
            report_progress("write", len(plan.new) + len(plan.changed))
            result = apply_roster(plan, request.user)
    if not plan.ok:
        # The tree or the roster changed since the preview: show what is wrong now, write nothing.
        source.unlink(missing_ok=True)
        PENDING.forget(request, token)
        context = _preview_context(plan, court, entry["filename"])
        uploads.problems(context, plan.errors)
        context["form"] = UploadForm(uploads.courts_of(request), initial={"court": court.code})
        return render(request, "people/import_preview.html", context)
    source.unlink(missing_ok=True)
    entry["result"] = result.as_json()
    PENDING.remember(request, token, entry)
    messages.success(
        request,
        f"花名册已导入{court.name}：新增{result.created}人，更新{result.updated}人，未变{result.unchanged}人。",
    )
    return redirect("people:import_summary", token=token)


@requires("people.import")
@require_POST
def map_values(request: HttpRequest, token: str) -> HttpResponse:
    """Map the unknown words of a held roster to standard values, kept for the court."""
    return uploads.map_values(
        request,
        token,
        UploadForm,
        PENDING,
        parse_roster,
        _preview_context,
        "people/import_preview.html",
        do_map_values,
    )


@requires("people.import")
def progress(request: HttpRequest) -> HttpResponse:
    """How far the check or the write of this user's roster has got (polled by the page)."""
    return uploads.progress(request)


@requires("people.import")
def summary(request: HttpRequest, token: str) -> HttpResponse:
    entry = PENDING.get(request, token)
    if "result" not in entry:
        raise Http404
    court = uploads.court_of(request, entry["court"])
    data = entry["result"]
    result = ImportResult(
        created=data["created"], updated=data["updated"], unchanged=data["unchanged"]
    )
    return render(
        request,
        "people/import_summary.html",
        {
            "court": court,
            "filename": entry["filename"],
            "result": result,
            "breadcrumbs": [
                ("人员花名册", reverse("people:list")),
                ("花名册导入", reverse("people:import")),
                ("导入结果", None),
            ],
        },
    )


@requires("people.import")
def template(request: HttpRequest) -> HttpResponseBase:
    """A roster to fill in: the columns the import reads, an example row, drop-down lists."""
    return FileResponse(
        roster_template(),
        as_attachment=True,
        filename="花名册导入模板.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


import_urlpatterns = [
    path("import/", upload, name="import"),
    # Before the token routes, which would otherwise take "template" for a token.
    path("import/template/", template, name="import_template"),
    path("import/progress/", progress, name="import_progress"),
    path("import/<str:token>/confirm/", confirm, name="import_confirm"),
    path("import/<str:token>/map/", map_values, name="import_map"),
    path("import/<str:token>/", summary, name="import_summary"),
]
