"""Bulk import of staff from CSV and XLSX, with a per-row report."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from tongban.core.errors import InvalidInput
from tongban.org import importing, services
from tongban.org.models import Staff

pytestmark = pytest.mark.django_db

CSV = (
    "登录名,姓名,部门,手机号,身份证号\n"
    "imp.good,好人,EDU,13900001111,11010519491231002X\n"
    "imp.baddept,无部门,NOPE,,\n"
    "\n"
    "imp.badid,错号,EDU,,110105194912310021\n"
    "imp.good2,又一个,FIN,,\n"
)


def test_csv_rows_stand_or_fall_alone(sysadmin, city):
    rows = importing.read_rows("staff.csv", io.BytesIO(CSV.encode("utf-8-sig")))
    report = services.import_staff(sysadmin, rows)
    by_name = {r.username: r for r in report.rows}
    assert by_name["imp.good"].ok and by_name["imp.good"].password
    assert not by_name["imp.baddept"].ok and "NOPE" in by_name["imp.baddept"].errors[0]
    assert by_name["imp.badid"].line == 5 and "id_number" in by_name["imp.badid"].errors[0]
    assert report.imported == 2 and report.failed == 2
    assert set(
        Staff.objects.filter(user__username__startswith="imp.").values_list(
            "user__username", flat=True
        )
    ) == {"imp.good", "imp.good2"}


def test_dry_run_imports_nothing(sysadmin, city):
    rows = importing.read_rows("staff.csv", io.BytesIO(CSV.encode("gb18030")))
    report = services.import_staff(sysadmin, rows, dry_run=True)
    assert report.imported == 0 and report.failed == 2
    assert not Staff.objects.filter(user__username__startswith="imp.").exists()


def test_xlsx_is_read_too(sysadmin, city):
    book = Workbook()
    sheet = book.active
    sheet.append(["username", "display_name", "department"])
    sheet.append(["xlsx.one", "表格人", "EAST"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    report = services.import_staff(sysadmin, importing.read_rows("people.xlsx", buffer))
    assert report.imported == 1
    assert Staff.objects.get(user__username="xlsx.one").department.code == "EAST"


@pytest.mark.parametrize(
    ("name", "content"),
    [("x.txt", b"a,b"), ("x.csv", b""), ("x.csv", b"foo,bar\n1,2\n"), ("x.xlsx", b"not a zip")],
)
def test_unreadable_files_are_refused_clearly(name, content):
    with pytest.raises(InvalidInput):
        importing.read_rows(name, io.BytesIO(content))


def test_import_page_shows_the_report(client, sysadmin, city):
    client.force_login(sysadmin)
    upload = io.BytesIO(CSV.encode())
    upload.name = "staff.csv"
    page = client.post("/org/staff/import/", {"file": upload}).content.decode()
    assert "imp.good" in page and "NOPE" in page
