from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "tianping.reports"
    label = "reports"
    verbose_name = "报表"
