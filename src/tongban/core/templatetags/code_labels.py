"""``{{ entry.action|action_label }}``, ``{{ entry.object_type|object_type_label }}``: the words
for the platform's codes (core.labels)."""

from __future__ import annotations

from django import template

from tongban.core import labels

register = template.Library()


@register.filter
def action_label(code: str) -> str:
    return labels.action_label(code)


@register.filter
def object_type_label(code: str) -> str:
    return labels.object_type_label(code) if code else ""
