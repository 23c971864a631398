"""Pages of the learning part 'reading'."""

from __future__ import annotations

from django.urls import URLPattern

routes: list[URLPattern] = []
