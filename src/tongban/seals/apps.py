from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SealsConfig(AppConfig):
    name = "tongban.seals"
    label = "seals"
    verbose_name = _("Seals and signatures")

    def ready(self) -> None:
        from tongban.core import jobs, labels
        from tongban.core.http import links
        from tongban.seals import labels as seals_labels
        from tongban.seals import services

        jobs.register("seals.warn_expiring", 6 * 3600, services.warn_expiring)
        links.register_list("seals.certificate", "seals:certificates")
        labels.register_actions(seals_labels.ACTIONS)
        labels.register_object_types(seals_labels.OBJECT_TYPES)
