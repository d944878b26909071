"""页数 (DA/T 22-2015 §5.5): the catalogue's page count of an item, counted from its PDF files when
it is archived, back-filled for records archived before, shown on the record page and carried in
the transfer package."""

from __future__ import annotations

import importlib
import io
import json
import zipfile

import pytest
from django.apps import apps as django_apps

from tongban.records.models import Record

from .conftest import pdf

pytestmark = pytest.mark.django_db

backfill = importlib.import_module("tongban.records.migrations.0002_backfill_page_counts")


def test_the_pages_of_every_pdf_of_the_item_are_counted(archive):
    record = archive(
        pages=None,
        files=[
            ("正文.pdf", pdf(3), "main"),
            ("附件1.pdf", pdf(2), "attachment"),
            ("附件2.docx", b"PK\x03\x04 a docx has no fixed pages", "attachment"),
            ("发文稿纸.pdf", pdf(1), "processing_slip"),
        ],
    )
    record.refresh_from_db()
    assert record.pages == 6


def test_a_page_count_given_by_the_caller_stands(archive):
    assert archive(pages=9).pages == 9


def test_an_item_without_a_pdf_has_no_count(archive):
    record = archive(pages=None, files=[("正文.txt", "正文".encode(), "main")])
    assert record.pages is None


def test_the_record_page_and_the_package_show_it(client, archive, people):
    record = archive(pages=None, files=[("正文.pdf", pdf(5), "main")])
    client.force_login(people["archivist"])
    page = client.get(f"/records/{record.pk}/").content.decode()
    assert "<dd>5</dd>" in page
    package = client.get(f"/records/{record.pk}/package/")
    assert package.status_code == 200
    bag = zipfile.ZipFile(io.BytesIO(b"".join(package.streaming_content)))
    metadata_name = next(n for n in bag.namelist() if n.endswith("data/metadata.json"))
    metadata = json.loads(bag.read(metadata_name))
    assert metadata["records"][0]["pages"] == 5
    xml_name = next(n for n in bag.namelist() if n.endswith("data/metadata.xml"))
    assert "<pages>5</pages>" in bag.read(xml_name).decode()


def test_records_archived_before_get_their_count_from_the_file_store(archive, people):
    counted = archive(pages=None, files=[("正文.pdf", pdf(2), "main"), ("b.pdf", pdf(4), "other")])
    no_pdf = archive(pages=None, files=[("正文.txt", b"text", "main")])
    given = archive(pages=7)
    Record.objects.filter(pk=counted.pk).update(pages=None)
    backfill.count_pages(django_apps, None)
    assert Record.objects.get(pk=counted.pk).pages == 6
    assert Record.objects.get(pk=no_pdf.pk).pages is None
    assert Record.objects.get(pk=given.pk).pages == 7
    # A disposed record's files are gone: it keeps no count rather than a wrong one.
    Record.objects.filter(pk=counted.pk).update(pages=None)
    counted.files.update(stored=None)
    backfill.count_pages(django_apps, None)
    assert Record.objects.get(pk=counted.pk).pages is None
