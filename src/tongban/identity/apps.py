from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "tongban.identity"
    label = "identity"
    verbose_name = _("Identity")

    def ready(self) -> None:
        from tongban.core import jobs, labels
        from tongban.identity import labels as identity_labels
        from tongban.identity import lockout
        from tongban.identity.services import clear_expired_sessions

        jobs.register("identity.clear_expired_sessions", 3600, clear_expired_sessions)
        jobs.register("identity.prune_sign_in_attempts", 3600, lockout.prune)
        labels.register_actions(identity_labels.ACTIONS)
        labels.register_object_types(identity_labels.OBJECT_TYPES)
