"""The site's URLs: one include per app, the API under /api/v1/."""

from django.urls import include, path

from tianping.api import api

urlpatterns = [
    path("", include("tianping.reports.urls")),
    path("accounts/", include("tianping.accounts.urls")),
    path("orgs/", include("tianping.orgs.urls")),
    path("people/", include("tianping.people.urls")),
    path("activities/", include("tianping.activities.urls")),
    path("points/", include("tianping.points.urls")),
    path("recruitment/", include("tianping.recruitment.urls")),
    path("dues/", include("tianping.dues.urls")),
    path("committees/", include("tianping.committees.urls")),
    path("learning/", include("tianping.learning.urls")),
    path("service/", include("tianping.service.urls")),
    path("talent/", include("tianping.talent.urls")),
    path("audit/", include("tianping.audit.urls")),
    path("api/v1/", api.urls),
]

handler403 = "tianping.accounts.views.forbidden"
handler404 = "tianping.accounts.views.not_found"
handler500 = "tianping.accounts.views.server_error"
