"""The activity-ledger (台账) import in the web: upload, preview, confirm, summary.

The uploaded file waits under MEDIA_ROOT/imports/ between preview and confirm, named by a
random token that only the uploading user's session knows; confirm reads it again, so what
is recorded is exactly what a clean check of that file allows, and then the file goes.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from tianping.accounts.permissions import requires
from tianping.accounts.scoping import get_scoped, scoped
from tianping.activities import kinds
from tianping.activities.importing import LEDGER_COLUMNS, LedgerPlan, apply_ledger, parse_ledger
from tianping.activities.models import AttendanceStatus
from tianping.lib.sheets import ImportResult
from tianping.orgs.models import Org

SESSION_KEY = "tianping_activity_imports"
# An upload nobody confirmed is removed after a day.
STALE_SECONDS = 24 * 3600
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
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


class UploadForm(forms.Form):
    court = forms.ChoiceField(label="法院")
    file = forms.FileField(
        label="台账文件",
        help_text="Excel工作簿（.xlsx），表头含组织、活动类型、日期等列，可有标题行",
    )

    def __init__(self, courts: list[Org], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["court"].choices = [(c.code, c.name) for c in courts]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".xlsm")):
            raise forms.ValidationError("请上传Excel工作簿（.xlsx）；旧版.xls请先另存为.xlsx")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("文件超过20MB")
        return upload


def _import_dir() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sweep(folder: Path) -> None:
    cutoff = time.time() - STALE_SECONDS
    for stale in folder.glob("*.xlsx"):
        try:
            if stale.stat().st_mtime < cutoff:
                stale.unlink()
        except OSError:
            pass


def _courts(request: HttpRequest) -> list[Org]:
    return list(scoped(request.scope, Org.objects.courts()).order_by("path"))  # type: ignore[attr-defined]


def _court(request: HttpRequest, code: str) -> Org:
    return get_scoped(request.scope, Org.objects.courts(), code=code)  # type: ignore[attr-defined]


def _pending(request: HttpRequest, token: str) -> dict[str, Any]:
    """This user's upload under `token`, or 404: a token is useless in anyone else's session."""
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if not entry or entry.get("owner") != request.user.pk:
        raise Http404
    return entry


def _forget(request: HttpRequest, token: str) -> None:
    pending = request.session.get(SESSION_KEY, {})
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending


def _remember(request: HttpRequest, token: str, entry: dict[str, Any]) -> None:
    pending = request.session.get(SESSION_KEY, {})
    pending[token] = entry
    request.session[SESSION_KEY] = pending


def _file(token: str) -> Path:
    # The token comes from the URL: only characters token_urlsafe makes may name a file.
    if not token or not all(c.isalnum() or c in "-_" for c in token):
        raise Http404
    return _import_dir() / f"{token}.xlsx"


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
        "breadcrumbs": _crumbs(("预览", None)),
    }


@requires("activities.import")
def upload(request: HttpRequest) -> HttpResponse:
    courts = _courts(request)
    if request.method == "POST":
        # An out-of-scope court is absent, whatever the form would say about it.
        code = request.POST.get("court", "")
        court = _court(request, code) if code else None
        form = UploadForm(courts, request.POST, request.FILES)
        if court is not None and form.is_valid():
            folder = _import_dir()
            _sweep(folder)
            token = secrets.token_urlsafe(18)
            target = _file(token)
            with target.open("wb") as out:
                for chunk in form.cleaned_data["file"].chunks():
                    out.write(chunk)
            filename = Path(form.cleaned_data["file"].name).name
            plan = parse_ledger(target, court)
            context = _preview_context(plan, court, filename)
            if plan.ok:
                _remember(
                    request,
                    token,
                    {
                        "owner": request.user.pk,
                        "court": court.code,
                        "filename": filename,
                        "at": time.time(),
                    },
                )
                context["token"] = token
            else:
                # Nothing to confirm: the clerk fixes the sheet and uploads it again.
                target.unlink(missing_ok=True)
                context["form"] = UploadForm(courts, initial={"court": court.code})
            return render(request, "activities/import_preview.html", context)
    else:
        initial = {}
        if code := request.GET.get("court", ""):
            initial["court"] = _court(request, code).code
        form = UploadForm(courts, initial=initial)
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
    entry = _pending(request, token)
    if "result" in entry:
        return redirect("activities:import_summary", token=token)
    court = _court(request, entry["court"])
    source = _file(token)
    if not source.is_file():
        _forget(request, token)
        raise Http404
    plan = parse_ledger(source, court)
    result = apply_ledger(plan, request.user) if plan.ok else plan.result()
    if not result.ok:
        # The roster or the records changed since the preview: show what is wrong now, write nothing.
        source.unlink(missing_ok=True)
        _forget(request, token)
        plan.errors = result.errors
        context = _preview_context(plan, court, entry["filename"])
        context["form"] = UploadForm(_courts(request), initial={"court": court.code})
        return render(request, "activities/import_preview.html", context)
    source.unlink(missing_ok=True)
    entry["result"] = result.as_json()
    _remember(request, token, entry)
    messages.success(
        request,
        f"台账已导入{court.name}：新增{result.created}项活动，更新{result.updated}项，"
        f"未变{result.unchanged}项。",
    )
    return redirect("activities:import_summary", token=token)


@requires("activities.import")
def summary(request: HttpRequest, token: str) -> HttpResponse:
    entry = _pending(request, token)
    if "result" not in entry:
        raise Http404
    court = _court(request, entry["court"])
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


routes = [
    path("import/", upload, name="import"),
    path("import/<str:token>/confirm/", confirm, name="import_confirm"),
    path("import/<str:token>/", summary, name="import_summary"),
]
