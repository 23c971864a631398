"""The talent pages: one module per part of 人才与荣誉, each with its `routes`."""

from django.urls import URLPattern

from tianping.talent.views import competitions, home, honours, pools, typing

routes: list[URLPattern] = [
    *home.routes,
    *honours.routes,
    *pools.routes,
    *competitions.routes,
    *typing.routes,
]
