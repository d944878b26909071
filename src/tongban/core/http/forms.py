"""Form helpers shared by every app's views."""

from __future__ import annotations

from typing import Any

from django import forms

from tongban.core.errors import InvalidInput, ServiceError


def set_choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    """Fill a choice field whose options depend on the person (their departments, say)."""
    form.fields[name].choices = choices  # type: ignore[attr-defined]


def service_errors(
    form: forms.Form, exc: ServiceError, *, rename: dict[str, str] | None = None
) -> None:
    """Show a service's refusal next to the fields it names (or above the form).

    ``rename`` maps a service's field name to the form's (``password`` → ``new_password``).
    """
    placed = False
    for field, messages in (exc.errors or {}).items():
        name = (rename or {}).get(field, field)
        for message in messages:
            if name in form.fields:
                form.add_error(name, message)
                placed = True
    if not placed:
        form.add_error(None, str(exc.message))


def first_error(form: forms.Form) -> str:
    """The first message of an invalid form, for a page that shows it as a notice."""
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return ""


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (a batch to import)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


def valid(form: forms.Form) -> dict[str, Any]:
    """The form's cleaned data, or its first message as a refusal for a page that shows
    refusals as notices (a button with a few fields, not a whole form)."""
    if not form.is_valid():
        raise InvalidInput(first_error(form))
    return form.cleaned_data
