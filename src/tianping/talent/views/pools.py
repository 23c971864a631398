"""人才库 pages: the pools, a pool with its members (the flagged first), its rules, an
eligibility run that proposes nominations, a member's evidence and history with the steps
an officer takes (admit, decline, review, leave), and the fairness view. Reads in
`queries.pools`, writes in `actions.pools`, rules in `eligibility`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from tianping.accounts.http import AuthenticatedHttpRequest
from tianping.accounts.permissions import requires
from tianping.accounts.scoping import get_scoped, scoped
from tianping.lib.errors import add_errors, error_text
from tianping.lib.pickers import people_pick_field
from tianping.orgs.models import Org
from tianping.people.models import Person
from tianping.talent.actions import pools as actions
from tianping.talent.eligibility import REGISTRY, describe
from tianping.talent.models import MemberStatus, PoolKind, PoolMember, TalentPool
from tianping.talent.queries import pools as queries

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
RUN_LIMIT = 500


def _crumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [("人才与荣誉", reverse("talent:home")), ("人才库", reverse("talent:pools")), *extra]


def _pool(request: AuthenticatedHttpRequest, pool_id: int) -> TalentPool:
    return get_scoped(request.scope, TalentPool.objects.select_related("court"), pk=pool_id)


def _managed(request: AuthenticatedHttpRequest, pool_id: int) -> TalentPool:
    pool = _pool(request, pool_id)
    if not request.scope.covers_path(pool.court.path):
        raise PermissionDenied("talent.manage")
    return pool


def _on(request: AuthenticatedHttpRequest) -> dt.date:
    try:
        on = dt.date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        return timezone.localdate()
    return on if dt.date(1950, 1, 1) <= on <= dt.date(2100, 12, 31) else timezone.localdate()


# ---------------------------------------------------------------------------------------
# Rules as a form: one field per registered criterion, blank for "not a rule of this pool"


def _rule_fields(form: forms.Form) -> None:
    for code, criterion in REGISTRY.items():
        form.fields[f"rule_{code}"] = criterion.field()


def _rules_initial(pool: TalentPool | None) -> dict[str, Any]:
    return {f"rule_{r['criterion']}": r["value"] for r in (pool.rules if pool else [])}


def _rules_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    rules = []
    for code in REGISTRY:
        value = data.get(f"rule_{code}")
        if value in (None, "", [], False):
            continue
        if isinstance(value, Decimal):
            value = str(value)
        rules.append({"criterion": code, "value": value})
    return rules


class PoolForm(forms.Form):
    court = forms.ModelChoiceField(label="所属法院", queryset=Org.objects.none(), empty_label=None)
    kind = forms.ChoiceField(label="人才库类别", choices=PoolKind.choices)
    name = forms.CharField(label="名称", max_length=100)
    description = forms.CharField(
        label="说明", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, courts: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["court"].queryset = courts  # type: ignore[attr-defined]
        _rule_fields(self)


class RulesForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _rule_fields(self)


@requires("talent.view")
def pool_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    pools = list(queries.pool_list(request.scope))
    return render(
        request,
        "talent/pools/list.html",
        {
            "pools": [(p, describe(p.rules)) for p in pools],
            "mine": list(queries.my_memberships(request.scope, request.user.person_id)),
            "breadcrumbs": _crumbs(),
        },
    )


@requires("talent.manage")
def pool_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    courts = scoped(request.scope, Org.objects.courts()).order_by("path")
    form = PoolForm(courts, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            pool = actions.do_create_pool(
                request.user,
                d["court"],
                kind=d["kind"],
                name=d["name"],
                description=d["description"],
                rules=_rules_of(d),
            )
        except ValidationError as e:
            add_errors(form, e, {"rules": "__all__"})
        else:
            messages.success(request, f"已设立人才库“{pool.name}”")
            return redirect("talent:pool", pool_id=pool.pk)
    return render(
        request,
        "talent/pools/form.html",
        {"form": form, "title": "设立人才库", "breadcrumbs": _crumbs(("设立人才库", None))},
    )


@requires("talent.manage")
def pool_rules(request: AuthenticatedHttpRequest, pool_id: int) -> HttpResponse:
    pool = _managed(request, pool_id)
    form = RulesForm(request.POST or None, initial=_rules_initial(pool))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_set_rules(request.user, pool, _rules_of(form.cleaned_data))
        except ValidationError as e:
            add_errors(form, e, {"rules": "__all__"})
        else:
            messages.success(request, "已修改入库条件；不再符合条件的在库人员将在人才库页面标出。")
            return redirect("talent:pool", pool_id=pool.pk)
    return render(
        request,
        "talent/pools/form.html",
        {
            "form": form,
            "pool": pool,
            "title": f"入库条件：{pool.name}",
            "breadcrumbs": _crumbs(
                (pool.name, reverse("talent:pool", args=[pool.pk])), ("入库条件", None)
            ),
        },
    )


class NominateForm(forms.Form):
    people = people_pick_field(label="提名人员", queryset=Person.objects.none())
    note = forms.CharField(label="提名说明", max_length=500, required=False)

    def __init__(self, pool: TalentPool, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            court__path__startswith=pool.court.path
        ).serving()


@requires("talent.view")
def pool_detail(request: AuthenticatedHttpRequest, pool_id: int) -> HttpResponse:
    pool = _pool(request, pool_id)
    on = _on(request)
    show_closed = request.GET.get("closed") == "1"
    rows = queries.pool_members(request.scope, pool, on, include_closed=show_closed)
    can_manage = request.scope.can("talent.manage") and request.scope.covers_path(pool.court.path)
    return render(
        request,
        "talent/pools/detail.html",
        {
            "pool": pool,
            "rules": describe(pool.rules),
            "rows": rows,
            "flagged": sum(1 for r in rows if r.flagged),
            "admitted": sum(1 for r in rows if r.member.status == MemberStatus.ADMITTED),
            "nominated": sum(1 for r in rows if r.member.status == MemberStatus.NOMINATED),
            "on": on,
            "show_closed": show_closed,
            "can_manage": can_manage,
            "form": NominateForm(pool) if can_manage else None,
            "breadcrumbs": _crumbs((pool.name, None)),
        },
    )


@requires("talent.manage")
def pool_run(request: AuthenticatedHttpRequest, pool_id: int) -> HttpResponse:
    """符合条件人员: who meets every rule at a date, with the evidence; tick to nominate."""
    pool = _managed(request, pool_id)
    on = _on(request)
    candidates, held = queries.run(pool, on)
    fresh = [c for c in candidates if c.person["id"] not in held]
    return render(
        request,
        "talent/pools/run.html",
        {
            "pool": pool,
            "rules": describe(pool.rules),
            "on": on,
            "total": len(candidates),
            "held": len(candidates) - len(fresh),
            "candidates": fresh[:RUN_LIMIT],
            "more": max(0, len(fresh) - RUN_LIMIT),
            "breadcrumbs": _crumbs(
                (pool.name, reverse("talent:pool", args=[pool.pk])), ("符合条件人员", None)
            ),
        },
    )


@requires("talent.manage")
def pool_nominate(request: AuthenticatedHttpRequest, pool_id: int) -> HttpResponse:
    pool = _managed(request, pool_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    note = request.POST.get("note", "")[:500]
    base = Person.objects.filter(court__path__startswith=pool.court.path).serving()
    if "person" in request.POST:  # ticked in an eligibility run
        ids = [int(v) for v in request.POST.getlist("person") if v.isdigit()][:RUN_LIMIT]
        people = list(base.filter(pk__in=ids).select_related("court"))
    else:
        form = NominateForm(pool, request.POST)
        if not form.is_valid():
            messages.error(
                request,
                "提名未保存：" + "；".join(str(m) for errs in form.errors.values() for m in errs),
            )
            return redirect("talent:pool", pool_id=pool.pk)
        people = list(form.cleaned_data["people"].select_related("court"))
        note = form.cleaned_data["note"]
    try:
        made = actions.do_nominate(request.user, pool, people, note=note)
    except ValidationError as e:
        messages.error(request, "提名未保存：" + error_text(e))
    else:
        messages.success(
            request, f"已提名{len(made)}人：{'、'.join(m.person.name for m in made[:20])}"
        )
    return redirect("talent:pool", pool_id=pool.pk)


def _member(request: AuthenticatedHttpRequest, member_id: int) -> PoolMember:
    return get_scoped(
        request.scope,
        PoolMember.objects.select_related("pool", "pool__court", "person", "person__court"),
        pk=member_id,
    )


class StepForm(forms.Form):
    note = forms.CharField(label="说明或理由", max_length=500, required=False)
    on = forms.DateField(label="日期", required=False, widget=DATE_WIDGET)


@requires("talent.view")
def member_detail(request: AuthenticatedHttpRequest, member_id: int) -> HttpResponse:
    member = _member(request, member_id)
    on = _on(request)
    check = queries.check_people(member.pool, on, [member.person_id]).get(member.person_id)
    can_manage = request.scope.can("talent.manage") and request.scope.covers_path(
        member.pool.court.path
    )
    return render(
        request,
        "talent/pools/member.html",
        {
            "member": member,
            "check": check,
            "on": on,
            "history": list(queries.member_history(request.scope, member)),
            "can_manage": can_manage,
            "form": StepForm(initial={"on": timezone.localdate()}) if can_manage else None,
            "breadcrumbs": _crumbs(
                (member.pool.name, reverse("talent:pool", args=[member.pool_id])),
                (member.person.name, None),
            ),
        },
    )


STEPS = {
    "admit": (actions.do_admit, "已入库"),
    "decline": (actions.do_decline, "已决定不予入库"),
    "review": (actions.do_review, "已完成年度复核"),
    "leave": (actions.do_leave, "已出库"),
}


@requires("talent.manage")
def member_step(request: AuthenticatedHttpRequest, member_id: int, step: str) -> HttpResponse:
    member = _member(request, member_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if step not in STEPS or not request.scope.covers_path(member.pool.court.path):
        raise PermissionDenied("talent.manage")
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "未保存：" + "；".join(str(m) for errs in form.errors.values() for m in errs)
        )
        return redirect("talent:pool_member", member_id=member.pk)
    action: Any
    action, done = STEPS[step]
    note, on = form.cleaned_data["note"] or "", form.cleaned_data["on"]
    kwargs: dict[str, Any] = {"on": on}
    kwargs["reason" if step in ("decline", "leave") else "note"] = note
    try:
        action(request.user, member, **kwargs)
    except ValidationError as e:
        messages.error(request, "未保存：" + error_text(e))
    else:
        messages.success(request, f"{member.person.name}{done}")
    return redirect("talent:pool_member", member_id=member.pk)


@requires("talent.manage")
def pool_fairness(request: AuthenticatedHttpRequest, pool_id: int) -> HttpResponse:
    pool = _managed(request, pool_id)
    on = _on(request)
    splits = queries.fairness(pool, on)
    charts = {
        f"在库人员·{s.name}": [{"name": g, "value": n} for g, n, _, _, _ in s.rows] for s in splits
    }
    return render(
        request,
        "talent/pools/fairness.html",
        {
            "pool": pool,
            "splits": splits,
            "charts": charts,
            "on": on,
            "breadcrumbs": _crumbs(
                (pool.name, reverse("talent:pool", args=[pool.pk])), ("结构分析", None)
            ),
        },
    )


routes: list[URLPattern] = [
    path("pools/", pool_list, name="pools"),
    path("pools/new/", pool_create, name="pool_new"),
    path("pools/<int:pool_id>/", pool_detail, name="pool"),
    path("pools/<int:pool_id>/rules/", pool_rules, name="pool_rules"),
    path("pools/<int:pool_id>/run/", pool_run, name="pool_run"),
    path("pools/<int:pool_id>/nominate/", pool_nominate, name="pool_nominate"),
    path("pools/<int:pool_id>/fairness/", pool_fairness, name="pool_fairness"),
    path("pools/members/<int:member_id>/", member_detail, name="pool_member"),
    path("pools/members/<int:member_id>/<str:step>/", member_step, name="pool_member_step"),
]
