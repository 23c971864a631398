from tianping.recruitment import views

app_name = "recruitment"
urlpatterns = [*views.routes]
