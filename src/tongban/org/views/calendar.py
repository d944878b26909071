"""The working-day calendar: the next weeks and local arrangements (本地调整), and the national
holiday arrangement of each year (年度节假日安排): which years are known and from where, and the
form (or file import) that takes a year's State Council notice. Thin: the rules are in
``core.arrangements`` and the writing in ``org.services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tongban.core import arrangements, calendar
from tongban.core.errors import ServiceError
from tongban.core.http.forms import service_errors
from tongban.core.http.views import GET_POST, handles_not_found
from tongban.core.models import HolidayArrangement
from tongban.identity.http import StaffRequest
from tongban.org import forms, selectors, services

# --- working-day calendar ------------------------------------------------------------------


@login_required
@handles_not_found
@require_http_methods(GET_POST)
def calendar_page(request: StaffRequest) -> HttpResponse:
    page = selectors.working_days_page(request.user)
    clear = forms.ClearDayForm(request.POST or None)
    clearing = clear.is_bound and clear.names_a_day()
    form = forms.CalendarOverrideForm(request.POST if not clearing else None)
    if clearing:
        try:
            if not clear.is_valid():
                raise ServiceError(_("There is no local arrangement for that day."))
            services.clear_working_day(request.user, clear.cleaned_data["clear"])
            messages.success(request, _("Arrangement removed."))
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        return redirect("org:calendar")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.set_working_day(
                request.user,
                data["day"],
                is_working_day=data["is_working_day"],
                reason=data["reason"],
            )
        except ServiceError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("org:calendar")
    return render(request, "org/calendar.html", {"form": form, **page})


def _show_errors(form: Any, exc: ServiceError, placed_elsewhere: tuple[str, ...]) -> None:
    """Every message of a refusal once: next to the form's own fields, above the form for the rest
    (except those the page shows next to their table)."""
    if not exc.errors:
        form.add_error(None, str(exc.message))
    for key, messages_ in exc.errors.items():
        if key in placed_elsewhere:
            continue
        for message in messages_:
            form.add_error(key if key in form.fields else None, message)


@login_required
@handles_not_found
@require_http_methods(GET_POST)
def calendar_years(request: StaffRequest) -> HttpResponse:
    """Which years are known and from where; the file import."""
    selectors.require_calendar_reader(request.user)
    form = forms.ArrangementImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            arrangement = services.import_holiday_arrangement(
                request.user,
                upload.name,
                upload.read(arrangements.MAX_FILE_BYTES + 1),
                year=form.cleaned_data["year"],
                notice=form.cleaned_data["notice"],
            )
        except ServiceError as exc:
            _show_errors(form, exc, placed_elsewhere=())
        else:
            messages.success(
                request,
                _("The holiday arrangement for %(year)s has been entered.")
                % {"year": arrangement.year},
            )
            return redirect("org:calendar_year", year=arrangement.year)
    first, last = calendar.package_years()
    return render(
        request,
        "org/calendar/years.html",
        {
            "rows": arrangements.overview(),
            "form": form,
            "can_enter": selectors.may_enter_arrangement(request.user),
            "package_version": calendar.package_version(),
            "package_first": first,
            "package_last": last,
            "missing": calendar.missing_arrangement(),
        },
    )


def _initial_rows(arrangement: HolidayArrangement | None) -> tuple[list[dict], list[dict]]:
    if arrangement is None:
        return [{"name": name} for name in arrangements.FESTIVALS], []
    holidays, workdays = arrangements.arrangement_ranges(arrangement)
    return (
        [{"name": h.name, "first": h.first, "last": h.last} for h in holidays],
        [{"day": w.day, "name": w.name} for w in workdays],
    )


def _rows(formset: Any, kind: str) -> list[Any]:
    """The filled rows of a valid formset (a row without dates is left out)."""
    out: list[Any] = []
    for data in formset.cleaned_data:
        if kind == "holiday":
            if data.get("first") or data.get("last"):
                out.append(
                    arrangements.HolidayRange(
                        data.get("name", ""), data.get("first"), data.get("last")
                    )
                )
        elif data.get("day") or data.get("name"):
            out.append(arrangements.MakeUpDay(data.get("day"), data.get("name", "")))
    return out


@login_required
@handles_not_found
@require_http_methods(GET_POST)
def calendar_year(request: StaffRequest, year: int) -> HttpResponse:
    """Enter or correct the State Council notice of ``year``: named holiday ranges and make-up
    working days."""
    selectors.require_enter_arrangement(request.user)
    arrangement = arrangements.arrangement_of(year)
    source = calendar.year_source(year)
    if calendar.package_covers(year):
        return render(
            request,
            "org/calendar/year_covered.html",
            {
                "year": year,
                "arrangement": arrangement,
                "ranges": arrangements.arrangement_ranges(arrangement) if arrangement else None,
                "disagreements": calendar.disagreements(year),
                "package_version": calendar.package_version(),
            },
        )
    allowed = arrangements.enterable_years(timezone.localdate())
    holiday_initial, workday_initial = _initial_rows(arrangement)
    data = request.POST if request.method == "POST" else None
    form = forms.NoticeForm(data, initial={"notice": arrangement.notice if arrangement else ""})
    holidays = forms.HolidayFormSet(data, initial=holiday_initial, prefix="holidays")
    workdays = forms.MakeUpFormSet(data, initial=workday_initial, prefix="workdays")
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and form.is_valid() and holidays.is_valid() and workdays.is_valid():
        try:
            services.enter_holiday_arrangement(
                request.user,
                year,
                notice=form.cleaned_data["notice"],
                holidays=_rows(holidays, "holiday"),
                workdays=_rows(workdays, "workday"),
            )
        except ServiceError as exc:
            _show_errors(form, exc, placed_elsewhere=("year", "holidays", "workdays"))
            errors = exc.errors
        else:
            messages.success(
                request, _("The holiday arrangement for %(year)s has been saved.") % {"year": year}
            )
            return redirect("org:calendar_year", year=year)
    return render(
        request,
        "org/calendar/year.html",
        {
            "year": year,
            "arrangement": arrangement,
            "source": source,
            "form": form,
            "holidays": holidays,
            "workdays": workdays,
            "year_errors": errors.get("year", []),
            "holiday_errors": errors.get("holidays", []),
            "workday_errors": errors.get("workdays", []),
            "enterable": year in allowed,
            "enterable_years": ", ".join(str(y) for y in allowed) or "—",
        },
    )


@login_required
@handles_not_found
@require_POST
def calendar_year_withdraw(request: StaffRequest, year: int) -> HttpResponse:
    services.withdraw_holiday_arrangement(request.user, year)
    messages.success(
        request, _("The holiday arrangement for %(year)s was withdrawn.") % {"year": year}
    )
    return redirect("org:calendar_years")
