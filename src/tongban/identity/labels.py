"""What the identity app's audited actions and objects are called (core.labels)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "identity.sign_in": _("Sign in"),
    "identity.sign_out": _("Sign out"),
    "identity.lockout": _("Lock sign-in after failed attempts"),
    "identity.password.change": _("Change one's own password"),
    "identity.password.reset": _("Reset a staff member's password"),
    "identity.password.set": _("Set a password at the command line"),
    "identity.token.issue": _("Issue an API token"),
    "identity.token.revoke": _("Revoke an API token"),
    "identity.totp.enable": _("Turn on the second factor"),
    "identity.totp.disable": _("Turn off the second factor"),
    "identity.user.create": _("Create an account"),
    "identity.user.set_active": _("Enable or disable an account"),
    "identity.clearance.grant": _("Grant security clearance"),
}

OBJECT_TYPES = {
    "identity.user": _("Account"),
    "identity.apitoken": _("API token"),
}
