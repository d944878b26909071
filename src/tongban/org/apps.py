from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "tongban.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from tongban.core.http import links
        from tongban.org import policy_registrations  # noqa: F401

        # A notification about a year's holiday arrangement opens its form (keyed by the year).
        links.register_page("core.holidayarrangement", "org:calendar_year")
