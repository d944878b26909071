from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "tongban.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from tongban.audit import labels as audit_labels
        from tongban.core import labels

        labels.register_actions(audit_labels.ACTIONS)
        labels.register_object_types(audit_labels.OBJECT_TYPES)
