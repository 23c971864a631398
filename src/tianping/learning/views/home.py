"""教育培训's landing page: one card per part, each linking to its pages."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from tianping.accounts.http import AuthenticatedHttpRequest
from tianping.accounts.permissions import requires

PARTS = ("training", "stats", "study", "reading", "quizzes")


@requires("learning.view")
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    cards = [f"learning/{part}/_card.html" for part in PARTS]
    return render(request, "learning/home.html", {"cards": cards})


routes: list[URLPattern] = [path("", home, name="home")]
