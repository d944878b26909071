"""Files made by other people's modelers (../shared/interop/bpmn): import, refuse clearly, run."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

from tongban.core.errors import InvalidInput
from tongban.workflow import diagram, services
from tongban.workflow.models import ProcessDefinition

pytestmark = pytest.mark.django_db

INTEROP = Path(__file__).resolve().parents[3] / "shared" / "interop" / "bpmn"
FILES = sorted(INTEROP.glob("*.bpmn"))

REFUSED = {
    "camunda-spring-boot-sample.bpmn": "Service",  # camunda:delegateExpression: Java code
    "camunda-testing-job-announcement.bpmn": "",  # a call to a process in another file / Java expression
}
RUNNABLE = {"camunda-invoiceApproval.bpmn", "camunda-loanApproval.bpmn"}


def test_the_interop_corpus_is_there():
    assert len(FILES) == 10, f"expected the 10 interop files in {INTEROP}"


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_file_imports_or_is_refused_naming_the_element(path, sysadmin):
    xml = path.read_bytes()
    if path.name in REFUSED:
        with translation.override("en"), pytest.raises(InvalidInput) as err:
            services.import_definition(sysadmin, xml, source=path.name)
        message = str(err.value.message)
        assert "cannot" in message or "not" in message
        assert any(
            token in message
            for token in ("ServiceTask", "Task_", "CallActivity", "service task", "calls")
        )
        return
    definition = services.import_definition(sysadmin, xml, source=path.name)
    assert ProcessDefinition.objects.filter(pk=definition.pk).exists()
    svg = diagram.render_svg(definition.bpmn_xml, process_id=definition.key)
    assert svg.lstrip().startswith("<svg") or "<svg" in svg[:300]


@pytest.mark.parametrize("name", sorted(RUNNABLE))
def test_executable_camunda_files_run_to_the_end(name, sysadmin, office):
    definition = services.import_definition(sysadmin, (INTEROP / name).read_bytes(), source=name)
    assert definition.executable
    assert definition.warnings, "camunda:assignee names that match no account are listed"
    # Their forms are files beside the BPMN (camunda:formKey): not shown, and the import says so.
    assert any("StartEvent_1" in w and "start-form" in w for w in definition.warnings)
    assert any("UserTask_1" in w and "task-form" in w for w in definition.warnings)
    instance = services.start_instance(office["clerk"], process_key=definition.key)
    for _ in range(10):
        task = instance.tasks.filter(status="open").first()
        if task is None:
            break
        assert task.assignee == office["clerk"]  # unmatched assignee: the initiator
        services.complete_task(office["clerk"], task.pk, data={"approved": True})
    instance.refresh_from_db()
    assert instance.status == "completed"


def test_refusals_name_the_element(sysadmin):
    xml = (INTEROP / "camunda-spring-boot-sample.bpmn").read_bytes()
    with pytest.raises(InvalidInput) as err:
        services.import_definition(sysadmin, xml)
    import re

    ids = set(re.findall(rb'<\w+:serviceTask id="([^"]+)"', xml))
    assert any(i.decode() in str(err.value.message) for i in ids)
