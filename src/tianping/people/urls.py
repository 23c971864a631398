from django.urls import path

from tianping.people import views
from tianping.people.import_views import import_urlpatterns

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("export/", views.export, name="export"),
    path("new/", views.create, name="create"),
    path("me/", views.me, name="me"),
    path("pick/", views.pick, name="pick"),
    path("birthdays/", views.birthdays, name="birthdays"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/transfer/", views.transfer, name="transfer"),
    path("orgs/<str:code>/members/", views.org_members, name="org_members"),
    path("orgs/<str:code>/merge/", views.merge_branch, name="merge_branch"),
]
urlpatterns += import_urlpatterns
