"""Forms of the documents pages (公文). They check shape; the services check meaning."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.core.permissions import Classification
from tongban.documents.types import DocumentType, Retention, Urgency

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self, data: object, initial: object = None) -> object:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


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

    def __init__(self, *args: object, editing: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if editing:
            del self.fields["countersign_departments"]


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    title = forms.CharField(label=_("Title"), required=False, max_length=200)


class StepForm(forms.Form):
    """The fields a step of a document's process asks for; unused ones are removed."""

    approved = forms.ChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Agree, send on")), ("no", _("Back to the drafter"))],
        widget=forms.RadioSelect,
        initial="yes",
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
        initial="yes",
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

    def __init__(self, *args: object, step: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
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


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class CirculateForm(forms.Form):
    readers = forms.CharField(
        label=_("Readers (login names, separated by commas)"), max_length=2000
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


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
