"""The organisation tree in the JSON API: list, detail, create, rename and move."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from tianping.accounts.api import Paging, page, requires, scope_of
from tianping.accounts.scoping import Scope, can_change_org, get_scoped, scoped
from tianping.lib.inputs import Day, OrgCode, Search, Text
from tianping.orgs import actions
from tianping.orgs.models import Org, OrgKind

router = Router(tags=["组织"])


class OrgOut(Schema):
    code: str
    name: str
    kind: OrgKind
    kind_name: str
    parent: str | None = Field(
        description="上级组织代码；上级在您的范围之外或本身是根节点时为 null"
    )
    depth: int = Field(description="在组织树中的层级，法院根节点为 1")
    is_active: bool
    merged_into: str | None = Field(description="并入的组织代码（支部合并后）")
    dissolved_on: dt.date | None
    founded_on: dt.date | None = Field(description="成立日期；未填写时为 null")
    children_count: int = Field(description="直接下级组织数")


class OrgDetailOut(OrgOut):
    descendant_count: int = Field(description="全部下级组织数")
    children_by_kind: dict[str, int] = Field(description="直接下级按类型计数")


class OrgPage(Schema):
    count: int
    items: list[OrgOut]


class OrgFilters(Paging):
    kind: OrgKind | None = Field(None, description="组织类型")
    parent: OrgCode | None = Field(None, description="上级组织代码：只列其直接下级")
    q: Search = Field("", description="名称或代码包含")
    active: bool | None = Field(None, description="true 只列有效组织，false 只列已撤销的")


class OrgCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    code: OrgCode = Field(..., min_length=1, description="稳定的人工编码，存为大写，如 BT-JY-B03")
    name: Text = Field(..., min_length=1, max_length=100)
    kind: OrgKind
    parent: OrgCode | None = Field(None, description="上级组织代码；只有平台管理员可新建顶级法院")
    founded_on: Day | None = Field(None, description="成立日期，可不填")


class OrgUpdateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    code: OrgCode | None = Field(None, min_length=1)
    name: Text | None = Field(None, min_length=1, max_length=100)
    founded_on: Day | None = Field(None, description="成立日期；传 null 清除")


class OrgMoveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    parent: OrgCode = Field(..., min_length=1, description="新的上级组织代码")


def parent_path(org: Org) -> str:
    return org.path[: -Org.steplen]


def visible_codes(scope: Scope, paths: set[str]) -> dict[str, str]:
    """Codes of the organisations at these paths that the scope may see."""
    if not paths:
        return {}
    return dict(scoped(scope, Org.objects.filter(path__in=paths)).values_list("path", "code"))


def org_data(scope: Scope, org: Org, parents: dict[str, str]) -> dict[str, Any]:
    merged = org.merged_into
    return {
        "code": org.code,
        "name": org.name,
        "kind": org.kind,
        "kind_name": org.get_kind_display(),
        "parent": parents.get(parent_path(org)) if org.depth > 1 else None,
        "depth": org.depth,
        "is_active": org.is_active,
        "merged_into": merged.code
        if merged is not None and scope.covers_path(merged.path)
        else None,
        "dissolved_on": org.dissolved_on,
        "founded_on": org.founded_on,
        "children_count": org.numchild,
    }


def org_detail(scope: Scope, org: Org) -> dict[str, Any]:
    # The subtree of a visible node lies inside the scope: these counts reveal nothing more.
    data = org_data(scope, org, visible_codes(scope, {parent_path(org)}))
    by_kind = (
        scoped(scope, Org.objects.filter(path__startswith=org.path, depth=org.depth + 1))
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by("kind")
    )
    data["children_by_kind"] = {row["kind"]: row["n"] for row in by_kind}
    data["descendant_count"] = (
        scoped(scope, Org.objects.filter(path__startswith=org.path)).exclude(pk=org.pk).count()
    )
    return data


def find_org(scope: Scope, code: str, field: str, kinds: Collection[str] | None = None) -> Org:
    """An organisation named in a request body or filter; absent and out of scope read alike."""
    org = scoped(scope, Org.objects.filter(code=code.strip())).first()
    if org is None:
        raise ValidationError({field: f"找不到代码为“{code}”的组织"})
    if kinds is not None and org.kind not in kinds:
        wanted = "、".join(k.label for k in OrgKind if k in kinds)
        raise ValidationError({field: f"“{org.name}”是{org.get_kind_display()}，这里需要{wanted}"})
    return org


def fresh(scope: Scope, org: Org) -> Org:
    """The organisation as written: a tree write moves paths and counts under the instance."""
    return get_scoped(scope, Org.objects.select_related("merged_into"), pk=org.pk)


def require_change(scope: Scope, kind: str) -> None:
    if not can_change_org(scope, kind):
        raise PermissionDenied("orgs.change")


@router.get("", response=OrgPage, summary="组织列表")
@requires("orgs.view")
def list_orgs(request: HttpRequest, filters: Query[OrgFilters]) -> dict[str, Any]:
    scope = scope_of(request)
    qs = scoped(scope, Org.objects.select_related("merged_into"))
    if filters.kind is not None:
        qs = qs.filter(kind=filters.kind)
    if filters.parent:
        parent = find_org(scope, filters.parent, "parent")
        qs = qs.filter(path__startswith=parent.path, depth=parent.depth + 1)
    if q := filters.q.strip():
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    result = page(qs.order_by("path"), filters)
    parents = visible_codes(scope, {parent_path(o) for o in result["items"] if o.depth > 1})
    result["items"] = [org_data(scope, o, parents) for o in result["items"]]
    return result


@router.get("/{code}", response=OrgDetailOut, summary="组织详情")
@requires("orgs.view")
def get_org(request: HttpRequest, code: OrgCode) -> dict[str, Any]:
    scope = scope_of(request)
    org = get_scoped(scope, Org.objects.select_related("merged_into"), code=code)
    return org_detail(scope, org)


@router.post("", response={201: OrgDetailOut}, summary="新建组织")
@requires("orgs.change")
def create_org(request: HttpRequest, payload: OrgCreateIn) -> Status[dict[str, Any]]:
    scope = scope_of(request)
    parent = None
    if payload.parent:
        parent = find_org(scope, payload.parent, "parent")
        if not parent.is_active:
            raise ValidationError({"parent": f"“{parent.name}”已撤销，不能在其下新建组织"})
    elif not scope.is_global:
        raise PermissionDenied("only a platform admin creates a top-level court")
    require_change(scope, payload.kind)
    name = payload.name.strip()
    if not name:
        raise ValidationError({"name": "名称不能为空"})
    org = actions.do_create_org(
        request.user,
        code=payload.code.strip().upper(),
        name=name,
        kind=payload.kind,
        parent=parent,
        founded_on=payload.founded_on,
    )
    return Status(201, org_detail(scope, fresh(scope, org)))


@router.patch("/{code}", response=OrgDetailOut, summary="修改组织名称或代码")
@requires("orgs.change")
def update_org(request: HttpRequest, code: OrgCode, payload: OrgUpdateIn) -> dict[str, Any]:
    scope = scope_of(request)
    org = get_scoped(scope, Org.objects.all(), code=code)
    require_change(scope, org.kind)
    name = org.name if payload.name is None else payload.name.strip()
    if not name:
        raise ValidationError({"name": "名称不能为空"})
    new_code = payload.code.strip().upper() if payload.code is not None else None
    # A founding date is changed only when the body names it (null clears it).
    founded_on = (
        payload.founded_on if "founded_on" in payload.model_fields_set else actions.UNCHANGED
    )
    # do_update_org leaves no audit row behind for a PATCH that changes nothing.
    actions.do_update_org(request.user, org, name=name, code=new_code, founded_on=founded_on)
    return org_detail(scope, fresh(scope, org))


@router.post("/{code}/move", response=OrgDetailOut, summary="移动到新的上级组织")
@requires("orgs.change")
def move_org(request: HttpRequest, code: OrgCode, payload: OrgMoveIn) -> dict[str, Any]:
    scope = scope_of(request)
    org = get_scoped(scope, Org.objects.all(), code=code)
    require_change(scope, org.kind)
    new_parent = find_org(scope, payload.parent, "parent")
    if not new_parent.is_active:
        raise ValidationError({"parent": f"“{new_parent.name}”已撤销，不能移入"})
    actions.do_move_org(request.user, org, new_parent)
    return org_detail(scope, fresh(scope, org))
