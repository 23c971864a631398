from django.apps import AppConfig


class CommitteesConfig(AppConfig):
    name = "tianping.committees"
    label = "committees"
    verbose_name = "支部委员会与换届"
