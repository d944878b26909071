from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "tongban.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from tongban.core import jobs, labels
        from tongban.notifications import labels as notifications_labels
        from tongban.notifications import reminders

        jobs.register(
            "notifications.warn_missing_holiday_arrangement",
            6 * 3600,
            reminders.warn_missing_holiday_arrangement,
        )
        labels.register_actions(notifications_labels.ACTIONS)
        labels.register_object_types(notifications_labels.OBJECT_TYPES)
