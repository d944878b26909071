"""Reading staff rows from CSV or XLSX uploads for ``services.import_staff``."""

from __future__ import annotations

import csv
import io
from typing import IO

from django.utils.translation import gettext as _

from tongban.core.errors import InvalidInput

COLUMNS = [
    "username",
    "display_name",
    "department",
    "position",
    "phone",
    "id_number",
    "email",
    "office_phone",
]
REQUIRED = {"username", "display_name", "department"}
MAX_ROWS = 5000
ALIASES = {
    "登录名": "username",
    "用户名": "username",
    "姓名": "display_name",
    "部门": "department",
    "部门代码": "department",
    "职务": "position",
    "手机": "phone",
    "手机号": "phone",
    "身份证号": "id_number",
    "居民身份证号": "id_number",
    "邮箱": "email",
    "电子邮箱": "email",
    "办公电话": "office_phone",
}


def _normalise_header(cells: list[object]) -> list[str]:
    names = []
    for cell in cells:
        name = str(cell or "").strip().lstrip("\ufeff")
        names.append(ALIASES.get(name, name.lower()))
    missing = REQUIRED - set(names)
    if missing:
        raise InvalidInput(
            _("The first row must name the columns; missing: %(cols)s")
            % {"cols": ", ".join(sorted(missing))},
            field="file",
        )
    return names


def _rows(header: list[str], data: list[list[object]]) -> list[dict[str, str]]:
    if len(data) > MAX_ROWS:
        raise InvalidInput(_("At most %(n)d rows per file.") % {"n": MAX_ROWS}, field="file")
    out = []
    for index, cells in enumerate(data, start=2):
        if not any(str(c or "").strip() for c in cells):
            continue
        row = {
            name: str(cells[i]).strip() if i < len(cells) and cells[i] is not None else ""
            for i, name in enumerate(header)
            if name in COLUMNS
        }
        row["_line"] = str(index)
        out.append(row)
    return out


def read_rows(filename: str, stream: IO[bytes]) -> list[dict[str, str]]:
    """Rows as dicts keyed by column name; Chinese column names are understood too."""
    name = filename.lower()
    raw = stream.read()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(raw), read_only=True, data_only=True).active
        except Exception as exc:
            raise InvalidInput(
                _("The file is not a readable XLSX workbook."), field="file"
            ) from exc
        values = [list(row) for row in sheet.iter_rows(values_only=True)]  # type: ignore[union-attr]
    elif name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise InvalidInput(_("The CSV file is neither UTF-8 nor GB18030 text."), field="file")
        values = [list(r) for r in csv.reader(io.StringIO(text))]
    else:
        raise InvalidInput(_("Upload a .csv or .xlsx file."), field="file")
    if not values:
        raise InvalidInput(_("The file is empty."), field="file")
    return _rows(_normalise_header(values[0]), values[1:])
