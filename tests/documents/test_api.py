"""The documents API: the interfaces scripts rely on, from a draft to the receiving unit."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from tests.conftest import PASSWORD
from tongban.documents.models import Document, IncomingItem

from .conftest import otp

pytestmark = pytest.mark.django_db


def api(client: Client, username: str, code: str | None = None) -> Client:
    response = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": PASSWORD, **({"otp": code} if code else {})},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return Client(
        HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}", HTTP_ACCEPT_LANGUAGE="en"
    )


def post(c: Client, url: str, body: dict | None = None, *, status: int = 200) -> dict:
    """POST and expect ``status``: 201 when it creates (a document), 200 for an action."""
    response = c.post(url, body or {}, content_type="application/json")
    assert response.status_code == status, (url, response.status_code, response.content)
    return response.json()


def my_task(c: Client, document_id: int) -> int:
    detail = c.get(f"/api/v1/documents/{document_id}").json()
    assert detail["my_tasks"], detail["open_tasks"]
    task_id = detail["my_tasks"][0]
    step = next(t for t in detail["open_tasks"] if t["id"] == task_id)
    if step["assignee"] is None:
        post(c, f"/api/v1/workflow/tasks/{task_id}/claim")
    return task_id


def complete(c: Client, document_id: int, data: dict | None = None, opinion: str = "") -> None:
    task_id = my_task(c, document_id)
    post(c, f"/api/v1/workflow/tasks/{task_id}/complete", {"data": data or {}, "opinion": opinion})


def test_from_draft_to_the_incoming_register_through_the_api(client, sealing):
    drafter = api(client, "drafter")
    created = post(
        drafter,
        "/api/v1/documents",
        {
            "doc_type": "通知",
            "title": "关于开展营商环境考核工作的通知",
            "body": "各区人民政府，市各委办局：\n为进一步优化营商环境，现就考核工作通知如下。",
            "main_recipients": [{"department": "FIN"}, {"name": "省发展改革委"}],
            "cc": [{"department": "EAST"}],
            "countersign_departments": ["EDU"],
            "urgency": "加急",
        },
        status=201,
    )
    document_id = created["id"]
    assert created["stage"] == "draft" and created["doc_number"] == ""
    assert [r["name"] for r in created["main_recipients"]] == ["示范市财政局", "省发展改革委"]

    attachment = drafter.post(
        f"/api/v1/documents/{document_id}/attachments",
        {"file": io.BytesIO("考核指标：营商环境便利度".encode()), "title": "考核指标"},
    )
    assert attachment.status_code == 201, attachment.content

    complete(drafter, document_id, opinion="请核稿")
    complete(api(client, "reviewer"), document_id, {"approved": True}, "同意")
    complete(api(client, "edu_head"), document_id, opinion="会签同意")
    complete(api(client, "signer"), document_id, opinion="签发")
    complete(drafter, document_id, {"copies": 3, "print_date": timezone.localdate().isoformat()})

    keeper = api(client, "keeper", otp())  # a second factor at sign-in, another to seal
    detail = keeper.get(f"/api/v1/documents/{document_id}").json()
    assert detail["stage"] == "sealing" and detail["my_tasks"]
    refused = keeper.post(
        f"/api/v1/documents/{document_id}/seal", {"otp": "000000"}, content_type="application/json"
    )
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"
    with time_machine.travel(timezone.now() + timedelta(seconds=40), tick=True):
        sealed = post(keeper, f"/api/v1/documents/{document_id}/seal", {"otp": otp()})
    assert sealed["sealed"] and sealed["stage"] == "distribution"
    complete(drafter, document_id, opinion="已分发")

    final = drafter.get(f"/api/v1/documents/{document_id}").json()
    # Every element of GB/T 9704.
    for key in (
        "copy_number",
        "classification",
        "secrecy_period",
        "urgency",
        "authority_mark",
        "doc_number",
        "signers",
        "title",
        "main_recipients",
        "body",
        "attachments",
        "signature",
        "date_written",
        "sealed",
        "note",
        "cc",
        "printer",
        "print_date",
    ):
        assert key in final
    assert final["stage"] == "issued" and final["doc_number"].startswith("示政办发〔")
    assert final["signers"] == ["李签发"] and final["urgency"] == "加急"
    assert final["attachments"][0]["title"] == "考核指标"

    pdf = drafter.get(f"/api/v1/documents/{document_id}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf["Content-Type"] == "application/pdf"
    slip = drafter.get(f"/api/v1/documents/{document_id}/slip.pdf")
    assert slip.status_code == 200 and slip.content.startswith(b"%PDF-")

    # 财政局 finds it in its incoming register and signs for it.
    fin = api(client, "fin_clerk")
    register = fin.get("/api/v1/documents/incoming?status=awaiting").json()["items"]
    assert [i["document_id"] for i in register] == [document_id]
    item_id = register[0]["id"]
    received = post(fin, f"/api/v1/documents/incoming/{item_id}/receive")
    assert received["status"] == "received" and received["instance_id"]
    assert IncomingItem.objects.filter(document_id=document_id).count() == 2  # FIN, EAST

    # The registers as XLSX.
    book = load_workbook(
        io.BytesIO(drafter.get("/api/v1/documents/registers/outgoing.xlsx").content)
    )
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "发文字号", "标题")
    assert rows[1][1] == final["doc_number"] and rows[1][2] == "关于开展营商环境考核工作的通知"
    book = load_workbook(io.BytesIO(fin.get("/api/v1/documents/registers/incoming.xlsx").content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[1][5] == "关于开展营商环境考核工作的通知"


def test_search_finds_by_two_words_best_first_with_snippets(client, gov):
    drafter = api(client, "drafter")
    body_hit = post(
        drafter,
        "/api/v1/documents",
        {"title": "关于年度工作安排的通知", "body": "各单位要重视营商环境建设，落实考核要求。"},
        status=201,
    )["id"]
    title_hit = post(
        drafter,
        "/api/v1/documents",
        {"title": "关于营商环境考核的通知", "body": "具体安排另行通知。"},
        status=201,
    )["id"]
    post(
        drafter,
        "/api/v1/documents",
        {"title": "关于节能降耗的通知", "body": "节约用电。"},
        status=201,
    )
    found = drafter.get("/api/v1/documents/search", {"q": "营商环境 考核"}).json()
    ids = [i["id"] for i in found["items"]]
    assert ids == [title_hit, body_hit]  # the title hit first; the third does not match
    hit = found["items"][1]
    assert "<mark>营商环境</mark>" in hit["snippet"] and set(hit) >= {
        "id",
        "title",
        "doc_number",
        "issued_on",
        "snippet",
    }
    # Someone of another unit finds nothing of it.
    other = api(client, "edu_clerk")
    assert other.get("/api/v1/documents/search", {"q": "营商环境 考核"}).json()["items"] == []
    assert other.get(f"/api/v1/documents/{title_hit}").status_code == 404
    # Hostile input is a clear answer, not a crash.
    for q in ['"', "*", "NEAR(营商", "title:营商", "a AND OR", "😀" * 50]:
        answer = drafter.get("/api/v1/documents/search", {"q": q})
        assert answer.status_code == 200, (q, answer.status_code)
        assert all(i["id"] in (title_hit, body_hit) for i in answer.json()["items"])
    assert drafter.get("/api/v1/documents/search", {"q": ""}).status_code == 422


def test_bad_drafts_get_problems_naming_the_field_and_nothing_is_written(client, gov):
    drafter = api(client, "drafter")
    before = Document.objects.count()
    cases = [
        ({"title": ""}, "title"),
        ({"title": "关于", "doc_type": "公函"}, "doc_type"),
        ({"title": "关于", "main_recipients": [{"department": "NOPE"}]}, "main_recipients"),
        ({"title": "关于", "classification": "high"}, "classification"),
        ({"title": "x" * 400}, "title"),
    ]
    for body, field in cases:
        response = drafter.post("/api/v1/documents", body, content_type="application/json")
        assert response.status_code == 422, (body, response.content)
        assert field in response.json()["errors"], response.json()
    malformed = drafter.post("/api/v1/documents", "{", content_type="application/json")
    assert malformed.status_code == 400
    assert Document.objects.count() == before


def test_the_generic_start_cannot_fake_a_documents_process(client, gov):
    drafter = api(client, "drafter")
    response = drafter.post(
        "/api/v1/workflow/instances",
        {
            "process_key": "outgoing_document",
            "business_type": "documents.outgoing",
            "business_id": "1",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "business_type" in response.json()["errors"]


def test_the_copy_number_is_given_kept_and_printed(client, gov):
    import subprocess

    drafter = api(client, "drafter")
    bad = drafter.post(
        "/api/v1/documents",
        {"title": "关于某事的通知", "copy_number": "12a"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "copy_number" in bad.json()["errors"]
    created = post(
        drafter,
        "/api/v1/documents",
        {"title": "关于某事的通知", "body": "正文。", "copy_number": "123"},
        status=201,
    )
    assert created["copy_number"] == "123"
    pdf = drafter.get(f"/api/v1/documents/{created['id']}/pdf").content
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    assert "000123" in text.stdout.decode()  # GB/T 9704: six digits, top left


def test_the_sealing_step_completes_through_the_generic_task_api_with_the_code(client, sealing):
    """One way to act on a task (workflow.actions): the generic complete of the sealing step
    seals the official copy with the one-time code in ``data``, as the seal queue does."""
    drafter = api(client, "drafter")
    document_id = post(
        drafter,
        "/api/v1/documents",
        {"doc_type": "通知", "title": "关于用印接口的通知", "body": "各单位：\n正文。",
         "main_recipients": [{"department": "FIN"}], "countersign_departments": []},
        status=201,
    )["id"]  # fmt: skip
    complete(drafter, document_id, opinion="请核稿")
    complete(api(client, "reviewer"), document_id, {"approved": True}, "同意")
    complete(api(client, "signer"), document_id, opinion="签发")
    complete(drafter, document_id, {"copies": 2})
    keeper = api(client, "keeper", otp())
    task_id = my_task(keeper, document_id)
    wrong = keeper.post(
        f"/api/v1/workflow/tasks/{task_id}/complete",
        {"data": {"otp": "000000"}, "opinion": ""},
        content_type="application/json",
    )
    assert wrong.status_code == 403, wrong.content
    assert not Document.objects.get(pk=document_id).seal_token  # nothing sealed
    with time_machine.travel(timezone.now() + timedelta(seconds=40), tick=True):
        done = post(keeper, f"/api/v1/workflow/tasks/{task_id}/complete", {"data": {"otp": otp()}})
    assert done["status"] == "completed"
    document = Document.objects.get(pk=document_id)
    assert document.stage == "distribution" and document.seal_token and document.sealed_pdf_id
