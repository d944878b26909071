"""Every audited action and object type has a label in Chinese and in English (core.labels), the
code recorded without one is reported, and a code nobody named is shown as it is."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.utils import translation

import tongban
from tongban.audit import services
from tongban.audit.models import AuditEntry
from tongban.core import labels
from tongban.core.permissions import Action

SRC = Path(tongban.__file__).parent
CJK = re.compile(r"[\u4e00-\u9fff]")
# A code of three parts or more is an audited action (two-part codes are also object types,
# permissions and job names: those are found through the calls to record/record_denied).
ACTION_LITERAL = re.compile(
    r"^(identity|org|audit|core|workflow|seals|records|documents|notifications)"
    r"\.[a-z_]+\.[a-z_]+(\.[a-z_]+)*$"
)


def _modules() -> list[Path]:
    return [
        path
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts and path.name != "labels.py"
    ]


def recorded_codes() -> tuple[set[str], set[str]]:
    """The action codes written in the source (not in the label tables themselves), and the
    prefixes of those built with an f-string (``f"workflow.task.{action}"``)."""
    codes: set[str] = set()
    prefixes: set[str] = set()
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parts = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
        for node in ast.walk(tree):
            literal = isinstance(node, ast.Constant) and isinstance(node.value, str)
            if literal and ACTION_LITERAL.match(node.value) and id(node) not in parts:
                codes.add(node.value)
            if isinstance(node, ast.Call) and node.args:
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name not in ("record", "record_denied"):
                    continue
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    codes.add(first.value)
                elif isinstance(first, ast.JoinedStr) and isinstance(first.values[0], ast.Constant):
                    prefixes.add(str(first.values[0].value))
    return codes, prefixes


def test_every_action_code_in_the_source_has_a_label():
    codes, prefixes = recorded_codes()
    assert {"identity.sign_in", "workflow.task.complete", "records.fonds.create"} <= codes
    assert "workflow.task." in prefixes  # f"workflow.task.{action}"
    missing = sorted(code for code in codes if not labels.has_action_label(code))
    assert not missing, (
        f"audit actions without a label (add them to the app's labels.py): {missing}"
    )
    for prefix in prefixes:
        assert any(code.startswith(prefix) for code in labels.registered_actions()), prefix


def test_every_label_is_chinese_in_chinese_and_english_in_english():
    codes = labels.registered_actions() | set(Action.values)
    types = labels.registered_object_types()
    assert len(codes) > 100 and len(types) > 25
    with translation.override("zh-hans"):
        untranslated = [c for c in codes if not CJK.search(labels.action_label(c))]
        untranslated += [t for t in types if not CJK.search(labels.object_type_label(t))]
        assert labels.action_label("identity.sign_in") == "登录"
        assert labels.object_type_label("identity.user") == "账号"
        assert labels.object_type_label("documents.document") == "公文"
    assert not untranslated, f"labels without a Chinese translation: {sorted(untranslated)}"
    with translation.override("en"):
        chinese = [c for c in codes if CJK.search(labels.action_label(c))]
        chinese += [t for t in types if CJK.search(labels.object_type_label(t))]
        assert labels.action_label("workflow.task.complete") == "Complete a step"
    assert not chinese, f"English labels in Chinese: {sorted(chinese)}"


def test_a_refused_permission_is_named_as_the_permission_and_an_unknown_code_as_itself():
    with translation.override("zh-hans"):
        assert labels.action_label(Action.VIEW_AUDIT) == "查阅审计日志"
        assert labels.action_label("nobody.named.this") == "nobody.named.this"
        # A model nobody registered reads as its verbose name; a non-model as its code.
        assert labels.object_type_label("workflow.historyevent") == "history event"
        assert labels.object_type_label("nobody.thing") == "nobody.thing"


@pytest.mark.django_db
def test_recording_a_code_without_a_label_warns_and_still_records():
    with pytest.warns(labels.UnlabelledCode, match="nobody.named.this"):
        services.record("nobody.named.this", object_type="identity.user")
    with pytest.warns(labels.UnlabelledCode, match="nobody.thing"):
        services.record("identity.sign_in", object_type="nobody.thing")
    assert AuditEntry.objects.filter(action="nobody.named.this").count() == 1


def test_values_read_as_text():
    with translation.override("zh-hans"):
        assert labels.display(["李签发", "王核稿"]) == "李签发、王核稿"
        assert labels.display([{"department": "FIN", "name": "示范市财政局"}]) == "示范市财政局"
        assert labels.display(True) == "是"
        assert labels.display(None) == "—"
