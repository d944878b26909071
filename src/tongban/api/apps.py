from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "tongban.api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from tongban.api.idempotency import purge_expired
        from tongban.core import jobs

        jobs.register("api.purge_idempotency_keys", 3600, purge_expired)
