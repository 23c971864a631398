from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "tianping.people"
    label = "people"
    verbose_name = "人员"
