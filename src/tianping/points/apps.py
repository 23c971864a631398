from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "tianping.points"
    label = "points"
    verbose_name = "党员积分"

    def ready(self) -> None:
        # Points follow what activities record (activities know nothing of points).
        from tianping.points import receivers  # noqa: F401
