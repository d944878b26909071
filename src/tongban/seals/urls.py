from django.urls import path

from tongban.seals import views

app_name = "seals"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("verify/data/", views.verify_data, name="verify_data"),
    path("verify/<str:token>/", views.verify, name="verify_document"),
    path("ca/crl", views.crl, name="crl"),
    path("ca/tsa", views.time_stamp, name="tsa"),
    path("ca/root.pem", views.root_certificate, name="root"),
    path("seals/sign/", views.seal_document, name="seal_document"),
    path("seals/certificates/", views.certificates, name="certificates"),
    path(
        "seals/certificates/<int:certificate_id>/revoke/",
        views.revoke_certificate,
        name="certificate_revoke",
    ),
    path("seals/image/<str:code>.svg", views.seal_image, name="seal_image"),
    path("seals/certificates/import/", views.import_certificate, name="certificate_import"),
    path(
        "seals/certificates/<int:certificate_id>/image/",
        views.certificate_image,
        name="certificate_image",
    ),
    path("seals/sign-data/", views.sign_data, name="sign_data"),
]
