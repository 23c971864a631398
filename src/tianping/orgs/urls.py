from django.urls import path

from tianping.orgs import views

app_name = "orgs"
urlpatterns: list = []
