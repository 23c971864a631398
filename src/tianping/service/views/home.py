"""服务与品牌's landing page: one card per part, each linking to its pages."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from tianping.accounts.http import AuthenticatedHttpRequest
from tianping.accounts.permissions import requires

# Each part adds its name here and a card at templates/service/<part>/_card.html.
PARTS: tuple[str, ...] = ("volunteer", "community", "liaison", "brands")


@requires("service.view")
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    cards = [f"service/{part}/_card.html" for part in PARTS]
    return render(request, "service/home.html", {"cards": cards})


routes: list[URLPattern] = [path("", home, name="home")]
