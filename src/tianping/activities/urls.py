from tianping.activities import compliance_views, import_views, review_views, settings_views, views
from tianping.activities.history_views import routes as history_routes

app_name = "activities"
urlpatterns = [
    *views.routes,
    *compliance_views.routes,
    *import_views.routes,
    *review_views.routes,
    *settings_views.routes,
    *history_routes,
]
