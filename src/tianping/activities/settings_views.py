"""A court's frequencies for the configurable obligations of R1.5 (党课, 谈心谈话, 中心组学习)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse

from tianping.accounts.http import AuthenticatedHttpRequest
from tianping.accounts.permissions import requires
from tianping.accounts.scoping import get_scoped, scoped
from tianping.activities import kinds
from tianping.activities.actions import do_set_obligation
from tianping.activities.models import ObligationSetting
from tianping.orgs.models import COURT_KINDS, Org


@requires("compliance.manage")
def obligation_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = request.scope
    courts = scoped(scope, Org.objects.filter(kind__in=COURT_KINDS)).order_by("path")
    code = request.GET.get("court") or request.POST.get("court")
    court = get_scoped(scope, courts, code=code) if code else courts.first()
    if court is None:
        return render(request, "accounts/404.html", status=404)
    if request.method == "POST":
        try:
            do_set_obligation(
                request.user,
                court,
                request.POST.get("obligation", ""),
                request.POST.get("period", ""),
                int(request.POST.get("count") or 0),
                restore="restore" in request.POST,
            )
        except (ValidationError, ValueError) as e:
            messages.error(request, "；".join(getattr(e, "messages", [str(e)])))
        else:
            messages.success(
                request,
                "已恢复默认频次。"
                if "restore" in request.POST
                else "频次已保存，合规检查即按新频次计算。",
            )
        return redirect(f"{reverse('activities:obligation_settings')}?court={court.code}")
    overrides = {s.obligation: s for s in ObligationSetting.objects.filter(court=court)}
    rows = []
    for o in kinds.OBLIGATIONS.values():
        if not o.configurable:
            continue
        own = overrides.get(o.code)
        rows.append(
            {
                "obligation": o,
                "period": own.period if own else o.period.value,
                "count": own.count if own else o.count,
                "default": kinds.frequency_text(o),
                "own": own is not None,
            }
        )
    return render(
        request,
        "activities/obligation_settings.html",
        {
            "court": court,
            "courts": courts,
            "rows": rows,
            "periods": kinds.PERIOD_WORDS,
            "breadcrumbs": [("组织生活合规", reverse("activities:compliance")), ("频次设置", None)],
        },
    )


routes = [path("compliance/settings/", obligation_settings, name="obligation_settings")]
