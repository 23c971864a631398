"""The roster import in the web: upload → preview (every problem, nothing written) → confirm → summary.

The checked plan waits under MEDIA_ROOT/imports/ between preview and confirm, named by a
random token that only the uploading user's session knows (lib/uploads.py); confirm checks its
rows again against the data as it is then (`write_roster`), without reading the workbook again,
and writes them in the request or, for a big roster, in a task.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from tianping.accounts.permissions import requires
from tianping.lib import uploads
from tianping.orgs.actions import do_map_values
from tianping.orgs.models import Org
from tianping.people.actions import do_declare_terms
from tianping.people.importing import (
    ROSTER_COLUMNS,
    RosterPlan,
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
    """Write the checked roster: now, or (a big one) by a task the summary page follows."""
    return uploads.confirm(
        request,
        PENDING,
        token,
        "tianping.people.importing.write_roster",
        "people:import_summary",
        message="花名册已导入{court}：新增{created}人，更新{updated}人，未变{unchanged}人。",
    )


@requires("people.import")
@require_POST
def map_values(request: HttpRequest, token: str) -> HttpResponse:
    """Map the unknown words of a held roster to standard values, or declare a word of an
    open column (职务层级, 学历…) the court's own term; both kept for the court."""
    return uploads.map_values(
        request,
        token,
        UploadForm,
        PENDING,
        parse_roster,
        _preview_context,
        "people/import_preview.html",
        do_map_values,
        declare=do_declare_terms,
    )


@requires("people.import")
def progress(request: HttpRequest) -> HttpResponse:
    """How far the check or the write of this user's roster has got (polled by the page)."""
    return uploads.progress(request)


@requires("people.import")
def summary(request: HttpRequest, token: str) -> HttpResponse:
    """The kept result of a confirmed roster, or how far its writing has got."""
    context = uploads.written(request, PENDING, token)
    return render(
        request,
        "people/import_summary.html",
        {
            **context,
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
    return uploads.xlsx_download(roster_template(), "花名册导入模板.xlsx")


import_urlpatterns = [
    path("import/", upload, name="import"),
    # Before the token routes, which would otherwise take "template" for a token.
    path("import/template/", template, name="import_template"),
    path("import/progress/", progress, name="import_progress"),
    path("import/<str:token>/confirm/", confirm, name="import_confirm"),
    path("import/<str:token>/map/", map_values, name="import_map"),
    path("import/<str:token>/", summary, name="import_summary"),
]
