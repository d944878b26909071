"""会签单位 (the units that countersign) after the draft is saved: the clerk adds or changes them
while the document is at 拟稿 (and the reviewer at 核稿), until the countersign begins; the
process variable of the running instance changes through ``workflow.set_variables``, audited."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tongban.audit.models import AuditEntry
from tongban.core.errors import Conflict, Forbidden, InvalidInput
from tongban.documents import selectors, services
from tongban.documents.models import Stage
from tongban.workflow import services as workflow
from tongban.workflow.models import ProcessInstance, Task

from .conftest import complete, draft, open_task
from .test_api import api

pytestmark = pytest.mark.django_db


def countersigning(document) -> list[str]:
    """The units whose countersign tasks were opened, in order."""
    return list(
        Task.objects.filter(instance_id=document.instance_id, bpmn_id="countersign")
        .order_by("id")
        .values_list("context_label", flat=True)
    )


def to_countersign(gov, document) -> None:
    complete(gov["drafter"], document, "draft", opinion="请核稿")
    complete(gov["reviewer"], document, "review", data={"approved": True}, opinion="同意")


def test_the_clerk_changes_the_units_after_saving_and_the_countersign_follows(gov):
    document = draft(gov, countersign=["FIN"])
    services.update_draft(
        gov["drafter"], document.pk, services.DraftIn(countersign_departments=["EDU", "EAST"])
    )
    assert selectors.countersign_codes(document) == ["EDU", "EAST"]
    to_countersign(gov, document)
    assert countersigning(document) == ["示范市教育局", "东城区人民政府"]
    # Audited twice in the one transaction: the document's edit and the process variable.
    edit = AuditEntry.objects.filter(action="documents.document.update").latest("seq")
    assert edit.before["countersign"] == ["FIN"]
    assert edit.after["countersign"] == ["EDU", "EAST"]
    variables = AuditEntry.objects.get(action="workflow.instance.variables")
    assert variables.object_id == str(document.instance_id)
    assert variables.before == {"countersign_departments": ["FIN"]}
    assert variables.after == {"countersign_departments": ["EDU", "EAST"]}


def test_a_draft_saved_without_units_gets_them_from_the_reviewer(gov):
    document = draft(gov, countersign=[])
    complete(gov["drafter"], document, "draft", opinion="请核稿")
    services.update_draft(
        gov["reviewer"], document.pk, services.DraftIn(countersign_departments=["FIN"])
    )
    complete(gov["reviewer"], document, "review", data={"approved": True}, opinion="同意")
    assert countersigning(document) == ["示范市财政局"]


def test_the_change_survives_a_withdrawal_and_a_return_to_the_draft(gov):
    """Going back to 拟稿 restarts it from the data before it: the new units must stay."""
    document = draft(gov, countersign=["FIN"])
    services.update_draft(
        gov["drafter"], document.pk, services.DraftIn(countersign_departments=["EDU"])
    )
    complete(gov["drafter"], document, "draft", opinion="请核稿")
    workflow.withdraw(gov["drafter"], document.instance_id)
    complete(gov["drafter"], document, "draft", opinion="请核稿")
    review = open_task(document, "review")
    if review.assignee_id is None:
        workflow.claim_task(gov["reviewer"], review.pk)
    workflow.return_task(gov["reviewer"], review.pk, opinion="请补充依据")
    complete(gov["drafter"], document, "draft", opinion="已补充")
    complete(gov["reviewer"], document, "review", data={"approved": True}, opinion="同意")
    assert countersigning(document) == ["示范市教育局"]


def test_once_countersigning_began_the_units_are_refused_and_nothing_changes(gov):
    document = draft(gov, countersign=["FIN"])
    to_countersign(gov, document)
    document.refresh_from_db()
    assert document.stage == Stage.COUNTERSIGN
    with pytest.raises(Conflict) as refused:
        services.update_draft(
            gov["drafter"], document.pk, services.DraftIn(countersign_departments=["EDU"])
        )
    assert "countersign_departments" in refused.value.errors
    assert "会签已开始" in str(refused.value.message)
    complete(gov["fin_head"], document, "countersign", opinion="会签同意")
    document.refresh_from_db()
    assert document.stage == Stage.SIGN_OFF
    with pytest.raises(Conflict):
        services.update_draft(
            gov["signer"], document.pk, services.DraftIn(countersign_departments=["FIN", "EDU"])
        )
    # The signer still edits the text; the same units given again are no change.
    services.update_draft(
        gov["signer"],
        document.pk,
        services.DraftIn(
            title="关于做好冬季安全生产工作的紧急通知", countersign_departments=["FIN"]
        ),
    )
    assert selectors.countersign_codes(document) == ["FIN"]
    assert not AuditEntry.objects.filter(action="workflow.instance.variables").exists()


def test_only_whoever_has_the_step_changes_them_and_bad_units_are_refused(gov):
    document = draft(gov, countersign=["FIN"])
    with pytest.raises(Forbidden):  # the draft is with the drafter, not the reviewer
        services.update_draft(
            gov["reviewer"], document.pk, services.DraftIn(countersign_departments=["EDU"])
        )
    for codes in (["BGT-MSC"], ["BGT"], ["NOPE"]):  # a division, its own unit, no unit
        with pytest.raises(InvalidInput) as refused:
            services.update_draft(
                gov["drafter"], document.pk, services.DraftIn(countersign_departments=codes)
            )
        assert "countersign_departments" in refused.value.errors
    assert selectors.countersign_codes(document) == ["FIN"]
    assert AuditEntry.objects.filter(
        action="documents.document.update", outcome="denied", actor_username="reviewer"
    ).exists()


def test_a_domains_process_variables_are_set_by_the_domain_only(gov, sysadmin):
    document = draft(gov, countersign=["FIN"])
    with pytest.raises(InvalidInput):
        workflow.set_variables(
            gov["drafter"], document.instance_id, {"countersign_departments": []}
        )
    instance = ProcessInstance.objects.get(pk=document.instance_id)
    assert instance.variables["countersign_departments"] == ["FIN"]


def test_the_edit_page_offers_the_units_until_the_countersign_begins(gov):
    document = draft(gov, countersign=["FIN"])
    drafter = Client()
    drafter.force_login(gov["drafter"])
    page = drafter.get(f"/documents/{document.pk}/edit/").content.decode()
    boxes = re.findall(r'<input type="checkbox" name="countersign_departments"[^>]*>', page)
    assert any('value="FIN"' in b and "checked" in b for b in boxes)
    assert any('value="EDU"' in b and "checked" not in b for b in boxes)
    assert not any('value="BGT"' in b for b in boxes)  # the issuing unit itself
    form = {
        "doc_type": "通知",
        "title": document.title,
        "body": document.body,
        "main_recipients": ["FIN", "EDU"],
        "classification": "0",
        "countersign_departments": ["FIN", "EDU"],
    }
    saved = drafter.post(f"/documents/{document.pk}/edit/", form)
    assert saved.status_code == 302
    assert selectors.countersign_codes(document) == ["FIN", "EDU"]
    shown = drafter.get(f"/documents/{document.pk}/").content.decode()
    assert "示范市财政局、示范市教育局" in shown

    to_countersign(gov, document)
    for task in Task.objects.filter(instance_id=document.instance_id, bpmn_id="countersign"):
        head = gov["fin_head"] if task.context_label == "示范市财政局" else gov["edu_head"]
        if task.assignee_id is None:
            workflow.claim_task(head, task.pk)
        workflow.complete_task(head, task.pk, opinion="会签同意")
    signer = Client()
    signer.force_login(gov["signer"])
    page = signer.get(f"/documents/{document.pk}/edit/").content.decode()
    boxes = re.findall(r'<input type="checkbox" name="countersign_departments"[^>]*>', page)
    assert boxes and all("disabled" in b for b in boxes)
    assert "会签已开始" in page
    form["title"] = "关于做好冬季安全生产工作的紧急通知"
    form["countersign_departments"] = ["EAST"]  # posted anyway: ignored, the text is saved
    assert signer.post(f"/documents/{document.pk}/edit/", form).status_code == 302
    document.refresh_from_db()
    assert document.title == "关于做好冬季安全生产工作的紧急通知"
    assert selectors.countersign_codes(document) == ["FIN", "EDU"]


def test_the_api_changes_the_units_and_refuses_once_countersigning_began(client, gov):
    drafter = api(client, "drafter")
    document = draft(gov, countersign=[])
    response = drafter.patch(
        f"/api/v1/documents/{document.pk}",
        {"countersign_departments": ["EDU"]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["countersign_departments"] == ["EDU"]
    to_countersign(gov, document)
    assert countersigning(document) == ["示范市教育局"]
    refused = drafter.patch(
        f"/api/v1/documents/{document.pk}",
        {"countersign_departments": ["EDU", "FIN"]},
        content_type="application/json",
    )
    assert refused.status_code == 409
    assert refused["Content-Type"].startswith("application/problem+json")
    assert "Countersigning has begun" in refused.json()["detail"]
    assert drafter.get(f"/api/v1/documents/{document.pk}").json()["countersign_departments"] == [
        "EDU"
    ]
