"""Dashboards."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tianping.accounts.permissions import authenticated


@authenticated
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")
