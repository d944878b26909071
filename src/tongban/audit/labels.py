"""What the audit app's own actions and objects are called (core.labels)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "audit.export": _("Export the audit trail"),
    "audit.verify": _("Verify the audit trail"),
}

OBJECT_TYPES = {
    "audit.auditentry": _("Audit trail"),
}
