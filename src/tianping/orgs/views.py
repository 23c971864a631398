"""Pages of the organisation tree: browse, see a node, create, rename, move.

A node's people and branch merges move people, so those pages live in the people app."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.forms import ChoiceField
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from tianping.accounts.http import AuthenticatedHttpRequest
from tianping.accounts.permissions import requires
from tianping.accounts.scoping import can_change_org, get_scoped, scoped
from tianping.audit.models import AuditEvent
from tianping.lib.errors import add_errors
from tianping.orgs import actions
from tianping.orgs.forms import OrgCreateForm, OrgEditForm, OrgMoveForm
from tianping.orgs.models import ALLOWED_PARENTS, Org, OrgKind
from tianping.orgs.queries import pick_orgs


def _crumbs(org: Org, scope) -> list[tuple[str, str | None]]:
    crumbs: list[tuple[str, str | None]] = [("组织机构", reverse("orgs:tree"))]
    for node in org.breadcrumbs():
        if scope.covers_path(node.path):
            crumbs.append(
                (node.name, reverse("orgs:detail", args=[node.code]) if node != org else None)
            )
    return crumbs


def _require_change(request: AuthenticatedHttpRequest, org: Org) -> None:
    if not can_change_org(request.scope, org.kind):
        raise PermissionDenied("orgs.change")


@requires("orgs.view")
def tree(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = request.scope
    q = request.GET.get("q", "").strip()
    visible = scoped(scope, Org.objects.all())
    if q:
        matches = visible.filter(Q(name__contains=q) | Q(code__icontains=q)).order_by("path")[:200]
        return render(
            request,
            "orgs/tree.html",
            {"q": q, "matches": matches, "breadcrumbs": [("组织机构", None)]},
        )
    if scope.is_global:
        roots = Org.objects.filter(depth=1).order_by("path")
    else:
        roots = visible.filter(pk=scope.root_id)
    return render(
        request, "orgs/tree.html", {"roots": roots, "q": q, "breadcrumbs": [("组织机构", None)]}
    )


@requires("orgs.view")
def children(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    org = get_scoped(request.scope, Org.objects.all(), code=code)
    nodes = scoped(request.scope, Org.objects.get_children(org)).order_by("-is_active", "path")
    return render(request, "orgs/_children.html", {"nodes": nodes})


@requires("orgs.view")
def detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    scope = request.scope
    org = get_scoped(scope, Org.objects.select_related("merged_into"), code=code)
    kids = scoped(scope, Org.objects.get_children(org)).order_by("-is_active", "path")
    history = scoped(
        scope, AuditEvent.objects.filter(object_type="orgs.org", object_id=str(org.pk))
    )[:20]
    return render(
        request,
        "orgs/detail.html",
        {
            "org": org,
            "children": kids,
            "merged_from": org.merged_from.all(),
            "history": history,
            "can_change": can_change_org(scope, org.kind),
            "child_kinds": [
                k for k in OrgKind if org.kind in ALLOWED_PARENTS[k] and can_change_org(scope, k)
            ],
            "on": request.GET.get("on", ""),
            "breadcrumbs": _crumbs(org, scope),
        },
    )


@requires("orgs.change")
def create(request: AuthenticatedHttpRequest, code: str | None = None) -> HttpResponse:
    scope = request.scope
    parent = get_scoped(scope, Org.objects.all(), code=code) if code else None
    if parent is None and not scope.is_global:
        raise PermissionDenied("only a platform admin creates a top-level court")
    form = OrgCreateForm(parent, request.POST or None, initial={"kind": request.GET.get("kind")})
    kinds = cast(ChoiceField, form.fields["kind"])
    offered = cast(list[tuple[str, str]], kinds.choices)
    kinds.choices = [c for c in offered if can_change_org(scope, c[0])]
    if request.method == "POST" and form.is_valid():
        try:
            org = actions.do_create_org(request.user, parent=parent, **form.cleaned_data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, f"已创建{org.get_kind_display()}“{org.name}”。")
            return redirect("orgs:detail", code=org.code)
    crumbs = _crumbs(parent, scope) if parent else [("组织机构", reverse("orgs:tree"))]
    return render(
        request,
        "orgs/form.html",
        {
            "form": form,
            "title": f"在“{parent.name}”下新建" if parent else "新建法院",
            "parent": parent,
            "breadcrumbs": [
                *crumbs[:-1],
                (crumbs[-1][0], reverse("orgs:detail", args=[parent.code]) if parent else None),
                ("新建", None),
            ],
        },
    )


@requires("orgs.change")
def edit(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    org = get_scoped(request.scope, Org.objects.all(), code=code)
    _require_change(request, org)
    form = OrgEditForm(
        request.POST or None,
        initial={"code": org.code, "name": org.name, "founded_on": org.founded_on},
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_org(request.user, org, **form.cleaned_data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, f"已保存“{org.name}”。")
            return redirect("orgs:detail", code=org.code)
    return render(
        request,
        "orgs/form.html",
        {
            "form": form,
            "title": f"修改“{org.name}”",
            "org": org,
            "breadcrumbs": [*_with_link(_crumbs(org, request.scope), org), ("修改", None)],
        },
    )


def _with_link(crumbs: list, org: Org) -> list:
    return [*crumbs[:-1], (org.name, reverse("orgs:detail", args=[org.code]))]


@requires("orgs.change")
def move(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    scope = request.scope
    org = get_scoped(scope, Org.objects.all(), code=code)
    _require_change(request, org)
    candidates = (
        scoped(
            scope, Org.objects.filter(kind__in=ALLOWED_PARENTS[OrgKind(org.kind)], is_active=True)
        )
        .exclude(path__startswith=org.path)
        .order_by("path")
    )
    form = OrgMoveForm(candidates, ALLOWED_PARENTS[OrgKind(org.kind)], request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_move_org(request.user, org, form.cleaned_data["parent"])
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(
                request, f"已将“{org.name}”移至“{form.cleaned_data['parent'].name}”之下。"
            )
            return redirect("orgs:detail", code=org.code)
    return render(
        request,
        "orgs/form.html",
        {
            "form": form,
            "title": f"移动“{org.name}”",
            "org": org,
            "breadcrumbs": [*_with_link(_crumbs(org, scope), org), ("移动", None)],
        },
    )


@requires("orgs.view")
def pick(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A picker's matches: organisations in scope by name or code, as list items (HTMX)."""
    field = request.GET.get("field", "q")
    text = request.GET.get(field, "")
    matches, more = pick_orgs(
        request.scope,
        text,
        kinds=request.GET.get("kinds", "").split(","),
        active=request.GET.get("active") == "1",
    )
    return render(
        request,
        "pickers/options.html",
        {"options": matches, "more": more, "text": text.strip(), "field": field},
    )
