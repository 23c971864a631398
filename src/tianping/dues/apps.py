from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "tianping.dues"
    label = "dues"
    verbose_name = "党费"
