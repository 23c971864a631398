from tianping.talent import views

app_name = "talent"
urlpatterns = [*views.routes]
