"""The national holiday arrangements of each year (年度节假日安排): which years are known and from
where, and the form (or file import) that takes a year's State Council notice. Thin: the rules are
in ``core.arrangements`` and the writing in ``org.services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tongban.core import arrangements, calendar
from tongban.core.errors import ServiceError
from tongban.core.models import HolidayArrangement
from tongban.core.permissions import Action
from tongban.org import policy, services
from tongban.web.views import StaffRequest, handles_not_found

# An <input type="date"> takes ISO dates whatever the language (zh-hans would write 2027/02/05).
DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class NoticeForm(forms.Form):
    notice = forms.CharField(
        label=gettext_lazy("Notice (title or number)"),
        max_length=arrangements.MAX_NOTICE,
        help_text=gettext_lazy(
            "e.g. 国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕X号）"
        ),
    )


class HolidayRowForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Holiday"), max_length=arrangements.MAX_NAME, required=False
    )
    first = forms.DateField(label=gettext_lazy("First day off"), required=False, widget=DATE_WIDGET)
    last = forms.DateField(label=gettext_lazy("Last day off"), required=False, widget=DATE_WIDGET)


class MakeUpRowForm(forms.Form):
    day = forms.DateField(
        label=gettext_lazy("Make-up working day"), required=False, widget=DATE_WIDGET
    )
    name = forms.CharField(
        label=gettext_lazy("For the holiday"), max_length=arrangements.MAX_NAME, required=False
    )


HolidayFormSet = forms.formset_factory(HolidayRowForm, extra=2, max_num=30, validate_max=True)
MakeUpFormSet = forms.formset_factory(MakeUpRowForm, extra=3, max_num=30, validate_max=True)


class ArrangementImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (CSV or JSON)"),
        help_text=gettext_lazy(
            "CSV lines date,kind,name (kind: holiday or workday, or 休/班), e.g. "
            "2027-02-06,holiday,春节; or JSON, including a holiday-cn year file."
        ),
    )
    year = forms.IntegerField(
        label=gettext_lazy("Year"),
        required=False,
        help_text=gettext_lazy("Only if the file does not say."),
    )
    notice = forms.CharField(
        label=gettext_lazy("Notice (title or number)"),
        max_length=arrangements.MAX_NOTICE,
        required=False,
        help_text=gettext_lazy("Only if the file does not say."),
    )


def _show_errors(form: forms.Form, exc: ServiceError, placed_elsewhere: tuple[str, ...]) -> None:
    """Every message of a refusal once: next to the form's own fields, above the form for the rest
    (except those the page shows next to their table)."""
    if not exc.errors:
        form.add_error(None, str(exc.message))
    for key, messages_ in exc.errors.items():
        if key in placed_elsewhere:
            continue
        for message in messages_:
            form.add_error(key if key in form.fields else None, message)


def _can_enter(request: StaffRequest) -> bool:
    return policy.can(request.user, Action.ENTER_HOLIDAY_ARRANGEMENT)


@login_required
@handles_not_found
@require_http_methods(["GET", "POST"])
def calendar_years(request: StaffRequest) -> HttpResponse:
    """Which years are known and from where; the file import."""
    if not (_can_enter(request) or policy.can(request.user, Action.MANAGE_CALENDAR)):
        policy.require(request.user, Action.ENTER_HOLIDAY_ARRANGEMENT)
    form = ArrangementImportForm(request.POST or None, request.FILES or None)
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
            return redirect("web:calendar_year", year=arrangement.year)
    first, last = calendar.package_years()
    return render(
        request,
        "web/calendar/years.html",
        {
            "rows": arrangements.overview(),
            "form": form,
            "can_enter": _can_enter(request),
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
@require_http_methods(["GET", "POST"])
def calendar_year(request: StaffRequest, year: int) -> HttpResponse:
    """Enter or correct the State Council notice of ``year``: named holiday ranges and make-up
    working days."""
    policy.require(request.user, Action.ENTER_HOLIDAY_ARRANGEMENT)
    arrangement = arrangements.arrangement_of(year)
    source = calendar.year_source(year)
    if calendar.package_covers(year):
        return render(
            request,
            "web/calendar/year_covered.html",
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
    form = NoticeForm(data, initial={"notice": arrangement.notice if arrangement else ""})
    holidays = HolidayFormSet(data, initial=holiday_initial, prefix="holidays")
    workdays = MakeUpFormSet(data, initial=workday_initial, prefix="workdays")
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
            return redirect("web:calendar_year", year=year)
    return render(
        request,
        "web/calendar/year.html",
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
    return redirect("web:calendar_years")
