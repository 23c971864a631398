from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "tianping.learning"
    label = "learning"
    verbose_name = "教育培训"
