"""Import of real documents: recognition accuracy per field, refusals and characters lost.

The corpus is ``tests/documents/corpus/`` (35 real public documents, 1996–2024, from the State
Council to a county, as .txt, .docx and .pdf; ``manifest.json`` gives each one's source and its
true title, issuers, number and date, read by a person). Every file goes through the unattended
import a clerk would run (``importing.import_files``, as ``tongban documents import`` does) into
a throw-away database, and this measures:

- per field (title, issuer, number, date): right, wrong (a value that is not the true one) and
  missing (nothing recognised where the text states a value). A field the text does not state is
  right when nothing is recognised. The comparison rules are in the manifest (``comparison``);
- how many wrong values were not flagged for review (where the import flags fields);
- refused: files that did not become a document;
- characters lost: characters of the extracted text that are not in the stored body, counted as
  a multiset after removing white space (a dropped forwarded text counts all its characters);
- re-import: the same files imported again, how many were reported as already imported and how
  many documents that added (the code before this change had no such check).

``--label before|after`` names the run; the results file keeps one section per label with the
commit it was measured on, so the figures before and after a change sit side by side in
``bench/results/recognition.json``. ``--quick`` is accepted (the corpus is small) and changes
nothing.

``--corpus holdout`` measures ``tests/documents/corpus/holdout/`` instead: real documents the
recognizer was not tuned on (its own ``manifest.json``, same format and comparison rules). Its
figures go to the section ``holdout`` of the same results file, with the commit, and leave the
``before`` and ``after`` sections of the main corpus as they are. The rules were written while
looking at the main corpus, so its figures say how well they fit the documents they were made
for; the held-out figures say how well they carry over to documents they were not.

    tongban bench recognition                          # main corpus, section "after"
    tongban bench recognition --corpus holdout         # held-out set, section "holdout"
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import RESULTS, django_in_temp_home, report

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "documents" / "corpus"
CORPORA = {"main": CORPUS, "holdout": CORPUS / "holdout"}
SECTIONS = ("before", "after", "holdout")
FIELDS = ("title", "issuer", "number", "date")
_SPACE = re.compile(r"\s+")


def compact(text: Any) -> str:
    return _SPACE.sub("", str(text or ""))


def commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    head = git("rev-parse", "--short", "HEAD")
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "src")
    return f"{head}+changes" if dirty else head


def recognised_value(found: dict[str, Any], name: str) -> Any:
    entry = found.get(name)
    return entry.get("value") if isinstance(entry, dict) else None


def judge(field: str, truth: dict[str, Any], found: dict[str, Any]) -> str:
    """right / wrong / missing for one field of one document."""
    if field == "title":
        expected, got = truth["title"], recognised_value(found, "title")
        ok = compact(got) == compact(expected)
    elif field == "issuer":
        names = [*truth["issuers"][:1], *truth.get("issuer_aliases", [])]
        expected = names[0] if names else None
        got = recognised_value(found, "issuing_authority")
        ok = compact(got) in {compact(n) for n in names} if names else not got
    elif field == "number":
        expected, got = truth["number"], recognised_value(found, "doc_number")
        ok = compact(got) == compact(expected)
    else:
        expected, got = truth["date"], recognised_value(found, "date_written")
        ok = (got or None) == expected
    if ok:
        return "right"
    return "missing" if expected and not got else "wrong"


def characters_lost(source: str, stored: str) -> int:
    missing = Counter(compact(source)) - Counter(compact(stored))
    return sum(missing.values())


def run(corpus: Path) -> dict[str, Any]:
    django_in_temp_home()
    from tongban.documents import importing, recognition
    from tongban.documents.models import Document, ImportItem
    from tongban.org.models import Department

    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    entries = manifest["documents"]
    unit = Department.objects.create(code="ARCH", name="示范市档案馆", issuing_code="")
    uploads = [(e["file"], (corpus / e["file"]).read_bytes()) for e in entries]
    started = time.perf_counter()
    reports = importing.import_files(None, uploads, department=unit.code)
    seconds = time.perf_counter() - started

    tally = {f: Counter() for f in FIELDS}
    unflagged_wrong = Counter()
    per_document = []
    refused = lost = source_chars = 0
    items = {i.filename: i for i in ImportItem.objects.all()}
    for entry, file_report in zip(entries, reports, strict=True):
        item = items[entry["file"]]
        found = item.recognised or {}
        review = set((found.get("review") or {}).keys()) if isinstance(found, dict) else set()
        row: dict[str, Any] = {"file": entry["file"], "imported": file_report.ok}
        if review:
            row["to_check"] = sorted(review)
        for field in FIELDS:
            verdict = judge(field, entry, found)
            tally[field][verdict] += 1
            row[field] = verdict
            if verdict != "right":
                name = {
                    "issuer": "issuing_authority",
                    "number": "doc_number",
                    "date": "date_written",
                }
                row[f"{field}_recognised"] = recognised_value(found, name.get(field, field))
                row[f"{field}_true"] = entry["issuers"][:1] if field == "issuer" else entry[field]
            key = {"issuer": "issuing_authority", "number": "doc_number", "date": "date_written"}
            if verdict == "wrong" and key.get(field, field) not in review:
                unflagged_wrong[field] += 1
        extracted = recognition.extract_text(
            entry["file"], (corpus / entry["file"]).read_bytes()
        ).text
        source_chars += len(compact(extracted))
        if not file_report.ok:
            refused += 1
            row["lost"] = len(compact(extracted))
            row["refusal"] = file_report.message
        else:
            document = Document.objects.get(pk=file_report.document_id)
            row["lost"] = characters_lost(extracted, document.body)
        lost += row["lost"]
        per_document.append(row)

    # The same folder imported a second time: nothing new, every file recognised as there.
    documents_before = Document.objects.count()
    again = importing.import_files(None, uploads, department=unit.code)
    reimport = {
        "files": len(again),
        "reported_as_already_imported": sum(1 for r in again if getattr(r, "duplicate", False)),
        "new_documents": Document.objects.count() - documents_before,
    }
    flagged = sum(1 for row in per_document if row.get("to_check"))

    n = len(entries)
    fields = {
        f: {
            "right": tally[f]["right"],
            "wrong": tally[f]["wrong"],
            "missing": tally[f]["missing"],
            "accuracy_percent": round(100 * tally[f]["right"] / n, 1),
            "wrong_not_flagged": unflagged_wrong[f],
        }
        for f in FIELDS
    }
    return {
        "commit": commit(),
        "corpus": str(corpus.relative_to(ROOT)),
        "documents": n,
        "refused": refused,
        "characters_in_sources": source_chars,
        "characters_lost": lost,
        "fields": fields,
        "documents_with_elements_to_check": flagged,
        "reimport": reimport,
        "import_seconds": round(seconds, 2),
        "per_document": per_document,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--label", default="after", choices=["before", "after"])
    parser.add_argument("--corpus", default="main", choices=sorted(CORPORA))
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    figures = run(CORPORA[args.corpus])
    previous: dict[str, Any] = {}
    path = RESULTS / "recognition.json"
    if path.exists():
        previous = json.loads(path.read_text(encoding="utf-8"))
    sections = {k: previous[k] for k in SECTIONS if k in previous}
    sections["holdout" if args.corpus == "holdout" else args.label] = figures
    summary = {
        label: {f: sections[label]["fields"][f]["accuracy_percent"] for f in FIELDS}
        | {
            "documents": sections[label]["documents"],
            "refused": sections[label]["refused"],
            "characters_lost": sections[label]["characters_lost"],
        }
        for label in SECTIONS
        if label in sections
    }
    report(
        "recognition",
        {
            "corpus": "tests/documents/corpus",
            "holdout_corpus": "tests/documents/corpus/holdout",
            "summary": summary,
            **sections,
        },
    )


if __name__ == "__main__":
    main()
