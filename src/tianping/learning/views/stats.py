"""Pages of the learning part 'stats'."""

from __future__ import annotations

from django.urls import URLPattern

routes: list[URLPattern] = []
