"""Every spreadsheet the platform writes keeps a formula typed into a title as text (CSV
injection): the auditor's CSV export and the two registers, on the web page and in the API."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from tongban.documents import incoming

from .conftest import draft, to_sealing

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://x.example/steal","点此查看")'


def xlsx_cells(content: bytes) -> list:
    assert content[:2] == b"PK"
    return [cell for row in load_workbook(io.BytesIO(content)).active.iter_rows() for cell in row]


def neutralised(cells: list, text: str) -> None:
    [cell] = [c for c in cells if c.value == text]
    assert cell.data_type == "s" and cell.quotePrefix, (cell.data_type, cell.quotePrefix)


def test_a_formula_title_stays_text_in_the_outgoing_register(sealing):
    document = to_sealing(sealing, draft(sealing, title=EVIL))
    assert document.doc_number
    web = Client()
    web.force_login(sealing["drafter"])
    for url in ("/documents/register/?format=xlsx", "/api/v1/documents/registers/outgoing.xlsx"):
        response = web.get(url)
        assert response.status_code == 200, url
        neutralised(xlsx_cells(response.content), EVIL)


def test_formula_texts_stay_text_in_the_incoming_register(gov):
    incoming.register_external(
        gov["edu_clerk"],
        incoming.ExternalIn(title=EVIL, issuing_authority="@省教育厅", doc_number="-1+2"),
    )
    web = Client()
    web.force_login(gov["edu_clerk"])
    for url in ("/documents/incoming/?format=xlsx", "/api/v1/documents/registers/incoming.xlsx"):
        response = web.get(url)
        assert response.status_code == 200, url
        cells = xlsx_cells(response.content)
        for text in (EVIL, "@省教育厅", "-1+2"):
            neutralised(cells, text)


def test_the_audit_export_neutralises_a_formula_title(gov, auditor):
    draft(gov, title=EVIL)
    web = Client()
    web.force_login(auditor)
    for url in ("/audit/export.csv", "/api/v1/audit/export.csv"):
        response = web.get(url, {"object_type": "documents.document"})
        assert response.status_code == 200, url
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        reprs = [row["object_repr"] for row in rows]
        assert "'" + EVIL in reprs, reprs
        assert EVIL not in reprs
        assert all(not value.startswith(("=", "+", "-", "@")) for r in rows for value in r.values())
