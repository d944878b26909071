from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "tongban.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from tongban.core import labels
        from tongban.core.http import links
        from tongban.org import labels as org_labels
        from tongban.org import policy_registrations  # noqa: F401

        # A notification about a year's holiday arrangement opens its form (keyed by the year).
        links.register_page("core.holidayarrangement", "org:calendar_year")
        labels.register_actions(org_labels.ACTIONS)
        labels.register_object_types(org_labels.OBJECT_TYPES)
