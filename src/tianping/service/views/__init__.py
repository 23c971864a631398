"""The service pages: one module per part of 服务与品牌, each with its `routes`."""

from django.urls import URLPattern

from tianping.service.views import brands, community, home, liaison, volunteer

routes: list[URLPattern] = [
    *home.routes,
    *volunteer.routes,
    *community.routes,
    *liaison.routes,
    *brands.routes,
]
