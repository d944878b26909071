"""附件说明 (GB/T 9704-2012 §7.3.4): "附件：名称" for one attachment, "附件：1.名称" and the next numbers
under it for several. A name that already carries "附件1" or "附件2：" (as file names often do)
must not print it twice: "附件：附件1 自评表"."""

from __future__ import annotations

import io
import subprocess
import zipfile

import pytest

from tongban.documents import services
from tongban.documents.rendering import DocumentLayout, attachment_note_name, render_document

from .conftest import draft, issue

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name, printed",
    [
        ("附件1 自评表.docx", "自评表"),
        ("附件2：统计表", "统计表"),
        ("自评表", "自评表"),
        ("附件：统计表", "统计表"),
        ("附件一、工作方案。", "工作方案"),
        ("附件1-2  明细表.XLSX", "明细表"),
        ("附件 3. 报名表", "报名表"),
        ("附件３：汇总表", "汇总表"),
        # 附件 as part of the name stays: no number, separator or space follows it.
        ("附件材料清单", "附件材料清单"),
        ("附件一览表", "附件一览表"),
        ("附件二：附件使用说明", "附件使用说明"),
        # Nothing but the prefix: printed as it is rather than an empty line.
        ("附件1", "附件1"),
    ],
)
def test_the_note_prints_the_name_without_the_prefix_it_carries(name: str, printed: str) -> None:
    assert attachment_note_name(name) == printed


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def layout(attachments: list[str]) -> DocumentLayout:
    return DocumentLayout(
        title="关于开展2026年度绩效自评工作的通知",
        body="请按附件要求完成自评。",
        authority_mark="示范市财政局文件",
        attachments=attachments,
    )


def test_one_attachment_is_printed_without_a_second_fujian() -> None:
    text = pdf_text(render_document(layout(["附件1 自评表.docx"])).pdf)
    assert "附件：自评表" in text
    assert "附件1" not in text and text.count("附件") == 2  # the note's and the body's


def test_several_attachments_are_numbered_by_the_note_alone() -> None:
    text = pdf_text(render_document(layout(["附件1 自评表.docx", "附件2：统计表", "自评说明"])).pdf)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.startswith("附件："))
    assert lines[start : start + 3] == ["附件：1.自评表", "2.统计表", "3.自评说明"]


def test_an_uploaded_file_named_fujian_1_prints_once_and_exports_once(sealing) -> None:
    gov = sealing
    document = draft(gov)
    services.add_attachment(
        gov["drafter"], document.pk, filename="附件1 自评表.docx", data=b"PK not a real docx"
    )
    attachment = document.attachments.get()
    assert attachment.title == "附件1 自评表"  # what the clerk gave is kept as given
    assert services.layout_of(document).attachments == ["附件1 自评表"]
    assert "附件：自评表" in pdf_text(services.pdf_of(document)[0])
    issue(gov, document)
    document.refresh_from_db()
    names = zipfile.ZipFile(io.BytesIO(services.export_package(document))).namelist()
    assert "附件1-自评表.docx" in names
