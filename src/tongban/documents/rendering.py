"""Official documents (公文) as PDF in the layout of GB/T 9704-2012, and the processing slip
(公文处理笺 / 发文稿纸).

``render_document`` takes the elements of a document (``DocumentLayout``) and gives the PDF, its
page count and where the seal goes (``Rendered``: page and lower-left corner in PDF points, as
``seals.services.sign_pdf(page=, x=, y=)`` takes them). ``render_slip`` draws the processing slip.

How the page is built (docs/rendering.md has the measurements and the fonts):

* The standard's units: a character (字) is 156 mm / 28 wide, and a line (行) is a character's
  height plus 7/8 of it, so 22 lines fill the 225 mm text block (版心) exactly. Body text is 3号
  (16 pt) set at that pitch with a slight negative letter-spacing, 28 to a line.
* Every block uses FandolFang (仿宋) as its strut, whose ascent and descent are the ideographic
  em box: the top of the first line's characters sits exactly 37 mm from the top of the page,
  and text in other fonts (黑体, 楷体, 小标宋) is set in spans that do not change a line's height.
* WeasyPrint lays the document out once; the 版记 (imprint) goes at the foot of the last page.
  When that page is odd or has no room, a second layout moves it to an even page of its own
  (after a blank page when needed; such pages carry no page number, as 7.5 says).
"""

from __future__ import annotations

import atexit
import logging
import math
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core.errors import InvalidInput
from tongban.documents.titles import title_lines as _break_title

__all__ = [
    "DocumentLayout",
    "ProcessingSlip",
    "Rendered",
    "SlipEntry",
    "attachment_note_name",
    "render_document",
    "render_slip",
]


# --- the interface ---------------------------------------------------------------------------


@dataclass
class DocumentLayout:
    """Every element of GB/T 9704-2012 that the renderer prints."""

    title: str  # 标题; broken into balanced lines (documents.titles), or where it has newlines
    body: str  # 正文: paragraphs separated by newlines; "一、" 黑体, "（一）" 楷体 headings
    authority_mark: str  # 发文机关标志 (red)
    copy_number: str = ""  # 份号, printed as 6 digits
    classification: str = ""  # 密级: 秘密 / 机密 / 绝密 or ""
    secrecy_period: str = ""  # 保密期限 → "秘密★1年" (ignored without a classification)
    urgency: str = ""  # 紧急程度: 特急 / 加急 or ""
    doc_number: str = ""  # 发文字号
    signers: list[str] = field(default_factory=list)  # 签发人 (upward documents only)
    main_recipients: str = ""  # 主送机关
    attachments: list[str] = field(default_factory=list)  # 附件说明
    signature: str = ""  # 发文机关署名
    date_written: date | None = None  # 成文日期
    note: str = ""  # 附注
    cc: str = ""  # 抄送机关
    printer: str = ""  # 印发机关
    print_date: date | None = None  # 印发日期
    draft_watermark: bool = False  # an unsigned draft: a light 草稿 mark; number not printed


@dataclass
class Rendered:
    pdf: bytes
    pages: int
    seal_page: int  # 1-based: the page with 署名 and 成文日期
    seal_x: float  # lower-left corner of a SEAL_POINTS seal, PDF points from the bottom left
    seal_y: float
    imprint_page: int = 0  # the page where the 版记 ends, the last (0: the document has none)


@dataclass
class SlipEntry:
    step: str
    person: str
    department: str
    opinion: str
    at: datetime | None


@dataclass
class ProcessingSlip:
    """公文处理笺: 发文稿纸 for outgoing documents, 收文处理笺 for incoming ones."""

    title: str
    kind: str
    fields: list[tuple[str, str]]
    entries: list[SlipEntry]


# --- the geometry of GB/T 9704-2012, in points -----------------------------------------------

MM = 72 / 25.4
PAGE_W, PAGE_H = 210 * MM, 297 * MM  # A4 (5.1)
BLOCK_TOP, BLOCK_LEFT = 37 * MM, 28 * MM  # 天头, 订口 (5.2.1)
BLOCK_W, BLOCK_H = 156 * MM, 225 * MM  # 版心
CHARS, LINES = 28, 22  # 5.2.3
CHAR = BLOCK_W / CHARS  # 一字 (3.1)
LINE = CHAR * 15 / 8  # 一行: a character's height plus 7/8 of it (3.2)
SIZE_2, SIZE_3, SIZE_4 = 22.0, 16.0, 14.0  # 2号, 3号, 4号
TRACKING = CHAR - SIZE_3  # letter-spacing that puts 28 3号 characters on a 156 mm line
HALF = (LINE - SIZE_3) / 2  # from the top of a line box to the top of its characters
SLACK = 0.5  # against rounding: the 28th character and the 22nd line must still fit
AREA_TOP = BLOCK_TOP - HALF  # WeasyPrint's page area: 22 line boxes around the 版心
AREA_H = LINES * LINE + SLACK
AREA_BOTTOM = AREA_TOP + AREA_H
BLOCK_BOTTOM = BLOCK_TOP + BLOCK_H

MARK_TOP = 35 * MM  # 发文机关标志: its top 35 mm below the top of the 版心 (7.2.4)
MARK_MAX = 42.0  # 初号: the mark is as large as fits the 版心's width, but no larger
RULE_GAP = 4 * MM  # the red rule 4 mm under the 发文字号 (7.2.7)
RED_RULE = 1.0  # its thickness (the standard leaves it open)
TITLE_LINE = 36.0  # pitch of a title of several lines
# Characters of 2号 on a line of the 版心 (the body's letter-spacing applies to the title too): 20.
TITLE_CHARS = math.floor(BLOCK_W / (SIZE_2 + TRACKING))
THICK, THIN = 0.35 * MM, 0.25 * MM  # 版记 rules (7.4.1)
FOLIO_DROP = 7 * MM  # the page number's dashes 7 mm under the 版心 (7.5)

# Noto Serif CJK (the page number's 宋体): ascent, descent and the top of the ideographic em box,
# in ems. The margin box that holds the page number cannot use the FandolFang strut.
_SERIF_ASCENT, _SERIF_DESCENT, _EM_TOP = 1.151, 0.286, 0.88

SEAL_POINTS = 120.0  # as seals.pdf: 42 mm
QR_POINTS = 56.0  # the QR code beside the first seal, 6 pt away

# No document gets near these; they keep a mistaken or hostile input from tying up a worker.
MAX_TEXT = 200_000  # characters in all the elements together (about 440 pages, ~10 s)
MAX_LIST = 200  # attachments, signers, slip rows

FONT_DIRS = (
    # Debian's texlive-lang-chinese (installed by `make system` and .ci/run)
    Path("/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol"),
    Path("/usr/share/fonts/opentype/fandol"),
    Path("/usr/local/share/fonts/fandol"),
)
FONT_FILES = {"FandolFang": "FandolFang-Regular.otf", "FandolKai": "FandolKai-Regular.otf"}

logger = logging.getLogger(__name__)

CLASSIFICATIONS = ("秘密", "机密", "绝密")
URGENCIES = ("特急", "加急")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_H1 = re.compile(r"^[一二三四五六七八九十百零〇]+、")
_H2 = re.compile(r"^[（(][一二三四五六七八九十百零〇]+[）)]")
_TRAILING_PUNCTUATION = "。，、；：.,;:！!？?"


# --- fonts -----------------------------------------------------------------------------------


@cache
def font_files() -> dict[str, Path]:
    """The Fandol files found on this machine, by family name."""
    found: dict[str, Path] = {}
    for family, name in FONT_FILES.items():
        for folder in FONT_DIRS:
            if (folder / name).is_file():
                found[family] = folder / name
                break
    missing = sorted(set(FONT_FILES) - set(found))
    if missing:
        # Still a PDF, in Noto Serif CJK, but not in the faces the standard asks for.
        logger.warning(
            "fonts %s not found (Debian package texlive-lang-chinese); using Noto Serif CJK",
            ", ".join(missing),
        )
    return found


def _font_faces() -> str:
    # texlive's fonts are not in fontconfig's path, so WeasyPrint is given the files themselves.
    return "\n".join(
        f'@font-face {{ font-family: "{family}"; src: url("{path.as_uri()}"); }}'
        for family, path in font_files().items()
    )


# --- text ------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Newlines normalised, control characters (which no PDF text can hold) removed."""
    return _CONTROL.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n"))


def _line(text: str) -> str:
    return " ".join(_clean(text).split())


def _chinese_date(value: date) -> str:
    # 成文日期 and 印发日期 in Arabic numerals, no leading zeros (7.3.5.4, 7.4.3)
    return f"{value.year}年{value.month}月{value.day}日"


def _width(text: str, size: float = SIZE_3, tracking: float = TRACKING) -> float:
    """Advance width of a line of text: CJK characters one em, others half (FandolFang's digits
    are exactly half an em; Latin letters in a 署名 or a date are rare)."""
    ems = sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)
    return ems * size + len(text) * tracking


def _paragraphs(body: str) -> list[dict[str, str]]:
    """Body paragraphs; a first- or second-level heading's own sentence in its font (7.3.3)."""
    out = []
    for raw in _clean(body).split("\n"):
        text = raw.strip().strip("\u3000")
        if not text:
            continue
        level = "h1" if _H1.match(text) else "h2" if _H2.match(text) else ""
        head, rest = "", text
        if level:
            stop = text.find("。")
            head, rest = (
                (text[: stop + 1], text[stop + 1 :]) if 0 <= stop < len(text) - 1 else (text, "")
            )
        out.append({"level": level, "head": head, "rest": rest})
    return out


# "附件1", "附件2：", "附件一、", "附件1-1 ", "附件：" at the start of a name: the 附件说明 prints
# "附件：" and the number itself (7.3.4), so a name that carries them would repeat them.
_SEPARATORS = r"[：:、.．,，\-－—_]"
_ATTACHMENT_PREFIX = re.compile(
    r"^附件(?:"
    rf"\s*[0-9０-９]+(?:[-－—.．][0-9０-９]+)*\s*{_SEPARATORS}*"  # 附件1 / 附件1-2： / 附件12
    rf"|\s*[一二三四五六七八九十]+(?=\s|{_SEPARATORS})\s*{_SEPARATORS}*"  # 附件一、 (not 附件一览表)
    rf"|\s*{_SEPARATORS}+"  # 附件：
    r"|\s+"  # 附件 名称
    r")\s*"
)
_FILE_SUFFIX = re.compile(
    r"\.(?:docx?|wps|xlsx?|et|csv|pptx?|dps|pdf|ofd|txt|rtf|zip|rar|7z|jpe?g|png|tiff?)$",
    re.IGNORECASE,
)


def attachment_note_name(name: str) -> str:
    """An attachment's name as the 附件说明 prints it (7.3.4): without a "附件1：" the name
    already carries (the note prints "附件：" and the numbers itself), without a file suffix,
    without punctuation at the end (附件名称后不加标点符号). "附件材料清单" keeps its 附件: no
    number, separator or space follows it; a name that is only "附件1" stays as it is."""
    text = _FILE_SUFFIX.sub("", _line(name)).strip()
    bare = _ATTACHMENT_PREFIX.sub("", text, count=1).strip()
    if bare:
        text = bare
    return text.rstrip(_TRAILING_PUNCTUATION)


def _check(layout: DocumentLayout) -> None:
    draft = layout.draft_watermark
    if not draft and not _line(layout.title):
        raise InvalidInput(_("The document needs a title."), field="title")
    if not draft and not _clean(layout.body).strip():
        # 7.3.3: the first page must show body text.
        raise InvalidInput(_("The document has no body text."), field="body")
    copy = layout.copy_number.strip()
    if copy and not (copy.isascii() and copy.isdigit() and len(copy) <= 6):
        raise InvalidInput(_("The copy number is at most six digits."), field="copy_number")
    if layout.classification and layout.classification not in CLASSIFICATIONS:
        raise InvalidInput(
            _("Unknown classification mark: %(mark)s") % {"mark": layout.classification[:20]},
            field="classification",
        )
    if layout.urgency and layout.urgency not in URGENCIES:
        raise InvalidInput(
            _("Unknown urgency: %(urgency)s") % {"urgency": layout.urgency[:20]},
            field="urgency",
        )
    if len(layout.attachments) > MAX_LIST or len(layout.signers) > MAX_LIST:
        raise InvalidInput(_("Too many attachments or signers."), field="attachments")
    size = sum(
        len(s or "")
        for s in (
            layout.title,
            layout.body,
            layout.authority_mark,
            layout.main_recipients,
            layout.signature,
            layout.note,
            layout.cc,
            layout.printer,
            layout.doc_number,
            *layout.attachments,
            *layout.signers,
        )
    )
    if size > MAX_TEXT:
        raise InvalidInput(
            _("The document is too long to render (%(limit)d characters at most).")
            % {"limit": MAX_TEXT},
            field="body",
        )


# --- the document ----------------------------------------------------------------------------


def _geometry_css(mark_size: float, header_rows: int) -> str:
    """The measured part of the page, computed from the standard's units."""
    # From the top of a 14 pt line box of Noto Serif CJK to the middle of its em box, where the
    # dashes of "— 1 —" are.
    folio_em_centre = (
        (SIZE_4 - (_SERIF_ASCENT + _SERIF_DESCENT) * SIZE_4) / 2
        + (_SERIF_ASCENT - _EM_TOP) * SIZE_4
        + SIZE_4 / 2
    )
    folio_pad = BLOCK_BOTTOM + FOLIO_DROP - AREA_BOTTOM - folio_em_centre
    folio = (
        f"font: {SIZE_4}pt/{SIZE_4}pt 'Noto Serif CJK SC', 'FandolSong', serif;"
        f" vertical-align: top; padding-top: {folio_pad:.3f}pt; white-space: nowrap;"
        " letter-spacing: 0;"
    )
    mark_margin = MARK_TOP + HALF - header_rows * LINE
    title_em = (TITLE_LINE - SIZE_2) / 2
    return f"""
@page {{
  size: A4;
  margin: {AREA_TOP:.3f}pt {PAGE_W - BLOCK_LEFT - BLOCK_W - SLACK:.3f}pt
    {PAGE_H - AREA_BOTTOM:.3f}pt {BLOCK_LEFT:.3f}pt;
}}
@page :right {{ @bottom-right {{ content: "— " counter(page) " —"; {folio}
  text-align: right; padding-right: {SIZE_4}pt; }} }}
@page :left {{ @bottom-left {{ content: "— " counter(page) " —"; {folio}
  text-align: left; padding-left: {SIZE_4}pt; }} }}
html {{ font-size: {SIZE_3}pt; line-height: {LINE:.4f}pt; letter-spacing: {TRACKING:.4f}pt; }}
.indent {{ text-indent: {2 * CHAR:.4f}pt; }}
.left2 {{ margin-left: {2 * CHAR:.4f}pt; }}
.mark {{ margin-top: {mark_margin:.4f}pt; font-size: {mark_size:.3f}pt;
  line-height: {mark_size:.3f}pt; letter-spacing: 0; }}
.number {{ margin-top: {2 * LINE + HALF:.4f}pt; }}
.number .start {{ padding-left: {CHAR:.4f}pt; }}
.number .end {{ padding-right: {CHAR:.4f}pt; }}
.red-rule {{ margin-top: {RULE_GAP - HALF:.4f}pt; border-top-width: {RED_RULE}pt; }}
.title {{ margin-top: {2 * LINE + 2 * HALF - title_em:.4f}pt; font-size: {SIZE_2}pt;
  line-height: {TITLE_LINE}pt; }}
.after-title {{ margin-top: {LINE + HALF - title_em:.4f}pt; }}
.skip1 {{ margin-top: {LINE:.4f}pt; }}
.closing {{ margin-top: {2 * LINE:.4f}pt; }}
.date {{ padding-right: {4 * CHAR:.4f}pt; }}
.imprint {{ bottom: {AREA_BOTTOM - BLOCK_BOTTOM:.3f}pt; }}
.imprint .row {{ padding: 0 {SIZE_4}pt; }}
.imprint .first {{ border-top-width: {THICK:.3f}pt; }}
.imprint .row + .row {{ border-top-width: {THIN:.3f}pt; }}
.imprint .last {{ border-bottom-width: {THICK:.3f}pt; }}
.imprint .cc {{ padding-left: {SIZE_4 * 4:.3f}pt; text-indent: {-SIZE_4 * 3:.3f}pt; }}
"""


def _header_rows(layout: DocumentLayout) -> list[dict[str, str]]:
    """份号, 密级和保密期限, 紧急程度: top left, one line each, in that order (7.2.1-7.2.3)."""
    rows = []
    if layout.copy_number.strip():
        rows.append({"text": layout.copy_number.strip().zfill(6), "font": ""})
    if layout.classification:
        period = _line(layout.secrecy_period)
        mark = f"{layout.classification}★{period}" if period else layout.classification
        rows.append({"text": mark, "font": "hei"})
    if layout.urgency:
        rows.append({"text": layout.urgency, "font": "hei"})
    return rows


def _imprint_height(cc: str) -> float:
    """About how tall the 版记 is: its 抄送 lines (4号, hanging after 抄送：) and one more."""
    usable = BLOCK_W - 5 * SIZE_4
    return (math.ceil(_width(cc, SIZE_4, 0.0) / usable) + 1) * LINE


def _signature_padding(signature: str, date_text: str) -> float:
    """署名 centred over the 成文日期, which stands four characters in from the right (7.3.5.1);
    a 署名 too long for that ends at the right edge of the 版心."""
    date_right = 4 * CHAR
    centre_from_right = date_right + _width(date_text) / 2
    return max(centre_from_right - _width(signature) / 2, 0.0)


def _context(layout: DocumentLayout) -> dict[str, Any]:
    rows = _header_rows(layout)
    mark = _line(layout.authority_mark)
    mark_size = min(MARK_MAX, BLOCK_W / max(len(mark), 1))
    # The drafter's own line breaks stand; a line too long for the 版心 is broken into balanced
    # lines at word boundaries (7.3.1: 梯形 or 菱形, words whole).
    given_lines = [_line(t) for t in _clean(layout.title).split("\n") if _line(t)]
    title_lines = [line for given in given_lines for line in _break_title(given, TITLE_CHARS)]
    attachments = [n for n in (attachment_note_name(a) for a in layout.attachments) if n]
    date_text = _chinese_date(layout.date_written) if layout.date_written else ""
    signature = _line(layout.signature)
    note = _line(layout.note)
    if note and not (note.startswith(("（", "(")) and note.endswith(("）", ")"))):
        note = f"（{note}）"  # 附注 in round brackets (7.3.6)
    recipients = _line(layout.main_recipients)
    if recipients and not recipients.endswith(("：", ":")):
        recipients += "："  # 主送机关 ends with a full-width colon (7.3.2)
    cc = _line(layout.cc)
    if cc and not cc.endswith(("。", ".")):
        cc += "。"  # the last 抄送机关 ends with a full stop (7.4.2)
    printer = _line(layout.printer)
    print_date = f"{_chinese_date(layout.print_date)}印发" if layout.print_date else ""
    signers = [_line(s) for s in layout.signers if _line(s)]
    return {
        "title_text": " ".join(given_lines),
        "rows": rows,
        "mark": mark,
        "mark_size": mark_size,
        "doc_number": "" if layout.draft_watermark else _line(layout.doc_number),
        "signer_rows": [signers[i : i + 2] for i in range(0, len(signers), 2)],
        "title_lines": title_lines,
        "recipients": recipients,
        "paragraphs": _paragraphs(layout.body),
        "attachments": attachments,
        "signature": signature,
        "signature_padding": round(_signature_padding(signature, date_text), 3),
        "date": date_text,
        "note": note,
        "cc": cc,
        "printer": printer,
        "print_date": print_date,
        "has_imprint": bool(cc or printer or print_date),
        "imprint_flows": _imprint_height(cc) > BLOCK_H,
        "draft": layout.draft_watermark,
    }


_TEMPLATE_DIR = Path(__file__).parent / "templates" / "documents" / "pdf"


@cache
def _stylesheet(name: str) -> str:
    return (_TEMPLATE_DIR / name).read_text(encoding="utf-8")


# One font configuration per process, with the @font-face rules loaded into it once: a new one
# per document loads the CJK font files again each time (a worker grew from 280 to 780 MB over
# 40 documents). WeasyPrint's font configuration is not meant for concurrent use, so renders in
# one process take turns (a document takes about 0.15 s).
_RENDER_LOCK = threading.RLock()


@cache
def _fonts() -> tuple[Any, Any]:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    # Let it go while the interpreter is whole: its __del__ fails at the very end otherwise.
    atexit.register(_fonts.cache_clear)
    return fonts, CSS(string=_font_faces(), font_config=fonts)


def _stylesheets(context: dict[str, Any]) -> tuple[list[Any], Any]:
    """The document's stylesheets and the font configuration they load the Fandol files into,
    made once for both layouts of a document."""
    from weasyprint import CSS

    fonts, faces = _fonts()
    geometry = _geometry_css(context["mark_size"], len(context["rows"]))
    sheets = [
        faces,
        CSS(string=_stylesheet("document.css"), font_config=fonts),
        CSS(string=geometry, font_config=fonts),
    ]
    return sheets, fonts


def _layout(context: dict[str, Any], tail: str, sheets: list[Any], fonts: Any) -> Any:
    """WeasyPrint's laid-out document; ``tail`` places the 版记: "inline" (foot of the last page),
    "own-page" (a page of its own) or "after-blank" (a blank page, then a page of its own)."""
    from weasyprint import HTML

    html = render_to_string("documents/pdf/document.html", {**context, "tail": tail})
    return HTML(string=html).render(stylesheets=sheets, font_config=fonts)


@dataclass
class _Facts:
    pages: int
    seal_page: int
    seal_x: float
    seal_y: float
    seal_bottom: float  # from the top of the page
    end_page: int
    end_y: float
    imprint_page: int
    imprint_top: float


def _facts(document: Any, has_date: bool, has_signature: bool) -> _Facts:
    """Where things landed, from the anchors (ids) of the laid-out pages: their boxes, in
    points from the top left of the page."""
    found: dict[str, tuple[int, float, float, float, float]] = {}
    for number, page in enumerate(document.pages, start=1):
        for name, (x1, y1, x2, y2) in page.anchors.items():
            found[name] = (number, x1 * 0.75, y1 * 0.75, x2 * 0.75, y2 * 0.75)  # CSS px → pt
    seal_page, _x, signature_top, _x2, _y2 = found["signature"]
    centred_on = "date-text" if has_date else "signature-text" if has_signature else ""
    if centred_on:
        _page, left, _y, right, _y2 = found[centred_on]
        centre_x = (left + right) / 2
    else:  # neither 署名 nor 成文日期 (a draft): where a date would be
        centre_x = BLOCK_LEFT + BLOCK_W - 4 * CHAR - _width("2026年12月12日") / 2
    # 署名 and 成文日期 a little below the seal's centre, its top within a line of the text above
    # (7.3.5.1): the centre a quarter line above the middle of the two lines.
    signature_em = signature_top + HALF
    centre_y = signature_em + (LINE + SIZE_3) / 2 - LINE / 4
    seal_x = min(max(centre_x - SEAL_POINTS / 2, 0.0), PAGE_W - SEAL_POINTS)
    seal_top = min(max(centre_y - SEAL_POINTS / 2, 0.0), PAGE_H - SEAL_POINTS)
    end_page, _x, end_y, _x2, _y2 = found["content-end"]
    imprint_page, _x, imprint_top, _x2, _y2 = found.get("imprint", (0, 0.0, 0.0, 0.0, 0.0))
    return _Facts(
        pages=len(document.pages),
        seal_page=seal_page,
        seal_x=round(seal_x, 2),
        seal_y=round(PAGE_H - seal_top - SEAL_POINTS, 2),
        seal_bottom=seal_top + SEAL_POINTS,
        end_page=end_page,
        end_y=end_y,
        imprint_page=imprint_page,
        imprint_top=imprint_top,
    )


def _imprint_fits(facts: _Facts) -> bool:
    """The 版记 on an even last page, clear of the text and of the seal above it."""
    if facts.imprint_page == 0:
        return True
    bottom = facts.end_y
    if facts.seal_page == facts.imprint_page:
        bottom = max(bottom, facts.seal_bottom)
    return (
        facts.imprint_page == facts.pages
        and facts.pages % 2 == 0
        and facts.end_page == facts.imprint_page
        and bottom <= facts.imprint_top
    )


def render_document(layout: DocumentLayout) -> Rendered:
    """The document as a PDF in the GB/T 9704-2012 layout, and where its seal goes.

    Raises ``InvalidInput`` for a document that cannot be printed (no title or body outside a
    draft, an unknown classification or urgency, a copy number that is not digits, or text far
    beyond any real document).
    """
    _check(layout)
    context = _context(layout)
    with _RENDER_LOCK:
        return _render(context)


def _render(context: dict[str, Any]) -> Rendered:
    has = {"has_date": bool(context["date"]), "has_signature": bool(context["signature"])}
    sheets, fonts = _stylesheets(context)
    # A 版记 taller than a page (hundreds of 抄送机关) cannot stand at the foot of one: it follows
    # the text on pages of its own.
    tail = "own-page" if context["imprint_flows"] else "inline"
    document = _layout(context, tail, sheets, fonts)
    facts = _facts(document, **has)
    if tail == "inline" and not _imprint_fits(facts):
        # 版记 on the back of the last sheet: an even page of its own, after a blank page if the
        # text ends on an even page.
        tail = "own-page" if facts.pages % 2 == 1 else "after-blank"
        document = _layout(context, tail, sheets, fonts)
        facts = _facts(document, **has)
    return Rendered(
        pdf=document.write_pdf(),
        pages=facts.pages,
        seal_page=facts.seal_page,
        seal_x=facts.seal_x,
        seal_y=facts.seal_y,
        imprint_page=facts.imprint_page,
    )


# --- the processing slip ---------------------------------------------------------------------


def _moment(value: datetime | None) -> str:
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value.year}年{value.month}月{value.day}日 {value.hour:02d}:{value.minute:02d}"


def render_slip(slip: ProcessingSlip) -> bytes:
    """公文处理笺 (发文稿纸 or 收文处理笺): the header fields two to a row, then every opinion in
    order with who gave it, their department and when."""
    if len(slip.fields) > MAX_LIST or len(slip.entries) > 10 * MAX_LIST:
        raise InvalidInput(_("The processing slip has too many rows."), field="entries")
    size = sum(len(a or "") + len(b or "") for a, b in slip.fields) + sum(
        len(e.opinion or "") + len(e.step or "") for e in slip.entries
    )
    if size > MAX_TEXT:
        raise InvalidInput(
            _("The processing slip is too long to render (%(limit)d characters at most).")
            % {"limit": MAX_TEXT},
            field="entries",
        )
    from weasyprint import CSS, HTML

    cells = [(_line(label), _line(value)) for label, value in slip.fields]
    context = {
        "kind": _line(slip.kind),
        "title": _line(slip.title),
        "field_rows": [cells[i : i + 2] for i in range(0, len(cells), 2)],
        "entries": [
            {
                "step": _line(e.step),
                "person": _line(e.person),
                "department": _line(e.department),
                "opinion": [p for p in (_line(x) for x in _clean(e.opinion).split("\n")) if p],
                "at": _moment(e.at),
            }
            for e in slip.entries
        ],
    }
    html = render_to_string("documents/pdf/slip.html", context)
    with _RENDER_LOCK:
        fonts, faces = _fonts()
        sheets = [faces, CSS(string=_stylesheet("slip.css"), font_config=fonts)]
        return bytes(HTML(string=html).write_pdf(stylesheets=sheets, font_config=fonts))
