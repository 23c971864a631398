from tianping.dues import views

app_name = "dues"
urlpatterns = [*views.routes]
