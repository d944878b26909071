"""Forms of the documents pages (公文). They check shape; the services check meaning."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.core.http.forms import MultipleFileField
from tongban.core.permissions import Classification
from tongban.documents.types import DocumentType, Retention, Urgency
from tongban.workflow.forms import StepForm as WorkflowStepForm

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class DraftForm(forms.Form):
    # 通知 is what most drafts are; the list's first entry (决议) almost never is.
    doc_type = forms.ChoiceField(
        label=_("Type (文种)"), choices=DocumentType.choices, initial=DocumentType.NOTICE
    )
    title = forms.CharField(label=_("Title (标题)"), max_length=300)
    main_recipients = forms.MultipleChoiceField(
        label=_("Main recipients in the platform (主送)"),
        required=False,
        # Boxes to tick, not a list that needs Ctrl-click to choose several.
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choice-columns"}),
        help_text=_("Printed in the order you tick them (the number beside each)."),
    )
    # The ticked units' order, kept by web/ordered-choices.js (and on the edit page, the order
    # they were saved in); units it does not name follow in the list's order.
    main_order = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.HiddenInput(attrs={"data-order-for": "main_recipients"}),
    )
    main_outside = forms.CharField(
        label=_("Main recipients outside the platform"),
        required=False,
        max_length=1000,
        help_text=_("Names separated by commas, e.g. 省人民政府办公厅"),
    )
    body = forms.CharField(
        label=_("Body (正文)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        max_length=200_000,
        help_text=_("One paragraph a line; headings start with 一、 （一） 1. （1）"),
    )
    cc = forms.MultipleChoiceField(
        label=_("Copied to in the platform (抄送)"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choice-columns"}),
        help_text=_("Printed in the order you tick them (the number beside each)."),
    )
    cc_order = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.HiddenInput(attrs={"data-order-for": "cc"}),
    )
    cc_outside = forms.CharField(
        label=_("Copied to outside the platform"), required=False, max_length=1000
    )
    classification = forms.TypedChoiceField(
        label=_("Classification (密级)"),
        choices=Classification.choices,
        coerce=int,
        initial=Classification.PUBLIC,
    )
    secrecy_period = forms.CharField(
        label=_("Secrecy period (保密期限)"), required=False, max_length=20
    )
    copy_number = forms.CharField(
        label=_("Copy number (份号)"),
        required=False,
        max_length=6,
        help_text=_("Up to six digits; classified documents carry one."),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency (紧急程度)"), choices=Urgency.choices, required=False
    )
    note = forms.CharField(label=_("Note (附注)"), required=False, max_length=300)
    printer = forms.CharField(label=_("Printed by (印发机关)"), required=False, max_length=200)
    countersign_departments = forms.MultipleChoiceField(
        label=_("Units to countersign (会签)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, countersign_open: bool = True, **kwargs: object) -> None:
        """``countersign_open``: the countersigning units may still change (until 会签 begins);
        otherwise they are shown as they are and what is posted for them is ignored."""
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not countersign_open:
            field = self.fields["countersign_departments"]
            field.disabled = True
            field.help_text = _(
                "Countersigning has begun: the countersigning units can no longer change."
            )

    def clean(self) -> dict[str, object]:
        """The ticked units in the order the clerk gave them (主送/抄送 are printed so)."""
        data = super().clean() or {}
        for name, order_name in (("main_recipients", "main_order"), ("cc", "cc_order")):
            order = [c.strip() for c in str(data.get(order_name) or "").split(",") if c.strip()]
            rank = {code: i for i, code in reversed(list(enumerate(order)))}
            codes = list(data.get(name) or [])
            data[name] = sorted(codes, key=lambda c: rank.get(c, len(order)))
        return data


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    title = forms.CharField(label=_("Title"), required=False, max_length=200)


class StepForm(WorkflowStepForm):
    """The fields a step of a document's process asks for; unused ones are removed."""

    # A decision has no default: the person chooses, nothing is picked for them.
    approved = forms.ChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Agree, send on")), ("no", _("Back to the drafter"))],
        widget=forms.RadioSelect,
    )
    copies = forms.IntegerField(
        label=_("Copies (份数)"), min_value=1, max_value=10000, required=False
    )
    print_date = forms.DateField(
        label=_("Printed on (印发日期)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    otp = forms.CharField(
        label=_("One-time code"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    for_handling = forms.ChoiceField(
        label=_("What it needs"),
        choices=[("yes", _("Handling (办件)")), ("no", _("Reading only (阅件)"))],
        widget=forms.RadioSelect,
    )
    host_department = forms.ChoiceField(label=_("Host department (主办)"))
    co_departments = forms.MultipleChoiceField(
        label=_("Co-departments (协办)"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    due_days = forms.IntegerField(
        label=_("Time limit in working days"), min_value=1, max_value=365, initial=5
    )
    opinion = forms.CharField(
        label=_("Opinion (意见)"), widget=TEXTAREA, required=False, max_length=2000
    )

    FIELDS = {
        "review": ("approved", "opinion"),
        "numbering": ("copies", "print_date", "opinion"),
        "sealing": ("otp", "opinion"),
        "propose": ("for_handling", "opinion"),
        "instruct": ("host_department", "co_departments", "due_days", "opinion"),
        "register": ("copies", "opinion"),
    }
    GUIDANCE = {
        "draft": _("Complete the draft (edit it, add attachments), then send it for review."),
        "sign_off": _(
            "Signing off gives the document its number (发文字号) and today's date as 成文日期."
        ),
        "numbering": _(
            "Registering prints the official copy in the GB/T 9704 layout; check it before it "
            "goes to the seal."
        ),
        "sealing": _(
            "The unit's seal goes over the signature and date of the official copy. Enter the "
            "code of your authenticator app."
        ),
        "distribution": _(
            "Distributing puts the document in the incoming register of every recipient unit in "
            "the platform at once; outside recipients get the export package."
        ),
    }
    SUBMIT = {
        "draft": _("Send for review"),
        "sign_off": _("Sign off (签发)"),
        "numbering": _("Register and print"),
        "sealing": _("Seal (用印)"),
        "distribution": _("Distribute (分发)"),
        "register": _("Register (登记)"),
        "finish": _("Complete (办结)"),
    }

    def __init__(self, *args: object, step: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.step = step
        keep = self.FIELDS.get(step, ("opinion",))
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if step in ("propose", "instruct", "handle"):
            self.fields["opinion"].required = True
        if step == "propose":
            self.fields["opinion"].label = _("Proposed handling (拟办意见)")
        if step == "instruct":
            self.fields["opinion"].label = _("Instruction (批办意见)")
        if step == "handle":
            self.fields["opinion"].label = _("How it was handled (办理结果)")
        self.guidance = self.GUIDANCE.get(step, "")
        self.submit_label = self.SUBMIT.get(step, _("Complete"))
        # A draft is sent for review, a letter registered: nobody to hand them to or send back.
        self.offers_other_actions = step not in ("draft", "register")

    def values(self) -> dict[str, Any]:
        """The form's answers as the process variables of the step."""
        data = self.cleaned_data
        if self.step == "review":
            return {"approved": data.get("approved") != "no"}
        if self.step == "numbering":
            return {
                "copies": data.get("copies"),
                "print_date": data["print_date"].isoformat() if data.get("print_date") else None,
            }
        if self.step == "register":
            return {"copies": data.get("copies") or 1}
        if self.step == "propose":
            return {"for_handling": data.get("for_handling") != "no"}
        if self.step == "instruct":
            return {
                "host_department": data.get("host_department"),
                "co_departments": list(data.get("co_departments") or []),
                "due_days": data.get("due_days"),
            }
        if self.step == "sealing":
            return {"otp": data.get("otp", "")}
        return {}


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class EntriesInput(forms.TextInput):
    """One value per ``<input>`` of the same name: the page has several (the people chosen, each
    a ticked box, and the picker for one more)."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)


class EntriesField(forms.Field):
    """A list of entries (people), each given in its own input; an entry typed with commas or
    、 between names counts as several. Blank entries are ignored, repeats kept once."""

    widget = EntriesInput
    MAX_ENTRIES = 100
    MAX_LENGTH = 150

    def to_python(self, value: Any) -> list[str]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        out: list[str] = []
        for entry in values:
            for part in re.split(r"[,，、;；]", str(entry)):
                part = part.strip()
                if len(part) > self.MAX_LENGTH:
                    raise forms.ValidationError(
                        _("An entry has at most %(n)d characters.") % {"n": self.MAX_LENGTH}
                    )
                if part and part not in out:
                    out.append(part)
        if len(out) > self.MAX_ENTRIES:
            raise forms.ValidationError(
                _("At most %(n)d readers at a time.") % {"n": self.MAX_ENTRIES}
            )
        return out


class CirculateForm(forms.Form):
    """传阅: people chosen one by one with the picker (a ticked box each, untick to take one
    off), and whole departments; ``more`` adds the picked person to the list without sending."""

    readers = EntriesField(label=_("Readers"), required=False)
    departments = forms.MultipleChoiceField(
        label=_("Or everyone in a department"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)
    more = forms.BooleanField(required=False)


class ArchiveForm(forms.Form):
    retention = forms.ChoiceField(label=_("Retention period (保管期限)"), choices=Retention.choices)


class ImportForm(forms.Form):
    # A form field named "files" would shadow Form.files (the uploaded files).
    documents = MultipleFileField(label=_("Files (.docx, .pdf, .txt)"))


class ImportCorrectionForm(forms.Form):
    # Nothing is required: what is left empty is registered as recognised and flagged for review.
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    issuing_authority = forms.CharField(
        label=_("Issuing authority"), max_length=200, required=False
    )
    doc_number = forms.CharField(label=_("Document number"), max_length=100, required=False)
    date_written = forms.DateField(
        label=_("Date written"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    doc_type = forms.ChoiceField(label=_("Type"), choices=DocumentType.choices)
    main_recipients = forms.CharField(label=_("Main recipients"), required=False, max_length=1000)


class ExternalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    issuing_authority = forms.CharField(label=_("Issuing authority"), max_length=200)
    doc_number = forms.CharField(label=_("Document number"), max_length=100, required=False)
    doc_type = forms.ChoiceField(label=_("Type"), choices=DocumentType.choices)
    date_written = forms.DateField(
        label=_("Date written"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    classification = forms.TypedChoiceField(
        label=_("Classification"), choices=Classification.choices, coerce=int, initial=0
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, required=False)
    file = forms.FileField(label=_("Scan or file"), required=False)


class BatchSealForm(forms.Form):
    documents = forms.MultipleChoiceField(label=_("Documents"), widget=forms.CheckboxSelectMultiple)
    otp = forms.CharField(
        label=_("One-time code"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PageActionForm(forms.Form):
    """Which of a document page's forms was sent (``action``): a task action goes to
    ``workflow.actions``, the others are the document's own."""

    action = forms.CharField(max_length=30)


class AttachmentRefForm(forms.Form):
    attachment = forms.IntegerField(min_value=1, max_value=2**62)


class ReadReceiptForm(forms.Form):
    """待阅: confirm having read a document passed for reading."""

    circulation = forms.IntegerField(min_value=1, max_value=2**62)
    comment = forms.CharField(required=False, max_length=300)


class ImportItemForm(forms.Form):
    """One file of an import batch: ``process`` asks for the next files to be read (htmx)."""

    action = forms.ChoiceField(
        choices=[("process", "process"), ("discard", "discard"), ("register", "register")]
    )
    item = forms.IntegerField(required=False, min_value=1, max_value=2**62)


class ImportReviewForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    issuing_authority = forms.CharField(
        label=_("Issuing authority"), max_length=200, required=False
    )
    doc_number = forms.CharField(
        label=_("Document number"),
        max_length=100,
        required=False,
        help_text=_("Leave it empty if the document has no number."),
    )
    date_written = forms.DateField(
        label=_("Date written"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave it empty if the document has no date."),
    )
    doc_type = forms.ChoiceField(label=_("Type"), choices=DocumentType.choices)
