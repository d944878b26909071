"""批办 on the page: the unit's head chooses the host among the unit and its divisions, and
co-departments (协办) also among the other units of the platform; a co-department outside the
unit gets its 承办 step and may open the document."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tongban.documents import incoming
from tongban.documents.models import IncomingItem, IncomingStatus
from tongban.workflow import selectors as workflow_selectors
from tongban.workflow import services as workflow
from tongban.workflow.models import Task

from .conftest import draft, issue

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S)
    assert select, f"no select {name}"
    return re.findall(r'<option value="([^"]+)"', select.group(0))


@pytest.fixture
def at_instruction(sealing):
    """An issued notice signed for, registered and proposed for handling in 财政局."""
    gov = sealing
    document = issue(gov, draft(gov))
    item = IncomingItem.objects.get(document=document, department=gov["finance"])
    clerk = gov["fin_clerk"]
    incoming.receive(clerk, item.pk)
    item.refresh_from_db()
    for bpmn_id, data, opinion in (
        ("register", {}, ""),
        ("propose", {"for_handling": True}, "拟请预算处牵头办理。"),
    ):
        task = Task.objects.get(instance_id=item.instance_id, bpmn_id=bpmn_id, status="open")
        workflow.complete_task(clerk, task.pk, data=data, opinion=opinion)
    return gov, item


def test_the_head_instructs_a_co_department_of_another_unit(at_instruction):
    gov, item = at_instruction
    head = as_user(gov["fin_head"])
    task = Task.objects.get(instance_id=item.instance_id, bpmn_id="instruct", status="open")
    if task.assignee_id is None:
        head.post(f"/documents/incoming/{item.pk}/", {"task": task.pk, "action": "claim"})
    page = head.get(f"/documents/incoming/{item.pk}/").content.decode()
    # The host: the unit and its divisions; co-departments: those and the platform's other units.
    assert options(page, f"t{task.pk}-host_department") == ["FIN", "FIN-YSC"]
    co = options(page, f"t{task.pk}-co_departments")
    assert co[:2] == ["FIN", "FIN-YSC"]
    assert {"EDU", "EAST", "BGT"} <= set(co)
    response = head.post(
        f"/documents/incoming/{item.pk}/",
        {
            "task": task.pk,
            "action": "complete",
            f"t{task.pk}-host_department": "FIN-YSC",
            f"t{task.pk}-co_departments": ["EDU"],
            f"t{task.pk}-due_days": "5",
            f"t{task.pk}-opinion": "请预算处牵头，教育局协办。",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item.refresh_from_db()
    assert item.status == IncomingStatus.HANDLING
    assert list(item.co_departments.values_list("code", flat=True)) == ["EDU"]
    shown = head.get(f"/documents/incoming/{item.pk}/").content.decode()
    assert "预算处；协办 示范市教育局" in shown

    # 教育局's clerk finds the 承办 step in 待办, opens the entry and the document, and does it.
    edu_clerk = gov["edu_clerk"]
    steps = workflow_selectors.todo(edu_clerk).filter(instance_id=item.instance_id)
    assert [(t.bpmn_id, t.context_label) for t in steps] == [("handle", "示范市教育局")]
    reader = as_user(edu_clerk)
    assert reader.get(f"/documents/incoming/{item.pk}/").status_code == 200
    assert reader.get(f"/documents/{item.document_id}/").status_code == 200
    step = steps.get()
    if step.assignee_id is None:
        workflow.claim_task(edu_clerk, step.pk)
    workflow.complete_task(edu_clerk, step.pk, opinion="已提供教育经费数据")
    # Done, it still sees what it worked on; 教育局's head, who took no part, does not.
    assert reader.get(f"/documents/incoming/{item.pk}/").status_code == 200
    assert as_user(gov["edu_head"]).get(f"/documents/incoming/{item.pk}/").status_code == 404
