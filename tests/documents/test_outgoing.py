"""The outgoing document (发文) from draft to the receiving units' incoming registers."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.db import connection
from django.utils import timezone

from tongban.audit.models import AuditEntry
from tongban.core import numbering
from tongban.core.errors import Conflict, Forbidden, InvalidInput
from tongban.documents import services
from tongban.documents.models import Document, IncomingItem, IncomingStatus, Stage
from tongban.seals import services as seals
from tongban.workflow import services as workflow
from tongban.workflow.models import Task

from .conftest import complete, draft, issue, open_task, seal, to_sealing

pytestmark = pytest.mark.django_db


def test_draft_to_the_receiving_units_incoming_registers(sealing, nss, tmp_path):
    gov = sealing
    document = draft(gov)
    assert document.stage == Stage.DRAFT and document.doc_number == ""
    assert open_task(document, "draft").assignee == gov["drafter"]

    complete(gov["drafter"], document, "draft", opinion="请核稿")
    document.refresh_from_db()
    assert document.stage == Stage.REVIEW
    assert open_task(document, "review").assignee == gov["reviewer"]

    complete(gov["reviewer"], document, "review", data={"approved": True}, opinion="同意")
    complete(gov["fin_head"], document, "countersign", opinion="会签同意")
    document.refresh_from_db()
    assert document.stage == Stage.SIGN_OFF and document.doc_number == ""

    complete(gov["signer"], document, "sign_off", opinion="同意印发")
    document.refresh_from_db()
    assert document.doc_number == f"示政办发〔{document.number_year}〕1号"
    assert document.signers == ["李签发"] and document.signed_by == gov["signer"]
    assert document.date_written is not None
    assert not IncomingItem.objects.exists()  # nothing delivered before distribution
    from tongban.documents import selectors

    found = selectors.documents(gov["drafter"], selectors.DocumentFilter(q=document.doc_number))
    assert list(found) == [document]  # the number is searchable from sign-off on

    complete(gov["drafter"], document, "numbering", data={"copies": 5})
    document.refresh_from_db()
    assert document.stage == Stage.SEALING and document.official_pdf is not None
    assert document.copies == 5

    seal(gov, document)
    assert document.stage == Stage.DISTRIBUTION and document.seal_token
    complete(gov["drafter"], document, "distribution", opinion="已分发")
    sealed = Document.objects.get(pk=document.pk)
    assert sealed.stage == Stage.ISSUED and sealed.issued_at is not None

    # Every platform unit among 主送 and 抄送 has it in its incoming register, waiting for
    # receipt; the outside organ does not (it gets the export package).
    items = {i.department.code: i for i in IncomingItem.objects.select_related("department")}
    assert set(items) == {"FIN", "EDU", "EAST"}
    assert all(i.status == IncomingStatus.AWAITING for i in items.values())
    assert items["EAST"].kind == "cc" and items["FIN"].kind == "main"

    # The PDF carries a seal that poppler's pdfsig accepts.
    pdf_bytes, _name = services.pdf_of(sealed)
    path = tmp_path / "issued.pdf"
    path.write_bytes(pdf_bytes)
    out = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nss}", str(path)], capture_output=True, text=True, check=False
    ).stdout
    assert "Signature is Valid." in out and "Certificate is Trusted." in out
    assert seals.verify_pdf(pdf_bytes).ok

    # Every step is in the audit trail.
    actions = set(
        AuditEntry.objects.filter(
            object_type="documents.document", object_id=str(document.pk)
        ).values_list("action", flat=True)
    )
    assert {
        "documents.document.create",
        "documents.document.sign_off",
        "documents.document.seal",
        "documents.document.distribute",
    } <= actions
    task_actions = list(
        AuditEntry.objects.filter(action="workflow.task.complete").values_list(
            "object_id", flat=True
        )
    )
    assert len(task_actions) == 7  # 拟稿 核稿 会签 签发 编号 用印 分发


def test_numbers_are_gap_free_per_code_and_year_and_a_withdrawn_draft_takes_none(sealing):
    gov = sealing
    key = f"documents.number:示政办发:{timezone.localdate().year}"
    first = draft(gov, title="关于甲事项的通知")
    complete(gov["drafter"], first, "draft")
    # The drafter takes it back before the reviewer acts (撤回): back to the draft, no number.
    workflow.withdraw(gov["drafter"], first.instance_id)
    first.refresh_from_db()
    assert first.stage == Stage.DRAFT and first.doc_number == ""
    assert numbering.peek(key) == 0

    # Sent back at review: back to drafting, still no number.
    complete(gov["drafter"], first, "draft")
    with pytest.raises(InvalidInput):
        complete(gov["reviewer"], first, "review", data={"approved": False})  # needs an opinion
    complete(gov["reviewer"], first, "review", data={"approved": False}, opinion="请补充依据")
    first.refresh_from_db()
    assert first.stage == Stage.DRAFT and numbering.peek(key) == 0

    second = draft(gov, title="关于乙事项的通知", countersign=[])
    to_sealing(gov, second)
    complete(gov["drafter"], first, "draft")
    complete(gov["reviewer"], first, "review", data={"approved": True})
    complete(gov["fin_head"], first, "countersign")
    complete(gov["signer"], first, "sign_off")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.number_serial, first.number_serial) == (1, 2)

    # A document cancelled after sign-off keeps its number; the next gets the one after.
    from tongban.identity.models import User

    sysadmin = User.objects.get(username="sysadmin")
    workflow.terminate_instance(sysadmin, first.instance_id, reason="内容有误，作废")
    first.refresh_from_db()
    assert first.stage == Stage.CANCELLED and first.number_serial == 2
    third = draft(gov, title="关于丙事项的通知", countersign=[])
    to_sealing(gov, third)
    third.refresh_from_db()
    assert third.number_serial == 3  # never 2 again


def test_a_draft_without_its_elements_cannot_go_to_review(gov):
    document = draft(gov, main_recipients=[], body="")
    with pytest.raises(InvalidInput) as refused:
        complete(gov["drafter"], document, "draft")
    assert "正文" in str(refused.value.message) and "主送机关" in str(refused.value.message)
    document.refresh_from_db()
    assert document.stage == Stage.DRAFT
    assert open_task(document, "draft").status == "open"


def test_the_sealing_step_needs_the_seal_and_the_seal_needs_the_keeper_and_a_code(sealing):
    gov = sealing
    document = to_sealing(gov, draft(gov))
    task = open_task(document, "sealing")
    # The keeper cannot just complete the step through the generic task API.
    with pytest.raises(Conflict):
        workflow.complete_task(gov["keeper"], task.pk)
    # Someone who is not the seal keeper may not seal.
    with pytest.raises(Forbidden):
        services.apply_seal(gov["drafter"], document.pk, otp="000000")
    # A wrong code is refused and audited; nothing is sealed.
    from tongban.core.errors import ServiceError

    with pytest.raises(ServiceError):
        services.apply_seal(gov["keeper"], document.pk, otp="000000")
    document.refresh_from_db()
    assert document.sealed_pdf is None and document.stage == Stage.SEALING
    assert AuditEntry.objects.filter(action="seals.sign", outcome="denied").exists()


def test_a_step_cannot_rewrite_the_process_variables(gov):
    document = draft(gov, countersign=["FIN"])
    complete(gov["drafter"], document, "draft", data={"countersign_departments": []})
    complete(
        gov["reviewer"],
        document,
        "review",
        data={"approved": True, "countersign_departments": ["EDU", "EAST"]},
    )
    countersign = Task.objects.filter(instance_id=document.instance_id, bpmn_id="countersign")
    assert [t.context_label for t in countersign] == ["示范市财政局"]


def test_only_whoever_has_the_current_step_edits_and_versions_show_the_change(gov):
    document = draft(gov)
    with pytest.raises(Forbidden):
        services.update_draft(gov["reviewer"], document.pk, services.DraftIn(title="改标题"))
    services.update_draft(
        gov["drafter"],
        document.pk,
        services.DraftIn(body=document.body.replace("切实加强领导", "切实加强组织领导")),
    )
    complete(gov["drafter"], document, "draft")
    services.update_draft(
        gov["reviewer"], document.pk, services.DraftIn(title="关于做好今冬明春安全生产工作的通知")
    )
    document.refresh_from_db()
    assert document.version == 3
    from tongban.documents import selectors

    old, new = selectors.version_pair(document, 1, 3)
    lines = selectors.diff(old, new)
    changed = [str(line.html) for line in lines if line.kind == "changed"]
    assert any("<ins>组织</ins>" in html for html in changed)
    # The marked line reads as the old title without the insertions, the new without deletions.
    title_line = next(html for html in changed if "安全生产工作的通知" in html)
    assert re.sub(r"<ins>.*?</ins>|</?del>", "", title_line) == "〔关于做好冬季安全生产工作的通知〕"
    assert (
        re.sub(r"<del>.*?</del>|</?ins>", "", title_line)
        == "〔关于做好今冬明春安全生产工作的通知〕"
    )
    assert new.saved_by == gov["reviewer"]


def test_after_sign_off_the_text_is_frozen(gov):
    document = draft(gov, countersign=[])
    complete(gov["drafter"], document, "draft")
    complete(gov["reviewer"], document, "review", data={"approved": True})
    complete(gov["signer"], document, "sign_off")
    with pytest.raises(Conflict):
        services.update_draft(gov["drafter"], document.pk, services.DraftIn(title="改"))


def test_bad_input_is_refused_by_field_and_nothing_is_written(gov):
    before = Document.objects.count()
    cases = [
        ({"title": ""}, "title"),
        ({"title": "标" * 301}, "title"),
        ({"doc_type": "公函"}, "doc_type"),
        ({"urgency": "很急"}, "urgency"),
        ({"classification": 9}, "classification"),
        ({"classification": 2}, "classification"),  # above the drafter's clearance
        ({"main_recipients": [services.RecipientIn(department="NOPE")]}, "main_recipients"),
        ({"countersign": ["BGT-MSC"]}, "countersign_departments"),
        ({"countersign": ["BGT"]}, "countersign_departments"),  # its own unit
        ({"secrecy_period": "1年"}, "secrecy_period"),  # without a classification
    ]
    for overrides, field in cases:
        with pytest.raises(InvalidInput) as refused:
            draft(gov, **overrides)
        assert field in refused.value.errors, (overrides, refused.value.errors)
    assert Document.objects.count() == before
    assert not Task.objects.exists()


def test_an_issuing_unit_without_a_code_cannot_sign_off(gov, sysadmin):
    from tongban.org import services as org

    org.update_department(sysadmin, "BGT", issuing_code="")
    document = draft(gov, countersign=[])
    complete(gov["drafter"], document, "draft")
    complete(gov["reviewer"], document, "review", data={"approved": True})
    with pytest.raises(Conflict) as refused:
        complete(gov["signer"], document, "sign_off")
    assert "机关代字" in str(refused.value.message)
    document.refresh_from_db()
    assert document.stage == Stage.SIGN_OFF and document.doc_number == ""


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="threads need a database server: this runs in the PostgreSQL suite (make "
    "test-postgres, and CI); on SQLite BEGIN IMMEDIATE serialises sign-offs anyway",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sign_offs_at_the_same_moment_never_get_the_same_number(sealing):
    import threading

    gov = sealing
    documents = []
    for n in range(6):
        document = draft(gov, title=f"关于第{n}项工作的通知", countersign=[])
        complete(gov["drafter"], document, "draft")
        complete(gov["reviewer"], document, "review", data={"approved": True})
        documents.append(document)
    tasks = [open_task(d, "sign_off").pk for d in documents]
    assert all(Task.objects.get(pk=t).assignee == gov["signer"] for t in tasks)
    barrier = threading.Barrier(len(tasks))
    errors: list[BaseException] = []

    def sign(task_id: int) -> None:
        try:
            barrier.wait()
            workflow.complete_task(gov["signer"], task_id, opinion="签发")
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()  # each thread had a connection of its own

    threads = [threading.Thread(target=sign, args=(t,)) for t in tasks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    serials = sorted(Document.objects.values_list("number_serial", flat=True))
    assert serials == [1, 2, 3, 4, 5, 6]


def test_the_rendered_official_copy_is_a_pdf_with_the_number(sealing):
    gov = sealing
    document = to_sealing(gov, draft(gov))
    data, _name = services.pdf_of(document)
    assert data.startswith(b"%PDF-")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    assert document.doc_number in text and "关于做好冬季安全生产工作的通知" in text


def test_export_package_for_outside_recipients_lists_checksums(sealing):
    import hashlib
    import io
    import zipfile

    gov = sealing
    document = issue(gov, draft(gov))
    package = zipfile.ZipFile(io.BytesIO(services.export_package(document)))
    names = package.namelist()
    assert "metadata.json" in names and "manifest-sha256.txt" in names
    manifest = package.read("manifest-sha256.txt").decode().splitlines()
    for line in manifest:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(package.read(name)).hexdigest() == digest
    assert any(n.endswith(".pdf") for n in names)


def test_a_draft_preview_is_laid_out_once_per_text(gov, monkeypatch):
    from django.core.cache import cache

    from tongban.documents import rendering

    cache.clear()
    calls = []
    real = rendering.render_document

    def counting(layout):
        calls.append(layout.body)
        return real(layout)

    monkeypatch.setattr(rendering, "render_document", counting)
    document = draft(gov, body="第一稿正文。")
    first, name = services.pdf_of(document)
    again, _ = services.pdf_of(document)
    assert first == again and name.startswith("draft-") and len(calls) == 1
    services.update_draft(gov["drafter"], document.pk, services.DraftIn(body="第二稿正文。"))
    document.refresh_from_db()
    changed, _ = services.pdf_of(document)
    assert changed != first and calls == ["第一稿正文。", "第二稿正文。"]
