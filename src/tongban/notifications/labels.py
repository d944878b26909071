"""What the notifications' audited actions and objects are called (core.labels)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "notifications.read": _("Mark notifications read"),
    "notifications.settled": _("Mark notifications read once their matter is settled"),
    "core.calendar.arrangement.missing_warning": _(
        "Warn that next year's holiday arrangement is missing"
    ),
}

OBJECT_TYPES = {
    "notifications.notification": _("Notification"),
}
