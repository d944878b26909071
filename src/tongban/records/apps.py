from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "tongban.records"
    label = "records"
    verbose_name = _("Records")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tongban.core import jobs, labels
        from tongban.core.http import links
        from tongban.records import labels as records_labels
        from tongban.records import (
            policy_registrations,  # noqa: F401
            services,
        )

        # 四性检测 of what is stored: the least recently checked files, a hundred an hour.
        jobs.register("records.fixity_sweep", 3600, services.fixity_sweep)
        links.register_page("records.record", "records:detail")
        labels.register_actions(records_labels.ACTIONS)
        labels.register_object_types(records_labels.OBJECT_TYPES)
