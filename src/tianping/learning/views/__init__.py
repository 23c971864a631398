"""The learning pages: one module per part of 教育培训, each with its `routes`."""

from django.urls import URLPattern

from tianping.learning.views import home, quizzes, reading, stats, study, training

routes: list[URLPattern] = [
    *home.routes,
    *training.routes,
    *stats.routes,
    *study.routes,
    *reading.routes,
    *quizzes.routes,
]
