"""The rules around a document's steps: classification against clearance, who signs off, what a
step handed over or added may do, refusals in the audit trail, sealing that raced, what a step
sent back forgets, and the content destroyed with its record."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tongban.audit.models import AuditEntry
from tongban.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from tongban.documents import incoming, selectors, services
from tongban.documents.models import Document, IncomingItem, IncomingStatus, Stage
from tongban.identity.models import User
from tongban.notifications.models import Notification
from tongban.org import policy
from tongban.org import services as org
from tongban.seals import services as seals
from tongban.workflow import services as workflow
from tongban.workflow.models import Task

from .conftest import complete, draft, issue, open_task, otp, to_sealing

pytestmark = pytest.mark.django_db


def clear(user: User, level: int) -> None:
    """The security administrator grants ``user`` clearance ``level``."""
    from tongban.identity import services as identity

    identity.grant_clearance(User.objects.get(username="secadmin"), user, level)
    user.refresh_from_db()


def test_a_classified_document_stays_with_those_cleared_for_it(sealing):
    gov = sealing
    for name in ("drafter", "reviewer", "signer", "keeper"):
        clear(gov[name], 3)
    document = draft(gov, classification=2, secrecy_period="1年", title="关于某秘密事项的通知")
    # Its process (inboxes, the process monitor) shows its number, not its title.
    assert "秘密事项" not in document.instance.title and str(document.pk) in document.instance.title
    complete(gov["drafter"], document, "draft")
    complete(gov["reviewer"], document, "review", data={"approved": True})
    # 财政局's head has no clearance for 秘密: the countersign is refused and the refusal kept.
    task = open_task(document, "countersign")
    with pytest.raises(Forbidden):
        workflow.complete_task(gov["fin_head"], task.pk, opinion="同意")
    assert AuditEntry.objects.filter(
        action="documents.document.step", outcome="denied", actor_username="fin_head"
    ).exists()
    # Nor can the step be handed to someone without the clearance.
    clear(gov["fin_head"], 2)
    with pytest.raises(InvalidInput):
        workflow.transfer_task(gov["fin_head"], task.pk, to_username="fin_clerk")
    complete(gov["fin_head"], document, "countersign", opinion="同意")
    complete(gov["signer"], document, "sign_off")
    complete(gov["drafter"], document, "numbering")
    # No title of it reaches anyone's notifications or the receiving clerks.
    with time_machine.travel(timezone.now() + timedelta(seconds=40), tick=True):
        services.apply_seal(gov["keeper"], document.pk, otp=otp())
    complete(gov["drafter"], document, "distribution")
    assert not Notification.objects.filter(title__contains="秘密事项").exists()
    assert not Notification.objects.filter(body__contains="秘密事项").exists()
    item = IncomingItem.objects.get(document=document, department=gov["finance"])
    with pytest.raises(NotFound):  # clearance 0: the entry is not theirs to see
        incoming.receive(gov["fin_clerk"], item.pk)
    with pytest.raises(NotFound):
        selectors.document_for(gov["fin_clerk"], document.pk)


def test_only_a_head_of_the_issuing_unit_signs_off_even_after_a_hand_over(gov):
    document = draft(gov, countersign=[])
    complete(gov["drafter"], document, "draft")
    complete(gov["reviewer"], document, "review", data={"approved": True})
    task = open_task(document, "sign_off")
    with pytest.raises(InvalidInput):
        workflow.transfer_task(gov["signer"], task.pk, to_username="drafter")
    # An added signer gives an opinion; the step stays the signer's and the text theirs.
    added = workflow.add_signer(gov["signer"], task.pk, username="reviewer", reason="请再看一下")
    with pytest.raises(Forbidden):
        services.update_draft(gov["reviewer"], document.pk, services.DraftIn(title="改掉"))
    workflow.complete_task(gov["reviewer"], added.pk, opinion="无意见")
    document.refresh_from_db()
    assert document.doc_number == ""  # an added signer's opinion signs nothing off
    workflow.complete_task(gov["signer"], task.pk, opinion="签发")
    document.refresh_from_db()
    assert document.signed_by == gov["signer"] and document.number_serial == 1


def test_refused_edits_and_steps_are_in_the_audit_trail(gov):
    document = draft(gov)
    with pytest.raises(Forbidden):
        services.update_draft(gov["signer"], document.pk, services.DraftIn(title="改"))
    with pytest.raises(Forbidden):
        workflow.complete_task(gov["signer"], open_task(document, "draft").pk)
    denied = AuditEntry.objects.filter(outcome="denied", actor_username="signer")
    assert {"documents.document.update", "workflow.task.complete"} <= set(
        denied.values_list("action", flat=True)
    )


def test_a_seal_made_while_the_document_moved_is_not_kept(sealing, monkeypatch):
    gov = sealing
    document = to_sealing(gov, draft(gov))
    real = seals.sign_pdfs

    def sign_while_it_is_sent_back(*args, **kwargs):
        out = real(*args, **kwargs)
        # Meanwhile the step is sent back to registration (another keeper, a mistake found).
        workflow.return_task(
            gov["keeper"], open_task(document, "sealing").pk, opinion="版式有误，退回重印"
        )
        return out

    monkeypatch.setattr(seals, "sign_pdfs", sign_while_it_is_sent_back)
    later = timezone.now() + timedelta(seconds=40)
    with time_machine.travel(later, tick=True), pytest.raises(Conflict):
        services.apply_seal(gov["keeper"], document.pk, otp=otp())
    document.refresh_from_db()
    assert document.stage == Stage.NUMBERING
    assert document.sealed_pdf is None and document.seal_token == ""


def test_sent_back_after_registration_the_printed_copy_goes_and_the_number_stays(sealing):
    gov = sealing
    document = to_sealing(gov, draft(gov))
    number = document.doc_number
    assert document.official_pdf is not None
    workflow.return_task(
        gov["keeper"],
        open_task(document, "sealing").pk,
        to_task_id=Task.objects.get(instance_id=document.instance_id, bpmn_id="draft").pk,
        opinion="请修改正文后重新报签",
    )
    document.refresh_from_db()
    assert document.stage == Stage.DRAFT
    assert document.official_pdf is None and document.sealed_pdf is None
    assert document.signers == [] and document.signed_by is None and document.date_written is None
    assert document.doc_number == number  # never given to another document
    services.update_draft(gov["drafter"], document.pk, services.DraftIn(body="修改后的正文。"))
    _pdf, name = services.pdf_of(document)
    assert name.startswith("draft-")  # the old printed copy is not served any more


def test_a_stopped_incoming_process_is_not_completed_and_not_archived(sealing, sysadmin):
    gov = sealing
    document = issue(gov, draft(gov))
    item = IncomingItem.objects.get(document=document, department=gov["finance"])
    incoming.receive(gov["fin_clerk"], item.pk)
    item.refresh_from_db()
    workflow.terminate_instance(sysadmin, item.instance_id, reason="误签收")
    item.refresh_from_db()
    assert item.status == IncomingStatus.CANCELLED and item.completed_at is None
    with pytest.raises(Conflict):
        incoming.archive_incoming(gov["fin_clerk"], item.pk, retention="D10")


def test_bad_values_are_refused_not_crashes(client, gov):
    from tests.documents.test_api import api

    drafter = api(client, "drafter")
    for url in (
        "/api/v1/documents/search?q=通知&year=10000",
        "/api/v1/documents?year=10000",
        "/api/v1/documents/incoming?year=10000",
        "/api/v1/documents/registers/outgoing.xlsx?year=99999",
    ):
        assert drafter.get(url).status_code == 422, url
    document = draft(gov, countersign=[])
    complete(gov["drafter"], document, "draft")
    complete(gov["reviewer"], document, "review", data={"approved": True})
    complete(gov["signer"], document, "sign_off")
    task = open_task(document, "numbering")
    answer = drafter.post(
        f"/api/v1/workflow/tasks/{task.pk}/complete",
        '{"data": {"copies": 1e400}, "opinion": ""}',
        content_type="application/json",
    )
    assert answer.status_code == 422, answer.content
    web = Client()
    web.force_login(gov["drafter"])
    # Ids that are not numbers find nothing: the page says so instead of failing.
    for action, field in (("remove_attachment", "attachment"), ("urge", "task")):
        response = web.post(
            f"/documents/{document.pk}/", {"action": action, field: "abc"}, follow=True
        )
        assert response.status_code == 200, (action, response.status_code)
        assert "message-error" in response.content.decode(), action


def test_an_imported_document_is_archived_by_the_unit_that_registered_it(gov, secadmin):
    from tongban.documents import importing

    org.assign_role(
        secadmin,
        username=gov["edu_clerk"].username,
        role="archivist",
        department="EDU",
    )
    policy.forget(gov["edu_clerk"])  # the roles cached on this object are now out of date
    text = "示范市财政局文件\n示财发〔2024〕5号\n关于某事的通知\n各单位：\n正文。\n示范市财政局\n2024年5月1日"
    reports = importing.import_files(gov["edu_clerk"], [("a.txt", text.encode())])
    document = Document.objects.get(pk=reports[0].document_id)
    assert document.department == gov["education"]
    archived = services.archive_document(gov["edu_clerk"], document.pk, retention="D10")
    assert archived.record_code


def test_destroying_the_record_takes_the_documents_content(gov, secadmin):
    from tongban.documents import importing
    from tongban.records import services as records
    from tongban.records.models import Record

    org.assign_role(
        secadmin,
        username=gov["edu_clerk"].username,
        role="archivist",
        department="EDU",
    )
    policy.forget(gov["edu_clerk"])  # the roles cached on this object are now out of date
    text = "示范市教育局文件\n示教发〔2013〕5号\n关于旧事项的通知\n各单位：\n旧正文。\n示范市教育局\n2013年5月1日"
    reports = importing.import_files(gov["edu_clerk"], [("old.txt", text.encode())])
    document = Document.objects.get(pk=reports[0].document_id)
    services.archive_document(gov["edu_clerk"], document.pk, retention="D10")
    record = Record.objects.get(source_type="documents.document", source_id=str(document.pk))
    proposal = records.propose_disposal(gov["edu_clerk"], record.pk, reason="保管期满，无保存价值")
    records.approve_disposal(gov["edu_head"], proposal.pk, note="同意")
    document.refresh_from_db()
    assert document.stage == Stage.DISPOSED and document.source_file is None
    assert document.body == ""
    hits = selectors.documents(gov["edu_clerk"], selectors.DocumentFilter(q="旧事项"))
    assert not hits.exists()


def test_export_package_names_cannot_leave_the_folder(sealing):
    gov = sealing
    document = draft(gov)
    services.add_attachment(
        gov["drafter"],
        document.pk,
        filename="x.t\\xt",
        data=b"abc",
        title="..\\..\\Startup\\evil",
    )
    issue(gov, document)
    document.refresh_from_db()
    names = zipfile.ZipFile(io.BytesIO(services.export_package(document))).namelist()
    assert all("\\" not in n and "/" not in n and ".." not in n for n in names), names


def test_an_attachment_keeps_the_name_its_uploader_gave(gov):
    first = draft(gov, title="关于甲的通知")
    second = draft(gov, title="关于乙的通知")
    services.add_attachment(gov["drafter"], first.pk, filename="甲方案.txt", data=b"same")
    services.add_attachment(gov["drafter"], second.pk, filename="乙方案.txt", data=b"same")
    assert second.attachments.get().filename == "乙方案.txt"


def test_the_process_administrator_reads_no_document_through_the_workflow_api(
    client, gov, sysadmin
):
    document = draft(gov, title="关于内部事项的通知")
    client.force_login(sysadmin)
    assert client.get(f"/api/v1/workflow/instances/{document.instance_id}").status_code == 404
    assert (
        client.get(f"/api/v1/workflow/instances/{document.instance_id}/history").status_code == 404
    )
