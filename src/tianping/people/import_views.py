"""The roster import in the web: upload → preview (every problem, nothing written) → confirm → summary.

The uploaded file waits under MEDIA_ROOT/imports/ between preview and confirm, named by a
random token that only the uploading user's session knows; confirm reads it again, so what
is written is exactly what a clean check of that file allows, and then the file goes.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from tianping.accounts.permissions import requires
from tianping.accounts.scoping import get_scoped, scoped
from tianping.lib.sheets import ImportResult, table_bytes
from tianping.orgs.models import Org
from tianping.people.importing import ROSTER_COLUMNS, RosterPlan, apply_roster, parse_roster

SESSION_KEY = "tianping_roster_imports"
# An upload nobody confirmed is removed after a day.
STALE_SECONDS = 24 * 3600
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
PREVIEW_LIMIT = 200
FIELD_LABELS = {
    **{field: column for column, field in ROSTER_COLUMNS.items()},
    "name_pinyin": "",
    "name_initials": "",
}


class UploadForm(forms.Form):
    court = forms.ChoiceField(label="法院")
    file = forms.FileField(
        label="花名册文件", help_text="Excel工作簿（.xlsx），表头含工号、姓名等列，可有标题行"
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
    return _import_dir() / f"{token}.xlsx"


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
            plan = parse_roster(target, court)
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
            return render(request, "people/import_preview.html", context)
    else:
        initial = {}
        if code := request.GET.get("court", ""):
            initial["court"] = _court(request, code).code
        form = UploadForm(courts, initial=initial)
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
    entry = _pending(request, token)
    if "result" in entry:
        return redirect("people:import_summary", token=token)
    court = _court(request, entry["court"])
    source = _file(token)
    if not source.is_file():
        _forget(request, token)
        raise Http404
    plan = parse_roster(source, court)
    if not plan.ok:
        # The tree or the roster changed since the preview: show what is wrong now, write nothing.
        source.unlink(missing_ok=True)
        _forget(request, token)
        context = _preview_context(plan, court, entry["filename"])
        context["form"] = UploadForm(_courts(request), initial={"court": court.code})
        return render(request, "people/import_preview.html", context)
    result = apply_roster(plan, request.user)
    source.unlink(missing_ok=True)
    entry["result"] = result.as_json()
    _remember(request, token, entry)
    messages.success(
        request,
        f"花名册已导入{court.name}：新增{result.created}人，更新{result.updated}人，未变{result.unchanged}人。",
    )
    return redirect("people:import_summary", token=token)


@requires("people.import")
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
def template(request: HttpRequest) -> HttpResponse:
    """An empty roster sheet with the columns the import reads."""
    return FileResponse(
        table_bytes(list(ROSTER_COLUMNS), [], title="花名册"),
        as_attachment=True,
        filename="花名册导入模板.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


import_urlpatterns = [
    path("import/", upload, name="import"),
    # Before the token routes, which would otherwise take "template" for a token.
    path("import/template/", template, name="import_template"),
    path("import/<str:token>/confirm/", confirm, name="import_confirm"),
    path("import/<str:token>/", summary, name="import_summary"),
]
