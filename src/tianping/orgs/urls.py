from django.urls import path

from tianping.orgs import import_views, views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("new/", views.create, name="create_root"),
    path("pick/", views.pick, name="pick"),
    # Before the code routes, which would otherwise take "import" for a code.
    *import_views.routes,
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/children/", views.children, name="children"),
    path("<str:code>/new/", views.create, name="create"),
    path("<str:code>/edit/", views.edit, name="edit"),
    path("<str:code>/move/", views.move, name="move"),
]
