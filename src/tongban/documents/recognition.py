"""Reading existing official documents (公文) and recognising their elements (GB/T 9704-2012).

Clerks import documents written elsewhere. :func:`extract_text` turns a .docx, .pdf or .txt file
into plain text; :func:`recognise` finds the elements in that text and says, for each, how sure it
is. Nothing here touches the database: the clerk checks and corrects the result before a service
registers the document.

Reading files (:func:`extract_text`)
------------------------------------
The extension and the content must agree; anything else raises :class:`UnreadableFile` with a
message in the user's language (a PDF named .docx is refused and the message says what it is).

- Limits: files over 20 MB are refused before they are parsed. In a .docx only the main document
  and its headers are decompressed, at most 25 MB in all, read in bounded chunks (a zip bomb stops
  at the cap whatever its headers declare); a package of more than 2,000 entries is refused. A PDF
  of more than 1,000 pages is read in part: its first 980 and last 20 pages (the title is at the
  start, the imprint at the end), and ``Extracted.notes`` says so (the import report shows it).
- .docx: body paragraphs in order, table cells (each cell paragraph on its own line, merged cells
  once), content controls, text boxes (once: the VML fallback copy is skipped), tracked insertions
  but not deletions; soft line breaks start a new line. Header text that is not a page number and
  not already in the body is put first (letterhead templates keep the mark there); footers hold
  page numbers and are not read. XML is parsed with defusedxml (no DTDs, no entities); local names
  are matched, so strict OOXML reads too. ``pages`` is None: a .docx has no pages until it is laid
  out, and the count in docProps/app.xml is often stale (python-docx always writes 1).
- .pdf: text from pypdf. A PDF encrypted with an empty user password (restrictions only) is read;
  one that needs a password is refused. No text at all means a scanned image: refused, as there
  is no OCR; pages without text among pages with text are reported in ``notes``.
- .txt: a BOM decides (UTF-8, UTF-16, UTF-32); otherwise strict UTF-8, then GB18030 (a superset of
  GBK and GB2312), then UTF-16 without BOM. A decoding is kept only if the result looks like
  written text (no control characters, few characters outside the common Chinese and Latin
  blocks); binary junk fails every candidate and is refused.
- .doc, .wps and .ofd get a message that says how to convert them.

Recognising elements (:func:`recognise`)
----------------------------------------
Any text is accepted and nothing is raised; what no rule finds is None. Lines are compared in a
compact form: full-width digits made ASCII and all spaces removed, so "示 范 市 文 件" and
"２０２６" match. Evidence is the original line(s); values lose the spaces between Chinese
characters (some PDFs extract "关 于 做 好"). Page-number lines ("— 1 —", "第1页 共3页") are
ignored. :func:`normalise_document_number` is the number rule on its own, for a number typed in.

What is not the document is read apart first (the text itself is never changed):

- a text that lost its line breaks (the whole document on one line, as some exports leave it) is
  split back into lines: after each sentence, around document numbers, before website labels,
  after the addressee's colon and after a signature's date;
- a number line that runs on into the salutation ("X政发28号各市人民政府：……") is split;
- the information box websites print above a document (索引号, 主题分类, 发文机关, 成文日期,
  标题, 发文字号, 发布日期 …, its value on the label's line or the next, several labels to a line)
  is taken out of the document's lines; its values are hints: 发文机关/标题/发文字号/成文日期 as
  labelled values below, 发布机构 (the posting office) weakly, posting dates and timestamps never;
- page chrome (返回顶部, 扫一扫在手机打开当前页, breadcrumbs, 第 [1] 页 共[2]页, posting times,
  notes of the site) and a list of related links (相关链接 and what follows, carrying other
  numbers and dates) are not looked at.

The header (版头) is the leading run of at most 10 lines that are each a copy number, 密级/紧急
程度, an authority mark, an organ name, a document number or a 签发人 line. Labelled lines as
government websites print them (标题：, 发文字号：, 发文机关：, 成文日期：, 密级：, 主送：) are
read as explicit values anywhere in the first 40 lines.

Confidence (0–1) of each rule; a value is None when no rule found it:

============================  ====================================================================
element                       rule → confidence
============================  ====================================================================
doc_number (发文字号)          a whole line (or with 签发人, or labelled 发文字号：) in the header:
                              strict form ``代字〔2026〕12号`` 0.85, loose form (other brackets,
                              第, leading zeros, full-width digits, spaces) 0.7; the same line
                              below the title 0.75 / 0.6; +0.1 when the code is a known issuing
                              code; a year outside 1949–2100 −0.3. The line may wrap the number
                              in parentheses ("( 吉府发〔2003〕37号 )") or end with a date
                              (苏政办发〔2002〕126号 2002年12月3日: the date is a 0.7 candidate for
                              成文日期); letters O typed for zeros in the year are zeros; a
                              number without its year ("湘政发28号") is kept as written, 0.1 less.
                              No number line: a number in a heading line before the body, beside
                              the title or issuer, 0.6 ("……的通知(岳办发〔2017〕2号)"; the
                              heading's words before it are not its code). Numbers inside
                              sentences or 《》 (a document cited in the body) are never taken.
issuing_authority (发文机关)   mark "……文件": 0.8, a known name 0.95; an organ name alone in the
                              header (letter format): 0.6, known 0.9; signature above the date:
                              0.7, known 0.9; the issuing code of the number (known): 0.85;
                              labelled 发文机关: 0.85, known 0.95; 发布机构 of a website box: 0.6;
                              the organ(s) a title starts with, before 关于/印发/转发/批转/对, or
                              of a "……令": 0.65, known 0.85; a title without such a word that
                              starts with a government's name ("镇巴县人民政府工作规则") 0.62.
                              Another source naming the same organ +0.04, one naming another
                              organ −0.15; a name ending in 网站 is no organ, "（代章）" is not
                              part of one. Joint documents: the first (lead) organ, whose number
                              the document carries; ``issuers`` lists them all (a joint mark,
                              signature lines one or two to a line, or the title), lead first.
title (标题)                   above the addressee (or the first sentence; titles further down are
                              attachments' and forwarded texts'): the shortest run of up to 4
                              lines ending with a document type (or, weaker, a text's name: 办法,
                              规则, 方案, 纲要, 答复 …), the one nearest the addressee or the
                              number line; an organ's name alone on a line joins a title only
                              when the next line starts with 关于; a heading line holding the
                              number too gives the part before or after it, and 《》 around a
                              title are dropped (0.7). Ends with a type 0.8 (+0.05 if it also
                              starts with 关于), a text's name at most 0.6, starts with 关于
                              only 0.65, neither 0.5; +0.05 if 主送 follows, +0.05 if the header
                              precedes, +0.05 when the website box's 标题 agrees; labelled alone
                              0.9. A guess from the first plausible line (6–40 characters, no
                              sentence punctuation) 0.4.
doc_type (文种)                from the title's ending (复函/函 → 函, 令/命令 → 命令, …, a trailing
                              "（试行）" ignored): 0.9 after "的", else 0.8, never above the
                              title's confidence + 0.05; from a closing phrase (特此请示, 此复, 特
                              此函复, …) 0.55–0.6, +0.05 when it agrees with the title; from an
                              issuing code ending in 函 0.5.
main_recipients (主送机关)     the first line (or up to 3 lines) after the title ending with "："
                              without "。" whose parts are mostly organ names: 0.9 right after a
                              sure title (≥ 0.75), 0.8 after a weak one, 0.65 with no title;
                              labelled 主送： 0.85. Split on "，、；" outside brackets; a
                              one-character part is joined back ("各委、办、局" stays whole).
date_written (成文日期)        a line that is only a date (Arabic, Chinese numerals with 〇/○/零,
                              or 2026-12-02) with the signature above it or before it on the same
                              line: 0.95 (0.85 above the body); a date line without signature 0.8
                              (0.55 above the body); labelled 成文日期： 0.9; a date inside a
                              sentence 0.35 (the last one). Of several date lines the first wins
                              (later ones sit in attachments); 印发, 发布 and 施行 dates and dates
                              with a clock time (posting timestamps) are never taken. Up to six
                              lines of organs above the date are the signature (joint documents).
classification, urgency       a header line of 密级★期限 and/or 特急/加急: alone 0.95, together on
                              one line 0.9; labelled 密级：/紧急程度： 0.85.
signers (签发人)               "签发人：" in the header 0.9, elsewhere 0.7; names split on spaces,
                              two one-character pieces ("张　三") make one name.
cc (抄送)                      "抄送："/"抄报：" (continued up to 3 lines until "。") after the
                              date 0.9, elsewhere 0.75.
attachments (附件说明)         "附件：" before the signature, with the numbered lines that follow:
                              0.9 after the body start, 0.7 otherwise.
============================  ====================================================================

``body`` is the text between 主送 (or the title) and the 附件说明 or signature block, best effort;
the import stores the whole text of the file instead (nothing of it may be lost).

Measured on the corpus of real documents in tests/documents/corpus (``tongban bench
recognition``, bench/results/recognition.json) and held there by tests/documents/test_corpus.py.
"""

from __future__ import annotations

import codecs
import datetime
import io
import logging
import posixpath
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from tongban.core.errors import InvalidInput
from tongban.core.numbering import format_document_number
from tongban.documents.types import DocumentType, Urgency

__all__ = [
    "MAX_FILE_BYTES",
    "Extracted",
    "Field",
    "Recognition",
    "UnreadableFile",
    "extract_text",
    "normalise_document_number",
    "recognise",
]

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_DOCX_XML_BYTES = 25 * 1024 * 1024  # uncompressed bytes of the parts we parse, all together
MAX_ZIP_ENTRIES = 2000
MAX_PDF_PAGES = 1000  # every page of any real document; a 20 MB file of more pages is read in part
PDF_TAIL_PAGES = 20  # of a capped PDF, read the last pages too: the imprint is there


# --------------------------------------------------------------------------------------------
# Errors and results
# --------------------------------------------------------------------------------------------


class UnreadableFile(InvalidInput, ValueError):
    """The file cannot be read as a document; the message says why, in the user's language.

    A ``ValueError`` as the interface promises, and an ``InvalidInput`` (422) so that views and
    the API show it like any other refused input, attached to the ``file`` field."""

    code = "unreadable_file"

    def __init__(self, message: Any, *, field: str | None = "file") -> None:
        super().__init__(message, field=field)


@dataclass
class Extracted:
    """The text of a file, paragraphs separated by "\\n"."""

    text: str
    kind: str  # "docx" | "pdf" | "txt"
    pages: int | None
    notes: list[str] = field(default_factory=list)  # what the clerk should know, translated


@dataclass
class Field:
    """One recognised element: its value, how sure the rule is (0–1) and the line it came from."""

    value: Any
    confidence: float
    evidence: str


@dataclass
class Recognition:
    doc_number: Field | None = None
    issuing_code: str = ""
    year: int | None = None
    serial: int | None = None
    date_written: Field | None = None
    title: Field | None = None
    issuing_authority: Field | None = None
    issuers: Field | None = None  # a joint document's organs, lead first: list[str]
    main_recipients: Field | None = None
    doc_type: Field | None = None
    classification: Field | None = None
    urgency: Field | None = None
    cc: Field | None = None
    signers: Field | None = None
    attachments: Field | None = None  # 附件说明: list[str]
    body: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: each field as {value, confidence, evidence} or None, dates ISO 8601."""

        def one(f: Field | None) -> dict[str, Any] | None:
            if f is None:
                return None
            value = f.value.isoformat() if isinstance(f.value, datetime.date) else f.value
            if isinstance(value, DocumentType | Urgency):
                value = str(value.value)
            return {"value": value, "confidence": f.confidence, "evidence": f.evidence}

        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            current = getattr(self, name)
            out[name] = one(current) if isinstance(current, Field) or current is None else current
        return out


# --------------------------------------------------------------------------------------------
# Extraction
# --------------------------------------------------------------------------------------------


def extract_text(filename: str, data: bytes) -> Extracted:
    """The text of an uploaded .docx, .pdf or .txt file; :class:`UnreadableFile` if it has none.

    Never raises anything else: a parser failing in an unexpected way is logged and reported as
    a damaged file."""
    data = bytes(data)
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFile(
            _(
                "The file is larger than %(limit)d MB. Import the document without large attachments."
            )
            % {"limit": MAX_FILE_BYTES // (1024 * 1024)}
        )
    extension = _extension(filename)
    if extension not in ("docx", "pdf", "txt"):
        raise UnreadableFile(_unsupported_message(extension))
    if not data.strip():
        raise UnreadableFile(_("The file is empty."))
    content = _sniff(data)
    try:
        if extension == "docx":
            return _read_docx(data, content)
        if extension == "pdf":
            return _read_pdf(data, content)
        return _read_txt(data, content)
    except UnreadableFile:
        raise
    except Exception:  # a parser's own failure on a malformed file: not the clerk's to debug
        logger.warning("could not read %r (%s)", filename, extension, exc_info=True)
        raise UnreadableFile(
            _("The file could not be read: it seems to be damaged. Open it and save it again.")
        ) from None


def _extension(filename: str) -> str:
    base = re.split(r"[\\/]", filename or "")[-1].strip().rstrip(".")
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def _unsupported_message(extension: str) -> str:
    if extension in ("doc", "wps"):
        return _(
            "Word 97-2003 (.doc) and WPS (.wps) files cannot be read. Open the file and save it "
            "as .docx or PDF."
        )
    if extension == "ofd":
        return _("OFD files cannot be read yet. Export the document as PDF and import that.")
    if not extension:
        return _("The file name has no extension. tongban reads .docx, .pdf and .txt files.")
    return _(
        "Files of type “.%(extension)s” cannot be read. tongban reads .docx, .pdf and .txt files."
    ) % {"extension": extension[:10]}


def _sniff(data: bytes) -> str:
    """What the bytes are, whatever the name says."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "zip"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"  # Word 97-2003, or an Office file encrypted with a password
    if data.startswith(b"{\\rtf"):
        return "rtf"
    return ""


def _content_message(content: str) -> str:
    return {
        "pdf": _("The file is a PDF document, not what its name says. Rename it to .pdf."),
        "zip": _("The file is a ZIP package (perhaps a .docx), not what its name says. Rename it."),
        "ole": _(
            "The file is a Word 97-2003 document or a password-protected Word file. Remove the "
            "password and save it as .docx."
        ),
        "rtf": _("The file is in RTF format. Open it and save it as .docx."),
    }.get(content, "")


# -- .docx ------------------------------------------------------------------------------------

_REL_OFFICE_DOCUMENT = "/officeDocument"
_REL_HEADER = "/header"


def _read_docx(data: bytes, content: str) -> Extracted:
    if content != "zip":
        raise UnreadableFile(
            _content_message(content)
            or _("The file is not a valid .docx document (it is not a ZIP package).")
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise UnreadableFile(
            _("The .docx file is damaged: its ZIP structure cannot be read.")
        ) from None
    if len(infos) > MAX_ZIP_ENTRIES:
        raise UnreadableFile(_("The .docx file has too many parts to be a document."))
    reader = _ZipBudget(archive)
    main = _main_part(reader)
    if main is None:
        raise UnreadableFile(
            _("The file is a ZIP package but not a Word document: word/document.xml is missing.")
        )
    lines = _docx_lines(reader.xml(main))
    seen = {line.strip() for line in lines}
    header_lines: list[str] = []
    for part in _related(reader, main, _REL_HEADER):
        for line in _docx_lines(reader.xml(part)):
            key = line.strip()
            # Letterhead templates keep the mark in the header; page numbers are noise there.
            if key and key not in seen and not _PAGE_NUMBER.fullmatch(_compact(key)):
                header_lines.append(line)
                seen.add(key)
    text = _clean_text("\n".join(header_lines + lines))
    if not text.strip():
        raise UnreadableFile(_("The .docx document contains no text."))
    return Extracted(text=text, kind="docx", pages=None)


class _ZipBudget:
    """Reads members of a zip with a shared cap on uncompressed bytes."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.names = {info.filename: info for info in archive.infolist()}
        self.left = MAX_DOCX_XML_BYTES

    def read(self, name: str) -> bytes:
        info = self.names[name]
        if info.file_size > self.left:
            raise _too_big()
        try:
            with self.archive.open(info) as member:
                # Read one byte past the budget: a member whose header understates its size
                # still stops here.
                blob = member.read(self.left + 1)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError):
            raise UnreadableFile(
                _("The .docx file is damaged or encrypted: a part cannot be decompressed.")
            ) from None
        if len(blob) > self.left:
            raise _too_big()
        self.left -= len(blob)
        return blob

    def xml(self, name: str) -> Element:
        blob = self.read(name)
        try:
            return SafeET.fromstring(blob)
        except Exception:  # ParseError, or defusedxml refusing a DTD or entities
            raise UnreadableFile(
                _("The .docx file is damaged: %(part)s is not valid XML.") % {"part": name}
            ) from None


def _too_big() -> UnreadableFile:
    return UnreadableFile(
        _(
            "The .docx file expands to more than %(limit)d MB of text when unpacked; it is not "
            "read (it may be a zip bomb)."
        )
        % {"limit": MAX_DOCX_XML_BYTES // (1024 * 1024)}
    )


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _relationships(reader: _ZipBudget, source: str) -> list[tuple[str, str]]:
    """(type, target part) of a part's relationships; source "" is the package itself."""
    folder, base = posixpath.split(source)
    rels = posixpath.join(folder, "_rels", base + ".rels") if source else "_rels/.rels"
    if rels not in reader.names:
        return []
    out = []
    for rel in reader.xml(rels):
        if _local(rel.tag) != "Relationship" or rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target") or ""
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        out.append((rel.get("Type") or "", posixpath.normpath(path).lstrip("/")))
    return out


def _main_part(reader: _ZipBudget) -> str | None:
    for kind, target in _relationships(reader, ""):
        if kind.endswith(_REL_OFFICE_DOCUMENT) and target in reader.names:
            return target
    return "word/document.xml" if "word/document.xml" in reader.names else None


def _related(reader: _ZipBudget, source: str, kind_suffix: str) -> list[str]:
    return [
        target
        for kind, target in _relationships(reader, source)
        if kind.endswith(kind_suffix) and target in reader.names
    ]


# Subtrees that carry no visible text, or a copy of it (the VML fallback of a text box).
_SKIP = frozenset(
    {"del", "moveFrom", "pPr", "rPr", "sectPr", "Fallback", "instrText", "delText", "tblPr"}
)


def _docx_lines(root: Element) -> list[str]:
    body = next((el for el in root.iter() if _local(el.tag) in ("body", "hdr", "ftr")), root)
    out: list[str] = []
    _walk_blocks(body, out)
    return out


def _walk_blocks(element: Element, out: list[str]) -> None:
    for child in element:
        name = _local(child.tag)
        if name in _SKIP:
            continue
        if name == "p":
            _paragraph(child, out)
        else:  # tables, rows, cells, content controls, custom XML: recurse in document order
            _walk_blocks(child, out)


def _paragraph(p: Element, out: list[str]) -> None:
    pieces: list[str] = []
    nested: list[str] = []

    def inline(element: Element) -> None:
        for child in element:
            name = _local(child.tag)
            if name in _SKIP:
                continue
            if name == "t":
                pieces.append(child.text or "")
            elif name == "tab":
                pieces.append("\t")
            elif name in ("br", "cr"):
                pieces.append("\n")
            elif name == "noBreakHyphen":
                pieces.append("-")
            elif name == "txbxContent":
                _walk_blocks(child, nested)  # a text box: its own paragraphs
            else:
                inline(child)

    inline(p)
    # A text box floats; put its lines before the paragraph that anchors it.
    out.extend(nested)
    out.extend("".join(pieces).split("\n"))


# -- .pdf -------------------------------------------------------------------------------------


def _read_pdf(data: bytes, content: str) -> Extracted:
    if content != "pdf":
        raise UnreadableFile(
            _content_message(content) or _("The file is not a PDF document (no PDF header).")
        )
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError):
        raise UnreadableFile(_("The PDF file is damaged and cannot be opened.")) from None
    if reader.is_encrypted:
        try:
            opened = bool(reader.decrypt(""))  # restrictions only: opens without a password
        except Exception:
            opened = False
        if not opened:
            raise UnreadableFile(
                _(
                    "The PDF is protected by a password. Save or export it again without a "
                    "password, then import it."
                )
            )
    try:
        total = len(reader.pages)
    except Exception:
        raise UnreadableFile(_("The PDF file is damaged: its pages cannot be read.")) from None
    if total == 0:
        raise UnreadableFile(_("The PDF has no pages."))
    if total > MAX_PDF_PAGES:
        head = MAX_PDF_PAGES - PDF_TAIL_PAGES
        indexes = [*range(head), *range(total - PDF_TAIL_PAGES, total)]
    else:
        indexes = list(range(total))
    texts: list[str] = []
    blank = 0
    for index in indexes:
        page_text = reader.pages[index].extract_text() or ""
        meaningful = [ln for ln in page_text.split("\n") if ln.strip() and not _is_page_number(ln)]
        if sum(len(_compact(ln)) for ln in meaningful) < 2:
            blank += 1
        texts.append(page_text)
    text = _clean_text("\n".join(texts))
    if blank == len(indexes):
        raise UnreadableFile(
            _(
                "The PDF has no text layer: it is probably a scanned image. tongban does not read "
                "text from images (no OCR). Import a PDF with text, or enter the details by hand."
            )
        )
    notes: list[str] = []
    if total > MAX_PDF_PAGES:
        notes.append(
            _(
                "The PDF has %(total)d pages; only the first %(head)d and the last %(tail)d were read."
            )
            % {"total": total, "head": MAX_PDF_PAGES - PDF_TAIL_PAGES, "tail": PDF_TAIL_PAGES}
        )
    if blank:
        notes.append(
            _(
                "%(blank)d of the pages read have no text (scanned images); their content is missing."
            )
            % {"blank": blank}
        )
    return Extracted(text=text, kind="pdf", pages=total, notes=notes)


# -- .txt -------------------------------------------------------------------------------------

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _read_txt(data: bytes, content: str) -> Extracted:
    if content:  # a PDF, Word or RTF file named .txt: its bytes are not the text
        raise UnreadableFile(_content_message(content))
    text = _decode(data)
    text = _clean_text(text)
    if not text.strip():
        raise UnreadableFile(_("The file is empty."))
    return Extracted(text=text, kind="txt", pages=None)


def _decode(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                raise UnreadableFile(
                    _("The text file is damaged: it is not valid %(encoding)s.")
                    % {"encoding": encoding.split("-sig")[0].upper()}
                ) from None
            if _plausible_text(text):
                return text.lstrip("\ufeff")
            raise _not_text()
    data = data.rstrip(b"\x1a")  # the end-of-file mark old DOS editors left behind
    candidates = ["utf-8", "gb18030"]
    if len(data) % 2 == 0:
        candidates += ["utf-16-le", "utf-16-be"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _plausible_text(text):
            return text
    raise _not_text()


def _not_text() -> UnreadableFile:
    return UnreadableFile(
        _(
            "The file does not contain readable text in UTF-8, GB18030/GBK or UTF-16. It may be a "
            "binary file with the wrong name."
        )
    )


# Blocks in which written Chinese and English text lives; anything else counts as unusual.
_COMMON_RANGES = (
    (0x20, 0x7E),
    (0xA0, 0x24F),  # Latin-1 and Latin Extended (·, ×, é)
    (0x370, 0x4FF),  # Greek, Cyrillic
    (0x2000, 0x27BF),  # punctuation, letterlike (№ Ⅱ), arrows, maths, ①, box drawing, ★ ○
    (0x3000, 0x30FF),  # CJK punctuation 〔〕、。, kana (・)
    (0x3200, 0x33FF),  # enclosed CJK ㈠
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0xFE30, 0xFE4F),  # vertical forms, ﹝﹞ lives just after
    (0xFE50, 0xFE6F),
    (0xFF00, 0xFFEF),  # full-width forms
)


def _plausible_text(text: str) -> bool:
    if not text:
        return False
    control = unusual = 0
    for ch in text:
        code = ord(ch)
        if ch in "\t\n\r\f\v\ufeff":
            continue
        if code < 0x20 or 0x7F <= code < 0xA0 or 0xD800 <= code <= 0xDFFF or code >= 0xFFFE:
            control += 1
        elif 0xE000 <= code <= 0xF8FF or code == 0xFFFD:
            control += 1  # private use and replacement characters: a wrong decoding
        elif not any(low <= code <= high for low, high in _COMMON_RANGES):
            unusual += 1  # rare ideographs exist (names), but not by the hundred
    return control <= max(1, len(text) // 500) and unusual <= max(2, len(text) // 20)


def _clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\v", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n").replace("\x00", "")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


# --------------------------------------------------------------------------------------------
# Recognition
# --------------------------------------------------------------------------------------------

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_INVISIBLE = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]+")


def _compact(text: str) -> str:
    return _INVISIBLE.sub("", text.translate(_FULLWIDTH_DIGITS))


_PAGE_NUMBER = re.compile(
    r"[-—–－―_~]+[1-9][0-9]{0,3}[-—–－―_~]+|第[0-9]{1,4}页(?:[，,/]?共[0-9]{1,4}页)?"
)


def _is_page_number(line: str) -> bool:
    return bool(_PAGE_NUMBER.fullmatch(_compact(line)))


@dataclass(frozen=True)
class _Line:
    index: int
    raw: str
    compact: str


_CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
_OPEN = "〔[(（【［﹝〖{｛"
_CLOSE = "〕])）】］﹞〗}｝"
_NUMBER_RE = re.compile(
    rf"(?P<code>[A-Za-z{_CJK}][A-Za-z0-9{_CJK}]{{0,29}}?)"
    rf"(?P<open>[{re.escape(_OPEN)}])(?P<year>[0-9OoＯ〇○]{{4}})(?P<close>[{re.escape(_CLOSE)}])"
    r"(?P<di>第?)(?P<serial>0{0,3}[0-9]{1,6})号"
)
_NUMBER_NO_YEAR = re.compile(rf"(?P<code>[{_CJK}]{{1,12}}?[发函字令])(?P<serial>[0-9]{{1,4}})号")
_PUNCTUATION_NO_LIST = re.compile(r"[，。：；！？“”‘’《》,.:;!?\"'…]")
# What a heading puts before a number that is not its issuing code ("……的批复国函〔1996〕38号").
_NOT_CODE = re.compile(
    r".*(?:的|关于|通知|批复|意见|决定|报告|请示|公告|通告|通报|纪要|议案|规定|办法|方案|》|[)）|])"
)


def _code_start(match: re.Match[str]) -> int:
    """Where the issuing code of a number match really starts: a heading's words before it
    ("……的通知总工发〔2023〕23号") are not part of the code."""
    code = match["code"]
    cut = _NOT_CODE.match(code)
    return match.start() + (cut.end() if cut and cut.end() < len(code) else 0)


def _code_of(match: re.Match[str]) -> str:
    return match.string[_code_start(match) : match.start("open")]


_ZERO_LIKE = str.maketrans("OoＯ〇○", "00000")


def _year_of(match: re.Match[str]) -> int:
    """The year of a number match; letters O and 〇 typed for zeros ("20O0") are zeros."""
    return int(match["year"].translate(_ZERO_LIKE))


_NUMBER_LABEL = re.compile(r"(?:发文字号|发文文号|文号|字号)[：:]")
_SIGNER_RE = re.compile(r"签\s*发\s*人\s*[：:]\s*(?P<names>.*)$")

_LABELS = {
    "title": ("标题", "文件标题", "名称", "题名"),
    "number": ("发文字号", "发文文号", "文号", "字号"),
    "authority": ("发文机关", "发文单位", "发布机构", "发布机关", "发文机构"),
    "date": ("成文日期", "成文时间", "签发日期"),
    "recipients": ("主送", "主送机关", "主送单位"),
    "classification": ("密级",),
    "urgency": ("紧急程度",),
}
_ANY_LABEL = re.compile(
    r"(?:"
    + "|".join(
        [
            *sorted({w for words in _LABELS.values() for w in words}, key=len, reverse=True),
            *(
                "索引号",
                "主题分类",
                "发布日期",
                "生效日期",
                "印发日期",
                "公开方式",
                "有效性",
                "主题词",
            ),
        ]
    )
    + r")[：:]"
)

_CLASSIFICATION_RE = r"(?P<cls>绝密|机密|秘密)(?:[★☆*＊](?P<period>长期|[0-9年月日个前止]{1,15}))?"
_HEADER_MARKS = re.compile(
    rf"(?:(?:密级[：:])?{_CLASSIFICATION_RE})?(?:(?:紧急程度[：:])?(?P<urg>特急|加急))?"
)
_COPY_NUMBER = re.compile(r"(?:份号[：:])?[0-9]{6}")

_ORGAN_SUFFIX = re.compile(
    r"(?:政府|办公厅|办公室|委员会|常委会|人大|政协|法院|检察院|党委|党组|工委|纪委|监委|局|委|办"
    r"|厅|部|署|院|会|室|所|中心|站|队|处|科|组|司|社|校|行|馆|公司|集团|单位|部门|机构|机关"
    r"|街道|镇|乡|村|县|区|市|省|州|盟|旗)$"
)
_PUNCTUATION = re.compile(r"[，。：；、！？“”‘’《》,.:;!?\"'…]")

_TYPE_ENDINGS: tuple[tuple[str, DocumentType], ...] = (
    ("复函", DocumentType.LETTER),
    ("纪要", DocumentType.MINUTES),
    ("命令", DocumentType.ORDER),
    ("决议", DocumentType.RESOLUTION),
    ("决定", DocumentType.DECISION),
    ("公报", DocumentType.COMMUNIQUE),
    ("公告", DocumentType.ANNOUNCEMENT),
    ("通告", DocumentType.PUBLIC_NOTICE),
    ("意见", DocumentType.OPINION),
    ("通知", DocumentType.NOTICE),
    ("通报", DocumentType.BULLETIN),
    ("报告", DocumentType.REPORT),
    ("请示", DocumentType.REQUEST),
    ("批复", DocumentType.REPLY),
    ("议案", DocumentType.MOTION),
    ("函", DocumentType.LETTER),
    ("令", DocumentType.ORDER),
)
_GOVERNMENT_END = re.compile(r"(?:人民政府办公厅|人民政府办公室|人民政府|办公厅|办公室|委员会)")
_TRAILING_NOTE = re.compile(r"(?:[（(][^（）()]{1,15}[）)])+$")

_CLOSINGS: tuple[tuple[str, DocumentType, float], ...] = (
    ("特此请示", DocumentType.REQUEST, 0.6),
    ("请批示", DocumentType.REQUEST, 0.6),
    ("请予审批", DocumentType.REQUEST, 0.55),
    ("特此函复", DocumentType.LETTER, 0.55),
    ("特此函告", DocumentType.LETTER, 0.55),
    ("请予函复", DocumentType.LETTER, 0.55),
    ("此复", DocumentType.REPLY, 0.55),
    ("特此公告", DocumentType.ANNOUNCEMENT, 0.6),
    ("特此通告", DocumentType.PUBLIC_NOTICE, 0.6),
    ("特此通报", DocumentType.BULLETIN, 0.55),
    ("特此报告", DocumentType.REPORT, 0.55),
    ("特此通知", DocumentType.NOTICE, 0.55),
)

_CN_DIGIT = {
    "〇": 0, "○": 0, "◯": 0, "零": 0, "O": 0, "o": 0, "Ｏ": 0, "0": 0,
    "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_DATE_ARABIC = re.compile(r"(?<![0-9])(?P<y>[0-9]{4})年(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})日")
_DATE_ISO = re.compile(
    r"(?<![0-9.])(?P<y>[0-9]{4})([-./])(?P<m>[0-9]{1,2})\2(?P<d>[0-9]{1,2})(?![0-9])"
)
_DATE_CHINESE = re.compile(
    r"(?P<y>[〇○◯零OoＯ0一二三四五六七八九]{4})年(?P<m>[一二三四五六七八九十]{1,2})月"
    r"(?P<d>[一二三四五六七八九十]{1,3})日"
)
_SEAL_NOTE = re.compile(r"[（(](?:印章|盖章|代章|章)[)）]")
_NOT_WRITTEN_DATE = re.compile(r"印发|发布日期|印发日期|生效日期|施行|公布日期|发布时间")
_ATTACHMENT_ITEM = re.compile(r"^(?:[0-9]{1,2}[.．、]|[（(][0-9]{1,2}[)）])\s*")
_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十0-9]+[)）]|[0-9]+[.．、])"
)


# -- what is not the document: website leftovers and run-on text --------------------------------

# The labels of the information boxes government websites print around a document (and that a
# copy of the page keeps), by what their value is. "publisher" names the office that posted the
# page (发布机构), not necessarily the issuer; "summary" never takes the next line as its value.
_SITE_LABELS: dict[str, tuple[str, ...]] = {
    "title": ("标题", "文件标题", "名称", "题名", "文件名称"),
    "number": ("发文字号", "发文文号", "文号", "字号", "文件编号", "发文编号"),
    "authority": ("发文机关", "发文单位", "制发机关"),
    "publisher": ("发布机构", "发布机关", "发文机构", "发布单位", "所属机构"),
    "date": ("成文日期", "成文时间", "签发日期"),
    "recipients": ("主送", "主送机关", "主送单位"),
    "classification": ("密级",),
    "urgency": ("紧急程度",),
    "summary": ("内容概述", "简介", "摘要", "内容摘要"),
    "index": ("索引号",),
    "topic": ("主题分类", "主题词", "关键词", "组配分类", "信息分类", "体裁分类", "服务对象"),
    "stamp": (
        "发布日期", "发布时间", "发文日期", "生成日期", "印发日期", "生效日期", "生效时间",
        "废止日期", "废止时间", "施行日期", "归档时间", "更新日期", "更新时间", "时间", "日期",
    ),
    "other": (
        "来源", "信息来源", "文章来源", "作者", "浏览量", "浏览次数", "访问次数", "点击数",
        "阅读次数", "有效性", "效力状态", "时效性", "公开方式", "公开范围", "视力保护色",
        "当前位置", "您的位置", "您现在的位置", "下载地址", "分享到", "责任编辑",
    ),
}  # fmt: skip
_SITE_LABEL_KIND = {label: kind for kind, labels in _SITE_LABELS.items() for label in labels}
_SITE_LABEL_RE = re.compile(
    "(?:" + "|".join(sorted(_SITE_LABEL_KIND, key=len, reverse=True)) + ")[：:]"
)
_BULLET = re.compile(r"^[•·●▪◆■◇\-*>＞]+")
# Lines of a web page that are no part of the document: navigation, page tools, site notes.
_SITE_NOISE = frozenset(
    {
        "返回顶部", "扫一扫在手机打开当前页", "打印本页", "关闭窗口", "打印", "关闭", "收藏",
        "分享", "相关文章", "相关链接", "相关文件", "相关阅读", "相关新闻", "延伸阅读", "外观",
        "收录于", "【发表评论】【互动社区】", "【打印本页】【关闭窗口】", "字号：大中小", "字号:大中小",
    }
)  # fmt: skip
_SITE_NOISE_WORDS = (
    "本作品", "维基文库", "文库", "论坛", "搜索网", "法律资料网", "下载本文", "会员上传",
    "Publicdomain", "公有领域", "点击此处", "查看全文", "发表评论", "互动社区", "本帖",
)  # fmt: skip
_RELATED = frozenset({"相关链接", "相关文章", "相关文件", "相关阅读", "相关新闻", "延伸阅读"})
_TIMESTAMP = re.compile(
    r"[0-9]{4}(?:-[0-9]{1,2}-[0-9]{1,2}|年[0-9]{1,2}月[0-9]{1,2}日)[0-9]{1,2}[:：][0-9]{2}"
)


def _is_site_noise(compact: str) -> bool:
    """A line of the web page around the document, not of the document."""
    if not compact or compact in _SITE_NOISE or re.fullmatch(r"[|｜/\\\-—_=]+", compact):
        return True
    if "首页" in compact and re.search(r"[>»＞›]", compact):
        return True  # a breadcrumb
    if re.match(r"^第[0-9一二三四五六七八九十]+篇[：:]", compact):
        return True  # a document-sharing site's "第一篇:"
    if re.fullmatch(r"第\[?[0-9]+\]?页共\[?[0-9]+\]?页", compact):
        return True
    if _TIMESTAMP.search(compact) and "。" not in compact:
        return True  # "本帖最后由 … 于 2014-7-10 09:37 编辑", a posting time
    return any(word in compact for word in _SITE_NOISE_WORDS) and _NUMBER_RE.search(compact) is None


def _label_segments(compact: str) -> list[tuple[str, str]] | None:
    """(label, value) pairs of a line that starts with a website label, or None. One line may
    hold several ("索引号: … 组配分类: …")."""
    compact = _BULLET.sub("", compact)
    matches = list(_SITE_LABEL_RE.finditer(compact))
    if not matches or matches[0].start() != 0:
        return None
    pairs = []
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(compact)
        pairs.append((match.group(0)[:-1], compact[match.end() : end]))
    return pairs


def _value_fits(kind: str, compact: str, raw: str) -> bool:
    """May the line after a label without a value (``compact``, ``raw``) be that label's value?"""
    if not compact or _label_segments(compact) is not None:
        return False
    if kind == "number":
        return (
            _NUMBER_RE.fullmatch(compact) is not None
            or _NUMBER_NO_YEAR.fullmatch(compact) is not None
        )
    if kind in ("date", "stamp"):
        return bool(_find_dates(compact)) and len(compact) <= 24
    if kind == "index":
        return re.fullmatch(r"[0-9A-Za-z/\-_.]+", compact) is not None
    if kind in ("authority", "publisher"):
        return (
            len(compact) <= 60
            and "关于" not in compact
            and not _PUNCTUATION_NO_LIST.search(compact)
        )
    if kind in ("title", "recipients"):
        return len(compact) <= 150 and "。" not in compact
    if kind == "topic":  # "综合政务\\应急管理", "文秘工作　提案　函": words, not a title line
        words = re.search(r"\s", raw.strip()) is not None or "\\" in compact
        return "关于" not in compact and len(compact) <= 40 and (words or len(compact) <= 8)
    return False  # summary, other: the next line is the document again


_GLUED_SIGNATURE_DATE = re.compile(
    r"(?<=[会府厅局委办部院室])(?:[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日"
    r"|[〇○◯零OoＯ0一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日)"
    r"(?=[\u4e00-\u9fff《])"
)


def _split_run_on(text: str) -> str:
    """Line breaks back into a text whose export lost them (the whole document on one line):
    after each sentence, around document numbers, before website labels, after the addressee's
    colon, and after a signature's date. Texts with ordinary lines are returned unchanged."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    longest = max((len(ln) for ln in lines), default=0)
    if longest < 300 or len(lines) > 5:
        return text
    out = []
    for line in text.split("\n"):
        if len(line) < 300:
            out.append(line)
            continue
        line = re.sub(r"([。！？])(?=[^”’」』）)])", "\\1\n", line)
        # Where the export put a space for a line break, between two words of Chinese (not
        # inside a name spaced out character by character, "国 务 院").
        line = re.sub(rf"(?<=[{_CJK}]{{2}})[ \t\u3000]+(?=[{_CJK}]{{2}})", "\n", line)
        line = _NUMBER_RE.sub(
            lambda m: (
                m.string[m.start() : _code_start(m)]
                + "\n"
                + m.string[_code_start(m) : m.end()]
                + "\n"
            ),
            line,
        )
        line = _SITE_LABEL_RE.sub(lambda m: f"\n{m.group(0)}", line)
        # The addressee ends with a colon after an organ or a list of them.
        line = re.sub(
            r"((?:位|构|府|门|会|局|委|办|厅|部|处|室|司|院|校|团|体|区|县|市|省)[：:])",
            "\\1\n",
            line,
        )
        # A signature glued to its date ("中华全国总工会2023年12月28日工会参与…"): the date
        # follows an organ's name and is followed by more text, so the line ends after it.
        line = _GLUED_SIGNATURE_DATE.sub("\\g<0>\n", line)
        out.append(line)
    return "\n".join(part for part in "\n".join(out).split("\n"))


def _split_glued_number(raw: str) -> list[str]:
    """A number line that runs on into the salutation ("X政发28号各市人民政府：为……") as the
    number, the salutation and the rest, each a line; any other line unchanged."""
    compact = _compact(raw)
    tag = re.match(r"【[^】]{1,4}】", compact)  # a site's tag before it ("【正】")
    if tag and (_NUMBER_RE.match(compact, tag.end()) or _NUMBER_NO_YEAR.match(compact, tag.end())):
        return [tag.group(0), *_split_glued_number(compact[tag.end() :])]
    match = _NUMBER_RE.match(compact) or _NUMBER_NO_YEAR.match(compact)
    if match is None or match.end() == len(compact):
        return [raw]
    rest = compact[match.end() :]
    colon = re.search(r"[：:]", rest)
    if colon is None or colon.start() > 150 or "。" in rest[: colon.start()]:
        return [raw]
    if not (rest.startswith("各") or _ORGAN_SUFFIX.search(rest[: colon.start()])):
        return [raw]
    parts = [compact[: match.end()], rest[: colon.end()], rest[colon.end() :]]
    return [part for part in parts if part]


def _site_box(raws: list[str]) -> tuple[set[int], dict[str, tuple[str, list[int]]]]:
    """The lines of a website's information box above the document (labels and their values,
    on the label's line or the next), and the first value of each kind of label with the lines
    it was read from. Only lines before the first sentence are looked at."""
    compacts = [_compact(raw) for raw in raws]
    stop = next((i for i, c in enumerate(compacts) if "。" in c or len(c) > 150), len(raws))
    boxed: set[int] = set()
    values: dict[str, tuple[str, list[int]]] = {}
    i = 0
    while i < stop:
        pairs = _label_segments(compacts[i])
        if pairs is None:
            i += 1
            continue
        boxed.add(i)
        used = [i]
        for label, value in pairs:
            kind = _SITE_LABEL_KIND[label]
            nxt = i + 1
            if (
                not value
                and len(pairs) == 1
                and nxt < len(raws)
                and _value_fits(kind, compacts[nxt], raws[nxt])
            ):
                value = raws[nxt].strip() if kind == "title" else compacts[nxt]
                boxed.add(nxt)
                used.append(nxt)
            fits = kind not in ("number", "date") or _value_fits(kind, value, value)
            if value and fits and kind not in values:
                values[kind] = (value, list(used))
        i = used[-1] + 1
    return boxed, values


def normalise_document_number(text: str) -> str | None:
    """发文字号 in GB/T 9704 form, or None if ``text`` is not one.

    Accepts [2026] (2026) 【2026】 ［2026］ ﹝2026﹞ for 〔2026〕, "第12号", leading zeros,
    full-width digits and spaces: "示政办发［２０２６］第012号" → "示政办发〔2026〕12号"."""
    match = _NUMBER_RE.fullmatch(_compact(text or ""))
    if not match:
        return None
    try:
        return format_document_number(match["code"], _year_of(match), int(match["serial"]))
    except ValueError:
        return None


def recognise(text: str, *, authorities: Sequence[tuple[str, str]] = ()) -> Recognition:
    """The elements of an official document found in ``text``, each with a confidence.

    ``authorities``: (name, issuing code) of the platform's departments. A number whose code is
    among them, or a name that matches one exactly, raises confidence and gives the canonical
    name. The rules and their confidences are in the module docstring."""
    return _Recogniser(text or "", authorities).run()


@dataclass(frozen=True)
class _Number:
    code: str
    year: int | None  # None: a number written without its year ("湘政发28号")
    serial: int
    strict: bool  # 〔2026〕12号 as GB/T 9704 writes it
    dated: datetime.date | None  # a date on the number's line


class _Recogniser:
    def __init__(self, text: str, authorities: Sequence[tuple[str, str]]) -> None:
        self.lines: list[_Line] = []
        raws: list[str] = []
        for raw in _split_run_on(_clean_text(text)).split("\n"):
            stripped = raw.strip()
            if stripped and not _is_page_number(stripped):
                raws.extend(_split_glued_number(stripped))
        # The website's information box and the page around the document are read apart: they
        # are never the document's title, signature or date (the box's values are weak hints).
        boxed, box = _site_box(raws)
        self.box: dict[str, tuple[str, str]] = {
            kind: (value, "\n".join(raws[i] for i in used)) for kind, (value, used) in box.items()
        }
        related = False
        for i, raw in enumerate(raws):
            compact = _compact(raw)
            related = related or compact in _RELATED  # a list of links to other documents
            if i in boxed or related or _is_site_noise(compact):
                continue
            self.lines.append(_Line(len(self.lines), raw, compact))
        self.by_name: dict[str, tuple[str, str]] = {}
        self.by_code: dict[str, tuple[str, str]] = {}
        for name, code in authorities:
            if name and _compact(name):
                self.by_name.setdefault(_compact(name), (name.strip(), (code or "").strip()))
            if code and _compact(code):
                self.by_code.setdefault(_compact(code), (name.strip(), code.strip()))
        self.result = Recognition()
        self.consumed: set[int] = set()  # lines that belong to an element (not title, not body)
        # Positions found on the way, each step using those of the steps before it.
        self.header_end = 0  # lines before this index form the header (版头)
        self.title_span: tuple[int, int] | None = None
        self.title_end = 0
        self.body_start = 0
        self.date_index: int | None = None  # the 成文日期 line, when it stands alone
        self.signature: list[str] = []  # organ names of the 署名, lead organ first
        self.signature_line: _Line | None = None
        self.signature_start: int | None = None
        self.number_index: int | None = None  # the line the document number was read from
        self.number_date: tuple[datetime.date, _Line] | None = None  # a date beside the number

    # -- helpers -----------------------------------------------------------------------------

    def known_name(self, name: str) -> str | None:
        hit = self.by_name.get(_compact(name))
        return hit[0] if hit else None

    def organ_like(self, compact: str) -> bool:
        compact = _SEAL_NOTE.sub("", compact)  # "……办公室（代章）"
        if not 2 <= len(compact) <= 40 or "关于" in compact or "的" in compact:
            return False
        if _PUNCTUATION.search(compact) or re.search(r"[0-9]", compact):
            return False
        if compact.endswith(("网站", "网", "页")):
            return False
        return bool(_ORGAN_SUFFIX.search(compact)) or _compact(compact) in self.by_name

    def organ_list(self, compact: str) -> list[str]:
        """The organs of a line that names two or more ("国务院办公厅、中央军委办公厅"), else []."""
        parts = [p for p in re.split(r"[、，,]", _SEAL_NOTE.sub("", compact)) if p]
        if len(parts) >= 2 and all(self.organ_like(p) for p in parts):
            return parts
        return []

    def labelled(self, kind: str, limit: int = 40) -> tuple[_Line, str] | None:
        if kind in self.box:  # the website's information box
            value, evidence = self.box[kind]
            return _Line(-1, evidence, _compact(value)), value
        if kind not in _LABELS:
            return None
        words = "|".join(_LABELS[kind])
        pattern = re.compile(rf"^(?:{words})[：:](?P<value>.+)$")
        for line in self.lines[:limit]:
            match = pattern.match(line.compact)
            if match:
                # Keep the original spacing of the value: cut the label off the raw line.
                raw_value = re.split(r"[：:]", line.raw, maxsplit=1)[-1].strip()
                return line, raw_value or match["value"]
        return None

    # -- the steps ---------------------------------------------------------------------------

    def run(self) -> Recognition:
        r = self.result
        self.header_end = self.find_header()
        self.find_marks()
        self.find_number()
        self.find_signers()
        self.find_title_and_recipients()
        self.find_number_in_headings()
        self.find_date_and_signature()
        self.find_authority()
        self.find_type()
        self.find_cc()
        self.find_attachments_and_body()
        for name in r.__dataclass_fields__:
            current = getattr(r, name)
            if isinstance(current, Field):
                current.confidence = round(min(1.0, max(0.0, current.confidence)), 2)
        return r

    def is_header_line(self, line: _Line) -> bool:
        c = line.compact
        if _COPY_NUMBER.fullmatch(c) or (c and _HEADER_MARKS.fullmatch(c)):
            return True
        if c.endswith("文件") and (c == "文件" or self.organ_like(c[:-2]) or len(c) <= 30):
            return not _PUNCTUATION.search(c) and not c.startswith("关于")
        if c.startswith("签发人") or _SIGNER_RE.search(line.raw):
            return True
        if self.number_in_line(line) is not None:
            return True
        return self.organ_like(c) or bool(self.organ_list(c))

    def find_header(self) -> int:
        end = 0
        for line in self.lines[:10]:
            if not self.is_header_line(line):
                break
            end = line.index + 1
        return end

    def find_marks(self) -> None:
        r = self.result
        header = self.lines[: self.header_end]
        for line in header:
            match = _HEADER_MARKS.fullmatch(line.compact)
            if not line.compact or not match:
                continue
            together = bool(match["cls"]) and bool(match["urg"])
            confidence = 0.9 if together else 0.95
            if match["cls"] and r.classification is None:
                value = match["cls"] + (f"★{match['period']}" if match["period"] else "")
                r.classification = Field(value, confidence, line.raw)
            if match["urg"] and r.urgency is None:
                r.urgency = Field(Urgency(match["urg"]), confidence, line.raw)
            self.consumed.add(line.index)
        for line in header:
            if _COPY_NUMBER.fullmatch(line.compact):
                self.consumed.add(line.index)
        if r.classification is None and (hit := self.labelled("classification")):
            match = re.match(_CLASSIFICATION_RE, _compact(hit[1]))
            if match:
                value = match["cls"] + (f"★{match['period']}" if match["period"] else "")
                r.classification = Field(value, 0.85, hit[0].raw)
                self.consumed.add(hit[0].index)
        if r.urgency is None and (hit := self.labelled("urgency")):
            match = re.match(r"特急|加急", _compact(hit[1]))
            if match:
                r.urgency = Field(Urgency(match[0]), 0.85, hit[0].raw)
                self.consumed.add(hit[0].index)

    def number_in_line(self, line: _Line) -> _Number | None:
        """The document number of a line that is (nearly) only that number: alone, labelled,
        in parentheses, followed by 签发人 or by a date."""
        compact = line.compact
        if len(compact) > 120:  # a number line is short; do not scan paragraphs
            return None
        for match in _NUMBER_RE.finditer(compact):
            before, after = compact[: _code_start(match)], compact[match.end() :]
            before = _NUMBER_LABEL.sub("", before) if _NUMBER_LABEL.fullmatch(before) else before
            if before in ("(", "（", "[", "【") and after[:1] in (")", "）", "]", "】"):
                before, after = "", after[1:]  # "( 吉府发〔2003〕37号 )"
            dated: datetime.date | None = None
            if after and not after.startswith("签发人"):
                dates = _find_dates(after)
                if dates and dates[0][1] == 0 and dates[0][2] == len(after):
                    dated, after = dates[0][0], ""  # "苏政办发〔2002〕126号 2002年12月3日"
            if before or not (after == "" or after.startswith("签发人")):
                continue
            code = _code_of(match)
            # PDF extraction can glue the end of a wrapped mark ("……办公厅 / 文件") to the number.
            if code.startswith("文件") and len(code) > 2:
                previous = self.lines[line.index - 1].compact if line.index > 0 else ""
                if _compact(code) not in self.by_code and (
                    self.organ_like(previous) or code[2:] in self.by_code
                ):
                    code = code[2:]
            strict = (
                match["open"] == "〔"
                and match["close"] == "〕"
                and not match["di"]
                and not match["serial"].startswith("0")
                and match["year"].isdigit()
            )
            return _Number(code, _year_of(match), int(match["serial"]), strict, dated)
        bare = _NUMBER_LABEL.sub("", compact) if _NUMBER_LABEL.match(compact) else compact
        no_year = _NUMBER_NO_YEAR.fullmatch(bare)  # "湘政发28号": the year left out
        if no_year is not None:
            return _Number(no_year["code"], None, int(no_year["serial"]), False, None)
        return None

    def number_field(self, line: _Line, base_strict: float, base_loose: float) -> bool:
        found = self.number_in_line(line)
        if found is None:
            return False
        return self.take_number(found, line, base_strict, base_loose)

    def take_number(
        self, found: _Number, line: _Line, base_strict: float, base_loose: float
    ) -> bool:
        if found.year is None:
            value, confidence = f"{found.code}{found.serial}号", base_loose - 0.1
        else:
            try:
                value = format_document_number(found.code, found.year, found.serial)
            except ValueError:
                return False
            strict = found.strict and value in line.raw
            confidence = base_strict if strict else base_loose
            if not 1949 <= found.year <= 2100:
                confidence -= 0.3
        if self.by_code.get(_compact(found.code)):
            confidence += 0.1
        r = self.result
        r.doc_number = Field(value, confidence, line.raw)
        r.issuing_code, r.year, r.serial = found.code, found.year, found.serial
        if line.index >= 0:
            self.consumed.add(line.index)
            self.number_index = line.index
            if found.dated is not None:
                self.number_date = (found.dated, line)
        return True

    def find_number(self) -> None:
        for line in self.lines[: self.header_end]:
            if self.number_field(line, 0.85, 0.7):
                return
        hit = self.labelled("number")
        if hit and self.number_field(hit[0], 0.85, 0.7):
            return
        for line in self.lines[self.header_end : self.header_end + 12]:
            if self.number_field(line, 0.75, 0.6):
                return

    def find_number_in_headings(self) -> None:
        """No number line: a number in a heading line before the body, beside the title or the
        issuer ("……的通知(岳办发〔2017〕2号)", "…批复 国函〔1996〕38号 国务院 1996年5月31日"), never
        one cited in a sentence or inside 《》."""
        if self.result.doc_number is not None:
            return
        stop = self.body_start if self.body_start else min(len(self.lines), 15)
        for line in self.lines[: max(stop, 1)]:
            compact = line.compact
            if "。" in compact or len(compact) > 160:
                continue
            for match in _NUMBER_RE.finditer(compact):
                before = compact[: _code_start(match)]
                if before.count("《") > before.count("》"):
                    continue
                found = _Number(_code_of(match), _year_of(match), int(match["serial"]), False, None)
                if self.take_number(found, line, 0.6, 0.6):
                    self.consumed.discard(line.index)  # the line may hold the title too
                    return

    def find_signers(self) -> None:
        for line in self.lines[:40]:
            match = _SIGNER_RE.search(line.raw)
            if not match:
                continue
            tokens = [t for t in re.split(r"[\s、，,；;]+", match["names"]) if t]
            names: list[str] = []
            pending = ""
            for token in tokens:
                if len(token) == 1:  # "张　三": a two-character name spaced to width
                    if pending:
                        names.append(pending + token)
                        pending = ""
                    else:
                        pending = token
                    continue
                if pending:
                    names.append(pending)
                    pending = ""
                names.append(token)
            if pending:
                names.append(pending)
            if names:
                confidence = 0.9 if line.index < max(self.header_end, 1) else 0.7
                self.result.signers = Field(names, confidence, line.raw)
            self.consumed.add(line.index)
            return

    # -- title and main recipients -----------------------------------------------------------

    def find_recipients(self, start: int, stop: int) -> tuple[int, int, list[str]] | None:
        """(first, last, parts) of the 主送 line: a line ending with "：", extended back over up
        to 2 lines it wraps from (a PDF breaks long lists)."""
        for last in range(start, stop):
            c = self.lines[last].compact
            if last in self.consumed or not c.endswith(("：", ":")):
                continue
            first = last
            while first > start and last - first < 2 and first - 1 not in self.consumed:
                previous = self.lines[first - 1].compact
                wraps = previous.endswith(("，", "、", ",")) or (
                    len(previous) >= 15
                    and re.search(r"[，、,]", previous) is not None
                    and _type_of_title(previous) is None
                )
                if not wraps or "。" in previous:
                    break
                first -= 1
            joined = "".join(ln.compact for ln in self.lines[first : last + 1])
            if "。" in joined or len(joined) > 160 or _ANY_LABEL.match(joined):
                continue
            if _HEADING.match(joined) or joined.startswith(("抄送", "抄报", "附件", "签发人")):
                continue
            parts = _split_list(joined[:-1])
            organs = sum(1 for p in parts if self.organ_like(p) or p.startswith("各"))
            if parts and organs * 2 >= len(parts):
                return first, last, parts
        return None

    def find_title_and_recipients(self) -> None:
        r = self.result
        start = self.header_end
        stop = min(len(self.lines), start + 20)
        recipients = self.find_recipients(start, stop)
        # The title is above the addressee, or above the first sentence when there is none;
        # titles further down belong to attachments and forwarded texts.
        region_end = recipients[0] if recipients else self.first_sentence(start)
        own: tuple[str, float, str, tuple[int, int]] | None = None
        run = self.best_title_run(region_end, recipients)
        if run is not None:
            own = run
        else:
            title_lines: list[_Line] = []
            if recipients:
                between = [
                    ln
                    for ln in self.lines[start : recipients[0]]
                    if ln.index not in self.consumed and not _ANY_LABEL.match(ln.compact)
                ]
                tail: list[_Line] = []
                for ln in reversed(between):
                    if "。" in ln.compact or len(ln.compact) > 60 or len(tail) == 4:
                        break
                    tail.insert(0, ln)
                title_lines = tail
            if not title_lines:
                title_lines = self.title_by_form(start, recipients[0] if recipients else stop)
            if title_lines:
                title = _join_lines([ln.raw for ln in title_lines])
                own = (
                    title,
                    self.title_confidence(title, title_lines, recipients),
                    "\n".join(ln.raw for ln in title_lines),
                    (title_lines[0].index, title_lines[-1].index),
                )
        labelled = self.labelled("title")
        if labelled and _compact(labelled[1]) and (own is None or own[1] < 0.6):
            self.consumed.add(labelled[0].index)
            r.title = Field(_tidy(labelled[1]), 0.9, labelled[0].raw)
        elif own is not None:
            title, confidence, evidence, span = own
            if labelled and _compact(labelled[1]) == _compact(title):
                confidence = min(confidence + 0.05, 0.95)  # the website's box agrees
            r.title = Field(title, confidence, evidence)
            self.title_span = span
        else:
            guess = self.title_guess(start, recipients[0] if recipients else stop)
            if guess:
                r.title = Field(_tidy(guess.raw), 0.4, guess.raw)
                self.title_span = (guess.index, guess.index)
        self.title_end = self.title_span[1] + 1 if self.title_span else start
        if recipients:
            first, last, parts = recipients
            if r.title is None:
                confidence = 0.65
            else:
                sure = r.title.confidence >= 0.75 and first == self.title_end
                confidence = 0.9 if sure else 0.8
            evidence = "\n".join(ln.raw for ln in self.lines[first : last + 1])
            r.main_recipients = Field(parts, confidence, evidence)
            self.consumed.update(range(first, last + 1))
            self.body_start = last + 1
        else:
            hit = self.labelled("recipients", limit=len(self.lines))
            if hit:
                parts = _split_list(_compact(hit[1]).rstrip("。：:"))
                if parts:
                    r.main_recipients = Field(parts, 0.85, hit[0].raw)
                    self.consumed.add(hit[0].index)
            self.body_start = self.title_end if r.title else start

    def first_sentence(self, start: int) -> int:
        """The first line from ``start`` that is a sentence (or too long for a heading)."""
        for line in self.lines[start : start + 25]:
            if "。" in line.compact or len(line.compact) > 100:
                return line.index
        return min(len(self.lines), start + 25)

    def title_line_ok(self, line: _Line, alone: bool) -> bool:
        c = line.compact
        if line.index in self.consumed or not c or re.search(r"[。；！？!?：:]", c):
            return False
        if len(c) > (120 if alone else 60) or (c.endswith("文件") and "关于" not in c):
            return False
        dates = _find_dates(c)
        return not (dates and dates[0][1] == 0 and dates[0][2] == len(c))

    def best_title_run(
        self, stop: int, recipients: tuple[int, int, list[str]] | None
    ) -> tuple[str, float, str, tuple[int, int]] | None:
        """The title among the lines before ``stop``: runs of up to four lines whose joined
        text ends with a document type (or the name of a text: 办法, 规则, 方案, 纲要 …), the
        shortest run from each start. An organ's name alone on a line starts a title only
        when the next line begins with 关于 ("国务院办公厅 / 关于……的函"). A heading line that
        holds the number too keeps the part before or after it ("……的通知(岳办发〔2017〕2号)").
        The run nearest the addressee (or the number line) wins."""
        found: list[tuple[float, int, str, list[_Line], bool]] = []
        lines = [ln for ln in self.lines[:stop] if ln.index not in self.consumed]
        for a, first in enumerate(lines):
            if not self.title_line_ok(first, alone=True):
                continue
            organ_start = self.organ_like(first.compact) or bool(self.organ_list(first.compact))
            for b in range(a, min(a + 4, len(lines))):
                run = lines[a : b + 1]
                if b > a and (
                    run[-1].index != run[-2].index + 1 or not self.title_line_ok(run[-1], False)
                ):
                    break
                if organ_start and len(run) == 1:
                    continue
                if organ_start and not run[1].compact.startswith("关于"):
                    break
                joined = _join_lines([ln.raw for ln in run])
                title, cut = _clean_title(joined)
                kind = _title_kind(_compact(title))
                if kind is None:
                    if len(run) == 1 and len(first.compact) > 60:
                        break  # a long single line is no start of a wrapped title
                    continue
                score = 0.8 if kind == "type" else 0.6
                compact = _compact(title)
                if compact.startswith("关于") or "关于" in compact[:30] or organ_start:
                    score += 0.05
                following = run[-1].index + 1
                while following < stop and following in self.consumed:
                    following += 1
                if following >= stop:
                    score += 0.05  # right above the addressee (or the body)
                if self.number_index is not None and self.number_index in (
                    run[0].index - 1,
                    run[-1].index + 1,
                ):
                    score += 0.05
                found.append((score, run[0].index, title, run, cut))
                break
        if not found:
            return None
        top = max(f[0] for f in found)
        score, _first, title, run, cut = next(f for f in found if f[0] == top)  # earliest
        if cut:
            confidence = 0.7
        else:
            confidence = self.title_confidence(title, run, recipients)
            if score < 0.8:
                confidence = min(confidence, 0.6)  # a text's name, not a document type
        return title, confidence, "\n".join(ln.raw for ln in run), (run[0].index, run[-1].index)

    def title_by_form(self, start: int, stop: int) -> list[_Line]:
        """Lines that read as a title: starting with 关于 or ending with a document type."""
        for i in range(start, stop):
            line = self.lines[i]
            c = line.compact
            if i in self.consumed or _ANY_LABEL.match(c) or "。" in c or len(c) > 60:
                continue
            if not (c.startswith("关于") or _type_of_title(c) or "关于" in c[:20]):
                continue
            chosen = [line]
            if not _type_of_title(c):
                for j in range(i + 1, min(i + 4, stop)):
                    nxt = self.lines[j]
                    if j in self.consumed or "。" in nxt.compact or len(nxt.compact) > 40:
                        break
                    if nxt.compact.endswith(("：", ":")):
                        break
                    candidate = [*chosen, nxt]
                    if _type_of_title(_join_lines([ln.compact for ln in candidate])):
                        return candidate
                    chosen = candidate
                chosen = [line]
                if not c.startswith("关于"):
                    continue
            return chosen
        return []

    def title_guess(self, start: int, stop: int) -> _Line | None:
        for line in self.lines[start:stop]:
            c = line.compact
            if line.index in self.consumed or _ANY_LABEL.match(c) or _HEADING.match(c):
                continue
            plausible = 6 <= len(c) <= 40 and not re.search(r"[。；;！？!?：:，]", c)
            if plausible and not self.organ_like(c) and not _find_dates(c):
                return line
        return None

    def title_confidence(
        self, title: str, lines: list[_Line], recipients: tuple[int, int, list[str]] | None
    ) -> float:
        compact = _compact(title)
        typed = _type_of_title(compact) is not None
        about = compact.startswith("关于") or "关于" in compact[:20]
        confidence = 0.8 if typed else 0.65 if about else 0.5
        if typed and about:
            confidence += 0.05
        if recipients and recipients[0] == lines[-1].index + 1:
            confidence += 0.05
        if self.header_end and lines[0].index == self.first_free_after_header():
            confidence += 0.05
        return min(confidence, 0.95)

    def first_free_after_header(self) -> int:
        i = self.header_end
        while i < len(self.lines) and i in self.consumed:
            i += 1
        return i

    # -- date, signature, authority ----------------------------------------------------------

    def find_date_and_signature(self) -> None:
        r = self.result
        body_start = self.body_start
        candidates: list[tuple[float, int, datetime.date, _Line, str]] = []
        labelled = self.labelled("date")
        if labelled:
            dates = _find_dates(_compact(labelled[1]))
            if dates:
                candidates.append((0.9, 0, dates[0][0], labelled[0], "labelled"))
        if self.number_date is not None:  # "苏政办发〔2002〕126号 2002年12月3日"
            candidates.append((0.7, 0, self.number_date[0], self.number_date[1], "number"))
        for line in self.lines:
            c = line.compact
            if _NOT_WRITTEN_DATE.search(c) or c.startswith(("抄送", "抄报")):
                continue
            if _ANY_LABEL.match(c) or _TIMESTAMP.search(c):
                continue
            for value, begin, end in _find_dates(c):
                before, after = c[:begin], _SEAL_NOTE.sub("", c[end:])
                standalone = not after and (not before or self.organ_like(before))
                if not standalone:
                    # Inside a sentence: weak, and the later the better.
                    order = line.index * 1000 + begin
                    candidates.append((0.35, order, value, line, "sentence"))
                    continue
                above = self.lines[line.index - 1] if line.index else None
                signed = bool(before) or (
                    above is not None
                    and (self.organ_like(above.compact) or bool(self.organ_list(above.compact)))
                    and above.index not in self.consumed
                )
                if line.index < body_start:
                    confidence = 0.85 if signed and line.index >= self.header_end else 0.55
                else:
                    confidence = 0.95 if signed else 0.8
                # Standalone dates: the earliest wins (later ones sit in attachments).
                candidates.append(
                    (confidence, -line.index, value, line, "signed" if signed else "alone")
                )
        if not candidates:
            return
        confidence, _order, value, line, how = max(candidates, key=lambda c: (c[0], c[1]))
        r.date_written = Field(value, confidence, line.raw)
        if how in ("labelled", "number"):
            self.consumed.add(line.index)
            return
        if how == "sentence":
            return
        self.date_index = line.index
        self.consumed.add(line.index)
        # The signature: an organ name before the date on its line, or the lines above it.
        c = line.compact
        dates = _find_dates(c)
        before = c[: dates[0][1]] if dates else ""
        if before and self.organ_like(before):
            self.signature = _clean_names(_split_signature(line.raw, before))
            self.signature_line = line
            self.signature_start = line.index
            return
        names: list[str] = []
        i = line.index - 1
        # Joint documents sign with up to eight organs, one or two to a line.
        while i >= max(0, line.index - 6) and i not in self.consumed:
            above = self.lines[i]
            listed = self.organ_list(above.compact)
            if listed:
                names = listed + names
            elif self.organ_like(above.compact):
                names = _split_signature(above.raw, above.compact) + names
            else:
                break
            self.signature_line = above
            i -= 1
        self.signature = _clean_names(names)
        self.signature_start = i + 1

    def find_authority(self) -> None:
        r = self.result
        sources: list[tuple[float, str, str]] = []  # (confidence, name, evidence)
        groups: list[list[str]] = []  # the organs of a joint document, lead first, by source
        header = [ln for ln in self.lines[: self.header_end] if ln.index not in self.consumed]
        mark_names: list[str] = []
        mark_line: _Line | None = None
        mark_evidence = ""
        for line in header:
            c = line.compact
            if c.endswith("文件") and not _NUMBER_RE.search(c):
                stem = c[:-2]
                # A joint mark stacks the organs' names above one "文件".
                joint: list[str] = []
                joint_lines = []
                for ln in header:
                    if ln.index < line.index and (
                        self.organ_like(ln.compact) or self.organ_list(ln.compact)
                    ):
                        joint += self.organ_list(ln.compact) or [ln.compact]
                        joint_lines.append(ln)
                mark_names = joint + ([stem] if stem else [])
                mark_evidence = "\n".join([*(ln.raw for ln in joint_lines), line.raw])
                mark_line = line
                break
        if mark_line is not None and mark_names:
            lead = mark_names[0]
            canonical = self.known_name(lead)
            sources.append((0.95 if canonical else 0.8, canonical or lead, mark_evidence))
            groups.append(mark_names)
        elif mark_line is None:
            for ln in header:
                listed = self.organ_list(ln.compact)
                if listed or self.organ_like(ln.compact):
                    names = listed or [ln.compact]
                    canonical = self.known_name(names[0])
                    sources.append((0.9 if canonical else 0.6, canonical or names[0], ln.raw))
                    groups.append(names)
                    break
        if self.signature and self.signature_line is not None:
            lead = self.signature[0]
            canonical = self.known_name(lead)
            sources.append((0.9 if canonical else 0.7, canonical or lead, self.signature_line.raw))
            groups.append(self.signature)
        if r.issuing_code and r.doc_number and (hit := self.by_code.get(_compact(r.issuing_code))):
            sources.append((0.85, hit[0], r.doc_number.evidence))
        if r.title is not None:
            # "示范市人民政府关于……的通知", "示范市人民政府令", "镇巴县人民政府工作规则": the
            # organ names itself in the title, alone or with the others of a joint document.
            organs, marked = self.title_organs(r.title.value)
            if organs:
                canonical = self.known_name(organs[0])
                base = 0.65 if marked else 0.62
                sources.append(
                    (0.85 if canonical else base, canonical or organs[0], r.title.evidence)
                )
                groups.append(organs)
        if (hit2 := self.labelled("authority")) and _compact(hit2[1]):
            names = _split_list(_compact(hit2[1])) or [_compact(hit2[1])]
            canonical = self.known_name(names[0])
            name = canonical or _tidy(names[0])
            sources.append((0.95 if canonical else 0.85, name, hit2[0].raw))
            groups.append(names)
            self.consumed.add(hit2[0].index)
        if (hit3 := self.labelled("publisher")) and self.organ_like(_compact(hit3[1])):
            # The office that posted the page: often the issuer, sometimes its general office.
            canonical = self.known_name(hit3[1])
            sources.append((0.7 if canonical else 0.6, canonical or _tidy(hit3[1]), hit3[0].raw))
        if not sources:
            return
        best = max(sources, key=lambda s: s[0])
        confidence = best[0]
        for other in sources:
            if other is best:
                continue
            if _compact(other[1]) == _compact(best[1]):
                confidence += 0.04
            elif other[0] >= 0.7:
                confidence -= 0.15
        r.issuing_authority = Field(best[1], min(confidence, 0.99), best[2])
        lead = _compact(best[1])
        joint = next(
            (g for g in groups if len(g) >= 2 and _compact(g[0]) == lead),
            [best[1]],
        )
        if len(joint) >= 2:
            r.issuers = Field([_tidy(n) for n in joint], r.issuing_authority.confidence, best[2])

    def title_organs(self, title: str) -> tuple[list[str], bool]:
        """The organs a title starts with, and whether a word after them (关于, 印发, 转发, 批转,
        对, 令) marks where they end; else the longest start that ends like a government."""
        compact = _compact(title)
        markers = [compact.find(m) for m in ("关于", "印发", "转发", "批转", "对") if m in compact]
        prefix, marked = "", False
        if markers:
            if min(markers) == 0:
                return [], False
            prefix, marked = compact[: min(markers)], True
        elif compact.endswith("令") and not compact.endswith("命令"):
            prefix, marked = compact[:-1], True
        else:
            for match in _GOVERNMENT_END.finditer(compact):
                if len(compact) - match.end() >= 2:
                    prefix = compact[: match.end()]
        if not prefix:
            return [], False
        if self.organ_like(prefix):
            organs = [prefix]
            pieces = [p for p in re.split(r"(?<=办公厅|办公室)", prefix) if p]
            if len(pieces) >= 2 and all(self.organ_like(p) for p in pieces):
                organs = pieces  # "中共岳阳市委办公室岳阳市人民政府办公室"
            return organs, marked
        return self.organ_list(prefix), marked

    # -- type, cc, attachments, body ---------------------------------------------------------

    def find_type(self) -> None:
        r = self.result
        from_title: Field | None = None
        if r.title is not None:
            compact = _compact(r.title.value)
            kind = _type_of_title(compact)
            if kind is not None:
                stem = _TRAILING_NOTE.sub("", compact)
                after_de = any(stem.endswith("的" + word) for word, _k in _TYPE_ENDINGS)
                confidence = min(0.9 if after_de else 0.8, r.title.confidence + 0.05)
                from_title = Field(kind, confidence, r.title.evidence)
        stop = self.date_index if self.date_index is not None else len(self.lines)
        closing: Field | None = None
        for line in self.lines[max(0, stop - 12) : stop]:
            for phrase, kind, confidence in _CLOSINGS:
                if phrase in line.compact:
                    closing = Field(kind, confidence, line.raw)
                    break
        if from_title is not None:
            if closing is not None and closing.value == from_title.value:
                from_title.confidence = min(from_title.confidence + 0.05, 0.95)
            r.doc_type = from_title
        elif closing is not None:
            r.doc_type = closing
        elif r.issuing_code.endswith("函") and r.doc_number is not None:
            r.doc_type = Field(DocumentType.LETTER, 0.5, r.doc_number.evidence)

    def find_cc(self) -> None:
        start = self.body_start
        for line in self.lines[start:]:
            match = re.match(r"^(?:抄送|抄报)[：:](?P<rest>.*)$", line.compact)
            if not match:
                continue
            texts = [re.split(r"[：:]", line.raw, maxsplit=1)[-1]]
            self.consumed.add(line.index)
            joined = match["rest"]
            for nxt in self.lines[line.index + 1 : line.index + 4]:
                if joined.endswith("。") or _NOT_WRITTEN_DATE.search(nxt.compact):
                    break
                if _ANY_LABEL.match(nxt.compact) or _find_dates(nxt.compact):
                    break
                texts.append(nxt.raw)
                joined += nxt.compact
                self.consumed.add(nxt.index)
            parts = _split_list(_compact("".join(texts)).rstrip("。"))
            if parts:
                after = self.date_index is not None and line.index > self.date_index
                evidence = "\n".join(
                    ln.raw for ln in self.lines[line.index : line.index + len(texts)]
                )
                self.result.cc = Field(parts, 0.9 if after else 0.75, evidence)
            return

    def find_attachments_and_body(self) -> None:
        r = self.result
        start = self.body_start
        if self.date_index is not None:
            stop = self.signature_start if self.signature_start is not None else self.date_index
        else:
            stop = next(
                (ln.index for ln in self.lines[start:] if ln.index in self.consumed),
                len(self.lines),
            )
        stop = max(stop, start)
        attachment_at: int | None = None
        for line in self.lines[start:stop]:
            if re.match(r"^附件[：:]", line.compact):
                attachment_at = line.index  # the last one before the signature
        body_end = stop
        if attachment_at is not None:
            items: list[str] = []
            first = re.split(r"[：:]", self.lines[attachment_at].raw, maxsplit=1)[-1].strip()
            evidence = [self.lines[attachment_at].raw]
            if first:
                items.append(_ATTACHMENT_ITEM.sub("", first))
            for line in self.lines[attachment_at + 1 : min(stop, attachment_at + 21)]:
                evidence.append(line.raw)
                if _ATTACHMENT_ITEM.match(line.compact) or not items:
                    items.append(_ATTACHMENT_ITEM.sub("", line.raw).strip())
                else:  # a long name wrapped onto the next line
                    items[-1] += line.raw.strip()
            items = [_tidy(i).rstrip("；;。，,") for i in items if i.strip()]
            if items:
                confidence = 0.9 if attachment_at >= start and self.date_index else 0.7
                r.attachments = Field(items, confidence, "\n".join(evidence))
                body_end = attachment_at
        r.body = "\n".join(
            ln.raw
            for ln in self.lines[start:body_end]
            if ln.index not in self.consumed and not _ANY_LABEL.match(ln.compact)
        )


# -- small pure helpers --------------------------------------------------------------------------


def _type_of_title(compact: str) -> DocumentType | None:
    stem = _TRAILING_NOTE.sub("", compact).rstrip("。")
    for word, kind in _TYPE_ENDINGS:
        if stem.endswith(word) and len(stem) > len(word):
            return kind
    return None


# Titles of texts that are not one of the 15 document types, but name a document on their own
# (a text imported without its cover notice): weaker evidence than a document type.
_NAME_ENDINGS = (
    "答复", "规则", "办法", "规定", "细则", "方案", "纲要", "规划", "计划", "要点", "条例",
    "章程", "制度", "预案", "准则", "标准",
)  # fmt: skip


def _title_kind(compact: str) -> str | None:
    """ "type" when the title ends with a document type, "name" with a text's name, else None."""
    if _type_of_title(compact) is not None:
        return "type"
    stem = _TRAILING_NOTE.sub("", compact).rstrip("。")
    if any(stem.endswith(word) and len(stem) > len(word) + 1 for word in _NAME_ENDINGS):
        return "name"
    return None


def _clean_title(text: str) -> tuple[str, bool]:
    """A title line as websites print it: without the document number beside it and without
    the 《》 quoting it. Returns the title and whether anything was cut."""
    compact = _compact(text)
    title, cut = text.strip(), False
    match = _NUMBER_RE.search(compact)
    if match:
        before = compact[: _code_start(match)].rstrip("(（[【 ")
        after = compact[match.end() :].lstrip(")）]】 ")
        title, cut = (before if _title_kind(before) else after), True
    title = title.strip().rstrip("|｜").strip()
    wrapped = re.fullmatch(r"《(.+)》", _compact(title))
    if wrapped and "《" not in wrapped[1]:
        title, cut = wrapped[1], True
    return (_tidy(title) if cut else title), cut


_SPACE_BY_CJK = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")


def _tidy(text: str) -> str:
    """Spaces out of Chinese text ("关 于 做 好" as some PDFs extract it, "（　）" padding),
    single spaces between Latin words."""
    return re.sub(r"\s+", " ", _SPACE_BY_CJK.sub("", text)).strip()


def _join_lines(parts: Iterable[str]) -> str:
    out = ""
    for part in parts:
        part = _tidy(part)
        # Chinese wraps without spaces; keep one between two Latin words cut at a line end.
        if (
            out
            and out[-1].isascii()
            and out[-1].isalnum()
            and part[:1].isascii()
            and part[:1].isalnum()
        ):
            out += " "
        out += part
    return out


_OPENERS = "（(〔[【《“‘"
_CLOSERS = "）)〕]】》”’"


def _split_list(text: str) -> list[str]:
    """Split a list of organs on "，、；" outside brackets; one-character parts rejoin ("各委、办、局")."""
    parts: list[str] = []
    depth = 0
    current = ""
    for ch in text:
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth = max(0, depth - 1)
        if depth == 0 and ch in "，,、；;":
            parts.append(current)
            current = ""
            continue
        current += ch
    parts.append(current)
    out: list[str] = []
    for part in parts:
        part = part.strip().strip("。：:")
        if not part:
            continue
        if len(part) == 1 and out:
            out[-1] += "、" + part
        else:
            out.append(part)
    return out


def _split_signature(raw: str, compact: str) -> list[str]:
    """Organ names of a signature line: several are separated by wide spaces; a name spaced out
    character by character is one name."""
    raw = raw.strip()
    tokens = [t for t in re.split(r"\s{2,}|\u3000+", raw) if t.strip()]
    if len(tokens) > 1 and all(len(_compact(t)) >= 3 for t in tokens):
        names = [_compact(t) for t in tokens]
        # On a date line, only the part before the date is the signature.
        joined = "".join(names)
        if joined.startswith(compact) and joined != compact:
            kept, total = [], ""
            for n in names:
                if len(total) >= len(compact):
                    break
                kept.append(n)
                total += n
            return kept
        return names
    return [compact]


def _clean_names(names: list[str]) -> list[str]:
    """Organ names of a signature without their seal notes ("（代章）")."""
    return [cleaned for n in names if (cleaned := _SEAL_NOTE.sub("", n).strip())]


def _cn_number(text: str) -> int:
    """一 … 三十一 as an int; KeyError/ValueError for anything else."""
    if "十" not in text:
        if len(text) != 1:
            raise ValueError(text)
        return _CN_DIGIT[text]
    tens, _sep, units = text.partition("十")
    if "十" in units:
        raise ValueError(text)
    return (_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[units] if units else 0)


def _find_dates(compact: str) -> list[tuple[datetime.date, int, int]]:
    """Valid dates in a compact line: (date, start, end), in order of position."""
    found: list[tuple[datetime.date, int, int]] = []
    for pattern in (_DATE_ARABIC, _DATE_ISO, _DATE_CHINESE):
        for match in pattern.finditer(compact):
            try:
                if pattern is _DATE_CHINESE:
                    year = int("".join(str(_CN_DIGIT[ch]) for ch in match["y"]))
                    month, day = _cn_number(match["m"]), _cn_number(match["d"])
                else:
                    year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
                if not 1949 <= year <= 2100:
                    continue
                found.append((datetime.date(year, month, day), match.start(), match.end()))
            except (KeyError, ValueError):
                continue
    return sorted(found, key=lambda f: f[1])
