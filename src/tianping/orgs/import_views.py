"""The organisation sheet in the web: upload → preview (every problem, nothing written) →
confirm → summary, through the one upload flow every sheet shares (lib/uploads.py).

The sheet is uploaded under one court, and each row must stay inside it and create or change
only the kinds the user may (a 机关党委 shapes party organisations only); a platform admin
may also upload it under no court, to create courts.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from tianping.accounts.permissions import requires
from tianping.accounts.scoping import can_change_org
from tianping.lib import uploads
from tianping.orgs.actions import do_map_values
from tianping.orgs.importing import (
    COLUMN_ORDER,
    OrgPlan,
    check_org_sheet,
    org_template,
)
from tianping.orgs.models import Org, OrgKind

SESSION_KEY = "tianping_org_imports"
PREVIEW_LIMIT = 200


class UploadForm(uploads.SheetUploadForm):
    file_label = "组织机构表"
    file_help = "Excel工作簿（.xlsx），表头含代码、名称、类型、上级代码，可有标题行"
    courtless_label = "不限法院（可新建法院）"

    def params(self) -> dict[str, str]:
        """The kinds this user may create or change: each row is checked against them."""
        kinds = [k.value for k in OrgKind if can_change_org(self.scope, k.value)]
        return {"kinds": ",".join(kinds)}


PENDING = uploads.PendingUploads(SESSION_KEY)


def _crumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    tree = ("组织机构", reverse("orgs:tree"))
    if not extra:
        return [tree, ("组织机构导入", None)]
    return [tree, ("组织机构导入", reverse("orgs:import")), *extra]


def _changes(row: Any) -> list[str]:
    return [
        label
        for label, changed in (("名称", row.rename), ("上级", row.move), ("成立日期", row.redate))
        if changed
    ]


def _preview_context(plan: OrgPlan, court: Org | None, filename: str) -> dict[str, Any]:
    def shown(action: str) -> list[dict[str, Any]]:
        return [
            {
                "row": r.row,
                "code": r.code,
                "name": r.name,
                "kind": OrgKind(r.kind).label if r.kind else "",
                "parent": r.parent_code,
                "fields": _changes(r),
            }
            for r in plan.rows
            if r.action == action
        ][:PREVIEW_LIMIT]

    return {
        "court": court,
        "filename": filename,
        "plan": plan,
        "result": plan.result(),
        "errors": plan.errors,
        "new": shown("create"),
        "changed": shown("update"),
        "limit": PREVIEW_LIMIT,
        "map_route": "orgs:import_map",
        "breadcrumbs": _crumbs(("预览", None)),
    }


@requires("orgs.change")
def upload(request: HttpRequest) -> HttpResponse:
    form, preview = uploads.upload_form(
        request, UploadForm, PENDING, check_org_sheet, _preview_context, "orgs/import_preview.html"
    )
    if preview is not None:
        return preview
    return render(
        request,
        "orgs/import_upload.html",
        {
            "form": form,
            "columns": COLUMN_ORDER,
            "kinds": [k for k in OrgKind if can_change_org(request.scope, k.value)],  # type: ignore[attr-defined]
            "breadcrumbs": _crumbs(),
        },
    )


@requires("orgs.change")
@require_POST
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Write the checked tree: now, or (a big one) by a task the summary page follows.
    `apply_orgs` checks each row again through the audited org actions as it writes."""
    return uploads.confirm(
        request,
        PENDING,
        token,
        "tianping.orgs.importing.apply_orgs",
        "orgs:import_summary",
        message="组织机构已导入{court}：新增{created}个，更新{updated}个，未变{unchanged}个。",
    )


@requires("orgs.change")
@require_POST
def map_values(request: HttpRequest, token: str) -> HttpResponse:
    """Map the unknown words of a held sheet (a court's own 类型) to standard values."""
    return uploads.map_values(
        request,
        token,
        UploadForm,
        PENDING,
        check_org_sheet,
        _preview_context,
        "orgs/import_preview.html",
        do_map_values,
    )


@requires("orgs.change")
def progress(request: HttpRequest) -> HttpResponse:
    """How far the check or the write of this user's sheet has got (polled by the page)."""
    return uploads.progress(request)


@requires("orgs.change")
def summary(request: HttpRequest, token: str) -> HttpResponse:
    """The kept result of a confirmed sheet, or how far its writing has got."""
    context = uploads.written(request, PENDING, token)
    return render(
        request,
        "orgs/import_summary.html",
        {**context, "breadcrumbs": _crumbs(("导入结果", None))},
    )


@requires("orgs.change")
def template(request: HttpRequest) -> HttpResponseBase:
    """An organisation sheet to fill in: its columns, an example row, a drop-down of kinds."""
    return uploads.xlsx_download(org_template(), "组织机构导入模板.xlsx")


routes = [
    path("import/", upload, name="import"),
    # Before the token routes, which would otherwise take "template" for a token.
    path("import/template/", template, name="import_template"),
    path("import/progress/", progress, name="import_progress"),
    path("import/<str:token>/confirm/", confirm, name="import_confirm"),
    path("import/<str:token>/map/", map_values, name="import_map"),
    path("import/<str:token>/", summary, name="import_summary"),
]
