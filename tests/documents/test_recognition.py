"""Reading imported official documents (.docx, .pdf, .txt) and recognising their elements.

Every file is generated here: .docx with python-docx (plus raw WordprocessingML where python-docx
has no API), .pdf rendered by WeasyPrint in Noto Serif CJK so that pypdf reads real text, .txt in
the encodings clerks actually have.
"""

from __future__ import annotations

import datetime
import io
import json
import random
import zipfile
from typing import Any

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.shared import Pt, RGBColor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter

from tongban.core.errors import InvalidInput
from tongban.core.numbering import format_document_number
from tongban.documents import recognition
from tongban.documents.recognition import (
    Extracted,
    UnreadableFile,
    extract_text,
    normalise_document_number,
    recognise,
)
from tongban.documents.types import DocumentType, Urgency

pytestmark = pytest.mark.usefixtures("english")

OFFICE = "示范市人民政府办公厅"
AUTHORITIES = [
    (OFFICE, "示政办发"),
    ("示范市人民政府", "示政发"),
    ("示范市财政局", "示财函"),
]

# The lines of a complete notice as GB/T 9704 lays it out, from 份号 to the imprint.
NOTICE_LINES = [
    "000123",
    "机密★5年",
    "特急",
    f"{OFFICE}文件",
    "示政办发〔2026〕12号",
    "关于做好2026年度政务服务“好差评”",
    "工作的通知",
    "各区人民政府，市政府各委、办、局，各县（市、区）人民政府：",
    "为贯彻落实《国务院办公厅关于建立政务服务“好差评”制度的意见》（国办发〔2019〕51号），"
    "经市政府同意，现就有关事项通知如下。",
    "一、总体要求",
    "各单位要于2026年11月30日前报送工作方案。",
    "（一）工作目标",
    "到2026年底，好评率达到95%以上。",
    "特此通知。",
    "附件：1.示范市政务服务“好差评”实施细则",
    "2.示范市政务服务评价指标",
    OFFICE,
    "二〇二六年十二月二日",
    "（此件公开发布）",
    "抄送：市委办公室，市人大常委会办公室，市政协办公室。",
    f"{OFFICE}　　　　　　2026年12月3日印发",
]


def lines_text(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def with_number(number_line: str) -> str:
    return lines_text([number_line if ln == "示政办发〔2026〕12号" else ln for ln in NOTICE_LINES])


# --------------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------------


def docx_bytes(document: Any) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def centred(document: Any, text: str, *, size: int = 16, red: bool = False) -> Any:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    if red:
        run.font.color.rgb = RGBColor(0xE0, 0, 0)
        run.bold = True
    return paragraph


def notice_docx() -> bytes:
    """A red-header notice: mark, number line, two-paragraph title, 主送, headed body with a
    table, 附件说明, signature, date in Chinese numerals, 抄送 and 印发 in the imprint."""
    d = docx.Document()
    d.add_paragraph("000123")
    d.add_paragraph("机密★5年")
    d.add_paragraph("特急")
    centred(d, f"{OFFICE}文件", size=26, red=True)
    centred(d, "示政办发〔2026〕12号")
    centred(d, "关于做好2026年度政务服务“好差评”", size=22)
    centred(d, "工作的通知", size=22)
    d.add_paragraph("各区人民政府，市政府各委、办、局，各县（市、区）人民政府：")
    d.add_paragraph(
        "为贯彻落实《国务院办公厅关于建立政务服务“好差评”制度的意见》（国办发〔2019〕51号），"
        "经市政府同意，现就有关事项通知如下。"
    )
    d.add_paragraph("一、总体要求")
    d.add_paragraph("各单位要于2026年11月30日前报送工作方案。")
    d.add_paragraph("（一）工作目标")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "指标"
    table.cell(0, 1).text = "目标值"
    table.cell(1, 0).text = "好评率"
    table.cell(1, 1).text = "95%以上"
    d.add_paragraph("特此通知。")
    d.add_paragraph("附件：1.示范市政务服务“好差评”实施细则")
    d.add_paragraph("2.示范市政务服务评价指标")
    signature = d.add_paragraph(OFFICE)
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    date_line = d.add_paragraph("二〇二六年十二月二日")
    date_line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    d.add_paragraph("（此件公开发布）")
    d.add_paragraph("抄送：市委办公室，市人大常委会办公室，市政协办公室。")
    d.add_paragraph(f"{OFFICE}\t\t\t2026年12月3日印发")
    d.sections[0].footer.paragraphs[0].text = "— 1 —"
    return docx_bytes(d)


def plain_docx(lines: list[str]) -> bytes:
    d = docx.Document()
    for line in lines:
        d.add_paragraph(line)
    return docx_bytes(d)


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, blob in members.items():
            archive.writestr(name, blob)
    return out.getvalue()


CSS = """
@page { size: A4; margin: 37mm 26mm 35mm 28mm;
        @bottom-center { content: "— " counter(page) " —"; font-size: 14pt; } }
body { font-family: "Noto Serif CJK SC"; font-size: 16pt; line-height: 1.5; }
.mark { color: #d00; text-align: center; font-size: 26pt; font-weight: bold; }
.center { text-align: center; }
.title { text-align: center; font-size: 22pt; }
.right { text-align: right; }
p { margin: 0; }
.indent { text-indent: 2em; }
"""


def pdf_from_html(body: str) -> bytes:
    from weasyprint import HTML

    return HTML(
        string=f"<html><head><style>{CSS}</style></head><body>{body}</body></html>"
    ).write_pdf()


def notice_pdf_html() -> str:
    return f"""
    <p>机密★5年</p><p>特急</p>
    <p class="mark">{OFFICE}文件</p>
    <p class="center">示政办发〔2026〕12号</p>
    <p class="title">关于做好2026年度政务服务“好差评”<br>工作的通知</p>
    <p>各区人民政府，市政府各委、办、局：</p>
    <p class="indent">为贯彻落实国务院办公厅关于建立政务服务“好差评”制度的意见（国办发〔2019〕51号），
    进一步提升政务服务水平，经市政府同意，现就有关事项通知如下。</p>
    <p class="indent">一、总体要求</p>
    <p class="indent">各单位要于2026年11月30日前报送工作方案。</p>
    <p style="page-break-before: always" class="indent">二、工作安排</p>
    <p class="indent">特此通知。</p>
    <p class="indent">附件：示范市政务服务“好差评”实施细则</p>
    <p class="right">{OFFICE}</p>
    <p class="right">2026年12月2日</p>
    <p>抄送：市委办公室，市人大常委会办公室。</p>
    <p>{OFFICE}　　　　2026年12月3日印发</p>
    """


@pytest.fixture(scope="module")
def notice_pdf() -> bytes:
    return pdf_from_html(notice_pdf_html())


def image_only_pdf() -> bytes:
    """A scanned page: a picture of text, no text layer."""
    picture = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(picture).rectangle((50, 50, 550, 120), fill="red")
    out = io.BytesIO()
    picture.save(out, format="PDF")
    return out.getvalue()


def encrypted(pdf: bytes, *, user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def assert_unreadable(filename: str, data: bytes, *phrases: str) -> UnreadableFile:
    with pytest.raises(UnreadableFile) as caught:
        extract_text(filename, data)
    message = str(caught.value)
    for phrase in phrases:
        assert phrase in message, message
    return caught.value


# --------------------------------------------------------------------------------------------
# .docx
# --------------------------------------------------------------------------------------------


def test_docx_text_in_order_with_table_cells_and_without_footer():
    extracted = extract_text("通知.DOCX", notice_docx())
    assert extracted.kind == "docx"
    assert extracted.pages is None  # a .docx has no pages until laid out
    lines = extracted.text.split("\n")
    assert lines[:7] == NOTICE_LINES[:7]
    assert lines.index("（一）工作目标") < lines.index("指标") < lines.index("95%以上")
    assert lines.index("95%以上") < lines.index("特此通知。")
    assert "— 1 —" not in extracted.text  # footer page numbers are not document text
    assert f"{OFFICE}\t\t\t2026年12月3日印发" in lines


def test_docx_notice_is_recognised_completely():
    text = extract_text("notice.docx", notice_docx()).text
    r = recognise(text, authorities=AUTHORITIES)
    assert r.doc_number is not None and r.doc_number.value == "示政办发〔2026〕12号"
    assert (r.issuing_code, r.year, r.serial) == ("示政办发", 2026, 12)
    assert r.doc_number.confidence >= 0.9
    assert r.title is not None
    assert r.title.value == "关于做好2026年度政务服务“好差评”工作的通知"
    assert r.title.evidence == "关于做好2026年度政务服务“好差评”\n工作的通知"
    assert r.title.confidence >= 0.9
    assert r.doc_type is not None and r.doc_type.value == DocumentType.NOTICE
    assert r.issuing_authority is not None and r.issuing_authority.value == OFFICE
    assert r.issuing_authority.confidence >= 0.95
    assert r.main_recipients is not None
    assert r.main_recipients.value == [
        "各区人民政府",
        "市政府各委、办、局",
        "各县（市、区）人民政府",
    ]
    assert r.date_written is not None
    assert r.date_written.value == datetime.date(2026, 12, 2)  # not 11-30 (body), not 12-03 (印发)
    assert r.date_written.evidence == "二〇二六年十二月二日"
    assert r.date_written.confidence >= 0.9
    assert r.classification is not None and r.classification.value == "机密★5年"
    assert r.urgency is not None and r.urgency.value == Urgency.EXTRA_URGENT
    assert r.cc is not None
    assert r.cc.value == ["市委办公室", "市人大常委会办公室", "市政协办公室"]
    assert r.attachments is not None
    assert r.attachments.value == ["示范市政务服务“好差评”实施细则", "示范市政务服务评价指标"]
    assert r.signers is None
    assert r.body.startswith("为贯彻落实")
    assert "95%以上" in r.body and r.body.endswith("特此通知。")
    assert "附件" not in r.body and OFFICE not in r.body


def test_docx_header_text_boxes_tracked_changes_and_content_controls():
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "示范市财政局"  # letterhead in the header
    d.sections[0].header.add_paragraph("- 1 -")  # a page number: dropped
    body = d.element.body
    mark = parse_xml(
        '<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
        ' xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
        ' xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
        ' xmlns:v="urn:schemas-microsoft-com:vml"><w:r><mc:AlternateContent>'
        '<mc:Choice Requires="wps"><w:drawing><wps:wsp><wps:txbx><w:txbxContent>'
        "<w:p><w:r><w:t>文本框中的标志</w:t></w:r></w:p></w:txbxContent></wps:txbx></wps:wsp>"
        "</w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>"
        "<w:p><w:r><w:t>文本框中的标志</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape>"
        "</w:pict></mc:Fallback></mc:AlternateContent></w:r>"
        "<w:r><w:t>正文第一段</w:t></w:r></w:p>"
    )
    tracked = parse_xml(
        '<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:r><w:t>保留</w:t></w:r>"
        '<w:del w:id="1" w:author="a"><w:r><w:delText>已删除</w:delText></w:r></w:del>'
        '<w:ins w:id="2" w:author="a"><w:r><w:t>新增</w:t></w:r></w:ins>'
        "<w:r><w:br/><w:t>换行之后</w:t></w:r></w:p>"
    )
    control = parse_xml(
        '<w:sdt xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:sdtContent><w:p><w:r><w:t>内容控件里的文字</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    )
    sect = body[-1]  # keep the section properties last
    for element in (mark, tracked, control):
        sect.addprevious(element)
    lines = extract_text("letter.docx", docx_bytes(d)).text.split("\n")
    assert lines == [
        "示范市财政局",
        "文本框中的标志",
        "正文第一段",
        "保留新增",
        "换行之后",
        "内容控件里的文字",
    ]


def test_docx_with_a_main_part_named_elsewhere_is_found_through_its_relationship():
    content = (
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>\xe5\x85\xb3\xe4\xba\x8e\xe7\x9a\x84\xe9\x80\x9a\xe7\x9f\xa5"
        b"</w:t></w:r></w:p></w:body></w:document>"
    )
    rels = (
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/officeDocument" Target="/word/main2.xml"/></Relationships>'
    )
    data = zip_of(
        {"[Content_Types].xml": b"<Types/>", "_rels/.rels": rels, "word/main2.xml": content}
    )
    assert extract_text("x.docx", data).text == "关于的通知"


# --------------------------------------------------------------------------------------------
# .pdf
# --------------------------------------------------------------------------------------------


def test_pdf_rendered_by_weasyprint_is_read_and_recognised(notice_pdf: bytes):
    extracted = extract_text("notice.pdf", notice_pdf)
    assert extracted.kind == "pdf"
    assert extracted.pages == 2
    assert extracted.notes == []
    assert "示政办发〔2026〕12号" in extracted.text
    r = recognise(extracted.text, authorities=AUTHORITIES)
    assert r.doc_number is not None and r.doc_number.value == "示政办发〔2026〕12号"
    assert r.doc_number.confidence >= 0.9
    assert r.title is not None
    assert r.title.value == "关于做好2026年度政务服务“好差评”工作的通知"
    assert r.doc_type is not None and r.doc_type.value == DocumentType.NOTICE
    assert r.issuing_authority is not None and r.issuing_authority.value == OFFICE
    assert r.main_recipients is not None
    assert r.main_recipients.value == ["各区人民政府", "市政府各委、办、局"]
    assert r.date_written is not None and r.date_written.value == datetime.date(2026, 12, 2)
    assert r.date_written.confidence >= 0.9
    assert r.classification is not None and r.classification.value == "机密★5年"
    assert r.urgency is not None and r.urgency.value == Urgency.EXTRA_URGENT
    assert r.cc is not None and r.cc.value == ["市委办公室", "市人大常委会办公室"]
    assert r.attachments is not None
    assert r.attachments.value == ["示范市政务服务“好差评”实施细则"]
    assert "— 1 —" not in r.body and "— 2 —" not in r.body  # page numbers are not body text
    assert "二、工作安排" in r.body


def test_pdf_with_only_restrictions_opens_without_a_password(notice_pdf: bytes):
    extracted = extract_text("restricted.pdf", encrypted(notice_pdf, user_password=""))
    assert "示政办发〔2026〕12号" in extracted.text


def test_pdf_with_many_pages_is_read_at_its_start_and_end(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(recognition, "MAX_PDF_PAGES", 5)
    monkeypatch.setattr(recognition, "PDF_TAIL_PAGES", 2)
    names = ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛"]
    pdf = pdf_from_html(
        "".join(f'<p style="page-break-after: always">第{n}页的正文</p>' for n in names)
    )
    extracted = extract_text("long.pdf", pdf)
    assert extracted.pages == 8
    for name in ("甲", "乙", "丙", "庚", "辛"):
        assert f"第{name}页的正文" in extracted.text
    for name in ("丁", "戊", "己"):
        assert f"第{name}页的正文" not in extracted.text
    assert extracted.notes == ["The PDF has 8 pages; only the first 3 and the last 2 were read."]


# --------------------------------------------------------------------------------------------
# .txt
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding", ["gb18030", "gbk", "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"]
)
def test_txt_encodings_decode_to_the_same_text(encoding: str):
    text = lines_text(NOTICE_LINES)
    extracted = extract_text("通知.txt", text.encode(encoding))
    assert extracted.kind == "txt" and extracted.pages is None
    assert extracted.text == text.strip("\n")
    assert not extracted.text.startswith("\ufeff")


def test_txt_in_gb18030_keeps_characters_gbk_does_not_have():
    text = (
        "关于表彰王䶮同志的决定\r\n各科室：\r\n特此决定。\r\n"  # 䶮: CJK Ext A, 4 bytes in GB18030
    )
    extracted = extract_text("a.txt", text.encode("gb18030"))
    assert extracted.text == "关于表彰王䶮同志的决定\n各科室：\n特此决定。"
    r = recognise(extracted.text)
    assert r.title is not None and r.title.value == "关于表彰王䶮同志的决定"
    assert r.doc_type is not None and r.doc_type.value == DocumentType.DECISION


def test_txt_gb18030_and_utf8_bom_are_recognised_alike():
    text = lines_text(NOTICE_LINES)
    a = recognise(extract_text("a.txt", text.encode("gb18030")).text, authorities=AUTHORITIES)
    b = recognise(extract_text("b.txt", text.encode("utf-8-sig")).text, authorities=AUTHORITIES)
    assert a.as_dict() == b.as_dict()
    assert a.doc_number is not None and a.doc_number.value == "示政办发〔2026〕12号"


# --------------------------------------------------------------------------------------------
# Unhappy files: each an UnreadableFile with a clear message, nothing else
# --------------------------------------------------------------------------------------------


def test_unreadable_file_is_an_invalid_input_on_the_file_field():
    error = assert_unreadable("a.txt", b"")
    assert isinstance(error, ValueError) and isinstance(error, InvalidInput)
    assert error.status == 422 and error.code == "unreadable_file"
    assert error.errors == {"file": ["The file is empty."]}


def test_empty_and_blank_files():
    for name in ("a.txt", "a.docx", "a.pdf"):
        assert_unreadable(name, b"", "The file is empty.")
    assert_unreadable("a.txt", b"  \r\n\t ", "The file is empty.")


def test_files_over_20_mb_are_refused_before_parsing():
    assert_unreadable("big.txt", b"a" * (30 * 1024 * 1024), "larger than 20 MB")
    assert_unreadable("big.docx", b"PK\x03\x04" + b"\0" * (20 * 1024 * 1024), "larger than 20 MB")


@pytest.mark.parametrize(
    ("filename", "phrase"),
    [
        ("table.xlsx", "“.xlsx” cannot be read"),
        ("noextension", "has no extension"),
        ("old.doc", "save it as .docx or PDF"),
        ("old.WPS", "save it as .docx or PDF"),
        ("gb.ofd", "Export the document as PDF"),
    ],
)
def test_unknown_extensions(filename: str, phrase: str):
    assert_unreadable(filename, b"some content", phrase)


def test_random_bytes_named_docx():
    assert_unreadable("x.docx", random.Random(1).randbytes(4096), "not a valid .docx")


def test_truncated_docx():
    data = notice_docx()
    assert_unreadable("cut.docx", data[: len(data) // 2], "damaged")


def test_zip_without_word_document():
    data = zip_of({"hello.txt": b"hello", "_rels/.rels": b"<Relationships/>"})
    assert_unreadable("x.docx", data, "word/document.xml is missing")


def test_docx_whose_xml_is_broken_or_declares_entities():
    broken = zip_of({"word/document.xml": b"<w:document><w:body>"})
    assert_unreadable("x.docx", broken, "word/document.xml is not valid XML")
    laughs = zip_of(
        {
            "word/document.xml": b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><d>&b;</d>'
        }
    )
    assert_unreadable("x.docx", laughs, "not valid XML")


def test_zip_bomb_docx_stops_at_the_cap():
    bomb = zip_of({"word/document.xml": b"<" + b" " * (40 * 1024 * 1024)})
    assert len(bomb) < 200_000  # small on disk, 40 MB unpacked
    assert_unreadable("bomb.docx", bomb, "more than 25 MB", "zip bomb")


def test_zip_bomb_with_a_lying_size_in_its_directory_is_not_expanded():
    bomb = bytearray(zip_of({"word/document.xml": b"<a>" + b" " * (40 * 1024 * 1024) + b"</a>"}))
    directory = bomb.rindex(b"PK\x01\x02")
    bomb[directory + 24 : directory + 28] = (1000).to_bytes(4, "little")  # claims 1,000 bytes
    assert_unreadable("bomb.docx", bytes(bomb), "damaged")


def test_files_whose_content_contradicts_their_name(notice_pdf: bytes):
    assert_unreadable("a.docx", notice_pdf, "is a PDF document", "Rename it to .pdf")
    assert_unreadable("a.txt", notice_pdf, "is a PDF document")
    assert_unreadable("a.pdf", notice_docx(), "ZIP package", "not what its name says")
    assert_unreadable("a.pdf", b"just some text", "not a PDF document")
    assert_unreadable("a.txt", notice_docx(), "ZIP package")
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024
    assert_unreadable("a.docx", ole, "Word 97-2003", "password")


def test_binary_junk_named_txt():
    assert_unreadable("junk.txt", random.Random(7).randbytes(4096), "readable text")
    picture = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(picture, format="PNG")
    assert_unreadable("picture.txt", picture.getvalue(), "readable text")


def test_scanned_pdf_without_text_layer():
    assert_unreadable("scan.pdf", image_only_pdf(), "no text layer", "no OCR")


def test_password_protected_pdf(notice_pdf: bytes):
    assert_unreadable(
        "secret.pdf", encrypted(notice_pdf, user_password="geheim"), "protected by a password"
    )


def test_damaged_pdf():
    assert_unreadable("bad.pdf", b"%PDF-1.7\n" + random.Random(3).randbytes(2000), "PDF")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(["a.docx", "a.pdf", "a.txt"]),
    prefix=st.sampled_from([b"", b"PK\x03\x04", b"%PDF-1.4\n", b"\xef\xbb\xbf", b"\xff\xfe"]),
    data=st.binary(max_size=3000),
)
def test_any_bytes_give_text_or_unreadable_file(name: str, prefix: bytes, data: bytes):
    try:
        extracted = extract_text(name, prefix + data)
    except UnreadableFile as exc:
        assert str(exc)
    else:
        assert isinstance(extracted, Extracted) and extracted.text.strip()


# --------------------------------------------------------------------------------------------
# Document numbers
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "strict"),
    [
        ("示政办发〔2026〕12号", True),
        ("示政办发[2026]12号", False),
        ("示政办发（2026）12号", False),
        ("示政办发(2026)12号", False),
        ("示政办发【2026】12号", False),
        ("示政办发［2026］12号", False),
        ("示政办发﹝2026﹞12号", False),
        ("示政办发〔２０２６〕１２号", False),
        ("示政办发〔2026〕第12号", False),
        ("示政办发〔2026〕012号", False),
        ("示政办发 〔2026〕 12 号", False),
    ],
)
def test_number_spellings_normalise(written: str, strict: bool):
    assert normalise_document_number(written) == "示政办发〔2026〕12号"
    known = recognise(with_number(written), authorities=AUTHORITIES)
    unknown = recognise(with_number(written))
    assert known.doc_number is not None and unknown.doc_number is not None
    assert known.doc_number.value == unknown.doc_number.value == "示政办发〔2026〕12号"
    assert known.doc_number.evidence == written
    assert (known.issuing_code, known.year, known.serial) == ("示政办发", 2026, 12)
    # Strict and known ≥ 0.9; strict unknown 0.85; loose known 0.8; loose unknown 0.7.
    assert known.doc_number.confidence == (0.95 if strict else 0.8)
    assert unknown.doc_number.confidence == (0.85 if strict else 0.7)


def test_normaliser_refuses_what_is_not_a_number():
    for text in (
        "",
        "示政办发2026年12号",
        "〔2026〕12号",
        "示政办发〔2026〕0号",
        "示政办发〔26〕1号",
    ):
        assert normalise_document_number(text) is None


def test_a_number_cited_in_the_body_is_not_the_documents_number():
    lines = [ln for ln in NOTICE_LINES if ln != "示政办发〔2026〕12号"]
    r = recognise(lines_text(lines), authorities=AUTHORITIES)
    assert r.doc_number is None  # 国办发〔2019〕51号 is only cited
    assert (r.issuing_code, r.year, r.serial) == ("", None, None)
    assert r.title is not None and r.title.value.endswith("工作的通知")


def test_a_number_below_the_title_counts_less_than_one_in_the_header():
    r = recognise(
        "关于做好安全生产工作的通知\n示政办发〔2026〕12号\n各区人民政府：\n请认真落实。\n",
        authorities=AUTHORITIES,
    )
    assert r.doc_number is not None and r.doc_number.value == "示政办发〔2026〕12号"
    assert r.doc_number.confidence == 0.85  # 0.75 below the title, +0.1 known code
    assert r.title is not None and r.title.value == "关于做好安全生产工作的通知"


def test_a_wrapped_mark_glued_to_the_number_line_is_split_off():
    # pypdf sometimes joins the last line of a wrapped mark to the number line.
    r = recognise(f"{OFFICE}\n文件示政办发〔2026〕12号\n关于加强值班工作的通知\n各单位：\n正文。\n")
    assert r.doc_number is not None and r.doc_number.value == "示政办发〔2026〕12号"
    assert r.issuing_code == "示政办发"


CODE_CHARS = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5) | st.sampled_from("ABCXYZ")
OPEN_CLOSE = [("〔", "〕"), ("[", "]"), ("(", ")"), ("（", "）"), ("【", "】"), ("［", "］")]
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@settings(max_examples=200, deadline=None)
@given(
    code=st.text(CODE_CHARS, min_size=1, max_size=8),
    year=st.integers(1000, 9999),
    serial=st.integers(1, 99999),
    brackets=st.sampled_from(OPEN_CLOSE),
    di=st.booleans(),
    zeros=st.integers(0, 2),
    fullwidth=st.booleans(),
)
def test_numbers_round_trip_through_format_and_recogniser(
    code: str,
    year: int,
    serial: int,
    brackets: tuple[str, str],
    di: bool,
    zeros: int,
    fullwidth: bool,
):
    canonical = format_document_number(code, year, serial)
    assert normalise_document_number(canonical) == canonical
    digits = f"{year}", "0" * zeros + f"{serial}"
    if fullwidth:
        digits = digits[0].translate(FULLWIDTH), digits[1].translate(FULLWIDTH)
    messy = f"{code}{brackets[0]}{digits[0]}{brackets[1]}{'第' if di else ''}{digits[1]}号"
    assert normalise_document_number(messy) == canonical
    text = f"{OFFICE}文件\n{messy}\n关于做好有关工作的通知\n各区人民政府：\n请遵照执行。\n"
    r = recognise(text, authorities=[(OFFICE, code)])
    assert r.doc_number is not None and r.doc_number.value == canonical
    assert (r.issuing_code, r.year, r.serial) == (code, year, serial)
    plain = (brackets == ("〔", "〕")) and not (di or zeros or fullwidth)
    plausible = 1949 <= year <= 2100
    expected = (0.95 if plain else 0.8) - (0 if plausible else 0.3)
    assert r.doc_number.confidence == pytest.approx(expected)


# --------------------------------------------------------------------------------------------
# The other elements
# --------------------------------------------------------------------------------------------


def test_letter_in_letter_format_with_a_loose_number():
    r = recognise(
        "示范市财政局\n"
        "示财函［２０２６］第００７号\n"
        "关于商请提供2026年度预算执行情况的函\n"
        "示范市统计局：\n"
        "为做好预算执行分析工作，请你局于2026年3月20日前提供有关数据。\n"
        "请予函复。\n"
        "示范市财政局\n"
        "2026年3月5日\n",
        authorities=AUTHORITIES,
    )
    assert r.doc_number is not None and r.doc_number.value == "示财函〔2026〕7号"
    assert r.doc_number.confidence == 0.8  # loose, known code
    assert r.doc_type is not None and r.doc_type.value == DocumentType.LETTER
    assert r.issuing_authority is not None and r.issuing_authority.value == "示范市财政局"
    assert r.issuing_authority.confidence >= 0.95  # letterhead, signature and code agree
    assert r.main_recipients is not None and r.main_recipients.value == ["示范市统计局"]
    assert r.date_written is not None and r.date_written.value == datetime.date(2026, 3, 5)
    assert r.signers is None


def test_reply_letter_is_a_letter():
    r = recognise("关于同意设立示范市政务服务中心分中心的复函\n示范市政务服务管理局：\n同意。\n")
    assert r.doc_type is not None and r.doc_type.value == DocumentType.LETTER


def test_request_with_signers_and_a_title_over_two_lines():
    r = recognise(
        "特急\n"
        "示范市交通运输局文件\n"
        "示交请（2026）3号　　　　签发人：张　三　李四\n"
        "关于申请2026年农村公路建设补助资金的\n"
        "请示\n"
        "示范市人民政府：\n"
        "现将有关情况请示如下。\n"
        "妥否，请批示。\n"
        "示范市交通运输局\n"
        "2026年4月1日\n"
    )
    assert r.signers is not None and r.signers.value == ["张三", "李四"]
    assert r.signers.confidence == 0.9
    assert r.doc_number is not None and r.doc_number.value == "示交请〔2026〕3号"
    assert r.doc_number.confidence == 0.7  # loose, code unknown
    assert r.title is not None and r.title.value == "关于申请2026年农村公路建设补助资金的请示"
    assert r.doc_type is not None and r.doc_type.value == DocumentType.REQUEST
    assert r.doc_type.confidence == 0.95  # title and "请批示" agree
    assert r.main_recipients is not None and r.main_recipients.value == ["示范市人民政府"]
    assert r.urgency is not None and r.urgency.value == Urgency.EXTRA_URGENT
    assert r.issuing_authority is not None and r.issuing_authority.value == "示范市交通运输局"
    # Unknown organ: mark (0.8) and signature agree (+0.04), still below a known name.
    assert r.issuing_authority.confidence == 0.84


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("关于进一步优化营商环境的实施意见", DocumentType.OPINION),
        ("关于同意撤销示范镇的批复", DocumentType.REPLY),
        ("关于2025年度政务公开工作情况的报告", DocumentType.REPORT),
        ("关于表彰先进集体的决定", DocumentType.DECISION),
        ("关于第一季度安全生产情况的通报", DocumentType.BULLETIN),
        ("关于修订《示范市政务服务管理办法》的议案", DocumentType.MOTION),
        ("关于加强冬季道路交通管理的通告", DocumentType.PUBLIC_NOTICE),
        ("关于示范市行政区划调整的公告", DocumentType.ANNOUNCEMENT),
        ("关于数据共享工作的意见（试行）", DocumentType.OPINION),
        ("市政府第12次常务会议纪要", DocumentType.MINUTES),
        ("示范市人民政府令", DocumentType.ORDER),
    ],
)
def test_document_type_from_the_title(title: str, kind: DocumentType):
    r = recognise(f"{title}\n正文第一段。\n")
    assert r.doc_type is not None and r.doc_type.value == kind
    assert r.doc_type.evidence == title


def test_order_names_its_authority_and_has_no_recipients():
    r = recognise(
        "示范市人民政府令\n第 5 号\n《示范市政务数据管理办法》已经2026年3月1日市人民政府第12次"
        "常务会议通过，现予公布，自2026年5月1日起施行。\n市长　王五\n2026年3月10日\n",
        authorities=AUTHORITIES,
    )
    assert r.doc_type is not None and r.doc_type.value == DocumentType.ORDER
    assert r.issuing_authority is not None and r.issuing_authority.value == "示范市人民政府"
    assert r.issuing_authority.confidence == 0.85
    assert r.main_recipients is None
    assert r.date_written is not None and r.date_written.value == datetime.date(2026, 3, 10)
    assert r.date_written.confidence == 0.8  # a date line, but "市长　王五" is no organ


def test_signature_date_beats_body_dates():
    signed = recognise(lines_text(NOTICE_LINES))
    unsigned = recognise(
        "关于开展安全生产大检查的通知\n各单位：\n请于2026年5月10日前完成自查。\n2026年5月6日\n"
    )
    body_only = recognise(
        "关于开展安全生产大检查的通知\n各单位：\n检查自2026年5月1日开始，"
        "请于2026年5月10日前完成自查。\n特此通知。\n"
    )
    assert signed.date_written is not None and unsigned.date_written is not None
    assert body_only.date_written is not None
    assert signed.date_written.value == datetime.date(2026, 12, 2)
    assert unsigned.date_written.value == datetime.date(2026, 5, 6)
    assert body_only.date_written.value == datetime.date(2026, 5, 10)  # the last one
    assert (
        signed.date_written.confidence
        > unsigned.date_written.confidence
        > 0.6
        > body_only.date_written.confidence
    )


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2026年12月2日", datetime.date(2026, 12, 2)),
        ("２０２６年１２月２日", datetime.date(2026, 12, 2)),
        ("2026 年 12 月 2 日", datetime.date(2026, 12, 2)),
        ("二〇二六年十二月二日", datetime.date(2026, 12, 2)),
        ("二○二六年一月三十一日", datetime.date(2026, 1, 31)),
        ("二零二六年十月二十日", datetime.date(2026, 10, 20)),
        ("2026-12-02", datetime.date(2026, 12, 2)),
        ("2026.3.5", datetime.date(2026, 3, 5)),
    ],
)
def test_date_spellings(written: str, expected: datetime.date):
    r = recognise(f"关于某事的通知\n各单位：\n正文。\n{OFFICE}\n{written}\n")
    assert r.date_written is not None and r.date_written.value == expected
    assert r.date_written.confidence == 0.95


def test_impossible_dates_are_ignored():
    r = recognise(f"关于某事的通知\n各单位：\n正文。\n{OFFICE}\n2026年2月30日\n")
    assert r.date_written is None


def test_signature_on_the_date_line_and_joint_signatures():
    r = recognise(f"关于某事的通知\n各单位：\n正文。\n{OFFICE}　2026年6月1日\n")
    assert r.date_written is not None and r.date_written.confidence == 0.95
    assert r.issuing_authority is not None and r.issuing_authority.value == OFFICE
    joint = recognise(
        "示范市教育局\n示范市财政局\n文件\n示教发〔2026〕8号\n关于某事的通知\n各学校：\n正文。\n"
        "示范市教育局　　　　示范市财政局\n2026年6月1日\n"
    )
    assert joint.issuing_authority is not None
    assert joint.issuing_authority.value == "示范市教育局"  # the lead organ comes first
    assert joint.issuing_authority.evidence == "示范市教育局\n示范市财政局\n文件"
    assert joint.issuing_authority.confidence == 0.84  # mark and signature agree


def test_no_number_gives_none_and_a_weaker_authority():
    r = recognise(
        "关于开展安全生产大检查的通知\n各单位：\n请认真自查。\n示范市应急管理局\n2026年5月6日\n"
    )
    assert r.doc_number is None
    assert r.issuing_authority is not None and r.issuing_authority.value == "示范市应急管理局"
    assert r.issuing_authority.confidence == 0.7  # the signature alone, an unknown organ


def test_known_authority_raises_confidence_and_gives_the_canonical_name():
    text = "示 范 市 人 民 政 府 文 件\n示政发〔2026〕3号\n关于某事的通知\n各区人民政府：\n正文。\n"
    unknown = recognise(text)
    known = recognise(text, authorities=AUTHORITIES)
    assert unknown.issuing_authority is not None and known.issuing_authority is not None
    assert unknown.issuing_authority.value == known.issuing_authority.value == "示范市人民政府"
    assert known.issuing_authority.confidence > unknown.issuing_authority.confidence


def test_disagreeing_sources_lower_the_authority_confidence():
    agree = recognise(
        f"{OFFICE}文件\n关于某事的通知\n各单位：\n正文。\n{OFFICE}\n2026年6月1日\n",
        authorities=AUTHORITIES,
    )
    disagree = recognise(
        f"{OFFICE}文件\n关于某事的通知\n各单位：\n正文。\n示范市财政局\n2026年6月1日\n",
        authorities=AUTHORITIES,
    )
    assert agree.issuing_authority is not None and disagree.issuing_authority is not None
    assert agree.issuing_authority.value == disagree.issuing_authority.value == OFFICE
    assert agree.issuing_authority.confidence > 0.95 > disagree.issuing_authority.confidence


def test_title_confidence_ordering():
    full = recognise(lines_text(NOTICE_LINES))
    untyped = recognise(f"{OFFICE}文件\n政务服务工作安排\n各单位：\n正文。\n")
    guessed = recognise("政务服务工作安排\n今年的工作如下。\n")
    assert full.title is not None and untyped.title is not None and guessed.title is not None
    assert untyped.title.value == guessed.title.value == "政务服务工作安排"
    assert full.title.confidence > untyped.title.confidence > guessed.title.confidence
    assert untyped.title.confidence <= 0.6 and guessed.title.confidence <= 0.4
    assert untyped.doc_type is None and guessed.doc_type is None


def test_no_title_like_line():
    r = recognise("经研究，同意你单位的申请。\n请按规定办理有关手续。\n此复。\n")
    assert r.title is None
    assert r.main_recipients is None and r.issuing_authority is None
    assert r.doc_type is not None and r.doc_type.value == DocumentType.REPLY  # from "此复"
    assert r.doc_type.confidence <= 0.6
    assert r.body.startswith("经研究")


def test_spaced_out_text_as_some_pdfs_extract_it():
    r = recognise(
        "示 范 市 财 政 局 文 件\n示财发 〔2026〕 4 号\n关 于 做 好 预 算 公 开 工 作 的 通 知\n"
        "各 区 财 政 局 ：\n正 文 。\n附 件 ： 预 算 公 开 模 板\n示 范 市 财 政 局\n2026 年 6 月 1 日\n"
    )
    assert r.title is not None and r.title.value == "关于做好预算公开工作的通知"
    assert r.title.evidence == "关 于 做 好 预 算 公 开 工 作 的 通 知"
    assert r.doc_number is not None and r.doc_number.value == "示财发〔2026〕4号"
    assert r.doc_number.confidence == 0.7  # spaces inside: not as GB/T 9704 writes it
    assert r.issuing_authority is not None and r.issuing_authority.value == "示范市财政局"
    assert r.main_recipients is not None and r.main_recipients.value == ["各区财政局"]
    assert r.attachments is not None and r.attachments.value == ["预算公开模板"]
    assert r.date_written is not None and r.date_written.value == datetime.date(2026, 6, 1)


def test_the_mark_is_never_the_title():
    r = recognise(f"{OFFICE}文件\n示政办发〔2026〕12号\n各单位：\n正文。\n")
    assert r.title is None  # the line after the number is the salutation: no title


def test_recipients_wrapped_over_lines_and_labelled_in_the_imprint():
    wrapped = recognise(
        "关于某事的通知\n各区人民政府，市政府各委、办、局，市各直属机构，\n各人民团体：\n正文。\n"
    )
    assert wrapped.main_recipients is not None
    assert wrapped.main_recipients.value == [
        "各区人民政府",
        "市政府各委、办、局",
        "市各直属机构",
        "各人民团体",
    ]
    imprint = recognise(
        "市政府常务会议纪要\n会议议定事项如下：\n一、同意。\n主送：各区人民政府，市财政局。\n"
    )
    assert imprint.main_recipients is not None
    assert imprint.main_recipients.value == ["各区人民政府", "市财政局"]
    assert imprint.main_recipients.confidence == 0.85


def test_labelled_metadata_as_government_websites_print_it():
    r = recognise(
        "索引号：000014349/2026-00012\n主题分类：综合政务\n发文机关：示范市人民政府\n"
        "成文日期：2026年01月15日\n"
        "标　　题：示范市人民政府关于印发《示范市优化营商环境条例实施办法》的通知\n"
        "发文字号：示政发〔2026〕1号\n发布日期：2026年01月20日\n"
        "各区人民政府，市政府各部门：\n现将《办法》印发给你们，请认真贯彻执行。\n",
        authorities=AUTHORITIES,
    )
    assert r.title is not None
    assert r.title.value == "示范市人民政府关于印发《示范市优化营商环境条例实施办法》的通知"
    assert r.title.confidence == 0.9
    assert r.doc_number is not None and r.doc_number.value == "示政发〔2026〕1号"
    assert r.date_written is not None and r.date_written.value == datetime.date(2026, 1, 15)
    assert r.issuing_authority is not None and r.issuing_authority.value == "示范市人民政府"
    assert r.main_recipients is not None
    assert r.main_recipients.value == ["各区人民政府", "市政府各部门"]
    assert r.body == "现将《办法》印发给你们，请认真贯彻执行。"


def test_classification_and_urgency_variants():
    together = recognise("秘密★1年 加急\n关于某事的通知\n各单位：\n正文。\n")
    assert together.classification is not None and together.classification.value == "秘密★1年"
    assert together.urgency is not None and together.urgency.value == Urgency.URGENT
    assert together.classification.confidence == together.urgency.confidence == 0.9
    alone = recognise("绝密\n关于某事的通知\n各单位：\n正文。\n")
    assert alone.classification is not None and alone.classification.value == "绝密"
    assert alone.classification.confidence == 0.95 and alone.urgency is None
    # A word in a sentence is not a mark.
    body = recognise("关于某事的通知\n各单位：\n本文件不涉及秘密，请特急办理。\n")
    assert body.classification is None and body.urgency is None


def test_cc_over_two_lines_and_before_the_date_is_less_sure():
    r = recognise(
        "关于某事的通知\n各单位：\n正文。\n抄送：市委办公室，市人大常委会办公室，\n市政协办公室。\n"
    )
    assert r.cc is not None
    assert r.cc.value == ["市委办公室", "市人大常委会办公室", "市政协办公室"]
    assert r.cc.confidence == 0.75  # no signed date before it
    assert r.cc.evidence == "抄送：市委办公室，市人大常委会办公室，\n市政协办公室。"


def test_as_dict_is_json_ready():
    r = recognise(lines_text(NOTICE_LINES), authorities=AUTHORITIES)
    data = json.loads(json.dumps(r.as_dict(), ensure_ascii=False))
    assert data["date_written"]["value"] == "2026-12-02"
    assert data["doc_type"]["value"] == "通知"
    assert data["urgency"]["value"] == "特急"
    assert data["issuing_code"] == "示政办发" and data["signers"] is None
    assert data["main_recipients"]["value"][0] == "各区人民政府"


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list(
                "关于的通知函文件：，。、〔〕号年月日一二〇123 \n各局市政府签发人抄送附件★机密特急"
            )
        )
        | st.characters(),
        max_size=400,
    )
)
def test_recognise_never_fails_and_confidences_stay_in_range(text: str):
    r = recognise(text, authorities=AUTHORITIES)
    for name, value in vars(r).items():
        if isinstance(value, recognition.Field):
            assert 0.0 <= value.confidence <= 1.0, name
            assert value.value not in (None, "", [])
    assert isinstance(r.body, str)
