"""The activity-ledger (台账) import in the web: upload, preview, confirm, summary.

The uploaded file waits under MEDIA_ROOT/imports/ between preview and confirm, named by a
random token that only the uploading user's session knows; confirm reads it again, so what
is recorded is exactly what a clean check of that file allows, and then the file goes.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from tianping.accounts.permissions import requires
from tianping.activities import kinds
from tianping.activities.importing import (
    LEDGER_COLUMNS,
    LedgerPlan,
    apply_ledger,
    ledger_template,
    parse_ledger,
)
from tianping.activities.models import AttendanceStatus
from tianping.lib import uploads
from tianping.lib.sheets import ImportResult, report_progress
from tianping.orgs.actions import do_map_values
from tianping.orgs.models import Org

SESSION_KEY = "tianping_activity_imports"
PREVIEW_LIMIT = 200
DETAIL_LABELS = {
    "location": "地点",
    "hours": "时长",
    "summary": "内容摘要",
    "external_audience": "外部参与人数",
    "host_id": "主持人",
    "recorder_id": "记录人",
    "lecturer_id": "授课人",
}


class UploadForm(uploads.SheetUploadForm):
    file_label = "台账文件"
    file_help = "Excel工作簿（.xlsx），表头含组织、活动类型、日期等列，可有标题行"


PENDING = uploads.PendingUploads(SESSION_KEY)


def _crumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    if not extra:
        return [("台账导入", None)]
    return [("台账导入", reverse("activities:import")), *extra]


def _preview_context(plan: LedgerPlan, court: Org, filename: str) -> dict[str, Any]:
    new = []
    for row in plan.new[:PREVIEW_LIMIT]:
        counts = Counter(row.attendance.values())
        new.append(
            {
                "row": row.row,
                "org": row.org.name,
                "kind": kinds.kind(row.kind).name,
                "on": row.on,
                "title": row.title,
                "present": counts[AttendanceStatus.PRESENT],
                "leave": counts[AttendanceStatus.LEAVE],
                "absent": counts[AttendanceStatus.ABSENT],
            }
        )
    changed = []
    for change in plan.changed[:PREVIEW_LIMIT]:
        what = [DETAIL_LABELS[name] for name in change.details]
        if change.record_held:
            what.insert(0, "记为已开展")
        attendance = [
            f"{plan.names.get(pk, pk)}→{AttendanceStatus(status).label}"
            for pk, status in change.attendance.items()
        ]
        changed.append(
            {
                "row": change.row.row,
                "org": change.row.org.name,
                "kind": kinds.kind(change.row.kind).name,
                "on": change.row.on,
                "title": change.activity.title,
                "fields": what,
                "attendance": attendance,
            }
        )
    return {
        "court": court,
        "filename": filename,
        "plan": plan,
        "result": plan.result(),
        "errors": plan.errors,
        "new": new,
        "changed": changed,
        "limit": PREVIEW_LIMIT,
        "map_route": "activities:import_map",
        "breadcrumbs": _crumbs(("预览", None)),
    }


@requires("activities.import")
def upload(request: HttpRequest) -> HttpResponse:
    form, preview = uploads.upload_form(
        request,
        UploadForm,
        PENDING,
        parse_ledger,
        _preview_context,
        "activities/import_preview.html",
    )
    if preview is not None:
        return preview
    return render(
        request,
        "activities/import_upload.html",
        {
            "form": form,
            "columns": LEDGER_COLUMNS,
            "kinds": [k for k in kinds.KINDS.values()],
            "breadcrumbs": _crumbs(),
        },
    )


@requires("activities.import")
@require_POST
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    entry = PENDING.get(request, token)
    if "result" in entry:
        return redirect("activities:import_summary", token=token)
    court = uploads.court_of(request, entry["court"])
    source = uploads.upload_path(token)
    if not source.is_file():
        PENDING.forget(request, token)
        raise Http404
    with uploads.tracking(request):
        plan = parse_ledger(source, court)
        if plan.ok:
            report_progress("write", len(plan.new) + len(plan.changed))
        result = apply_ledger(plan, request.user) if plan.ok else plan.result()
    if not result.ok:
        # The roster or the records changed since the preview: show what is wrong now, write nothing.
        source.unlink(missing_ok=True)
        PENDING.forget(request, token)
        plan.errors = result.errors
        context = _preview_context(plan, court, entry["filename"])
        uploads.problems(context, plan.errors)
        context["form"] = UploadForm(uploads.courts_of(request), initial={"court": court.code})
        return render(request, "activities/import_preview.html", context)
    source.unlink(missing_ok=True)
    entry["result"] = result.as_json()
    PENDING.remember(request, token, entry)
    messages.success(
        request,
        f"台账已导入{court.name}：新增{result.created}项活动，更新{result.updated}项，"
        f"未变{result.unchanged}项。",
    )
    return redirect("activities:import_summary", token=token)


@requires("activities.import")
@require_POST
def map_values(request: HttpRequest, token: str) -> HttpResponse:
    """Map the unknown words of a held ledger to standard values, kept for the court."""
    return uploads.map_values(
        request,
        token,
        UploadForm,
        PENDING,
        parse_ledger,
        _preview_context,
        "activities/import_preview.html",
        do_map_values,
    )


@requires("activities.import")
def progress(request: HttpRequest) -> HttpResponse:
    """How far the check or the write of this user's ledger has got (polled by the page)."""
    return uploads.progress(request)


@requires("activities.import")
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
        "activities/import_summary.html",
        {
            "court": court,
            "filename": entry["filename"],
            "result": result,
            "breadcrumbs": _crumbs(("导入结果", None)),
        },
    )


@requires("activities.import")
def template(request: HttpRequest) -> HttpResponseBase:
    """A ledger to fill in: the columns the import reads, an example row, drop-down lists."""
    return FileResponse(
        ledger_template(),
        as_attachment=True,
        filename="活动台账导入模板.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


routes = [
    path("import/", upload, name="import"),
    # Before the token routes, which would otherwise take "template" for a token.
    path("import/template/", template, name="import_template"),
    path("import/progress/", progress, name="import_progress"),
    path("import/<str:token>/confirm/", confirm, name="import_confirm"),
    path("import/<str:token>/map/", map_values, name="import_map"),
    path("import/<str:token>/", summary, name="import_summary"),
]
