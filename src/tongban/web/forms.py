"""Forms of the staff UI. They only parse; services validate meaning and raise ServiceError."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.core.permissions import Classification
from tongban.org.models import DataScope, DepartmentKind
from tongban.workflow import fields as workflow_fields


class SignInForm(forms.Form):
    username = forms.CharField(label=_("Login name"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=200)
    otp = forms.CharField(
        label=_("One-time code"),
        required=False,
        max_length=10,
        help_text=_("Only if your account uses a second factor (required for administrators)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class ChangePasswordForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)
    new_password2 = forms.CharField(label=_("New password again"), widget=forms.PasswordInput)

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("The two new passwords differ."))
        return data


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


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=366, initial=30)


class TotpConfirmForm(forms.Form):
    secret = forms.CharField(widget=forms.HiddenInput)
    otp = forms.CharField(label=_("Code from the app"), max_length=10)


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


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Actor"), required=False, max_length=150)
    action = forms.CharField(label=_("Action"), required=False, max_length=100)
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=100)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[
            ("", _("Any")),
            ("success", _("Success")),
            ("failure", _("Failure")),
            ("denied", _("Denied")),
        ],
    )
    since = forms.DateTimeField(
        label=_("From"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    until = forms.DateTimeField(
        label=_("Until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


PROCESS_FIELD_PREFIX = "f_"


def add_process_fields(form: forms.Form, fields: list[dict[str, Any]]) -> None:
    """Add the fields of a form drawn in the BPMN (``camunda:formField``) to ``form``, each
    named with ``PROCESS_FIELD_PREFIX`` so that it cannot clash with the page's own fields. The
    services check the values again (``workflow.fields``)."""
    for spec in fields:
        label = spec.get("label") or spec["id"]
        required = bool(spec.get("required"))
        initial = workflow_fields.initial(spec)
        kind = spec.get("type")
        field: forms.Field
        if kind == "long":
            field = forms.IntegerField(
                label=label,
                required=required,
                initial=initial,
                min_value=spec.get("min"),
                max_value=spec.get("max"),
            )
        elif kind == "boolean":
            field = forms.BooleanField(label=label, required=False, initial=initial)
        elif kind == "date":
            field = forms.DateField(
                label=label,
                required=required,
                initial=initial or None,
                widget=forms.DateInput(attrs={"type": "date"}),
            )
        elif kind == "enum":
            choices = [(str(c[0]), str(c[1])) for c in spec.get("choices", [])]
            field = forms.ChoiceField(
                label=label,
                required=required,
                initial=initial,
                # A blank first unless the BPMN gives a default: a person chooses, nothing is
                # picked for them.
                choices=choices if initial else [("", "—"), *choices],
            )
        else:
            longest = spec.get("maxlength")
            field = forms.CharField(
                label=label,
                required=required,
                initial=initial,
                min_length=spec.get("minlength"),
                max_length=min(longest, 2000) if longest is not None else 2000,
            )
        if spec.get("readonly"):
            field.disabled = True  # shown; the services ignore a value sent anyway
            field.required = False
        form.fields[PROCESS_FIELD_PREFIX + spec["id"]] = field


def process_values(form: forms.Form, fields: list[dict[str, Any]]) -> dict[str, Any]:
    """The values of the BPMN's fields from a valid ``form``, as process variables."""
    values: dict[str, Any] = {}
    for spec in fields:
        value = form.cleaned_data.get(PROCESS_FIELD_PREFIX + spec["id"])
        if isinstance(value, date):
            value = value.isoformat()
        if value is not None and value != "":
            values[spec["id"]] = value
    return values


class StartProcessForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("What this is about; it names the process in everyone's lists."),
    )

    def __init__(self, *args: Any, process_fields: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_process_fields(self, process_fields)


class CompleteTaskForm(forms.Form):
    approved = forms.ChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Agree, send on")), ("no", _("Back to the drafter"))],
        widget=forms.RadioSelect,
        initial="yes",
    )
    opinion = forms.CharField(
        label=_("Opinion (意见)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )

    def __init__(
        self,
        *args: Any,
        review: bool = False,
        process_fields: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if not review:
            del self.fields["approved"]
        add_process_fields(self, process_fields or [])
        # What the BPMN asks for comes first, the opinion last, as on a paper slip.
        self.order_fields([name for name in self.fields if name != "opinion"])


class DefinitionUploadForm(forms.Form):
    file = forms.FileField(label=_("BPMN 2.0 file (.bpmn)"))
