"""The documents pages: a document through its steps in the web UI, the registers, reading,
import with progress, and a person of another unit shut out."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tongban.documents.models import Document, IncomingItem, Stage
from tongban.workflow.models import Task

from .conftest import otp

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def act(client: Client, document: Document, step: str, **fields: str) -> None:
    task = Task.objects.get(instance_id=document.instance_id, bpmn_id=step, status="open")
    page = client.get(f"/documents/{document.pk}/")
    assert page.status_code == 200
    if task.assignee_id is None:
        client.post(f"/documents/{document.pk}/", {"task": task.pk, "action": "claim"})
    data = {"task": task.pk, "action": "complete"}
    data.update({f"t{task.pk}-{name}": value for name, value in fields.items()})
    response = client.post(f"/documents/{document.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_a_document_through_the_web_pages(sealing):
    gov = sealing
    drafter = as_user(gov["drafter"])
    form = drafter.get("/documents/new/")
    assert form.status_code == 200 and "主送" in form.content.decode()
    # 通知 is chosen for the drafter, and units are boxes to tick (no Ctrl-click).
    assert '<option value="通知" selected>' in form.content.decode()
    assert 'type="checkbox" name="main_recipients"' in form.content.decode()
    response = drafter.post(
        "/documents/new/",
        {
            "doc_type": "通知",
            "title": "关于加强政务信息报送工作的通知",
            "main_recipients": ["FIN", "EDU"],
            "main_outside": "省政府办公厅",
            "body": "各单位：\n一、提高信息质量\n请按时报送。",
            "cc": ["EAST"],
            "classification": "0",
            "countersign_departments": ["EDU"],
        },
    )
    assert response.status_code == 302
    document = Document.objects.get(title="关于加强政务信息报送工作的通知")
    assert response["Location"] == f"/documents/{document.pk}/"
    page = drafter.get(f"/documents/{document.pk}/").content.decode()
    assert "您的环节：拟稿" in page

    upload = drafter.post(
        f"/documents/{document.pk}/",
        {
            "action": "attach",
            "file": SimpleUploadedFile("要求.txt", "报送要求：每月5日前。".encode()),
            "title": "报送要求",
        },
    )
    assert upload.status_code == 302 and document.attachments.count() == 1

    act(drafter, document, "draft", opinion="请核稿")
    act(as_user(gov["reviewer"]), document, "review", approved="yes", opinion="同意")
    act(as_user(gov["edu_head"]), document, "countersign", opinion="会签同意")
    signer = as_user(gov["signer"])
    act(signer, document, "sign_off", opinion="签发")
    document.refresh_from_db()
    # The signer is told the number just given (发文字号), not only that the step moved on.
    assert f"已签发，文号为 {document.doc_number}。" in signer.get("/documents/").content.decode()
    act(drafter, document, "numbering", copies="4", opinion="")
    document.refresh_from_db()
    assert document.stage == Stage.SEALING

    keeper = as_user(gov["keeper"])
    queue = keeper.get("/documents/seal/").content.decode()
    assert document.doc_number in queue
    # Nothing is chosen for the keeper: each official copy is checked, then ticked.
    assert f'name="documents" value="{document.pk}">' in queue and " checked>" not in queue
    kept = keeper.post("/documents/seal/", {"documents": [document.pk], "otp": ""})
    assert f'value="{document.pk}" checked>' in kept.content.decode()  # a wrong code keeps it
    with time_machine.travel(timezone.now() + timedelta(seconds=40), tick=True):
        sealed = keeper.post("/documents/seal/", {"documents": [document.pk], "otp": otp()})
    assert sealed.status_code == 302
    document.refresh_from_db()
    assert document.stage == Stage.DISTRIBUTION and document.seal_token

    act(drafter, document, "distribution", opinion="已分发")
    document.refresh_from_db()
    assert document.stage == Stage.ISSUED
    detail = drafter.get(f"/documents/{document.pk}/").content.decode()
    assert document.doc_number in detail and "示范市财政局" in detail
    pdf = drafter.get(f"/documents/{document.pk}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")

    # The receiving clerk signs for it, registers it, circulates it; the reader confirms.
    fin = as_user(gov["fin_clerk"])
    register = fin.get("/documents/incoming/").content.decode()
    assert "关于加强政务信息报送工作的通知" in register
    item = IncomingItem.objects.get(document=document, department=gov["finance"])
    assert fin.post(f"/documents/incoming/{item.pk}/", {"action": "receive"}).status_code == 302
    item.refresh_from_db()
    task = Task.objects.get(instance_id=item.instance_id, bpmn_id="register", status="open")
    response = fin.post(
        f"/documents/incoming/{item.pk}/",
        {"task": task.pk, "action": "complete", f"t{task.pk}-copies": "1"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.receipt_number
    response = fin.post(
        f"/documents/incoming/{item.pk}/",
        {"action": "circulate", "readers": ["fin_head", "budget_clerk"], "note": "请阅"},
    )
    assert response.status_code == 302
    reader = as_user(gov["budget_clerk"])
    reading = reader.get("/documents/reading/").content.decode()
    assert "关于加强政务信息报送工作的通知" in reading
    circulation = item.circulations.get(reader=gov["budget_clerk"])
    reader.post("/documents/reading/", {"circulation": circulation.pk, "comment": "已阅"})
    circulation.refresh_from_db()
    assert circulation.read_at is not None

    xlsx = fin.get("/documents/incoming/?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    outgoing = drafter.get("/documents/register/").content.decode()
    assert document.doc_number in outgoing


def test_the_signer_sends_a_document_back_to_the_drafter_from_its_page(sealing):
    gov = sealing
    drafter = as_user(gov["drafter"])
    drafter.post(
        "/documents/new/",
        {
            "doc_type": "通知",
            "title": "关于退回重拟的通知",
            "main_recipients": ["FIN"],
            "body": "各单位：\n请按时报送。",
            "classification": "0",
            "countersign_departments": ["EDU"],
        },
    )
    document = Document.objects.get(title="关于退回重拟的通知")
    act(drafter, document, "draft", opinion="请核稿")
    # 撤回 is offered while the reviewer has not acted, and only then.
    assert 'value="withdraw"' in drafter.get(f"/documents/{document.pk}/").content.decode()
    act(as_user(gov["reviewer"]), document, "review", approved="yes", opinion="同意")
    assert 'value="withdraw"' not in drafter.get(f"/documents/{document.pk}/").content.decode()
    act(as_user(gov["edu_head"]), document, "countersign", opinion="会签同意")
    signer = as_user(gov["signer"])
    sign_off = Task.objects.get(instance_id=document.instance_id, bpmn_id="sign_off", status="open")
    page = signer.get(f"/documents/{document.pk}/").content.decode()
    # Enter in the person field presses the form's first button: hand over, never send back.
    other_actions = page[page.index(f'id="reason-{sign_off.pk}"') :]
    first_button = re.search(r'<button[^>]*name="action" value="(\w+)"', other_actions)
    assert first_button is not None and first_button[1] == "transfer"
    chooser = page[page.index(f'id="to-task-{sign_off.pk}"') :]
    chooser = chooser[: chooser.index("</select>")]
    assert [name for name in ("会签", "核稿", "拟稿") if name in chooser] == [
        "会签",
        "核稿",
        "拟稿",
    ]
    draft = Task.objects.get(instance_id=document.instance_id, bpmn_id="draft")
    response = signer.post(
        f"/documents/{document.pk}/",
        {
            "task": sign_off.pk,
            "action": "return",
            "reason": "标题与正文不符，请重拟",
            "to_task": str(draft.pk),
        },
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.stage == Stage.DRAFT
    redraft = Task.objects.get(instance_id=document.instance_id, bpmn_id="draft", status="open")
    assert redraft.assignee == gov["drafter"]


def test_a_refused_step_shows_why_and_changes_nothing(gov):
    drafter = as_user(gov["drafter"])
    drafter.post(
        "/documents/new/",
        {"doc_type": "通知", "title": "关于某事的通知", "classification": "0"},
    )
    document = Document.objects.get(title="关于某事的通知")
    task = Task.objects.get(instance_id=document.instance_id, bpmn_id="draft")
    response = drafter.post(
        f"/documents/{document.pk}/", {"task": task.pk, "action": "complete"}, follow=True
    )
    page = response.content.decode()
    errors = re.search(r'class="form-errors"[^>]*>(.*?)</div>', page, re.S)
    assert response.status_code == 422 and errors, page[-2000:]
    assert "正文" in errors.group(1) and "主送机关" in errors.group(1)  # what is missing
    document.refresh_from_db()
    assert document.stage == Stage.DRAFT


def test_search_page_marks_the_words_and_hides_other_units_documents(gov):
    drafter = as_user(gov["drafter"])
    drafter.post(
        "/documents/new/",
        {
            "doc_type": "通知",
            "title": "关于推进一网通办改革的通知",
            "body": "全面推进政务服务一网通办，提升企业群众办事便利度。",
            "classification": "0",
        },
    )
    page = drafter.get("/documents/", {"q": "政务服务 便利度"}).content.decode()
    assert "<mark>政务服务</mark>" in page and "关于推进一网通办改革的通知" in page
    assert not re.search(r"·\s*·", page)  # a draft has no date yet: no empty place for it
    other = as_user(gov["edu_clerk"]).get("/documents/", {"q": "政务服务 便利度"}).content.decode()
    assert "关于推进一网通办改革的通知" not in other
    document = Document.objects.get()
    assert as_user(gov["edu_clerk"]).get(f"/documents/{document.pk}/").status_code == 404
    assert as_user(gov["edu_clerk"]).get(f"/documents/{document.pk}/pdf").status_code == 404


def test_search_page_lists_the_best_matches_when_too_many_match(gov, monkeypatch):
    from tongban.documents import selectors

    monkeypatch.setattr(selectors, "SEARCH_COUNT_LIMIT", 2)
    drafter = as_user(gov["drafter"])
    for i in range(3):
        drafter.post(
            "/documents/new/",
            {
                "doc_type": "通知",
                "title": f"关于营商环境第{i}批事项的通知",
                "body": "优化营商环境。",
                "classification": "0",
            },
        )
    page = drafter.get("/documents/", {"q": "营商环境"}).content.decode()
    assert page.count('class="card"') == 2
    assert "含有这些词的公文超过 2 件，只列出最相关的 2 件。" in page
    page = drafter.get("/documents/", {"q": "营商环境", "page": "2"}).content.decode()
    assert page.count('class="card"') == 2  # the last page is the first: only the best 2
    monkeypatch.setattr(selectors, "SEARCH_COUNT_LIMIT", 3)
    page = drafter.get("/documents/", {"q": "营商环境"}).content.decode()
    assert page.count('class="card"') == 3 and "超过" not in page
    # Spaces only: the plain list, newest first, no search and no count.
    response = drafter.get("/documents/", {"q": "   "})
    assert response.status_code == 200 and "超过" not in response.content.decode()


def test_versions_page_shows_the_change(gov):
    drafter = as_user(gov["drafter"])
    drafter.post(
        "/documents/new/",
        {"doc_type": "通知", "title": "关于甲的通知", "body": "第一段。", "classification": "0"},
    )
    document = Document.objects.get()
    response = drafter.post(
        f"/documents/{document.pk}/edit/",
        {
            "doc_type": "通知",
            "title": "关于甲的通知",
            "body": "第一段，补充。",
            "classification": "0",
        },
    )
    assert response.status_code == 302
    page = drafter.get(f"/documents/{document.pk}/versions/").content.decode()
    assert "<ins>，补充</ins>" in page


def test_import_pages_show_progress_and_the_report(gov):
    clerk = as_user(gov["fin_clerk"])
    response = clerk.post(
        "/documents/import/",
        {
            "documents": [
                SimpleUploadedFile(
                    "a.txt",
                    "示财发〔2025〕3号\n关于某事的通知\n各单位：\n正文。\n示范市财政局\n2025年3月1日".encode(),
                ),
                SimpleUploadedFile("b.txt", b"\x00\x01junk"),
            ]
        },
    )
    assert response.status_code == 302
    url = response["Location"]
    first = clerk.get(url).content.decode()
    assert "hx-post" in first  # the page polls while files wait
    for _ in range(3):
        fragment = clerk.post(url, {"action": "process"}).content.decode()
    assert "hx-post" not in fragment and re.search(r"2\s*/\s*2|2 of 2|2 个", fragment)
    report = clerk.get(url).content.decode()
    assert "示财发〔2025〕3号" in report


def test_the_process_administrator_terminates_a_documents_process_from_the_monitor(gov, sysadmin):
    from .conftest import complete, draft

    document = draft(gov)
    complete(gov["drafter"], document, "draft", opinion="请核稿：涉及敏感数据")
    admin = as_user(sysadmin)
    monitor = admin.get("/workflow/monitor/").content.decode()
    assert f'href="/workflow/monitor/{document.instance_id}/"' in monitor
    # The document's own page stays shut to the administrator (三员分立) …
    assert admin.get(f"/workflow/instances/{document.instance_id}/").status_code == 404
    # … the monitor's page shows where it stands, not what it says.
    page = admin.get(f"/workflow/monitor/{document.instance_id}/").content.decode()
    assert "核稿" in page and "涉及敏感数据" not in page and document.body[:10] not in page
    refused = admin.post(f"/workflow/monitor/{document.instance_id}/", {"reason": ""}, follow=True)
    assert "请说明终止流程的原因" in refused.content.decode()
    document.refresh_from_db()
    assert document.stage == Stage.REVIEW
    admin.post(f"/workflow/monitor/{document.instance_id}/", {"reason": "重复发文"})
    document.refresh_from_db()
    assert document.stage == Stage.CANCELLED
    assert not Task.objects.filter(instance_id=document.instance_id, status="open").exists()
    drafter = as_user(gov["drafter"])
    assert drafter.get(f"/workflow/monitor/{document.instance_id}/").status_code == 403


def test_the_slip_names_to_whom_a_step_was_handed_and_for_which_unit(gov):
    from tongban.workflow import services as workflow

    from .conftest import complete, draft, open_task

    document = draft(gov)
    complete(gov["drafter"], document, "draft", opinion="请核稿")
    complete(gov["reviewer"], document, "review", data={"approved": True}, opinion="同意")
    countersign = open_task(document, "countersign")
    workflow.transfer_task(
        gov["fin_head"], countersign.pk, to_username="fin_clerk", reason="请周收文代为会签"
    )
    page = as_user(gov["drafter"]).get(f"/documents/{document.pk}/").content.decode()
    slip = page[page.index('<ol class="timeline">') :]
    # Both who it went to and why, and the unit once, without doubled brackets.
    assert "→ 周收文" in slip and "请周收文代为会签" in slip
    assert "会签 · 示范市财政局" in slip and "）（" not in slip


def test_a_step_waiting_for_an_added_signer_says_so_and_the_signer_adds_nobody(gov):
    from tongban.core.errors import Forbidden, InvalidInput
    from tongban.workflow import services as workflow

    from .conftest import complete, draft, open_task

    document = draft(gov)
    complete(gov["drafter"], document, "draft", opinion="请核稿")
    review = open_task(document, "review")
    added = workflow.add_signer(gov["reviewer"], review.pk, username="signer", reason="请把关")
    page = as_user(gov["reviewer"]).get(f"/documents/{document.pk}/").content.decode()
    panel = page[page.index(f'id="task-{review.pk}"') :]
    assert "正在等待 李签发（加签）提出意见" in panel
    # The yes/no of 核稿 is a group named by its legend, not a label pointing at nothing.
    assert 'for=""' not in page and "<legend>" in panel[: panel.index("</section>")]
    complete_button = re.search(r'<button class="btn btn-primary" type="submit"[^>]*>', panel)
    assert complete_button is not None and "disabled" in complete_button[0]
    # Handing the step to the person whose opinion it waits for is refused …
    with pytest.raises(InvalidInput, match="李签发"):
        workflow.transfer_task(gov["reviewer"], review.pk, to_username="signer")
    # … and the added signer is offered no 加签 and is told why the service refuses one.
    signer_page = as_user(gov["signer"]).get(f"/documents/{document.pk}/").content.decode()
    signer_panel = signer_page[signer_page.index(f'id="task-{added.pk}"') :]
    assert 'value="add_signer"' not in signer_panel[: signer_panel.index("</section>")]
    with pytest.raises(Forbidden, match="加签人只提出意见"):
        workflow.add_signer(gov["signer"], added.pk, username="fin_head")


def test_acting_on_a_step_already_handled_says_who_handled_it(gov):
    from .conftest import complete, draft, open_task

    document = draft(gov)
    complete(gov["drafter"], document, "draft", opinion="请核稿")
    review = open_task(document, "review")
    reviewer = as_user(gov["reviewer"])
    complete(gov["reviewer"], document, "review", data={"approved": True}, opinion="同意")
    # The page the reviewer still has open posts once more (a second tab, a double click).
    again = reviewer.post(
        f"/documents/{document.pk}/", {"task": review.pk, "action": "claim"}, follow=True
    )
    assert "该待办已由王核稿办理。" in again.content.decode()


def test_a_posted_step_number_that_is_no_plain_number_is_refused_cleanly(gov):
    from .conftest import draft

    document = draft(gov)
    answer = as_user(gov["drafter"]).post(
        f"/documents/{document.pk}/", {"task": "²", "action": "claim"}, follow=True
    )
    assert answer.status_code == 200  # a message, not a server error


def test_a_refused_attachment_leaves_the_step_form_untouched(gov):
    """The page's other forms do not bind the step's form: a refused upload at 核稿 shows its own
    error, not "this field is required" under a decision nobody was asked to take yet."""
    from tongban.documents import services

    document = services.create_draft(
        gov["drafter"],
        services.DraftIn(
            doc_type="通知",
            title="关于附件的通知",
            body="各单位：\n正文。",
            main_recipients=[services.RecipientIn(department="FIN")],
        ),
    )
    act(as_user(gov["drafter"]), document, "draft", opinion="请核稿")
    reviewer = as_user(gov["reviewer"])
    act_claim = Task.objects.get(instance_id=document.instance_id, bpmn_id="review", status="open")
    if act_claim.assignee_id is None:
        reviewer.post(f"/documents/{document.pk}/", {"task": act_claim.pk, "action": "claim"})
    page = reviewer.post(f"/documents/{document.pk}/", {"action": "attach", "title": "无文件"})
    html = page.content.decode()
    assert page.status_code == 422
    panel = html[html.index('class="card narrow step-panel"') :]
    assert f'name="t{act_claim.pk}-approved"' in panel  # the decision is offered
    assert "errorlist" not in panel[: panel.index("</section>")]
    assert html.count('class="errorlist') == 1  # the file field's own
