from django.apps import AppConfig


class TalentConfig(AppConfig):
    name = "tianping.talent"
    label = "talent"
    verbose_name = "人才与荣誉"
