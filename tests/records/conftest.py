"""An archivist (档案员) and a bureau head per bureau, PDFs, and a helper that archives."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from pypdf import PdfWriter

from tongban.records import services
from tongban.records.models import Record


def pdf(pages: int = 1, text: str = "") -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if text:
        writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def files_root(settings: Any, tmp_path: Any) -> Any:
    settings.FILES_ROOT = tmp_path / "files"
    return settings.FILES_ROOT


@pytest.fixture
def people(make_staff: Callable[..., Any]) -> dict[str, Any]:
    """Archivists and bureau heads of 教育局 (EDU) and 财政局 (FIN); a clerk of EDU."""
    return {
        "archivist": make_staff("edu", "edu.archivist", role="archivist").user,
        "archivist2": make_staff("edu", "edu.archivist2", role="archivist").user,
        "head": make_staff("edu", "edu.head", role="bureau_head").user,
        "fin_archivist": make_staff("fin", "fin.archivist", role="archivist").user,
        "fin_head": make_staff("fin", "fin.head", role="bureau_head").user,
        "clerk": make_staff("edu", "edu.clerk", role="clerk").user,
    }


_sources = iter(range(1, 10**6))


@pytest.fixture
def archive(city: dict[str, Any], people: dict[str, Any]) -> Callable[..., Record]:
    """archive(**overrides): one record of 教育局 by its archivist (a fresh source each time)."""

    def make(**overrides: Any) -> Record:
        arguments: dict[str, Any] = {
            "source_type": "documents.document",
            "source_id": str(next(_sources)),
            "department": city["edu"],
            "title": "关于做好2026年教育工作的通知",
            "doc_number": "示教发〔2026〕1号",
            "responsible": "教育局",
            "date": date(2026, 3, 5),
            "classification": 0,
            "retention": "D10",
            "files": [
                ("正文.pdf", pdf(2, "main"), "main"),
                ("附件1.pdf", pdf(1, "attachment"), "attachment"),
                ("发文稿纸.pdf", pdf(1, "slip"), "processing_slip"),
            ],
            "metadata": {"document_type": "通知", "urgency": ""},
            "pages": 4,
        }
        actor = overrides.pop("actor", people["archivist"])
        arguments.update(overrides)
        return services.archive(actor, **arguments)

    return make
