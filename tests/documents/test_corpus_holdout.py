"""Import of the held-out corpus (tests/documents/corpus/holdout/, real public government documents
the recognizer was not tuned on; manifest.json gives their sources and true metadata).

What holds for any document, tuned on or not, is asserted here: every file becomes a document
(nothing refused), the stored body holds every character of the file's text, and an element
that was not recognised is waiting for a clerk (待核对), never left empty silently. How often
the recognised title, issuer, number and date are right is a measurement, not a guarantee:
``tongban bench recognition --corpus holdout`` reports it (bench/results/recognition.json,
section ``holdout``); no figure is asserted here.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tongban.documents import importing, recognition
from tongban.documents.models import Document, ImportReview

CORPUS = Path(__file__).parent / "corpus"
HOLDOUT = CORPUS / "holdout"
ENTRIES = json.loads((HOLDOUT / "manifest.json").read_text(encoding="utf-8"))["documents"]
MAIN = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))["documents"]


def compact(text: Any) -> str:
    return re.sub(r"\s+", "", str(text or ""))


def lost(source: str, stored: str) -> int:
    return sum((Counter(compact(source)) - Counter(compact(stored))).values())


def test_the_holdout_manifest_describes_20_or_more_real_documents_not_in_the_main_corpus():
    assert len(ENTRIES) >= 20
    years = {int(e["date"][:4]) for e in ENTRIES if e["date"]}
    assert min(years) <= 2005 and max(years) >= 2020
    kinds = Counter(Path(e["file"]).suffix for e in ENTRIES)
    assert kinds[".txt"] and kinds[".docx"] and kinds[".pdf"]
    assert any(len(e["issuers"]) > 1 for e in ENTRIES)  # joint issuers
    main_numbers = {compact(e["number"]) for e in MAIN if e["number"]}
    main_titles = {compact(e["title"]) for e in MAIN if e["title"]}
    main_sources = {json.dumps(e["source"], sort_keys=True) for e in MAIN}
    for entry in ENTRIES:
        assert (HOLDOUT / entry["file"]).is_file(), entry["file"]
        assert entry["source"] and entry["shapes"], entry["file"]
        assert {"title", "issuers", "number", "date"} <= entry.keys(), entry["file"]
    # Held out: neither the same document nor the same source as one of the main corpus.
    assert not {compact(e["number"]) for e in ENTRIES if e["number"]} & main_numbers
    assert not {compact(e["title"]) for e in ENTRIES if e["title"]} & main_titles
    assert not {json.dumps(e["source"], sort_keys=True) for e in ENTRIES} & main_sources


@pytest.mark.django_db
@pytest.mark.parametrize("entry", ENTRIES, ids=[e["file"] for e in ENTRIES])
def test_every_holdout_file_is_imported_whole(gov, entry):
    data = (HOLDOUT / entry["file"]).read_bytes()
    [report] = importing.import_files(gov["fin_clerk"], [(entry["file"], data)])
    assert report.ok and not report.duplicate, report.message
    document = Document.objects.get(pk=report.document_id)
    text = recognition.extract_text(entry["file"], data).text
    assert len(compact(text)) > 100  # the file's text was read, not an empty extraction
    assert lost(text, document.body) == 0
    assert document.title.strip()
    # Whatever was not recognised waits for a clerk instead of staying empty unnoticed.
    review = ImportReview.objects.filter(document=document).first()
    to_check = review.to_check if review else {}
    empty = {
        "issuing_authority": not document.issuing_authority,
        "doc_number": not document.doc_number,
        "date_written": document.date_written is None,
    }
    assert {name for name, is_empty in empty.items() if is_empty} <= set(to_check)
