"""What the seals app's audited actions and objects are called (core.labels)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "seals.ca.init": _("Set up the platform CA"),
    "seals.certificate.issue": _("Issue a certificate"),
    "seals.certificate.import": _("Import a certificate"),
    "seals.certificate.image": _("Change a seal's image"),
    "seals.certificate.revoke": _("Revoke a certificate"),
    "seals.certificate.expiry_warning": _("Warn that a certificate expires"),
    "seals.sign": _("Seal a PDF with a department's seal"),
    "seals.sign_personal": _("Sign a PDF personally"),
    "seals.sign_data": _("Sign data"),
}

OBJECT_TYPES = {
    "seals.authority": _("Platform CA"),
    "seals.certificate": _("Certificate"),
    "seals.signeddocument": _("Signed PDF"),
}
