from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "tianping.service"
    label = "service"
    verbose_name = "服务与品牌"
