"""The activity-ledger (台账) import in the web: upload, preview, confirm, summary.

The checked plan waits under MEDIA_ROOT/imports/ between preview and confirm, named by a
random token that only the uploading user's session knows (lib/uploads.py); confirm records
it without reading the workbook again, each record checked again by the activity actions, in
the request or, for a big ledger, in a task.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from tianping.accounts.permissions import requires
from tianping.activities import kinds
from tianping.activities.importing import (
    LEDGER_COLUMNS,
    LedgerPlan,
    ledger_template,
    parse_ledger,
)
from tianping.activities.models import AttendanceStatus
from tianping.lib import uploads
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
    """Record the checked ledger: now, or (a big one) by a task the summary page follows.
    `apply_ledger` checks each record again through the activity actions as it writes."""
    return uploads.confirm(
        request,
        PENDING,
        token,
        "tianping.activities.importing.apply_ledger",
        "activities:import_summary",
        message="台账已导入{court}：新增{created}项活动，更新{updated}项，未变{unchanged}项。",
    )


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
    """The kept result of a confirmed ledger, or how far its writing has got."""
    context = uploads.written(request, PENDING, token)
    return render(
        request,
        "activities/import_summary.html",
        {**context, "breadcrumbs": _crumbs(("导入结果", None))},
    )


@requires("activities.import")
def template(request: HttpRequest) -> HttpResponseBase:
    """A ledger to fill in: the columns the import reads, an example row, drop-down lists."""
    return uploads.xlsx_download(ledger_template(), "活动台账导入模板.xlsx")


routes = [
    path("import/", upload, name="import"),
    # Before the token routes, which would otherwise take "template" for a token.
    path("import/template/", template, name="import_template"),
    path("import/progress/", progress, name="import_progress"),
    path("import/<str:token>/confirm/", confirm, name="import_confirm"),
    path("import/<str:token>/map/", map_values, name="import_map"),
    path("import/<str:token>/", summary, name="import_summary"),
]
