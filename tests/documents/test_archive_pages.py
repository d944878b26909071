"""An archived document's record carries its 页数: the pages of the official PDF and of the
processing slip filed with it (DA/T 22-2015 §5.5)."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from tongban.core import files
from tongban.documents import services
from tongban.records.models import Record

from .conftest import draft, issue

pytestmark = pytest.mark.django_db


def pages_of(sha256: str) -> int:
    with files.open_file(sha256) as handle:
        return len(PdfReader(handle).pages)


def test_an_archived_document_carries_its_page_count(sealing):
    gov = sealing
    document = issue(gov, draft(gov))
    archived = services.archive_document(gov["archivist"], document.pk, retention="D30")
    record = Record.objects.get(archival_code=archived.record_code)
    by_role = {f.role: f for f in record.files.all()}
    assert set(by_role) == {"main", "processing_slip"}
    expected = pages_of(by_role["main"].sha256) + pages_of(by_role["processing_slip"].sha256)
    assert expected >= 3  # the notice has a page of its own for the 版记, and a slip
    assert record.pages == expected


def test_the_record_names_its_source_and_files_and_reads_its_elements(sealing, client):
    gov = sealing
    document = issue(gov, draft(gov))
    archived = services.archive_document(gov["archivist"], document.pk, retention="D30")
    record = Record.objects.get(archival_code=archived.record_code)
    names = {f.role: f.name for f in record.files.all()}
    assert names == {"main": f"{document.doc_number}.pdf", "processing_slip": "发文稿纸.pdf"}
    client.force_login(gov["archivist"])
    page = client.get(f"/records/{record.pk}/").content.decode()
    # 公文 示政办发〔2026〕1号, linked to the document, not "documents.document 1".
    link = f'<a href="/documents/{document.pk}/" title="documents.document {document.pk}">'
    assert f"{link}公文 {document.doc_number}</a>" in page
    metadata = page[page.index("<details>") : page.index("</details>")]
    assert "<dt>发文字号</dt><dd>" + document.doc_number + "</dd>" in metadata
    assert "<dt>主送机关</dt><dd>示范市财政局、示范市教育局</dd>" in metadata
    assert "<dt>签发人</dt><dd>李签发</dd>" in metadata
    assert "<dt>来源</dt><dd>本机关拟制</dd>" in metadata
    for leftover in ("main_recipients", "doc_number", "{'", "['", "True", "drafted"):
        assert leftover not in metadata
