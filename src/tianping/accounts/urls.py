from django.urls import path

from tianping.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("scope/", views.switch_scope, name="switch_scope"),
    path("script/<str:script>/", views.script, name="script"),
    path("me/", views.profile, name="profile"),
    path("users/", views.users, name="users"),
    path("users/<int:pk>/", views.user_detail, name="user"),
]
