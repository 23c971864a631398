"""The talent pages: one module per part of 人才与荣誉, each with its `routes`."""

from django.urls import URLPattern

from tianping.talent.views import home, honours, pools

routes: list[URLPattern] = [
    *home.routes,
    *honours.routes,
    *pools.routes,
from tianping.talent.views import competitions, home

routes: list[URLPattern] = [
    *home.routes,
    *competitions.routes,
from tianping.talent.views import home
from tianping.talent.views import typing as typing_views

routes: list[URLPattern] = [
    *home.routes,
    *typing_views.routes,
]
