"""An uploaded BPMN cannot run Python: scripts and conditions go through the restricted evaluator."""

from __future__ import annotations

import pytest

from tongban.core.errors import InvalidInput
from tongban.workflow import services

pytestmark = pytest.mark.django_db

TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="evil" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    {body}
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="x" />
    <bpmn:sequenceFlow id="f2" sourceRef="x" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>"""


@pytest.mark.parametrize(
    "script",
    [
        "__import__('os').system('touch /tmp/pwned')",
        "x = ().__class__.__bases__[0].__subclasses__()",
        "import os",
        "x = open('/etc/passwd').read()",
        "x = [].__class__",
    ],
)
def test_scripts_that_reach_for_python_are_refused_at_import(script, sysadmin):
    body = (
        f'<bpmn:scriptTask id="x" scriptFormat="python"><bpmn:incoming>f1</bpmn:incoming>'
        f"<bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>"
    )
    with pytest.raises(InvalidInput) as err:
        services.import_definition(sysadmin, TEMPLATE.format(body=body).encode())
    assert "x" in str(err.value.message)


def test_a_condition_with_a_dunder_is_refused_naming_the_flow(sysadmin):
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="evil2" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:exclusiveGateway id="g" default="f3"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="g" />
    <bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="e"><bpmn:conditionExpression>${x.__class__}</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f3" sourceRef="g" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>"""
    with pytest.raises(InvalidInput) as err:
        services.import_definition(sysadmin, xml.encode())
    assert "f2" in str(err.value.message)


def test_a_safe_script_runs(sysadmin, office):
    body = (
        '<bpmn:scriptTask id="x" scriptFormat="python"><bpmn:incoming>f1</bpmn:incoming>'
        "<bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>total = 2 + 3</bpmn:script></bpmn:scriptTask>"
    )
    definition = services.import_definition(sysadmin, TEMPLATE.format(body=body).encode())
    instance = services.start_instance(office["clerk"], process_key=definition.key)
    instance.refresh_from_db()
    assert instance.status == "completed"


def test_a_missing_sequence_flow_is_caught(sysadmin):
    body = (
        '<bpmn:userTask id="x"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f9</bpmn:outgoing>'
        "</bpmn:userTask>"
    )
    with pytest.raises(InvalidInput) as err:
        services.import_definition(sysadmin, TEMPLATE.format(body=body).encode())
    assert "f9" in str(err.value.message)


@pytest.mark.parametrize(
    "payload",
    [
        b"not xml",
        b"<a/>",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    ],
)
def test_garbage_and_xxe_are_refused(payload, sysadmin):
    with pytest.raises(InvalidInput):
        services.import_definition(sysadmin, payload)


def test_only_process_administrators_import(office):
    from tongban.core.errors import Forbidden

    with pytest.raises(Forbidden):
        services.import_definition(office["clerk"], TEMPLATE.format(body="").encode())
