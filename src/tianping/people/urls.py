from django.urls import path

from tianping.people import views

app_name = "people"
urlpatterns: list = []
