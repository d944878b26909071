"""Spreadsheet cells: a text a spreadsheet would run as a formula is neutralised, nothing else."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from tongban.core import tabular


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://x","y")', "+1+2", "-1+2", "@SUM(A1)", "\t=1+1", "\r=1+1"],
)
def test_formula_like_texts_get_a_quote_in_csv(text):
    assert tabular.csv_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value", ["关于开展安全检查的通知", "示政办发〔2026〕12号", "", "a=b", -5, 3.5]
)
def test_other_cells_are_written_as_they_are(value):
    assert tabular.csv_cell(value) == value


def test_a_csv_row_read_back_keeps_the_text_after_the_quote():
    out = io.StringIO()
    csv.writer(out).writerow(tabular.csv_row(["=1+1", -1, None, date(2026, 1, 2)]))
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["'=1+1", "-1", "", "2026-01-02"]


def test_xlsx_cells_stay_text_without_a_visible_quote_and_numbers_stay_numbers():
    book = Workbook()
    sheet = book.active
    tabular.append_xlsx_row(sheet, ['=HYPERLINK("http://x","y")', "-1+2", "@x", -7, "通知"])
    out = io.BytesIO()
    book.save(out)
    row = next(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows(min_row=1, max_row=1))
    formula, text, at, number, plain = row
    assert formula.value == '=HYPERLINK("http://x","y")' and formula.data_type == "s"
    assert formula.quotePrefix and text.quotePrefix and at.quotePrefix
    assert text.value == "-1+2" and text.data_type == "s"
    assert number.value == -7 and number.data_type == "n" and not number.quotePrefix
    assert plain.value == "通知" and not plain.quotePrefix
