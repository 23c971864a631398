from tianping.learning import views

app_name = "learning"
urlpatterns = [*views.routes]
