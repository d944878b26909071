"""Every app's pages under its own namespace, the API at /api/v1/, health and the language switch."""

from django.urls import include, path

from tongban.api.api import api
from tongban.web import views_health

urlpatterns = [
    path("healthz", views_health.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("tongban.web.urls")),
    path("", include("tongban.identity.urls")),
    path("", include("tongban.org.urls")),
    path("", include("tongban.notifications.urls")),
    path("", include("tongban.workflow.urls")),
    path("", include("tongban.seals.urls")),
    path("", include("tongban.records.urls")),
    path("", include("tongban.documents.urls")),
]
