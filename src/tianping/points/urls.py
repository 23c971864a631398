from tianping.points import views

app_name = "points"
urlpatterns = [*views.routes]
