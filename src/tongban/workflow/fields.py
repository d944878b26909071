"""The values of a form drawn in the BPMN (Camunda's ``camunda:formField``), checked by the
services whichever way they arrive (page or API): a required field is there, a number is a
number, a date is a date, a choice is one of the choices. Values become process variables, so
they are stored as JSON: a date as ``YYYY-MM-DD``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from tongban.core.errors import InvalidInput

MAX_TEXT = 2000


def initial(field: Mapping[str, Any]) -> Any:
    """The BPMN's ``defaultValue`` as the field's type (a number, a yes/no, text)."""
    default = str(field.get("default") or "")
    if field.get("type") == "boolean":
        return default.lower() == "true"
    if field.get("type") == "long":
        try:
            return int(default)
        except ValueError:
            return None
    return default


def checked(
    form: Sequence[Mapping[str, Any]],
    values: Mapping[str, Any],
    held: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``values`` with the form's fields checked and in their JSON form; other keys pass through
    (an API client may set variables the form does not show). ``held``: the variables the
    process already has, when they are all known (a start form: none); a read-only field's
    default fills only what is not held. Raises ``InvalidInput`` naming the field by its label."""
    out = dict(values)
    for field in form:
        key, label = str(field["id"]), str(field.get("label") or field["id"])
        if field.get("readonly"):
            # Shown, never taken from the person: what the process holds stands, or else the
            # BPMN's default.
            out.pop(key, None)
            if field.get("default") and held is not None and key not in held:
                out[key] = _typed(field, label, field["default"])
            continue
        value = out.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if field.get("type") == "boolean":
                # A yes/no left out is no (an unticked box), never a value an earlier step set:
                # a step must not pass as approved because the one before it was.
                if field.get("required"):
                    raise InvalidInput(_("“%(field)s” is yes or no.") % {"field": label}, field=key)
                out[key] = False
                continue
            if field.get("default"):
                value = field["default"]
            elif field.get("required"):
                raise InvalidInput(_("“%(field)s” is required.") % {"field": label}, field=key)
            else:
                out.pop(key, None)
                continue
        out[key] = _within_limits(field, label, _typed(field, label, value))
    return out


def _within_limits(field: Mapping[str, Any], label: str, value: Any) -> Any:
    """Camunda's min/max (a number) and minlength/maxlength (text), as the BPMN sets them."""
    key = str(field["id"])
    low, high = field.get("min"), field.get("max")
    number = isinstance(value, int) and not isinstance(value, bool)
    if number and ((low is not None and value < low) or (high is not None and value > high)):
        raise InvalidInput(_range_message(label, low, high), field=key)
    shortest, longest = field.get("minlength"), field.get("maxlength")
    if isinstance(value, str) and field.get("type", "string") == "string":
        if shortest is not None and len(value) < shortest:
            raise InvalidInput(
                _("“%(field)s” needs at least %(n)s characters.") % {"field": label, "n": shortest},
                field=key,
            )
        if longest is not None and len(value) > longest:
            raise InvalidInput(
                _("“%(field)s” has at most %(n)s characters.") % {"field": label, "n": longest},
                field=key,
            )
    return value


def _range_message(label: str, low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return _("“%(field)s” is from %(low)s to %(high)s.") % {
            "field": label,
            "low": low,
            "high": high,
        }
    if low is not None:
        return _("“%(field)s” is at least %(low)s.") % {"field": label, "low": low}
    return _("“%(field)s” is at most %(high)s.") % {"field": label, "high": high}


def _typed(field: Mapping[str, Any], label: str, value: Any) -> Any:
    kind = field.get("type") or "string"
    key = str(field["id"])
    if kind == "long":
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise InvalidInput(_("“%(field)s” is a whole number.") % {"field": label}, field=key)
        try:
            return int(str(value).strip())
        except ValueError:
            raise InvalidInput(
                _("“%(field)s” is a whole number.") % {"field": label}, field=key
            ) from None
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise InvalidInput(_("“%(field)s” is yes or no.") % {"field": label}, field=key)
    if kind == "date":
        text = value.isoformat() if isinstance(value, date) else str(value).strip()
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise InvalidInput(
                _("“%(field)s” is a date (YYYY-MM-DD).") % {"field": label}, field=key
            ) from None
    if kind == "enum":
        allowed = [str(choice[0]) for choice in field.get("choices", [])]
        if str(value) not in allowed:
            raise InvalidInput(
                _("Choose one of the values offered for “%(field)s”.") % {"field": label},
                field=key,
            )
        return str(value)
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise InvalidInput(_("“%(field)s” is text.") % {"field": label}, field=key)
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        raise InvalidInput(
            _("“%(field)s” has at most %(n)s characters.") % {"field": label, "n": MAX_TEXT},
            field=key,
        )
    return text
