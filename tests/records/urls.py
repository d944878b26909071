"""A URLconf for the records tests before the integrator wires the records into
``web/urls.py`` and ``api/api.py``: the platform's own URLs plus the lines the report asks for
(the same paths and names), and an API with the records router mounted at /api/v1/ in front of
the platform's API (same authentication and problem+json handlers)."""

from django.urls import include, path
from ninja import NinjaAPI

from tongban import urls as platform
from tongban.api.api import ReadableJSONRenderer
from tongban.api.api import api as platform_api
from tongban.api.auth import AUTH
from tongban.api.routers import records as records_api
from tongban.web import urls as web_urls
from tongban.web import views_records

# --- the lines for src/tongban/web/urls.py (urlpatterns) ---------------------------------------
RECORDS_URLS = [
    path("records/", views_records.records, name="records"),
    path("records/appraisal/", views_records.records_appraisal, name="records_appraisal"),
    path("records/disposals/", views_records.records_disposals, name="records_disposals"),
    path(
        "records/disposals/<int:appraisal_id>/approve/",
        views_records.disposal_approve,
        name="disposal_approve",
    ),
    path(
        "records/disposals/<int:appraisal_id>/reject/",
        views_records.disposal_reject,
        name="disposal_reject",
    ),
    path("records/verify/", views_records.records_verify, name="records_verify"),
    path("records/fonds/", views_records.records_fonds, name="records_fonds"),
    path("records/package/", views_records.records_batch_package, name="records_batch_package"),
    path("records/<int:record_id>/", views_records.record_detail, name="record_detail"),
    path(
        "records/<int:record_id>/files/<int:file_id>/",
        views_records.record_file,
        name="record_file",
    ),
    path("records/<int:record_id>/fixity/", views_records.record_fixity, name="record_fixity"),
    path("records/<int:record_id>/package/", views_records.record_package, name="record_package"),
    path("records/<int:record_id>/keep/", views_records.record_keep, name="record_keep"),
    path(
        "records/<int:record_id>/propose-disposal/",
        views_records.record_propose_disposal,
        name="record_propose_disposal",
    ),
]
# -----------------------------------------------------------------------------------------------

wired = any(getattr(p, "name", "") == "records" for p in web_urls.urlpatterns)
api = NinjaAPI(
    renderer=ReadableJSONRenderer(),
    title="tongban API (records tests)",
    version="1-records-tests",
    auth=AUTH,
    urls_namespace="records_tests_api",
    docs_url=None,
)
for exc_class, handler in platform_api._exception_handlers.items():
    api.add_exception_handler(exc_class, handler)
api.add_router("", records_api.router)

urlpatterns = [
    path("api/v1/", api.urls),
    *[p for p in platform.urlpatterns if getattr(p, "app_name", None) != "web"],
    path(
        "",
        include(
            (list(web_urls.urlpatterns) + ([] if wired else RECORDS_URLS), "web"),
            namespace="web",
        ),
    ),
]
