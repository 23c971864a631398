"""The service pages: one module per part of 服务与品牌, each with its `routes`."""

from django.urls import URLPattern

from tianping.service.views import home, volunteer

routes: list[URLPattern] = [
    *home.routes,
    *volunteer.routes,
from tianping.service.views import community, home

routes: list[URLPattern] = [
    *home.routes,
    *community.routes,
from tianping.service.views import brands, home, liaison

routes: list[URLPattern] = [
    *home.routes,
    *liaison.routes,
    *brands.routes,
]
