"""The GB/T 9704-2012 layout, measured on the rendered PDF: positions from poppler's
``pdftotext -bbox``, fonts from ``pdffonts`` and the content streams, colours and rules from the
pixels of ``pdftoppm``.

FandolFang's ascent and descent are its em box, so for text in it ``pdftotext``'s box is the box
of the characters themselves: the top of a line is where the standard measures it from.
"""

from __future__ import annotations

import io
import itertools
import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyotp
import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader

from tongban.core.errors import InvalidInput
from tongban.documents import rendering
from tongban.documents.rendering import (
    DocumentLayout,
    ProcessingSlip,
    Rendered,
    SlipEntry,
    render_document,
    render_slip,
)

MM = 72 / 25.4  # points in a millimetre
CHAR_MM = 156 / 28  # 一字
LINE_MM = CHAR_MM * 15 / 8  # 一行
SIZE_4_MM = 14 / MM  # a 4号 character

PARAGRAPHS = [
    "为深入推进政务服务“一网通办”，进一步提升企业和群众办事便利度，经市人民政府同意，"
    "现就做好2026年度政务服务工作有关事项通知如下。",
    "一、总体要求",
    "坚持以人民为中心的发展思想，以企业和群众办事“高效办成一件事”为目标，全面深化政务服务"
    "标准化、规范化、便利化建设，推动线上线下深度融合，持续优化营商环境。",
    "二、重点任务",
    "（一）推进政务服务事项标准化。各区、各部门要对照国家政务服务事项基本目录，全面梳理本地区、"
    "本部门政务服务事项，统一事项名称、编码、依据、类型等基本要素，实现同一事项无差别受理。",
    "（二）深化“一网通办”平台建设。依托市一体化政务服务平台，加快推进各部门业务系统与平台深度"
    "对接，实现统一身份认证、统一申办受理、统一电子证照、统一电子印章、统一好差评。",
    "1.完善网上办事功能。优化网上申报流程，推行智能填表、材料免提交，提高网上办理深度。",
    "（1）建立共享需求清单，明确数据提供单位和更新频率。",
    "三、保障措施",
    "（一）加强组织领导。各区、各部门主要负责同志要亲自部署、亲自推动，明确责任分工，细化工作"
    "措施，确保各项任务落到实处。",
    "（二）强化督促检查。市政府办公厅将会同有关部门加强跟踪督办，定期通报工作进展情况。",
    "各区、各部门要于2026年12月31日前将本年度工作情况报送市政务服务管理局。",
]
NOTICE_BODY = "\n".join(PARAGRAPHS * 3)
# Plain paragraphs of Chinese characters only: every full line holds exactly 28 of them.
PLAIN_BODY = "\n".join(["政务服务一网通办" * 30 + "。"] * 12)


def notice(**changes: Any) -> DocumentLayout:
    """A 通知 of several pages with every element of the standard."""
    fields: dict[str, Any] = {
        "title": "示范市人民政府办公厅关于做好2026年度政务服务“一网通办”工作的通知",
        "body": NOTICE_BODY,
        "authority_mark": "示范市人民政府办公厅文件",
        "copy_number": "12",
        "classification": "秘密",
        "secrecy_period": "1年",
        "urgency": "特急",
        "doc_number": "示政办发〔2026〕12号",
        "main_recipients": "各区人民政府，市政府各委办局，各有关单位",
        "attachments": ["2026年度政务服务重点任务分工表", "政务服务事项标准化梳理工作指引。"],
        "signature": "示范市人民政府办公厅",
        "date_written": date(2026, 12, 2),
        "note": "此件公开发布",
        "cc": "市委各部门，市人大常委会办公厅，市政协办公厅，市监委，市法院，市检察院，各人民团体",
        "printer": "示范市人民政府办公厅",
        "print_date": date(2026, 12, 2),
    }
    fields.update(changes)
    return DocumentLayout(**fields)


# --- measuring ---------------------------------------------------------------------------------


@dataclass
class Word:
    page: int
    x0: float  # millimetres from the left and from the top of the page
    y0: float
    x1: float
    y1: float
    text: str


def words(pdf: bytes, folder: Path) -> list[Word]:
    path = folder / "measured.pdf"
    path.write_bytes(pdf)
    xml = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True
    ).stdout
    root = ET.fromstring(xml)  # noqa: S314 - poppler's output for a PDF made by the test
    out = []
    for number, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), start=1):
        for w in page.iter("{http://www.w3.org/1999/xhtml}word"):
            x0, y0, x1, y1 = (float(w.attrib[k]) / MM for k in ("xMin", "yMin", "xMax", "yMax"))
            out.append(Word(number, x0, y0, x1, y1, w.text or ""))
    return out


def on_page(all_words: list[Word], page: int) -> list[Word]:
    return [w for w in all_words if w.page == page]


def text_lines(page_words: list[Word]) -> list[list[Word]]:
    """Words grouped into lines by their top, top to bottom; the page number left out."""
    rows: dict[float, list[Word]] = {}
    for w in page_words:
        if w.y0 > 262.5:
            continue
        rows.setdefault(round(w.y0, 1), []).append(w)
    return [sorted(rows[k], key=lambda w: w.x0) for k in sorted(rows)]


def folio(page_words: list[Word]) -> tuple[str, float, float, float]:
    """The page number's text and its left, right and vertical middle (mm)."""
    below = sorted((w for w in page_words if w.y0 > 262.5), key=lambda w: w.x0)
    if not below:
        return "", 0.0, 0.0, 0.0
    return (
        " ".join(w.text for w in below),
        below[0].x0,
        below[-1].x1,
        (below[0].y0 + below[0].y1) / 2,
    )


def find(page_words: list[Word], text: str) -> Word:
    return next(w for w in page_words if text in w.text)


def pixels(
    pdf: bytes, page: int, folder: Path, dpi: int = 60, rows_mm: tuple[float, float] | None = None
) -> Image.Image:
    """A page as pixels; ``rows_mm`` crops it to a band (from, to) in mm from the top."""
    path = folder / "pixels.pdf"
    path.write_bytes(pdf)
    out = folder / f"page-{page}-{dpi}"
    crop: list[str] = []
    if rows_mm is not None:
        top, bottom = (round(v / 25.4 * dpi) for v in rows_mm)
        crop = ["-x", "0", "-y", str(top), "-W", str(round(210 / 25.4 * dpi)), "-H"]
        crop.append(str(bottom - top))
    command = ["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png"]
    subprocess.run([*command, "-singlefile", *crop, str(path), str(out)], check=True)
    return Image.open(f"{out}.png").convert("RGB")


def red_mask(image: Image.Image) -> Image.Image:
    """White where a pixel is strongly red (the 发文机关标志 and the rule), black elsewhere."""
    r, g, b = image.split()
    return ImageChops.multiply(
        ImageChops.multiply(
            r.point(lambda v: 255 if v > 200 else 0), g.point(lambda v: 255 if v < 90 else 0)
        ),
        b.point(lambda v: 255 if v < 90 else 0),
    )


def fonts_by_text(pdf: bytes, page: int) -> list[tuple[str, str]]:
    """(base font, text) of each text run on a page, from the content stream."""
    runs: list[tuple[str, str]] = []

    def visit(text: str, _cm: Any, _tm: Any, font: Any, _size: Any) -> None:
        if text.strip() and font is not None:
            runs.append((str(font.get("/BaseFont", "")), text.strip()))

    PdfReader(io.BytesIO(pdf)).pages[page - 1].extract_text(visitor_text=visit)
    return runs


def font_of(pdf: bytes, page: int, text: str) -> str:
    return next(font for font, run in fonts_by_text(pdf, page) if text in run)


# --- rendered once for the module ----------------------------------------------------------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("rendering")


@pytest.fixture(scope="module")
def doc() -> Rendered:
    return render_document(notice())


@pytest.fixture(scope="module")
def doc_words(doc: Rendered, folder: Path) -> list[Word]:
    return words(doc.pdf, folder)


@pytest.fixture(scope="module")
def plain() -> Rendered:
    return render_document(notice(body=PLAIN_BODY, cc="", printer="", print_date=None))


@pytest.fixture(scope="module")
def plain_words(plain: Rendered, folder: Path) -> list[Word]:
    return words(plain.pdf, folder)


# --- the page ------------------------------------------------------------------------------------


def test_every_page_is_a4(doc: Rendered) -> None:
    reader = PdfReader(io.BytesIO(doc.pdf))
    assert len(reader.pages) == doc.pages >= 4
    for page in reader.pages:
        box = page.mediabox
        assert float(box.width) / MM == pytest.approx(210, abs=0.1)
        assert float(box.height) / MM == pytest.approx(297, abs=0.1)


def test_top_and_left_margins_are_37_and_28_mm(plain_words: list[Word], doc_words: list[Word]):
    # A full page of body text: its first line starts at the top left of the 版心.
    lines = text_lines(on_page(plain_words, 2))
    assert lines[0][0].y0 == pytest.approx(37, abs=0.3)
    assert min(line[0].x0 for line in lines) == pytest.approx(28, abs=0.3)
    # The first page: 份号 at the top left corner of the 版心 (7.2.1).
    first = text_lines(on_page(doc_words, 1))
    assert first[0][0].text == "000012"  # six digits
    assert (first[0][0].x0, first[0][0].y0) == (
        pytest.approx(28, abs=0.3),
        pytest.approx(37, abs=0.3),
    )


def test_a_full_line_holds_28_characters_across_156_mm(plain_words: list[Word]) -> None:
    lines = text_lines(on_page(plain_words, 2))
    full = [line for line in lines if len("".join(w.text for w in line)) == 28]
    assert len(full) >= 15
    for line in full:
        assert line[0].x0 == pytest.approx(28, abs=0.3)
        assert line[-1].x1 == pytest.approx(28 + 156, abs=0.5)
    assert max(len("".join(w.text for w in line)) for line in lines) == 28
    # Paragraphs start two characters in (7.3.3).
    indented = [line for line in lines if line[0].x0 > 30]
    assert indented and all(
        line[0].x0 == pytest.approx(28 + 2 * CHAR_MM, abs=0.3) for line in indented
    )


def test_a_full_page_holds_22_lines_filling_the_225_mm_block(plain_words: list[Word]) -> None:
    for page in (2, 3):
        lines = text_lines(on_page(plain_words, page))
        assert len(lines) == 22
        tops = [line[0].y0 for line in lines]
        assert tops[0] == pytest.approx(37, abs=0.3)
        assert lines[-1][0].y1 == pytest.approx(37 + 225, abs=0.3)  # 版心 bottom
        pitches = [b - a for a, b in itertools.pairwise(tops)]
        assert all(p == pytest.approx(LINE_MM, abs=0.05) for p in pitches)


def test_page_numbers_alternate_sides_seven_mm_below_the_block(
    doc: Rendered, doc_words: list[Word]
) -> None:
    numbered = [p for p in range(1, doc.pages + 1) if folio(on_page(doc_words, p))[0]]
    assert numbered == list(range(1, doc.pages + 1))  # no blank page here: all numbered
    for page in numbered:
        text, left, right, middle = folio(on_page(doc_words, page))
        assert text == f"— {page} —"
        # The dashes sit 7 mm under the 版心 (the box's middle is within 0.3 mm of the em's).
        assert middle == pytest.approx(262 + 7, abs=0.6)
        if page % 2:  # odd pages on the right, one character in
            assert right == pytest.approx(184 - SIZE_4_MM, abs=0.5)
        else:  # even pages on the left, one character in
            assert left == pytest.approx(28 + SIZE_4_MM, abs=0.5)
    # As text: half-width digits between two dashes.
    layout_text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=doc.pdf, capture_output=True, check=True
    ).stdout.decode()
    assert re.search(r"—\s?1\s?—", layout_text) and re.search(r"—\s?2\s?—", layout_text)


# --- the header ----------------------------------------------------------------------------------


def test_header_elements_in_their_order_and_places(doc: Rendered, doc_words: list[Word]):
    page = on_page(doc_words, 1)
    lines = text_lines(page)
    assert [line[0].text for line in lines[:3]] == ["000012", "秘密★1年", "特急"]
    assert [round(line[0].x0) for line in lines[:3]] == [28, 28, 28]  # 顶格
    number = find(page, "示政办发〔2026〕12号")
    assert (number.x0 + number.x1) / 2 == pytest.approx(28 + 78, abs=0.5)  # centred
    mark = find(page, "示范市人民政府办公厅文件")
    assert (mark.x0 + mark.x1) / 2 == pytest.approx(28 + 78, abs=0.5)
    assert mark.x1 - mark.x0 <= 156.5
    assert font_of(doc.pdf, 1, "秘密★1年").endswith("Noto-Sans-CJK-SC")  # 3号黑体 (7.2.2)


def test_authority_mark_and_rule_are_red(doc: Rendered, folder: Path) -> None:
    dpi = 300
    to_mm = 25.4 / dpi
    mask = red_mask(pixels(doc.pdf, 1, folder, dpi=dpi))
    width = mask.size[0]
    box = mask.getbbox()
    assert box is not None
    # The mark: its top 35 mm under the top of the 版心 (7.2.4).
    assert box[1] * to_mm == pytest.approx(37 + 35, abs=1)
    # The rule: the last red row, across the whole 版心, 4 mm under the number (7.2.7).
    rule = box[3] - 1
    across = mask.crop((0, rule, width, rule + 1)).getbbox()
    assert across is not None
    assert across[0] * to_mm == pytest.approx(28, abs=0.3)
    assert across[2] * to_mm == pytest.approx(184, abs=0.5)
    number = find(on_page(words(doc.pdf, folder), 1), "示政办发")
    assert rule * to_mm == pytest.approx(number.y1 + 4 + 0.35, abs=0.5)
    # Between the mark and the rule only the black 发文字号; nothing red under the rule.
    mark_bottom = next(
        y for y in range(box[1], rule) if mask.crop((0, y, width, y + 1)).getbbox() is None
    )
    assert mask.crop((0, mark_bottom, width, rule - 5)).getbbox() is None
    assert mark_bottom * to_mm < number.y0
    # The PDF's own colour operator for it: pure red fill.
    content = PdfReader(io.BytesIO(doc.pdf)).pages[0].get_contents()
    assert content is not None and b"1 0 0 rg" in content.get_data()


def test_upward_document_prints_signers_and_the_number_on_the_left(folder: Path) -> None:
    rendered = render_document(
        notice(
            title="示范市财政局关于2026年度预算执行情况的报告",
            body="现将有关情况报告如下。",
            signers=["张三", "李四", "王五"],
            main_recipients="市人民政府",
            authority_mark="示范市财政局文件",
            doc_number="示财发〔2026〕8号",
        )
    )
    page = on_page(words(rendered.pdf, folder), 1)
    number = find(page, "示财发〔2026〕8号")
    assert number.x0 == pytest.approx(28 + CHAR_MM, abs=0.3)  # 居左空一字 (7.2.5)
    label = find(page, "签发人：")
    last = find(page, "王五")
    assert last.y0 == pytest.approx(number.y0, abs=0.3)  # same line as the last signer
    assert label.y0 == pytest.approx(number.y0 - LINE_MM, abs=0.3)  # two names a line
    assert max(w.x1 for w in page if w.y0 == pytest.approx(label.y0, abs=0.3)) <= 184 - 5
    assert font_of(rendered.pdf, 1, "张三").endswith("FandolKai")  # names in 楷体 (7.2.6)


# --- the body --------------------------------------------------------------------------------------


def test_title_recipients_and_headings_use_their_fonts(doc: Rendered) -> None:
    assert font_of(doc.pdf, 1, "示范市人民政府办公厅关于").endswith("Noto-Serif-CJK-SC-Bold")
    assert font_of(doc.pdf, 1, "示范市人民政府办公厅文件").endswith("Noto-Serif-CJK-SC-Bold")
    assert font_of(doc.pdf, 1, "各区人民政府").endswith("FandolFang")
    runs = [run for p in range(1, doc.pages + 1) for run in fonts_by_text(doc.pdf, p)]
    heading_1 = next(font for font, text in runs if text.startswith("一、总体要求"))
    heading_2 = next(font for font, text in runs if text.startswith("（一）推进政务服务"))
    rest_2 = next(font for font, text in runs if text.startswith("各区、各部门要对照"))
    heading_3 = next(font for font, text in runs if text.startswith("1.完善网上"))
    assert heading_1.endswith("Noto-Sans-CJK-SC")  # 黑体
    assert heading_2.endswith("FandolKai")  # 楷体, its own sentence only
    assert rest_2.endswith("FandolFang")
    assert heading_3.endswith("FandolFang")  # 仿宋
    number_font = next(font for font, text in runs if text == "— 1 —")
    assert number_font.endswith("Noto-Serif-CJK-SC")  # 宋体


def test_fonts_are_embedded(doc: Rendered, folder: Path) -> None:
    path = folder / "fonts.pdf"
    path.write_bytes(doc.pdf)
    listing = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, check=True, text=True
    ).stdout.splitlines()[2:]
    names = {line.split()[0].split("+")[-1] for line in listing}
    assert {
        "FandolFang",
        "FandolKai",
        "Noto-Sans-CJK-SC",
        "Noto-Serif-CJK-SC-Bold",
        "Noto-Serif-CJK-SC",
    } <= names
    for line in listing:
        columns = line.split()
        assert "Type 3" not in line
        assert columns[-5:-2] == ["yes", "yes", "yes"], line  # embedded, subset, unicode


def test_attachments_dates_and_note(doc: Rendered, doc_words: list[Word]) -> None:
    page = on_page(doc_words, doc.seal_page)
    first = find(page, "附件：1.2026年度政务服务重点任务分工表")
    second = find(page, "2.政务服务事项标准化梳理工作指引")
    assert first.x0 == pytest.approx(28 + 2 * CHAR_MM, abs=0.3)  # 左空二字 (7.3.4)
    assert second.x0 == pytest.approx(first.x0 + 3 * CHAR_MM, abs=0.3)  # under "1."
    assert second.text.endswith("指引")  # no punctuation after a name
    date_word = find(page, "2026年12月2日")
    assert date_word.x1 == pytest.approx(184 - 4 * CHAR_MM, abs=0.5)  # 右空四字 (7.3.5.1)
    signature = find(page, "示范市人民政府办公厅")
    assert (signature.x0 + signature.x1) / 2 == pytest.approx(
        (date_word.x0 + date_word.x1) / 2, abs=0.5
    )
    assert date_word.y0 - signature.y0 == pytest.approx(LINE_MM, abs=0.1)
    note = find(page, "（此件公开发布）")
    assert note.x0 == pytest.approx(28 + 2 * CHAR_MM, abs=0.3)
    assert note.y0 - date_word.y0 == pytest.approx(LINE_MM, abs=0.1)  # the next line (7.3.6)


def test_seal_is_centred_over_signature_and_date_inside_the_page(
    doc: Rendered, doc_words: list[Word]
) -> None:
    page = on_page(doc_words, doc.seal_page)
    signature = find(page, "示范市人民政府办公厅")
    date_word = find(page, "2026年12月2日")
    seal = rendering.SEAL_POINTS / MM
    left, bottom = doc.seal_x / MM, doc.seal_y / MM
    top = 297 - bottom - seal
    centre_x, centre_y = left + seal / 2, top + seal / 2
    assert centre_x == pytest.approx((date_word.x0 + date_word.x1) / 2, abs=0.5)
    assert centre_x == pytest.approx((signature.x0 + signature.x1) / 2, abs=0.5)
    # 署名 and 成文日期 under the seal, a little below its centre (7.3.5.1).
    assert top < signature.y0 and date_word.y1 < top + seal
    assert centre_y < (signature.y0 + date_word.y1) / 2 < centre_y + LINE_MM / 2
    # Its top within one line under the text above it.
    above = max(w.y1 for w in page if w.y1 < signature.y0 - 1)
    assert 0 <= top - above <= LINE_MM
    # The seal and the 56 pt QR code beside it stay on the page.
    assert doc.seal_x >= 0 and doc.seal_y >= 0
    assert doc.seal_x + rendering.SEAL_POINTS + 6 + rendering.QR_POINTS <= 210 * MM
    assert doc.seal_y + rendering.SEAL_POINTS <= 297 * MM
    # The seal page has body text on it, not just the closing (7.3.5.5).
    assert any(w.y1 < signature.y0 - 2 * LINE_MM for w in page)


# --- the imprint (版记) ------------------------------------------------------------------------------


def grey(image: Image.Image, x: int, y: int) -> int:
    value = image.getpixel((x, y))
    assert isinstance(value, int)
    return value


def dark_runs(image: Image.Image, x: int) -> list[tuple[int, int]]:
    """Runs of dark pixels down one column: (first row, row after the last)."""
    gray = image.convert("L")
    runs, start = [], None
    for y in range(image.size[1]):
        dark = grey(gray, x, y) < 100
        if dark and start is None:
            start = y
        elif not dark and start is not None:
            runs.append((start, y))
            start = None
    return runs


def test_imprint_on_an_even_last_page_with_its_rules(doc: Rendered, folder: Path) -> None:
    assert doc.imprint_page == doc.pages and doc.pages % 2 == 0
    page_words = on_page(words(doc.pdf, folder), doc.pages)
    cc = find(page_words, "抄送：")
    assert cc.x0 == pytest.approx(28 + SIZE_4_MM, abs=0.3)  # 左右各空一字 (7.4.2)
    printed = find(page_words, "2026年12月2日印发")
    assert printed.x1 == pytest.approx(184 - SIZE_4_MM, abs=0.5)  # 右空一字 (7.4.3)
    printer = find(page_words, "示范市人民政府办公厅")
    assert printer.x0 == pytest.approx(28 + SIZE_4_MM, abs=0.3)
    # The rules, measured down a column of a 600 dpi render 1 mm inside the 版心, left of any
    # text: thick, thin, thick, the last one on the bottom edge of the 版心.
    dpi = 600
    band = (200.0, 266.0)
    image = pixels(doc.pdf, doc.pages, folder, dpi=dpi, rows_mm=band)
    to_mm = 25.4 / dpi
    rules = [
        (a + round(band[0] / to_mm), b + round(band[0] / to_mm))
        for a, b in dark_runs(image, round(29 / to_mm))
    ]
    assert len(rules) == 3
    thickness = [(b - a) * to_mm for a, b in rules]
    assert thickness[0] == pytest.approx(0.35, abs=0.06)
    assert thickness[1] == pytest.approx(0.25, abs=0.06)
    assert thickness[2] == pytest.approx(0.35, abs=0.06)
    assert rules[-1][1] * to_mm == pytest.approx(262, abs=0.2)
    assert rules[0][1] * to_mm < cc.y0 < printer.y0 < rules[-1][0] * to_mm
    # Across the 版心.
    row = rules[-1][0] + 1 - round(band[0] / to_mm)
    gray = image.convert("L")
    dark = [x for x in range(image.size[0]) if grey(gray, x, row) < 100]
    assert dark[0] * to_mm == pytest.approx(28, abs=0.2)
    assert dark[-1] * to_mm == pytest.approx(184, abs=0.3)


def test_one_page_of_text_puts_the_imprint_on_page_two(folder: Path) -> None:
    rendered = render_document(notice(body="请认真贯彻执行。", attachments=[]))
    assert (rendered.pages, rendered.seal_page, rendered.imprint_page) == (2, 1, 2)
    page_2 = on_page(words(rendered.pdf, folder), 2)
    assert folio(page_2)[0] == "— 2 —"  # not after a blank page: numbered
    assert [w for w in page_2 if w.y0 < 200] == []  # the imprint alone, at the foot


def test_text_ending_on_a_full_even_page_gets_a_blank_page_before_the_imprint(
    folder: Path,
) -> None:
    # Grow the document until the closing lands on an even page with no room left below it.
    for count in range(1, 60):
        rendered = render_document(notice(body="\n".join((PARAGRAPHS * 5)[:count])))
        if rendered.imprint_page == rendered.seal_page + 2:
            break
    else:
        pytest.fail("no length of text needed a blank page")
    assert rendered.seal_page % 2 == 0 and rendered.pages == rendered.imprint_page
    all_words = words(rendered.pdf, folder)
    blank, last = rendered.pages - 1, rendered.pages
    assert on_page(all_words, blank) == []  # blank, and no page number (7.5)
    assert folio(on_page(all_words, last))[0] == ""  # the imprint page: no number either
    assert find(on_page(all_words, last), "抄送：")
    for page in range(1, blank):
        assert folio(on_page(all_words, page))[0] == f"— {page} —"


def test_an_imprint_taller_than_a_page_follows_the_text_on_pages_of_its_own(
    folder: Path,
) -> None:
    units = [f"示范市第{n}号单位" for n in range(1, 301)]
    rendered = render_document(notice(body="请认真贯彻执行。", attachments=[], cc="，".join(units)))
    all_words = words(rendered.pdf, folder)
    text = "".join(w.text for w in all_words if w.y0 < 262.5)  # page numbers left out
    assert all(unit in text for unit in units)  # nothing cut off
    assert rendered.imprint_page == rendered.pages > rendered.seal_page + 1
    assert find(on_page(all_words, rendered.seal_page + 1), "抄送：")  # begins on a new page
    assert all(w.y0 >= 0 and w.y1 <= 297 for w in all_words)
    assert "印发" in "".join(w.text for w in on_page(all_words, rendered.pages))


def test_no_imprint_no_even_page_needed(plain: Rendered) -> None:
    assert plain.imprint_page == 0
    assert plain.seal_page == plain.pages


# --- drafts and unusual input -------------------------------------------------------------------------


def test_draft_is_marked_and_prints_no_number(folder: Path) -> None:
    rendered = render_document(
        notice(draft_watermark=True, date_written=None, print_date=None, body="草拟中。")
    )
    text = "".join(w.text for w in words(rendered.pdf, folder))
    assert "草稿" in text
    assert "示政办发" not in text
    assert "2026年12月2日" not in text
    final = render_document(notice(body="草拟中。"))

    def light(pdf: bytes) -> int:
        gray = pixels(pdf, 1, folder).convert("L")
        return sum(
            1
            for y in range(0, gray.size[1], 2)
            for x in range(0, gray.size[0], 2)
            if 225 < grey(gray, x, y) < 240
        )

    # The light grey 草稿 behind the text; the final version's edges of characters do not count
    # for much.
    assert light(rendered.pdf) > 3 * light(final.pdf) + 500


def test_a_draft_may_be_empty_but_a_document_may_not() -> None:
    rendered = render_document(notice(body="", title="", draft_watermark=True))
    assert rendered.pdf.startswith(b"%PDF-") and rendered.pages >= 1
    with pytest.raises(InvalidInput) as empty:
        render_document(notice(body="  \n\u3000\n "))
    assert empty.value.field == "body"
    with pytest.raises(InvalidInput) as untitled:
        render_document(notice(title=" "))
    assert untitled.value.field == "title"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"classification": "内部"}, "classification"),
        ({"urgency": "急"}, "urgency"),
        ({"copy_number": "12a"}, "copy_number"),
        ({"copy_number": "1234567"}, "copy_number"),
        ({"body": "字" * (rendering.MAX_TEXT + 1)}, "body"),
        ({"attachments": ["附件"] * (rendering.MAX_LIST + 1)}, "attachments"),
    ],
)
def test_elements_that_cannot_be_printed_are_refused(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        render_document(notice(**changes))
    assert refused.value.field == field


def test_a_3000_character_title_wraps_inside_the_block(folder: Path) -> None:
    rendered = render_document(notice(title="关于" * 1500, body="请遵照执行。"))
    all_words = words(rendered.pdf, folder)
    text = "".join(w.text for w in all_words)
    assert text.count("关于") == 1500
    assert "请遵照执行。" in text
    assert max(w.x1 for w in all_words) <= 184.5 and min(w.x0 for w in all_words) >= 27.5
    assert rendered.pages % 2 == 0 and rendered.imprint_page == rendered.pages


def test_html_in_the_text_is_printed_not_interpreted(folder: Path) -> None:
    hostile = '<script>alert("x")</script><b>加粗</b>&amp;<img src="file:///etc/passwd">'
    rendered = render_document(
        notice(title=hostile, body=f"{hostile}\n正文。", signature="<i>机关</i>", cc=hostile)
    )
    layout_text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=rendered.pdf, capture_output=True, check=True
    ).stdout.decode()
    flat = re.sub(r"\s+", "", layout_text)
    assert '<script>alert("x")</script><b>加粗</b>&amp;' in flat
    assert "<i>机关</i>" in flat
    assert b"/JavaScript" not in rendered.pdf and b"/JS " not in rendered.pdf
    assert b"passwd" not in rendered.pdf.replace(b"passwd", b"", 0)  # no file was fetched
    # Control characters, which no PDF text holds, are dropped.
    assert render_document(notice(body="正文\x00\x07\x1b。")).pages >= 1


def test_a_long_latin_run_is_broken_inside_the_block(folder: Path) -> None:
    rendered = render_document(notice(body="https://example.org/" + "a" * 400))
    assert max(w.x1 for w in words(rendered.pdf, folder)) <= 184.5


def test_a_long_document_keeps_numbering_and_parity(folder: Path) -> None:
    rendered = render_document(notice(body="\n".join(PARAGRAPHS * 25)))
    assert rendered.pages >= 30 and rendered.pages % 2 == 0
    all_words = words(rendered.pdf, folder)
    numbers = [folio(on_page(all_words, p))[0] for p in range(1, rendered.pages + 1)]
    expected = [f"— {p} —" for p in range(1, rendered.pages + 1)]
    if rendered.imprint_page == rendered.seal_page + 2:  # blank page and imprint page unnumbered
        expected[-2:] = ["", ""]
    assert numbers == expected
    assert rendered.seal_page in (rendered.pages, rendered.pages - 1, rendered.pages - 2)


# --- sealing the rendered PDF ---------------------------------------------------------------------

PASSPHRASE = "Root-Passphrase-2026!"
KEEPER_SECRET = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"


@pytest.mark.django_db
def test_the_seals_service_seals_where_the_renderer_says(
    doc: Rendered, secadmin: Any, make_staff: Any
) -> None:
    from tongban.identity import services as identity
    from tongban.seals import services as seals

    seals.init_ca(PASSPHRASE)
    seals.issue_certificate(secadmin, kind="seal", department_code="FIN")
    keeper = make_staff("fin", "seal.keeper", role="seal_keeper").user
    identity.set_totp_secret(keeper, KEEPER_SECRET)
    sealed, record = seals.sign_pdf(
        keeper,
        doc.pdf,
        seal="FIN",
        otp=pyotp.TOTP(KEEPER_SECRET).now(),
        page=doc.seal_page,
        x=doc.seal_x,
        y=doc.seal_y,
    )
    assert record.page == doc.seal_page
    page = PdfReader(io.BytesIO(sealed)).pages[doc.seal_page - 1]
    rects = [
        [float(v) for v in a.get_object()["/Rect"]]
        for a in page.get("/Annots", [])
        if a.get_object().get("/FT") == "/Sig"
    ]
    assert rects == [
        pytest.approx(
            [int(doc.seal_x), int(doc.seal_y), int(doc.seal_x + 120), int(doc.seal_y + 120)]
        )
    ]


# --- the processing slip ----------------------------------------------------------------------------


def slip(**changes: Any) -> ProcessingSlip:
    fields: dict[str, Any] = {
        "title": "示范市人民政府办公厅关于做好2026年度政务服务工作的通知",
        "kind": "发文稿纸",
        "fields": [
            ("文号", "示政办发〔2026〕12号"),
            ("文种", "通知"),
            ("密级", "秘密★1年"),
            ("紧急程度", "特急"),
            ("拟稿单位", "市政府办公厅秘书处"),
            ("拟稿人", "赵六"),
            ("主送", "各区人民政府，市政府各委办局"),
        ],
        "entries": [
            SlipEntry(
                "拟稿", "赵六", "秘书处", "请审核。", datetime(2026, 11, 28, 1, 5, tzinfo=UTC)
            ),
            SlipEntry("核稿", "钱七", "秘书处", "文字已核。\n建议增加时限要求。", None),
            SlipEntry(
                "签发", "张三", "市人民政府办公厅", "同意印发。", datetime(2026, 12, 1, 8, 0)
            ),
        ],
    }
    fields.update(changes)
    return ProcessingSlip(**fields)


def test_slip_shows_fields_and_every_opinion_in_order(folder: Path) -> None:
    pdf = render_slip(slip())
    assert pdf.startswith(b"%PDF-")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    flat = re.sub(r"\s+", "", text)
    assert "发文稿纸" in flat
    for label, value in slip().fields:
        assert label in flat and value in flat
    positions = [
        flat.index(s) for s in ("请审核。", "文字已核。", "建议增加时限要求。", "同意印发。")
    ]
    assert positions == sorted(positions)
    assert "赵六（秘书处）" in flat and "张三（市人民政府办公厅）" in flat
    assert "2026年11月28日09:05" in flat  # UTC shown in Asia/Shanghai
    assert "2026年12月1日08:00" in flat  # a naive time as given
    reader = PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (210, 297)


def test_slip_with_long_opinions_escaped_html_and_no_entries(folder: Path) -> None:
    long = render_slip(
        slip(entries=[SlipEntry("会签", "孙八", "<b>局</b>", "同意。" * 900, None)] * 3)
    )
    assert len(PdfReader(io.BytesIO(long)).pages) >= 3
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=long, capture_output=True, check=True
    ).stdout.decode()
    assert text.count("同") == 2700  # nothing lost where the rows break across pages
    assert "<b>局</b>" in text
    empty = render_slip(slip(entries=[], fields=[]))
    assert len(PdfReader(io.BytesIO(empty)).pages) == 1
    with pytest.raises(InvalidInput):
        render_slip(slip(fields=[("文号", "x")] * (rendering.MAX_LIST + 1)))
