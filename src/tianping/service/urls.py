from tianping.service import views

app_name = "service"
urlpatterns = [*views.routes]
