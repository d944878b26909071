"""``{% unknown_year_note day %}``: a badge after a due date that was counted across a year whose
State Council holiday arrangement is not known (Monday to Friday were counted as working days).

    {% load working_days %}
    {{ task.due_on|date:"Y-m-d" }}{% unknown_year_note task.due_on %}

A date in the years ``chinese-calendar`` knows costs nothing; otherwise the entered years are
read once per request (kept on the request).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from tongban.core import calendar

register = template.Library()

_CACHE_ATTR = "_tongban_entered_years"


def _entered(context: template.Context) -> set[int]:
    request = context.get("request")
    cached: set[int] | None = getattr(request, _CACHE_ATTR, None)
    if cached is None:
        cached = calendar.entered_years()
        if request is not None:
            setattr(request, _CACHE_ATTR, cached)
    return cached


def uncertain_years_of(day: Any, context: template.Context | None = None) -> list[int]:
    """The unknown years a stored due date ``day`` was counted across: from today (or the day, if
    it has passed) to the day."""
    if not isinstance(day, date) or isinstance(day, datetime):
        return []
    start = min(timezone.localdate(), day)
    if all(calendar.package_covers(y) for y in range(start.year, day.year + 1)):
        return []
    entered = _entered(context) if context is not None else None
    return calendar.uncertain_years(start, day, entered=entered)


@register.simple_tag(takes_context=True)
def unknown_year_note(context: template.Context, day: Any) -> SafeString | str:
    """A short badge (with a title saying why) when ``day`` is uncertain; nothing otherwise."""
    years = uncertain_years_of(day, context)
    if not years:
        return ""
    names = ", ".join(str(y) for y in years)
    return format_html(
        ' <span class="badge badge-warn" title="{}">{}</span>',
        _(
            "The State Council holiday arrangement for %(years)s has not been entered: this date "
            "counts Monday to Friday as working days and may move once it is."
        )
        % {"years": names},
        _("%(years)s holidays not entered") % {"years": names},
    )
