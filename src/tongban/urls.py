from django.urls import include, path

from tongban.api.api import api
from tongban.web import views_health

urlpatterns = [
    path("healthz", views_health.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("tongban.web.urls")),
]
