from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "tianping.activities"
    label = "activities"
    verbose_name = "组织生活与活动"
