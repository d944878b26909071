"""``services.set_variables``: a running instance's variables change for the steps to come,
also for a step gone back to; a step under way keeps what it started with; audited; only a
process administrator for a process no domain owns."""

from __future__ import annotations

import pytest

from tongban.audit.models import AuditEntry
from tongban.core.errors import Conflict, Forbidden
from tongban.workflow import services
from tongban.workflow.models import ProcessInstance

from .test_outgoing_document import only, open_tasks, start

pytestmark = pytest.mark.django_db


def countersigning(instance: ProcessInstance) -> set[str]:
    return {t.context_label for t in open_tasks(instance) if t.bpmn_id == "countersign"}


def test_the_steps_to_come_read_the_new_values_also_after_a_withdrawal(office, sysadmin):
    instance = start(office, departments=("FIN", "EAST"))
    services.set_variables(sysadmin, instance.pk, {"countersign_departments": ["EAST"]})
    services.complete_task(office["clerk"], only(instance, "draft").pk, opinion="请审核")
    # Withdrawn, 拟稿 starts again from the data before it: the new value must be there.
    services.withdraw(office["clerk"], instance.pk)
    services.complete_task(office["clerk"], only(instance, "draft").pk, opinion="请审核")
    services.complete_task(
        office["chief"], only(instance, "review").pk, data={"approved": True}, opinion="同意"
    )
    assert countersigning(instance) == {"东城区人民政府"}
    instance.refresh_from_db()
    assert instance.variables["countersign_departments"] == ["EAST"]
    entry = AuditEntry.objects.get(action="workflow.instance.variables")
    assert entry.before == {"countersign_departments": ["FIN", "EAST"]}
    assert entry.after == {"countersign_departments": ["EAST"]}


def test_a_countersign_under_way_keeps_its_units(office, sysadmin):
    instance = start(office, departments=("FIN",))
    services.complete_task(office["clerk"], only(instance, "draft").pk, opinion="请审核")
    services.complete_task(
        office["chief"], only(instance, "review").pk, data={"approved": True}, opinion="同意"
    )
    services.set_variables(sysadmin, instance.pk, {"countersign_departments": ["FIN", "EAST"]})
    assert countersigning(instance) == {"财政局"}
    task = only(instance, "countersign")
    services.complete_task(office["fin_head"], task.pk, opinion="会签同意")
    assert only(instance, "sign_off").assignee == office["edu_head"]


def test_only_a_process_administrator_and_only_while_it_runs(office, sysadmin):
    instance = start(office)
    with pytest.raises(Forbidden):
        services.set_variables(office["clerk"], instance.pk, {"countersign_departments": []})
    assert AuditEntry.objects.filter(
        action="workflow.manage", outcome="denied", actor_username="wf.clerk"
    ).exists()
    services.terminate_instance(sysadmin, instance.pk, reason="重复发起")
    with pytest.raises(Conflict):
        services.set_variables(sysadmin, instance.pk, {"countersign_departments": []})
    instance.refresh_from_db()
    assert instance.variables["countersign_departments"] == ["FIN", "EAST"]
