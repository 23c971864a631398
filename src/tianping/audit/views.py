"""The audit page: who changed what and when, filterable, for admins of the scope."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from tianping.accounts.http import AuthenticatedHttpRequest
from tianping.accounts.permissions import requires
from tianping.accounts.scoping import get_scoped, scoped
from tianping.audit.models import ACTION_LABELS, AuditEvent

DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


class AuditFilterForm(forms.Form):
    q = forms.CharField(
        label="对象",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "姓名、组织名称或工号"}),
    )
    user = forms.CharField(label="操作人", required=False)
    action = forms.ChoiceField(
        label="操作", required=False, choices=[("", "全部"), *ACTION_LABELS.items()]
    )
    since = forms.DateField(label="起始日期", required=False, widget=DATE_WIDGET)
    until = forms.DateField(label="截止日期", required=False, widget=DATE_WIDGET)


def _apply(qs, data: dict):
    if data.get("q"):
        qs = qs.filter(Q(object_repr__contains=data["q"]) | Q(object_id=data["q"]))
    if data.get("user"):
        qs = qs.filter(user_label__icontains=data["user"])
    if data.get("action"):
        qs = qs.filter(action=data["action"])
    if data.get("since"):
        qs = qs.filter(at__date__gte=data["since"])
    if data.get("until"):
        qs = qs.filter(at__date__lte=data["until"])
    return qs


@requires("audit.view")
def event_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    qs = scoped(request.scope, AuditEvent.objects.all())
    if form.is_valid():
        qs = _apply(qs, form.cleaned_data)
    page = Paginator(qs.order_by("-at", "-id"), 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "querystring_page": (params.urlencode() + "&") if params else "",
        "hx_target": "#results",
        "breadcrumbs": [("审计日志", None)],
    }
    if request.htmx and request.htmx.target == "results":
        return render(request, "audit/_results.html", context)
    return render(request, "audit/list.html", context)


@requires("audit.view")
def event_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = get_scoped(request.scope, AuditEvent.objects.select_related("org"), pk=pk)
    return render(
        request,
        "audit/detail.html",
        {
            "event": event,
            "breadcrumbs": [("审计日志", reverse("audit:list")), (f"#{event.pk}", None)],
        },
    )


__all__ = ["event_detail", "event_list"]
