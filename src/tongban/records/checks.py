"""Usability checks of archived files (可用性): a PDF must open and show its pages; and how many
pages it has (页数 of the catalogue)."""

from __future__ import annotations

import io
import logging

from django.utils.translation import gettext as _

PDF_MAGIC = b"%PDF-"


def looks_like_pdf(name: str, data: bytes) -> bool:
    return name.lower().endswith(".pdf") or data[:1024].lstrip().startswith(PDF_MAGIC)


def pdf_problem(data: bytes) -> str | None:
    """Why this PDF is not usable as an archived file, or None when it opens: it must start as a
    PDF, parse, have at least one page and not be encrypted (the archive must be able to read it
    without anyone's password, now and after a transfer)."""
    return pdf_check(data)[0]


def pdf_pages(data: bytes) -> int | None:
    """How many pages this PDF has (页数), or None when it is not a usable PDF."""
    problem, pages = pdf_check(data)
    return None if problem else pages


def pdf_check(data: bytes) -> tuple[str | None, int]:
    """``pdf_problem`` and the page count, from one reading of the file."""
    if not data.lstrip()[:8].startswith(PDF_MAGIC):
        return _("this is not a PDF file"), 0
    from pypdf import PdfReader

    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return _("the PDF is encrypted"), 0
        pages = len(reader.pages)
        if pages < 1:
            return _("the PDF has no pages"), 0
        reader.pages[0].mediabox  # noqa: B018 - the first page must be readable
    except Exception as exc:  # pypdf raises many kinds for damaged files
        return _("the PDF cannot be opened: %(why)s") % {
            "why": str(exc)[:200] or type(exc).__name__
        }, 0
    finally:
        pypdf_log.setLevel(level)
    return None, pages
