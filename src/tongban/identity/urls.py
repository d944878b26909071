from django.urls import path

from tongban.identity import views

app_name = "identity"

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("account/password/", views.change_password, name="change_password"),
    path("account/totp/", views.totp_setup, name="totp_setup"),
    path("account/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
