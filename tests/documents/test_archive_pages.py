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
