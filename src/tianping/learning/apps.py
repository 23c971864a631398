from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _credits_after_migrate(using: str, **kwargs: Any) -> None:
    """A database that holds classes but was never summarised (one upgraded from before
    the credit rows existed) gets them once, as `tianping training-summary --rebuild` would.
    It runs after every migration, on the models as they now are; a summarised database
    (the stamp set) is left alone."""
    from tianping.learning.actions.summary import rebuild_all
    from tianping.learning.models import CreditLineStamp, TrainingClass

    if TrainingClass.objects.using(using).exists() and not (
        CreditLineStamp.objects.using(using).exists()
    ):
        rebuild_all()


class LearningConfig(AppConfig):
    name = "tianping.learning"
    label = "learning"
    verbose_name = "教育培训"

    def ready(self) -> None:
        # Connect the receivers that keep each class's credits current.
        from tianping.learning import receivers  # noqa: F401

        post_migrate.connect(_credits_after_migrate, sender=self)
