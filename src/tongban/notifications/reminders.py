"""Reminders the platform sends by itself, run by ``tongban worker``.

``warn_missing_holiday_arrangement``: from 1 October (``core.calendar.WARN_FROM``), while next
year's State Council holiday arrangement is neither in ``chinese-calendar`` nor entered, every
active system administrator is told once (per year and per administrator) to enter it. It lives
here, not in ``org`` or ``core``, because those layers may not send notifications.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from tongban.audit.services import record
from tongban.core import calendar
from tongban.core.models import HolidayArrangement
from tongban.core.permissions import AdminRole
from tongban.identity.models import User
from tongban.notifications import services
from tongban.notifications.models import Notification, NotificationKind

OBJECT_TYPE = "core.holidayarrangement"


def warn_missing_holiday_arrangement(today: date | None = None) -> int:
    """Worker job: tell each system administrator not yet told that the arrangement of the year
    ``core.calendar.missing_arrangement`` names is not entered. Returns how many were told."""
    today = today or timezone.localdate()
    year = calendar.missing_arrangement(today)
    if year is None:
        return 0
    admins = User.objects.filter(admin_role=AdminRole.SYSTEM, is_active=True)
    told = set(
        Notification.objects.filter(
            kind=NotificationKind.CALENDAR, object_type=OBJECT_TYPE, object_id=str(year)
        ).values_list("recipient_id", flat=True)
    )
    recipients = [admin for admin in admins if admin.pk not in told]
    if not recipients:
        return 0
    with transaction.atomic():
        sent = services.notify(
            recipients,
            kind=NotificationKind.CALENDAR,
            title=gettext_noop("Enter the State Council holiday arrangement for %(year)s"),
            body=gettext_noop(
                "The holiday arrangement for %(year)s is not known yet: from 1 January %(year)s "
                "every time limit counts Monday to Friday as working days, the Spring Festival "
                "included. Enter the notice once it is published, under Working days → Holiday "
                "arrangements."
            ),
            body_is_template=True,
            params={"year": year},
            # The arrangement to be entered, named by its key (the year) before it exists.
            obj=HolidayArrangement(year=year),
        )
        record(
            "core.calendar.arrangement.missing_warning",
            object_type=OBJECT_TYPE,
            object_id=year,
            after={"recipients": sorted(note.recipient.username for note in sent)},
        )
    return len(sent)
