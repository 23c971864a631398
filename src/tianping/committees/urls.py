from tianping.committees import views

app_name = "committees"
urlpatterns = [*views.routes]
