from django.urls import path

from tianping.audit import views

app_name = "audit"
urlpatterns: list = []
