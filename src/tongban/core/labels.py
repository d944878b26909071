"""What the platform's codes are called (标签): audited actions, object types and the fields kept
with an object, in the person's language.

Codes are what programs read — the audit trail stores ``documents.document.sign_off`` and
``identity.user``, the CSV export and the API give them unchanged — and people read labels: 签发,
账户. Each app names its own codes once, when Django starts (``AppConfig.ready``), as it names
its pages in ``core.http.links``: the registry sits in layer 1 so that the audit pages (web) and
the records (layer 3) can say 公文 without importing documents (layer 4), and so that no lower
layer has to know the words of a higher one.

A code nobody named is shown as it is, and ``audit.services.record`` warns
(``UnlabelledCode``, an error in the test suite) when it writes one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from tongban.core.permissions import Action

Label = str | Promise
Describe = Callable[[Mapping[str, Any]], list[tuple[str, str]]]

_actions: dict[str, Label] = {}
_object_types: dict[str, Label] = {}
_describers: dict[str, Describe] = {}


class UnlabelledCode(UserWarning):
    """An audited action or object type that no app has given a label."""


def register_actions(labels: Mapping[str, Label]) -> None:
    """Name audited actions: ``{"documents.document.sign_off": _("Sign off a document")}``."""
    _actions.update(labels)


def register_object_types(labels: Mapping[str, Label]) -> None:
    """Name object types (``app_label.model_name``, or a kind of object that is no model)."""
    _object_types.update(labels)


def register_describer(object_type: str, describe: Describe) -> None:
    """How the fields another app keeps about an object of this type read: ``describe(fields)``
    gives ``[(label, text), ...]`` (the records of an archived document show its elements)."""
    _describers[object_type] = describe


def registered_actions() -> set[str]:
    return set(_actions)


def registered_object_types() -> set[str]:
    return set(_object_types)


def has_action_label(code: str) -> bool:
    return code in _actions or code in Action.values


def action_label(code: str) -> str:
    """The action's label; a permission refused (``documents.view``) is named as the permission."""
    if code in _actions:
        return str(_actions[code])
    if code in Action.values:
        return str(Action(code).label)
    return code


def _model_label(code: str) -> str | None:
    try:
        model = apps.get_model(code)
    except (LookupError, ValueError):
        return None
    return str(model._meta.verbose_name)


def has_object_type_label(code: str) -> bool:
    return not code or code in _object_types or _model_label(code) is not None


def object_type_label(code: str) -> str:
    """The kind of object: a registered label, else the model's verbose name, else the code."""
    if code in _object_types:
        return str(_object_types[code])
    return _model_label(code) or code


def _group(code: str) -> str:
    app = code.split(".", 1)[0]
    try:
        return str(apps.get_app_config(app).verbose_name)
    except LookupError:
        return app


def action_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every named action, grouped by the app whose code it carries; each group starts with the
    whole app (its code prefix, ``"documents."``)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for code in sorted({*_actions, *Action.values}):
        prefix = code.split(".", 1)[0] + "."
        entries = groups.setdefault(
            prefix, [(prefix, _("All of “%(app)s”") % {"app": _group(code)})]
        )
        entries.append((code, action_label(code)))
    return sorted(((_group(p), entries) for p, entries in groups.items()), key=lambda g: g[0])


def object_type_choices() -> list[tuple[str, str]]:
    """Every registered object type, by label."""
    return sorted(((code, object_type_label(code)) for code in _object_types), key=lambda c: c[1])


def describe(object_type: str, fields: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The fields kept about an object, as a person reads them."""
    if object_type in _describers:
        return _describers[object_type](fields)
    return [(str(key), display(value)) for key, value in fields.items()]


def display(value: Any) -> str:
    """A stored value as text for a person: lists joined with 、, yes/no, "—" for nothing."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Mapping):
        named = value.get("name") or value.get("title")
        if named:
            return str(named)
        return "；".join(f"{k}：{display(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "、".join(display(v) for v in value)
    return str(value)
