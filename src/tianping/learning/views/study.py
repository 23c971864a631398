"""Pages of the learning part 'study'."""

from __future__ import annotations

from django.urls import URLPattern

routes: list[URLPattern] = []
