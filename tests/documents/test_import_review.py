"""The review queue of imported documents (待核对): who sees it, who completes it, what is
written (and audited, and re-indexed), what a bad input leaves untouched; the import report in
both languages, its labels translated and its lists readable."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import translation

from tests.conftest import PASSWORD
from tongban.audit.models import AuditEntry
from tongban.core.errors import Forbidden, InvalidInput, NotFound
from tongban.documents import importing, selectors
from tongban.documents.models import Document, ImportReview, ImportStatus

pytestmark = pytest.mark.django_db

# A real excerpt (corpus 26, 禄丰市人民政府, 2024): no title line, no number.
NO_TITLE = (
    "云南禄丰产业园区管委会,各乡镇人民政府,市级各部门:\n"
    "《禄丰市人民政府常务会议议事规则》已经2024年11月13日召开的二届市人民政府第93次常务会议通过,现予印发。\n"
    "禄丰市人民政府\n"
    "2024年11月20日\n"
    "(此件公开发布)\n"
    "禄丰市人民政府常务会议议事规则\n"
    "第一条 为推进市政府常务会议议事决策科学化、民主化、制度化,制定本规则。\n"
)


def imported(gov, text: str = NO_TITLE, name: str = "禄丰议事规则.txt") -> Document:
    [report] = importing.import_files(gov["fin_clerk"], [(name, text.encode())])
    assert report.ok
    return Document.objects.get(pk=report.document_id)


def review_of(document: Document) -> ImportReview:
    return ImportReview.objects.get(document=document)


def test_what_was_not_found_waits_in_the_queue_of_those_who_see_the_document(gov):
    document = imported(gov)
    review = review_of(document)
    assert review.to_check["title"] == "missing"
    assert review.to_check["doc_number"] == "missing"
    assert "date_written" not in review.to_check  # found, and sure: signed 2024年11月20日
    assert list(selectors.import_reviews(gov["fin_clerk"])) == [review]
    assert list(selectors.import_reviews(gov["fin_head"])) == [review]  # sees the bureau
    assert not selectors.import_reviews(gov["edu_clerk"])
    with pytest.raises(NotFound):
        selectors.import_review_for(gov["edu_clerk"], review.pk)


def test_the_clerk_completes_the_elements_audited_and_reindexed(gov):
    document = imported(gov)
    review = review_of(document)
    completed = importing.complete_review(
        gov["fin_clerk"],
        review.pk,
        importing.ReviewIn(
            title="禄丰市人民政府关于印发禄丰市人民政府常务会议议事规则的通知",
            issuing_authority="禄丰市人民政府",
            doc_number="禄政发〔2024〕 31 号",
            date_written="2024-11-20",
            doc_type="通知",
        ),
    )
    completed.refresh_from_db()
    assert completed.title.startswith("禄丰市人民政府关于印发")
    assert completed.doc_number == "禄政发〔2024〕31号" and completed.number_year == 2024
    assert completed.date_written == datetime.date(2024, 11, 20)
    review.refresh_from_db()
    assert review.completed_at is not None and review.completed_by == gov["fin_clerk"]
    assert not selectors.import_reviews(gov["fin_clerk"])
    entry = AuditEntry.objects.filter(action="documents.import.review.complete").get()
    assert entry.object_id == str(document.pk)
    assert (
        entry.before["title"] == "禄丰议事规则"
        and entry.after["doc_number"] == "禄政发〔2024〕31号"
    )
    # The new title is searchable at once.
    hits = selectors.documents(gov["fin_clerk"], selectors.DocumentFilter(q="议事 规则 通知"))
    assert document in list(hits)
    with pytest.raises(NotFound):  # done: it left the queue
        importing.complete_review(
            gov["fin_clerk"], review.pk, importing.ReviewIn(title="x", issuing_authority="y")
        )


def test_a_clerk_of_another_department_can_neither_see_nor_complete_it(gov):
    review = review_of(imported(gov))
    with pytest.raises(NotFound):
        importing.complete_review(
            gov["edu_clerk"],
            review.pk,
            importing.ReviewIn(title="改了", issuing_authority="示范市教育局"),
        )
    review.refresh_from_db()
    assert review.completed_at is None and review.document.title == "禄丰议事规则"


def test_someone_who_sees_it_but_may_not_import_is_refused_and_the_refusal_audited(gov):
    review = review_of(imported(gov))
    with pytest.raises(Forbidden):
        importing.complete_review(
            gov["fin_head"],
            review.pk,
            importing.ReviewIn(title="改了", issuing_authority="示范市财政局"),
        )
    assert AuditEntry.objects.filter(
        action="documents.import.review.complete", outcome="denied"
    ).exists()
    review.refresh_from_db()
    assert review.completed_at is None


@pytest.mark.parametrize(
    ("given", "field", "english", "chinese"),
    [
        ({"title": "  "}, "title", "This field is required.", "此项必填。"),
        ({"issuing_authority": ""}, "issuing_authority", "This field is required.", "此项必填。"),
        ({"doc_number": "第十二号文"}, "doc_number", "e.g. 示政发〔2026〕3号", "示政发〔2026〕3号"),
        ({"date_written": "20.11.2024"}, "date_written", "2026-12-02", "2026-12-02"),
        ({"doc_type": "便条"}, "doc_type", "15 document types", "15"),
    ],
)
def test_bad_input_changes_nothing_and_says_why_in_the_users_language(
    gov, given, field, english, chinese
):
    document = imported(gov)
    review = review_of(document)
    data = {"title": "新标题", "issuing_authority": "禄丰市人民政府", **given}
    for language, phrase in (("en", english), ("zh-hans", chinese)):
        with translation.override(language), pytest.raises(InvalidInput) as refused:
            importing.complete_review(gov["fin_clerk"], review.pk, importing.ReviewIn(**data))
        assert field in refused.value.errors
        assert phrase in " ".join(str(m) for m in refused.value.errors[field]), language
    document.refresh_from_db()
    review.refresh_from_db()
    assert document.title == "禄丰议事规则" and review.completed_at is None
    assert not AuditEntry.objects.filter(action="documents.import.review.complete").exists()


# --- pages --------------------------------------------------------------------------------------


def signed_in(user, language: str = "zh-hans") -> Client:
    """A browser of ``user``; pages are Chinese unless the person switches (the cookie)."""
    client = Client()
    client.force_login(user)
    if language != "zh-hans":
        client.post("/i18n/setlang/", {"language": language, "next": "/workbench/"})
    return client


def test_the_review_pages_in_chinese_and_english(gov):
    review = review_of(imported(gov))
    chinese = signed_in(gov["fin_clerk"]).get("/documents/review/").content.decode()
    assert "禄丰议事规则" in chinese and "待核对" in chinese
    page = signed_in(gov["fin_clerk"]).get(f"/documents/review/{review.pk}/").content.decode()
    assert "文件中未找到" in page and "发文字号" in page  # what is missing, next to the field
    english = signed_in(gov["fin_clerk"], "en").get(f"/documents/review/{review.pk}/")
    text = english.content.decode()
    assert "Not found in the file" in text and "Document number" in text
    assert "doc_number</" not in text and "date_written</" not in text


def test_the_review_page_completes_and_refuses_with_messages_next_to_the_field(gov):
    review = review_of(imported(gov))
    clerk = signed_in(gov["fin_clerk"], "en")
    url = f"/documents/review/{review.pk}/"
    bad = clerk.post(
        url,
        {
            "title": "新标题",
            "issuing_authority": "禄丰市人民政府",
            "doc_number": "无号",
            "doc_type": "通知",
        },
    )
    assert bad.status_code == 422
    assert re.search(r"doc_number_error.*e\.g\. 示政发", bad.content.decode(), re.S)
    good = clerk.post(
        url,
        {
            "title": "新标题",
            "issuing_authority": "禄丰市人民政府",
            "doc_number": "",
            "date_written": "2024-11-20",
            "doc_type": "通知",
        },
    )
    assert good.status_code == 302 and good["Location"] == "/documents/review/"
    review.refresh_from_db()
    assert review.completed_at is not None and review.document.title == "新标题"


def test_another_departments_clerk_gets_404_on_the_page(gov):
    review = review_of(imported(gov))
    other = signed_in(gov["edu_clerk"])
    assert other.get(f"/documents/review/{review.pk}/").status_code == 404
    response = other.post(
        f"/documents/review/{review.pk}/",
        {"title": "改", "issuing_authority": "示范市教育局", "doc_type": "通知"},
    )
    assert response.status_code == 404
    assert "禄丰议事规则" not in other.get("/documents/review/").content.decode()


def test_the_import_report_shows_translated_labels_and_readable_lists(gov):
    clerk = gov["fin_clerk"]
    text = (
        "示范市财政局文件\n示财发〔2025〕4号\n关于做好年终结算的通知\n各街道办事处，各乡镇人民政府：\n"
        "请按时报送。\n示范市财政局\n2025年12月1日\n"
    )
    batch = importing.start_batch(clerk, [("结算.txt", text.encode())])
    while importing.progress(batch).waiting:
        importing.process_next(clerk, batch.pk)
    chinese = signed_in(clerk).get(f"/documents/import/{batch.pk}/").content.decode()
    for label in ("发文字号", "成文日期", "主送机关"):
        assert label in chinese
    assert "各街道办事处、各乡镇人民政府" in chinese
    assert "['" not in chinese
    assert ">doc_number<" not in chinese and ">main_recipients<" not in chinese
    english = signed_in(clerk, "en").get(f"/documents/import/{batch.pk}/").content.decode()
    for label in ("Document number", "Date written", "Main recipients"):
        assert f">{label}<" in english
    assert ">date_written<" not in english and ">main_recipients<" not in english


def test_a_duplicate_is_reported_on_the_import_page(gov):
    clerk = gov["fin_clerk"]
    first = imported(gov)
    batch = importing.start_batch(clerk, [("again.txt", NO_TITLE.encode())])
    importing.process_next(clerk, batch.pk)
    item = batch.items.get()
    assert item.status == ImportStatus.DUPLICATE and item.document_id == first.pk
    page = signed_in(clerk, "en").get(f"/documents/import/{batch.pk}/").content.decode()
    assert "Already imported" in page and f"/documents/{first.pk}/" in page


# --- API ----------------------------------------------------------------------------------------


def api(client: Client, username: str) -> Client:
    response = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return Client(
        HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}", HTTP_ACCEPT_LANGUAGE="en"
    )


def test_the_review_queue_over_the_api(client, gov):
    review = review_of(imported(gov))
    clerk = api(client, "fin_clerk")
    listed = clerk.get("/api/v1/documents/import-reviews").json()
    assert [r["id"] for r in listed["items"]] == [review.pk]
    checks = {c["element"]: c for c in listed["items"][0]["checks"]}
    assert checks["title"]["reason"] == "missing" and checks["title"]["label"] == "Title"
    other = api(client, "edu_clerk")
    assert other.get("/api/v1/documents/import-reviews").json()["items"] == []
    assert other.get(f"/api/v1/documents/import-reviews/{review.pk}").status_code == 404
    body = {"title": "新标题", "issuing_authority": "禄丰市人民政府", "doc_number": "bad"}
    refused = clerk.post(
        f"/api/v1/documents/import-reviews/{review.pk}/complete",
        body,
        content_type="application/json",
    )
    assert refused.status_code == 422 and "doc_number" in refused.content.decode()
    done = clerk.post(
        f"/api/v1/documents/import-reviews/{review.pk}/complete",
        {**body, "doc_number": "禄政发〔2024〕31号", "date_written": "2024-11-20"},
        content_type="application/json",
    )
    assert done.status_code == 200, done.content
    assert done.json()["doc_number"] == "禄政发〔2024〕31号"
    assert clerk.get("/api/v1/documents/import-reviews").json()["items"] == []
