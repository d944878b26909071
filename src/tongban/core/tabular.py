"""Cells of the spreadsheets the platform writes (CSV and XLSX): text from people stays text.

A spreadsheet program (Excel, WPS, LibreOffice) reads a cell that begins with ``=``, ``+``,
``-`` or ``@`` as a formula, and a tab or a carriage return in front does not stop it: a
document title ``=HYPERLINK("http://x","y")`` in an export becomes a live link, and worse
formulas reach the network or other files (OWASP: "CSV injection", CWE-1236). Every CSV and
XLSX writer of the platform passes its cells through this module:

* CSV has no cell types, so a text cell that starts with one of those characters gets a single
  quote in front (``'=HYPERLINK(…)``), which the spreadsheet shows as text.
* XLSX cells have types: such a text is written as a text cell with the "quote prefix" style,
  which is what Excel itself stores when a person types ``'=…``; the cell shows the text
  unchanged and stays text when someone edits it.

Only ``str`` values are touched: numbers, dates and times keep their type, so a negative amount
written as a number is still a number, while the text ``-1+2`` is neutralised.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: Any) -> bool:
    """Whether a spreadsheet program would read ``value`` as a formula (a text only)."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def csv_cell(value: Any) -> Any:
    """``value`` for a CSV file: a formula-like text gets a leading single quote."""
    return "'" + value if formula_like(value) else value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(value) for value in values]


def append_xlsx_row(sheet: Worksheet, values: Iterable[Any]) -> None:
    """Append a row to an openpyxl sheet; formula-like texts stay text (openpyxl would otherwise
    store a text that starts with ``=`` as a formula)."""
    row = list(values)
    sheet.append(row)
    for cell, value in zip(sheet[sheet.max_row], row, strict=False):
        if formula_like(value):
            cell.value = value
            cell.data_type = "s"
            cell.quotePrefix = True
