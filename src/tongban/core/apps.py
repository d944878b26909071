from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tongban.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from tongban.core import jobs
        from tongban.core.http.idempotency import purge_expired

        jobs.register("core.purge_idempotency_keys", 3600, purge_expired)
