"""The shapes real archives hold (issue 14, item 3), each recognised and imported whole.

Where the corpus (tests/documents/corpus/, real documents) has a sample, the test reads it;
the other shapes are minimal excerpts in the form the issue quotes them (the number and date of
苏政办发〔2002〕126号, a number without its year, 科 技 部 spaced out, (代章), 国发 〔2011〕 12 号,
joint issuers two to a line, a list of related links); they say so.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from pathlib import Path

import pytest

from tongban.documents import importing, recognition
from tongban.documents.models import Document, ImportItem, ImportStatus
from tongban.documents.recognition import recognise

CORPUS = Path(__file__).parent / "corpus"


def corpus_text(name_start: str) -> str:
    path = next(CORPUS.glob(f"{name_start}*"))
    return recognition.extract_text(path.name, path.read_bytes()).text


def value(field: recognition.Field | None) -> object:
    assert field is not None
    return field.value


# --- real samples -------------------------------------------------------------------------------


def test_an_issuer_named_only_in_the_title():
    """镇巴县人民政府工作规则 (corpus 28): a text without cover, signature or mark, in a website
    box whose 发文机构 says 县政府网站; the issuer is the organ the title starts with."""
    r = recognise(corpus_text("28-"))
    assert value(r.title) == "镇巴县人民政府工作规则"
    assert value(r.issuing_authority) == "镇巴县人民政府"
    assert value(r.doc_number) == "镇政发〔2024〕7号"
    assert r.date_written is None  # the box's 发文日期 is a posting time (16:40)


def test_a_title_over_two_lines_and_a_website_box_with_values_on_the_next_line():
    r = recognise(corpus_text("01-"))  # gov.cn page: 索 引 号： / 000014349/2004-00207 …
    assert value(r.title) == "国务院办公厅关于湖北省巴东县地质灾害险情有关问题的复函"
    assert value(r.doc_number) == "国办函〔2004〕80号"
    # The attachments after the signature carry their own signatures and dates.
    assert value(r.date_written) == datetime.date(2004, 11, 4)
    assert value(r.issuing_authority) == "国务院办公厅"


def test_joint_issuers_one_per_line_above_the_date():
    r = recognise(corpus_text("24-"))  # 中共岳阳市委办公室 / 岳阳市人民政府办公室 / 2017年1月10日
    assert value(r.issuing_authority) == "中共岳阳市委办公室"
    assert value(r.issuers) == ["中共岳阳市委办公室", "岳阳市人民政府办公室"]
    assert value(r.doc_number) == "岳办发〔2017〕2号"  # only in the page's heading line
    assert value(r.date_written) == datetime.date(2017, 1, 10)


def test_the_whole_text_on_one_line():
    r = recognise(corpus_text("34-"))  # 总工发〔2023〕23号, an export that lost its line breaks
    assert value(r.title) == "中华全国总工会关于印发《工会参与劳动争议处理办法》的通知"
    assert value(r.doc_number) == "总工发〔2023〕23号"
    assert value(r.issuing_authority) == "中华全国总工会"
    assert value(r.date_written) == datetime.date(2023, 12, 28)


def test_no_title_line_the_text_starts_at_the_addressee():
    r = recognise(corpus_text("26-"))  # 禄丰: the cover notice, then the rules it issues
    assert r.title is None  # the rules' own title after the signature is not the document's
    assert value(r.issuing_authority) == "禄丰市人民政府"
    assert value(r.date_written) == datetime.date(2024, 11, 20)


def test_a_cover_notice_wrapping_a_text_with_its_own_title_issuer_and_date():
    r = recognise(corpus_text("10-"))  # 国办发〔1997〕11号 转发 民政部's opinion
    assert value(r.title) == "国务院办公厅转发民政部关于清理整顿社会团体意见的通知"
    assert value(r.issuing_authority) == "国务院办公厅"  # not 民政部 of the forwarded opinion
    assert value(r.date_written) == datetime.date(1997, 4, 8)  # not 1997-01-28


def test_website_leftovers_are_kept_but_not_taken_for_metadata():
    r = recognise(corpus_text("35-"))  # 太湖: box with 发布机构 (the posting office), 发文日期
    assert value(r.title) == "太湖县人民政府关于印发《太湖县人民政府工作规则》的通知"
    assert value(r.issuing_authority) == "太湖县人民政府"  # not 太湖县人民政府办公室
    assert value(r.date_written) == datetime.date(2019, 1, 17)  # not the box's 2019-01-23
    assert r.doc_number is None  # 文号: empty


def test_a_spaced_out_issuer_and_a_date_with_a_digit_among_chinese_numerals():
    r = recognise(corpus_text("19-"))  # 国 务 院 / 二0一三年八月六日
    assert value(r.issuing_authority) == "国务院"
    assert value(r.date_written) == datetime.date(2013, 8, 6)


def test_a_number_with_a_letter_o_for_a_zero_in_parentheses():
    r = recognise(corpus_text("22-"))  # (国函[20O0]31号)
    assert value(r.doc_number) == "国函〔2000〕31号"


def test_a_chinese_numeral_date_with_letters_o():
    r = recognise(corpus_text("29-"))  # 二OO三年十二月四日, no signature above it
    assert value(r.date_written) == datetime.date(2003, 12, 4)
    assert value(r.doc_number) == "吉府发〔2003〕37号"  # "( 吉府发〔2003〕37号 )"


# --- minimal excerpts of the shapes the issue quotes --------------------------------------------


def test_number_and_date_on_one_line():
    r = recognise(
        "江苏省人民政府办公厅文件\n"
        "苏政办发〔2002〕126号　　　　2002年12月3日\n"
        "关于加强政务信息工作的通知\n"
        "各市、县人民政府，省各委、办、厅、局，省各直属单位：\n"
        "现就有关事项通知如下。\n"
    )
    assert value(r.doc_number) == "苏政办发〔2002〕126号"
    assert value(r.title) == "关于加强政务信息工作的通知"  # neither number nor date in it
    assert value(r.date_written) == datetime.date(2002, 12, 3)


def test_a_number_without_its_year_running_on_with_the_salutation():
    r = recognise(
        "示范市人民政府关于加强安全生产工作的意见\n"
        "示政发28号各区人民政府，市政府各部门：\n"
        "为进一步加强安全生产工作，现提出如下意见。\n"
        "示范市人民政府\n"
        "二〇〇五年三月八日\n"
    )
    assert value(r.doc_number) == "示政发28号"
    assert r.year is None
    assert value(r.main_recipients) == ["各区人民政府", "市政府各部门"]
    assert value(r.issuing_authority) == "示范市人民政府"
    assert value(r.date_written) == datetime.date(2005, 3, 8)


def test_a_joint_title_and_joint_issuers_two_to_a_line():
    r = recognise(
        "中共示范市委办公厅、示范市人民政府办公厅关于进一步加强\n"
        "基层政务公开工作的意见\n"
        "示办发〔2012〕9号\n"
        "各区委、区人民政府，市委各部委，市级国家机关各部门：\n"
        "现提出如下意见。\n"
        "中共示范市委办公厅　　示范市人民政府办公厅\n"
        "示范市财政局　　　　　示范市教育局\n"
        "示范市人力资源和社会保障局\n"
        "2012年4月6日\n"
    )
    assert (
        value(r.title)
        == "中共示范市委办公厅、示范市人民政府办公厅关于进一步加强基层政务公开工作的意见"
    )
    assert value(r.issuing_authority) == "中共示范市委办公厅"
    assert value(r.issuers) == [
        "中共示范市委办公厅",
        "示范市人民政府办公厅",
        "示范市财政局",
        "示范市教育局",
        "示范市人力资源和社会保障局",
    ]
    assert value(r.date_written) == datetime.date(2012, 4, 6)


def test_spaced_characters_a_spaced_number_and_a_chinese_numeral_date():
    r = recognise(
        "科 技 部 文 件\n"
        "国科发 〔2011〕 12 号\n"
        "关于加强科技计划项目管理的通知\n"
        "各省、自治区、直辖市科技厅（委、局）：\n"
        "现将有关事项通知如下。\n"
        "科 技 部\n"
        "二〇一一年五月十日\n"
    )
    assert value(r.issuing_authority) == "科技部"
    assert value(r.doc_number) == "国科发〔2011〕12号"
    assert value(r.date_written) == datetime.date(2011, 5, 10)


def test_a_signature_with_dai_zhang():
    r = recognise(
        "关于做好春节期间值班工作的通知\n各街道办事处，区政府各部门：\n请安排好值班。\n"
        "示范市东城区人民政府办公室（代章）\n2014年1月20日\n"
    )
    assert value(r.issuing_authority) == "示范市东城区人民政府办公室"
    assert value(r.date_written) == datetime.date(2014, 1, 20)


def test_a_list_of_related_links_carrying_other_numbers_and_dates():
    r = recognise(
        "示范市人民政府关于调整最低工资标准的通知\n"
        "示政发〔2013〕5号\n"
        "各区人民政府：\n"
        "经研究，现调整本市最低工资标准。\n"
        "示范市人民政府\n"
        "2013年3月1日\n"
        "相关链接\n"
        "示范市人民政府关于调整最低工资标准的通知（示政发〔2011〕8号） 2011-02-01\n"
        "2012年3月5日 示范市人力资源和社会保障局关于工资指导线的通知\n"
    )
    assert value(r.doc_number) == "示政发〔2013〕5号"
    assert value(r.date_written) == datetime.date(2013, 3, 1)


# --- import: nothing refused, nothing lost, nothing twice ---------------------------------------

ONE_LINE = (
    "示范市人民政府办公厅关于印发《示范市政务公开工作要点》的通知示政办发〔2015〕3号"
    "各区人民政府，市政府各部门：《示范市政务公开工作要点》已经市政府同意，现印发给你们，"
    "请认真贯彻执行。示范市人民政府办公厅2015年3月2日示范市政务公开工作要点一、推进决策公开。"
    "各部门要把公众参与贯穿决策全过程，重大决策事先公开征求意见。二、推进执行公开。"
    + "各部门要公开重点工作的进展和成效。"
    * 20
)


@pytest.mark.django_db
def test_a_document_without_any_metadata_is_imported_with_a_provisional_title(gov):
    text = "各单位：\n请于本周五前报送材料。\n"
    [report] = importing.import_files(gov["fin_clerk"], [("值班安排.txt", text.encode())])
    assert report.ok
    document = Document.objects.get(pk=report.document_id)
    assert document.title == "值班安排"  # the file's name until a clerk completes it
    assert document.issuing_authority == ""
    assert document.body == text.strip()
    review = document.import_review
    assert review.to_check == {
        "title": "missing",
        "issuing_authority": "missing",
        "doc_number": "missing",
        "date_written": "missing",
        "doc_type": "missing",
    }


@pytest.mark.django_db
def test_the_same_folder_imported_twice_makes_each_document_once(gov, tmp_path, capsys):
    from django.core.management import call_command

    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "a.txt").write_text(ONE_LINE, encoding="utf-8")
    (folder / "b.txt").write_text(corpus_text("31-"), encoding="utf-8")
    with pytest.raises(SystemExit) as first:
        call_command("documents", "import", str(folder), "--user", "fin_clerk")
    assert first.value.code == 0
    assert Document.objects.count() == 2
    with pytest.raises(SystemExit) as second:
        call_command("documents", "import", str(folder), "--user", "fin_clerk")
    assert second.value.code == 0
    assert Document.objects.count() == 2
    out = capsys.readouterr().out
    assert "imported 0 of 2 files; already imported before: 2" in out
    assert out.count(" same ") == 2


@pytest.mark.django_db
def test_the_same_text_in_another_format_is_recognised_and_another_unit_has_its_own(gov):
    import docx as python_docx

    document = python_docx.Document()
    for line in corpus_text("31-").splitlines():
        document.add_paragraph(line)
    import io

    buffer = io.BytesIO()
    document.save(buffer)
    [first] = importing.import_files(gov["fin_clerk"], [("a.txt", corpus_text("31-").encode())])
    [again] = importing.import_files(gov["fin_clerk"], [("a.docx", buffer.getvalue())])
    assert again.duplicate and again.document_id == first.document_id
    assert again.message.startswith("此前已导入：")
    item = ImportItem.objects.get(filename="a.docx")
    assert item.status == ImportStatus.DUPLICATE and item.document_id == first.document_id
    # Another unit's archive is its own: the same file is imported there too.
    [other] = importing.import_files(gov["edu_clerk"], [("a.txt", corpus_text("31-").encode())])
    assert other.ok and not other.duplicate and other.document_id != first.document_id


@pytest.mark.django_db
def test_two_equal_files_in_one_batch_register_once(gov):
    clerk = gov["fin_clerk"]
    batch = importing.start_batch(
        clerk, [("a.txt", ONE_LINE.encode()), ("b.txt", ONE_LINE.encode())]
    )
    while importing.progress(batch).waiting:
        importing.process_next(clerk, batch.pk)
    first, second = batch.items.order_by("order")
    importing.register_item(clerk, first.pk, {})
    from tongban.core.errors import Conflict

    with pytest.raises(Conflict):
        importing.register_item(clerk, second.pk, {})
    second.refresh_from_db()
    assert second.status == ImportStatus.DUPLICATE
    assert Document.objects.count() == 1


@pytest.mark.django_db
def test_a_one_line_document_is_imported_whole_with_its_metadata(gov):
    [report] = importing.import_files(gov["fin_clerk"], [("x.txt", ONE_LINE.encode())])
    document = Document.objects.get(pk=report.document_id)
    assert document.doc_number == "示政办发〔2015〕3号"
    assert document.title == "示范市人民政府办公厅关于印发《示范市政务公开工作要点》的通知"
    assert document.date_written == datetime.date(2015, 3, 2)
    assert not Counter(re.sub(r"\s", "", ONE_LINE)) - Counter(re.sub(r"\s", "", document.body))


# --- two more real pages, read after the corpus was measured (stored copies of the pages) ------


def test_a_one_line_page_whose_line_breaks_became_spaces():
    """http://lsbar.com:8000/law/80019 (兰州市人民政府办公厅, 2005): a 转发 notice and the
    forwarded bulletin on one line, spaces where the lines ended."""
    r = recognise(LANZHOU)
    assert value(r.title) == (
        "兰州市人民政府办公厅转发省环保专项行动联席会议办公室关于国务院联合督查组对我省专项行动"
        "督查情况的通报的通知"
    )
    assert value(r.issuing_authority) == "兰州市人民政府办公厅"
    assert value(r.date_written) == datetime.date(2005, 11, 21)
    assert r.doc_number is None


def test_a_site_tag_before_a_number_that_runs_on_with_the_salutation():
    """https://soolun.net/periodical/684717d99c94abcfc6f843418a863b1c.html: 鄂政办发[2007]114号
    behind a site's 【正】, followed at once by the addressee."""
    r = recognise(
        "论文部分内容阅读\n【正】鄂政办发[2007]114号各市、州、县人民政府,省政府各部门:《中华人民共和国"
        "政府信息公开条例》(国务院令第492号,以下简称《条例》)将于2008年5月1日起施行。为切实做好"
        "各项准备工作,确保《条例》全面、正确、有效施行,经省人民政府同意,现就有关事项通知如下:"
        "一、充分认识贯彻施行《条例》的重要性和紧迫性\n"
    )
    assert value(r.doc_number) == "鄂政办发〔2007〕114号"
    assert value(r.main_recipients)[-1] == "省政府各部门"  # the salutation is its own line
    assert r.issuing_authority is None and r.date_written is None
    # The page's own words before it are no title; a guess is left for review.
    assert r.title is not None and r.title.value == "论文部分内容阅读【正】"
    assert r.title.confidence < importing.REVIEW_BELOW


LANZHOU = (
    "兰州市人民政府办公厅转发省环保专项行动联席会议办公室关于国务院联合督查组对我省专项行动督查情况的"
    "通报的通知 各县、区人民政府,市政府各有关部门: 2005年11月11日至14日, 国务院联合督查组在对我省环保"
    "专项行动督查期间,利用两天时间,对我市环保专项行动进行了现场检查,并听取了市政府的工作汇报。11月14日,"
    "督查组向省、市政府反馈了督查意见。现将省环保专项行动联席会议办公室《关于国务院联合督查组对我省专项"
    "行动督查情况的通报》转发给你们,希望你们针对通报中提出的问题,结合实际,认真研究,切实整改,确保环保专项"
    "行动真正落到实处,见到实效。 二○○五年十一月二十一日 附: 关于国务院联合督查组对我省专项行动督查情况的"
    "通报 各市州人民政府: 根据《国务院办公厅关于深入开展整治违法排污企业保障群众健康环保专项行动的通知》"
    "要求,由监察部陈昌智副部长带队的国务院联合督查组于11月11日至14日对我省环保专项行动工作进行了督查。"
    "督查组在听取省政府关于我省开展专项行动情况的汇报后,对兰州市、白银市进行了现场检查。14日上午,督查组"
    "向省政府反馈了督查意见,省政府杨志明副省长、朱宏副秘书长及专项行 |\n"
)


@pytest.mark.django_db
def test_a_joint_document_keeps_its_lead_as_issuer_and_all_organs_as_signature(gov):
    path = next(CORPUS.glob("24-*"))
    [report] = importing.import_files(gov["fin_clerk"], [(path.name, path.read_bytes())])
    document = Document.objects.get(pk=report.document_id)
    assert document.issuing_authority == "中共岳阳市委办公室"
    assert document.signature == "中共岳阳市委办公室、岳阳市人民政府办公室"
    # A clerk who names another issuer when registering drops the recognised joint signature.
    batch = importing.start_batch(gov["edu_clerk"], [(path.name, path.read_bytes())])
    importing.process_next(gov["edu_clerk"], batch.pk)
    other = importing.register_item(
        gov["edu_clerk"], batch.items.get().pk, {"issuing_authority": "岳阳市人民政府办公室"}
    )
    assert other.signature == "岳阳市人民政府办公室"
