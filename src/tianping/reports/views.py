"""Dashboards: the workforce profile of the user's scope, as charts with their numbers."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from tianping.accounts.http import LoggedInHttpRequest
from tianping.accounts.permissions import authenticated
from tianping.reports.queries import dashboard_figures


@authenticated
def dashboard(request: LoggedInHttpRequest) -> HttpResponse:
    scope = request.scope
    if not scope:
        return render(request, "reports/no_role.html")
    if not scope.can("dashboard.view"):
        # A member has no dashboard of others; their page is their own record.
        return redirect("people:me")
    figures = dashboard_figures(scope, timezone.localdate())
    profile = figures.profile
    charts = {
        b.title: [{"name": label, "value": n} for label, n in b.rows] for b in profile.breakdowns
    }
    charts["年龄结构"] = [{"name": label, "value": n} for label, n in profile.generations.rows]
    return render(
        request,
        "reports/dashboard.html",
        {
            "profile": profile,
            "charts": charts,
            "compliance_summary": figures.compliance,
            "training_shortfall": figures.training_shortfall,
            "year": timezone.localdate().year,
            "breadcrumbs": [("工作台", None)],
        },
    )
