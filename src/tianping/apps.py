from django.apps import AppConfig


class TianpingConfig(AppConfig):
    """The project package as an app: site-wide commands (serve, demo, bench, backup)."""

    name = "tianping"
    label = "tianping"
    verbose_name = "天平"
