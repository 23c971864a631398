from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tianping.audit"
    label = "audit"
    verbose_name = "审计"
