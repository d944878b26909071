"""Forms of the workflow pages: a step's own fields (drawn in the BPMN or given by a domain), the
task actions, starting a process, and uploading or modelling a definition. They only parse; the
services check again."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.workflow import fields as workflow_fields
from tongban.workflow.actions import TaskAction

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


class StepForm(forms.Form):
    """A step's own fields with the opinion (意见) last. ``values()`` gives what goes to the
    process; ``guidance`` and ``submit_label`` what the page says about the step."""

    guidance: Any = ""
    submit_label: Any = _("Complete")
    # Whether the page offers 转办, 加签 and 退回 beside completing (a draft has no one to hand to).
    offers_other_actions = True
    # The status of the page shown again with this form's errors (a service's refusal keeps its
    # own: 409 for a step a colleague handled first).
    status = 422

    def values(self) -> dict[str, Any]:
        raise NotImplementedError


class CompleteTaskForm(StepForm):
    """A step of a process no domain owns: the fields its BPMN draws (``camunda:formField``)."""

    # A decision has no default: the person chooses, nothing is picked for them.
    approved = forms.ChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Agree, send on")), ("no", _("Back to the drafter"))],
        widget=forms.RadioSelect,
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
        self.process_fields = process_fields or []
        if not review:
            del self.fields["approved"]
        add_process_fields(self, self.process_fields)
        # What the BPMN asks for comes first, the opinion last, as on a paper slip.
        self.order_fields([name for name in self.fields if name != "opinion"])

    def values(self) -> dict[str, Any]:
        data = process_values(self, self.process_fields)
        if "approved" in self.fields:
            data["approved"] = self.cleaned_data["approved"] != "no"
        return data


class DefinitionUploadForm(forms.Form):
    file = forms.FileField(label=_("BPMN 2.0 file (.bpmn)"))


class TaskActionForm(forms.Form):
    """What a person does with a step, from the task page or a domain's page (workflow.actions):
    which step (``task``, when the page shows several), the action, and what goes with it."""

    task = forms.IntegerField(required=False, min_value=1, max_value=2**62)
    action = forms.ChoiceField(choices=[(a.value, a.value) for a in TaskAction])
    reason = forms.CharField(required=False, max_length=2000)
    to = forms.CharField(required=False, max_length=150)
    to_task = forms.CharField(required=False, max_length=20)
    message = forms.CharField(required=False, max_length=500)

    def clean_to_task(self) -> int | None:
        """The earlier step picked in "Send back to" (退回); None for the previous step."""
        value = (self.cleaned_data.get("to_task") or "").strip()
        if not value:
            return None
        if not value.isdecimal() or len(value) > 18:
            raise forms.ValidationError(
                _("Choose an earlier step of this process to send it back to.")
            )
        return int(value)


class ReasonForm(forms.Form):
    """终止 and 撤回 (the reason is optional for a withdrawal; the service decides)."""

    action = forms.ChoiceField(
        required=False, choices=[("withdraw", "withdraw"), ("terminate", "terminate")]
    )
    reason = forms.CharField(required=False, max_length=300)


class ModelerForm(forms.Form):
    """The diagram the modeler sends (bpmn-js's XML)."""

    xml = forms.CharField(required=False, strip=False)
