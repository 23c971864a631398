from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "tianping.learning"
    label = "learning"
    verbose_name = "教育培训"

    def ready(self) -> None:
        # Connect the receivers that keep each class's credits current.
        from tianping.learning import receivers  # noqa: F401
