"""Import of the real corpus (tests/documents/corpus/, 35 public government documents with their
true title, issuers, number and date read by a person; manifest.json gives the sources).

Every file becomes a document (nothing refused), and the stored body holds every character of
the file's text (compared without white space, as a multiset: text dropped anywhere, such as the
forwarded text of a 转发 notice, shows). Recognition is measured per field against the manifest
and must be right for at least 95 % of the documents (bench/recognition.py reports the figures).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tongban.documents import importing, recognition, selectors
from tongban.documents.models import Document, ImportReview

CORPUS = Path(__file__).parent / "corpus"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
ENTRIES = MANIFEST["documents"]


def compact(text: Any) -> str:
    return re.sub(r"\s+", "", str(text or ""))


def lost(source: str, stored: str) -> int:
    return sum((Counter(compact(source)) - Counter(compact(stored))).values())


def test_the_manifest_describes_30_or_more_real_documents_of_many_years_and_shapes():
    assert len(ENTRIES) >= 30
    years = {int(e["date"][:4]) for e in ENTRIES if e["date"]}
    assert min(years) <= 2004 and max(years) >= 2015
    kinds = Counter(Path(e["file"]).suffix for e in ENTRIES)
    assert kinds[".txt"] and kinds[".docx"] >= 3 and kinds[".pdf"] >= 3
    for entry in ENTRIES:
        assert (CORPUS / entry["file"]).is_file(), entry["file"]
        assert entry["source"] and entry["shapes"]


@pytest.mark.django_db
@pytest.mark.parametrize("entry", ENTRIES, ids=[e["file"] for e in ENTRIES])
def test_every_file_is_imported_whole(gov, entry):
    data = (CORPUS / entry["file"]).read_bytes()
    [report] = importing.import_files(gov["fin_clerk"], [(entry["file"], data)])
    assert report.ok and not report.duplicate, report.message
    document = Document.objects.get(pk=report.document_id)
    text = recognition.extract_text(entry["file"], data).text
    assert lost(text, document.body) == 0
    assert document.title.strip()
    # Whatever the text does not state is waiting for a clerk, never invented silently.
    if entry["title"] is None:
        review = ImportReview.objects.get(document=document)
        assert review.to_check.get("title") == "missing"


@pytest.mark.django_db
def test_the_forwarded_text_of_a_cover_notice_is_stored_and_found_by_search(gov):
    """转发: a short cover letter and, after its signature, the forwarded plan — the plan's
    words are in the body and the search finds the document by them."""
    entry = next(e for e in ENTRIES if e["file"].startswith("33-"))
    data = (CORPUS / entry["file"]).read_bytes()
    [report] = importing.import_files(gov["fin_clerk"], [(entry["file"], data)])
    document = Document.objects.get(pk=report.document_id)
    assert "全市面临新一轮人口出生高峰" in document.body  # the last paragraph, after the signature
    hits = selectors.documents(gov["fin_clerk"], selectors.DocumentFilter(q="人口 出生 高峰"))
    assert list(hits) == [document]
    assert not selectors.documents(gov["edu_clerk"], selectors.DocumentFilter(q="人口 出生 高峰"))


def recognised(entry: dict[str, Any]) -> recognition.Recognition:
    data = (CORPUS / entry["file"]).read_bytes()
    return recognition.recognise(recognition.extract_text(entry["file"], data).text)


def right(entry: dict[str, Any], found: recognition.Recognition, field: str) -> bool:
    def value(f: recognition.Field | None) -> Any:
        return f.value if f is not None else None

    if field == "title":
        return compact(value(found.title)) == compact(entry["title"])
    if field == "issuer":
        names = {compact(n) for n in [*entry["issuers"][:1], *entry.get("issuer_aliases", [])]}
        got = value(found.issuing_authority)
        return compact(got) in names if names else got is None
    if field == "number":
        return compact(value(found.doc_number)) == compact(entry["number"])
    got = value(found.date_written)
    return (got.isoformat() if got else None) == entry["date"]


def test_recognition_is_right_for_at_least_95_percent_of_the_corpus_per_field():
    results = {e["file"]: recognised(e) for e in ENTRIES}
    for field in ("title", "issuer", "number", "date"):
        wrong = [e["file"] for e in ENTRIES if not right(e, results[e["file"]], field)]
        accuracy = 1 - len(wrong) / len(ENTRIES)
        assert accuracy >= 0.95, (field, wrong)


def test_joint_documents_list_every_issuer_lead_first():
    for entry in ENTRIES:
        if len(entry["issuers"]) < 2:
            continue
        found = recognised(entry)
        assert found.issuers is not None, entry["file"]
        assert [compact(n) for n in found.issuers.value] == [
            compact(n) for n in entry["issuers"]
        ], entry["file"]
