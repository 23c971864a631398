from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "tianping.service"
    label = "service"
    verbose_name = "服务与品牌"

    def ready(self) -> None:
        # Derived records follow what activities record (activities know nothing of service).
        from tianping.service.receivers import volunteer  # noqa: F401
