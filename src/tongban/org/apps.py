from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "tongban.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from tongban.org import policy_registrations  # noqa: F401
