"""Forms of the organisation pages: departments, staff, roles, delegation, the working-day
calendar. They only parse; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.core import arrangements
from tongban.core.permissions import Classification
from tongban.org.models import DataScope, DepartmentKind


class DepartmentForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=100)
    name = forms.CharField(label=_("Name"), max_length=300)
    short_name = forms.CharField(label=_("Short name"), required=False, max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=DepartmentKind.choices)
    parent = forms.ChoiceField(label=_("Parent department"), required=False)
    issuing_code = forms.CharField(
        label=_("Issuing code (机关代字)"), required=False, max_length=100
    )
    sort_order = forms.IntegerField(label=_("Order"), required=False, min_value=0, initial=0)


class StaffForm(forms.Form):
    username = forms.CharField(label=_("Login name"), max_length=100)
    display_name = forms.CharField(label=_("Name"), max_length=300)
    department = forms.ChoiceField(label=_("Department"))
    position = forms.ChoiceField(label=_("Position"), required=False)
    phone = forms.CharField(label=_("Mobile"), required=False, max_length=30)
    id_number = forms.CharField(label=_("Resident ID number"), required=False, max_length=30)
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254)
    office_phone = forms.CharField(label=_("Office phone"), required=False, max_length=40)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_(
            "Columns: username, display_name, department, position, phone, id_number, "
            "email, office_phone. The first row holds the column names."
        ),
    )
    dry_run = forms.BooleanField(label=_("Check only, import nothing"), required=False)


class RoleForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=100)
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), required=False, max_length=300)
    permissions = forms.MultipleChoiceField(
        label=_("Permissions"), widget=forms.CheckboxSelectMultiple, required=False
    )
    default_scope = forms.ChoiceField(label=_("Default scope"), choices=DataScope.choices)


class AssignRoleForm(forms.Form):
    username = forms.CharField(label=_("Login name"), max_length=100)
    department = forms.ChoiceField(label=_("Department"))
    scope = forms.ChoiceField(
        label=_("Scope"), choices=[("", _("Role default")), *DataScope.choices], required=False
    )


class ClearanceForm(forms.Form):
    clearance = forms.TypedChoiceField(
        label=_("Clearance"), choices=Classification.choices, coerce=int
    )


class DelegationForm(forms.Form):
    delegate = forms.CharField(label=_("Login name of the colleague"), max_length=100)
    starts_at = forms.DateTimeField(
        label=_("From"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)


class CalendarOverrideForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    is_working_day = forms.TypedChoiceField(
        label=_("The day is"),
        coerce=lambda v: v == "1",
        choices=[("1", _("a working day")), ("0", _("a day off"))],
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ActiveForm(forms.Form):
    """Disable an account, or enable it again."""

    active = forms.TypedChoiceField(coerce=lambda v: v == "1", choices=[("1", "1"), ("0", "0")])


class AccountSectionForm(forms.Form):
    """Which form of the account page was sent (a token, or a delegation)."""

    form = forms.ChoiceField(choices=[("token", "token"), ("delegation", "delegation")])


class ClearDayForm(forms.Form):
    """Remove the local arrangement of one day (the "Remove" button of its row)."""

    clear = forms.DateField()

    def names_a_day(self) -> bool:
        """The page's other form was sent when this field is absent."""
        return bool(self.data.get("clear"))


# An <input type="date"> takes ISO dates whatever the language (zh-hans would write 2027/02/05).
DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class NoticeForm(forms.Form):
    notice = forms.CharField(
        label=_("Notice (title or number)"),
        max_length=arrangements.MAX_NOTICE,
        help_text=_("e.g. 国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕X号）"),
    )


class HolidayRowForm(forms.Form):
    name = forms.CharField(label=_("Holiday"), max_length=arrangements.MAX_NAME, required=False)
    first = forms.DateField(label=_("First day off"), required=False, widget=DATE_WIDGET)
    last = forms.DateField(label=_("Last day off"), required=False, widget=DATE_WIDGET)


class MakeUpRowForm(forms.Form):
    day = forms.DateField(label=_("Make-up working day"), required=False, widget=DATE_WIDGET)
    name = forms.CharField(
        label=_("For the holiday"), max_length=arrangements.MAX_NAME, required=False
    )


HolidayFormSet = forms.formset_factory(HolidayRowForm, extra=2, max_num=30, validate_max=True)
MakeUpFormSet = forms.formset_factory(MakeUpRowForm, extra=3, max_num=30, validate_max=True)


class ArrangementImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV or JSON)"),
        help_text=_(
            "CSV lines date,kind,name (kind: holiday or workday, or 休/班), e.g. "
            "2027-02-06,holiday,春节; or JSON, including a holiday-cn year file."
        ),
    )
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        help_text=_("Only if the file does not say."),
    )
    notice = forms.CharField(
        label=_("Notice (title or number)"),
        max_length=arrangements.MAX_NOTICE,
        required=False,
        help_text=_("Only if the file does not say."),
    )
