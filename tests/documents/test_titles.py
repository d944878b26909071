"""Long titles broken as GB/T 9704-2012 §7.3.1 asks: words whole, lines balanced in a trapezoid or
diamond, never a character or the document type alone on a line.

The titles are real documents' titles (number and where each was read beside it); the three
"as printed" ones are the classic examples of 上长下短, 上下等长 and 正梯形 arrangements, quoted with
their published line breaks in "公文标题的13种排列形式" (caiyes.cn/thread-70143-1-1.html).
"""

from __future__ import annotations

import io
import itertools

import pytest
from pypdf import PdfReader

from tongban.core.text import words
from tongban.documents import rendering
from tongban.documents.rendering import DocumentLayout, render_document
from tongban.documents.titles import title_lines, width
from tongban.documents.types import DocumentType

LONG_TITLES = [
    # 国办发〔2019〕39号 (read at cntfj.com/news/5893.html)
    "国务院办公厅关于印发全国深化“放管服”改革优化营商环境电视电话会议重点任务分工方案的通知",
    # 国发〔2024〕3号 (beijing.gov.cn/zhengce/gwywj/202401/t20240116_3537512.html)
    "国务院关于进一步优化政务服务提升行政效能推动“高效办成一件事”的指导意见",
    # 内政发〔2024〕15号 (nmg.gov.cn, the PDF of the document)
    "内蒙古自治区人民政府关于优化政务服务提升行政效能推动“高效办成一件事”的实施意见",
    # 国发〔2020〕8号
    "国务院关于印发新时期促进集成电路产业和软件产业高质量发展若干政策的通知",
    # 国办发〔2022〕5号
    "国务院办公厅关于加快推进政务服务标准化规范化便利化的指导意见",
    # 国办函〔2021〕105号
    "国务院办公厅关于印发全国一体化政务服务平台移动端建设指南的通知",
    "国务院关于提请审议《中华人民共和国外商投资企业和外国企业所得税法（草案）》的议案",
    "中共中央关于接收宋庆龄同志为中国共产党正式党员的决定",
    "全国人民代表大会常务委员会关于教师节的决定",
    # the renderer's own test notice: digits count half
    "示范市人民政府办公厅关于做好2026年度政务服务“一网通办”工作的通知",
]


def boundaries(text: str) -> set[int]:
    """Offsets where one word of the segmenter ends and the next begins."""
    out, offset = set(), 0
    for word in words(text):
        offset += len(word)
        out.add(offset)
    return out


@pytest.mark.parametrize("title", LONG_TITLES)
def test_a_long_title_is_broken_at_words_into_balanced_lines(title: str) -> None:
    lines = title_lines(title, 20)
    assert len(lines) >= 2
    assert "".join(lines) == title  # every character, in order
    # As few lines as the words allow (a line holds 20 characters of 2号).
    assert len(lines) <= -(-width(title) // 20) + 1
    assert all(width(line) <= 20 for line in lines), lines
    # Breaks only between the segmenter's words.
    cuts, offset = set(), 0
    for line in lines[:-1]:
        offset += len(line)
        cuts.add(offset)
    assert cuts <= boundaries(title), lines
    # Balanced: no line under three characters or under half the longest.
    sizes = [width(line) for line in lines]
    assert min(sizes) >= 3 and min(sizes) >= max(sizes) / 2, lines
    # A trapezoid or a diamond: never shorter, then longer again (one character of slack).
    peak = sizes.index(max(sizes))
    assert all(b <= a + 1 for a, b in itertools.pairwise(sizes[peak:])), lines
    assert all(b >= a - 1 for a, b in itertools.pairwise(sizes[: peak + 1])), lines
    # The document type never stands alone on the last line, nor "的" at the start of a line.
    assert lines[-1] not in DocumentType.values and not lines[-1].startswith("的")
    assert len(lines[-1]) > 3
    assert not any(line.startswith(("的", "”", "》", "）")) for line in lines), lines
    assert not any(line.endswith(("“", "《", "（")) for line in lines), lines


def test_the_state_council_notice_takes_three_lines_none_of_them_short() -> None:
    # A plain break at 20 characters leaves "方案的通知" (5 of 44) alone on the third line.
    lines = title_lines(LONG_TITLES[0], 20)
    assert len(lines) == 3
    assert max(map(len, lines)) - min(map(len, lines)) <= 4, lines
    assert lines[-1].endswith("分工方案的通知")


@pytest.mark.parametrize(
    "title, printed",
    [
        (
            "全国人民代表大会常务委员会关于教师节的决定",
            ["全国人民代表大会常务委员会", "关于教师节的决定"],
        ),
        (
            "中共中央关于接收宋庆龄同志为中国共产党正式党员的决定",
            ["中共中央关于接收宋庆龄同志", "为中国共产党正式党员的决定"],
        ),
        (
            "国务院关于提请审议《中华人民共和国外商投资企业和外国企业所得税法（草案）》的议案",
            [
                "国务院关于提请审议",
                "《中华人民共和国外商投资企业",
                "和外国企业所得税法（草案）》的议案",
            ],
        ),
    ],
)
def test_classic_titles_break_as_they_were_printed(title: str, printed: list[str]) -> None:
    assert title_lines(title, 20) == printed


def test_a_short_title_stays_on_one_line_and_nothing_is_empty() -> None:
    assert title_lines("关于做好冬季安全生产工作的通知", 20) == ["关于做好冬季安全生产工作的通知"]
    assert title_lines("", 20) == []
    assert title_lines("   ", 20) == []


def test_a_word_longer_than_a_line_is_cut_where_it_must_be() -> None:
    title = "关于" + "A" * 60 + "的通知"
    lines = title_lines(title, 20)
    assert "".join(lines) == title
    assert all(width(line) <= 20 for line in lines)


def test_a_space_at_a_break_is_dropped_and_words_stay_whole() -> None:
    title = "中共中央办公厅 国务院办公厅关于进一步加强和改进新形势下信访工作的意见"
    lines = title_lines(title, 20)
    assert "".join(lines).replace(" ", "") == title.replace(" ", "")
    assert not any(line != line.strip() for line in lines)


def test_the_title_line_holds_20_characters_of_2hao() -> None:
    # 156 mm of 22 pt characters at the body's letter-spacing (3.1: 28 of 16 pt fill it).
    assert rendering.TITLE_CHARS == 20


def test_the_pdf_prints_the_balanced_lines() -> None:
    rendered = render_document(
        DocumentLayout(
            title=LONG_TITLES[0], body="请结合实际认真贯彻落实。", authority_mark="国务院办公厅文件"
        )
    )
    text = PdfReader(io.BytesIO(rendered.pdf)).pages[0].extract_text()
    printed = [line.strip() for line in text.splitlines()]
    expected = title_lines(LONG_TITLES[0], 20)
    start = printed.index(expected[0])
    assert printed[start : start + len(expected)] == expected
    assert "方案的通知" not in printed  # not the plain break's lonely last line


def test_a_drafters_own_line_breaks_still_stand() -> None:
    title = "示范市人民政府办公厅\n关于做好冬季安全生产工作的通知"
    rendered = render_document(DocumentLayout(title=title, body="正文。", authority_mark="示范市"))
    printed = [
        line.strip()
        for line in PdfReader(io.BytesIO(rendered.pdf)).pages[0].extract_text().splitlines()
    ]
    start = printed.index("示范市人民政府办公厅")
    assert printed[start + 1] == "关于做好冬季安全生产工作的通知"
