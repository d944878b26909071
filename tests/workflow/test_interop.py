"""Files made by other people's modelers (the interoperability corpus, tests/interop.py):
import, refuse clearly, run."""

from __future__ import annotations

import re

import pytest

from tests import interop
from tongban.core.errors import InvalidInput
from tongban.workflow import diagram, services
from tongban.workflow.models import ProcessDefinition

pytestmark = pytest.mark.django_db

# Java code behind a service task cannot run here: the import says which task and what it calls.
REFUSED = {
    "camunda-spring-boot-sample.bpmn": (
        "The process cannot be imported: ServiceTask_1: service task calls "
        "“${sayHelloDelegate}”, Java/external code that tongban cannot run"
    ),
    "camunda-testing-job-announcement.bpmn": (
        "The process cannot be imported: mail: service task calls "
        "“#{jobAnnouncementService.notifyAboutPostings(jobAnnouncementId)}”, "
        "Java/external code that tongban cannot run"
    ),
}
IMPORTED = sorted(set(interop.BPMN_FILES) - set(REFUSED))
RUNNABLE = ["camunda-invoiceApproval.bpmn", "camunda-loanApproval.bpmn"]


def test_the_interop_corpus_is_there():
    folder = interop.bpmn_dir()
    assert {p.name for p in folder.glob("*.bpmn")} == set(interop.BPMN_FILES)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_file_calling_java_is_refused_naming_the_task(name, sysadmin, english):
    xml = interop.bpmn_file(name).read_bytes()
    with pytest.raises(InvalidInput) as err:
        services.import_definition(sysadmin, xml, source=name)
    assert str(err.value.message) == REFUSED[name]
    assert err.value.errors == {"file": [REFUSED[name]]}
    assert not ProcessDefinition.objects.filter(source=name).exists()


@pytest.mark.parametrize("name", IMPORTED)
def test_every_other_file_imports_and_draws(name, sysadmin):
    xml = interop.bpmn_file(name).read_bytes()
    definition = services.import_definition(sysadmin, xml, source=name)
    assert ProcessDefinition.objects.filter(pk=definition.pk, source=name).exists()
    svg = diagram.render_svg(definition.bpmn_xml, process_id=definition.key)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="tb-bpmn"')


@pytest.mark.parametrize("name", RUNNABLE)
def test_executable_camunda_files_run_to_the_end(name, sysadmin, office):
    xml = interop.bpmn_file(name).read_bytes()
    definition = services.import_definition(sysadmin, xml, source=name)
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


def test_refusals_name_the_element_in_the_platforms_language(sysadmin):
    xml = interop.bpmn_file("camunda-spring-boot-sample.bpmn").read_bytes()
    assert set(re.findall(rb'<\w+:serviceTask id="([^"]+)"', xml)) == {b"ServiceTask_1"}
    with pytest.raises(InvalidInput) as err:
        services.import_definition(sysadmin, xml)
    assert str(err.value.message) == (
        "无法导入该流程：ServiceTask_1：服务任务调用“${sayHelloDelegate}”，"
        "这是本平台无法运行的 Java/外部代码"
    )
