from django.urls import path

from tongban.records import views

app_name = "records"

urlpatterns = [
    path("records/", views.records, name="list"),
    path("records/appraisal/", views.records_appraisal, name="appraisal"),
    path("records/disposals/", views.records_disposals, name="disposals"),
    path(
        "records/disposals/<int:appraisal_id>/approve/",
        views.disposal_approve,
        name="disposal_approve",
    ),
    path(
        "records/disposals/<int:appraisal_id>/reject/",
        views.disposal_reject,
        name="disposal_reject",
    ),
    path("records/verify/", views.records_verify, name="verify"),
    path("records/fonds/", views.records_fonds, name="fonds"),
    path("records/package/", views.records_batch_package, name="batch_package"),
    path("records/<int:record_id>/", views.record_detail, name="detail"),
    path("records/<int:record_id>/files/<int:file_id>/", views.record_file, name="file"),
    path("records/<int:record_id>/fixity/", views.record_fixity, name="fixity"),
    path("records/<int:record_id>/package/", views.record_package, name="package"),
    path("records/<int:record_id>/keep/", views.record_keep, name="keep"),
    path(
        "records/<int:record_id>/propose-disposal/",
        views.record_propose_disposal,
        name="propose_disposal",
    ),
]
