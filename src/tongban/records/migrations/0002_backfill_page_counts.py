"""页数 for the records archived before it was counted: the pages of each record's PDF files, read
from the file store (a record whose files are gone, or that has no PDF, keeps no count)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def count_pages(apps: Any, schema_editor: Any) -> None:
    from tongban.core import files
    from tongban.records.checks import looks_like_pdf, pdf_pages

    Record = apps.get_model("records", "Record")
    RecordFile = apps.get_model("records", "RecordFile")
    for record in Record.objects.filter(pages__isnull=True).only("pk").iterator():
        total = 0
        for item in RecordFile.objects.filter(record_id=record.pk, stored__isnull=False).only(
            "sha256", "name"
        ):
            try:
                with files.open_file(item.sha256) as handle:
                    data = handle.read()
            except (FileNotFoundError, ValueError):
                continue
            if looks_like_pdf(item.name, data):
                total += pdf_pages(data) or 0
        if total:
            Record.objects.filter(pk=record.pk).update(pages=min(total, 100_000))


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]

    operations = [migrations.RunPython(count_pages, migrations.RunPython.noop)]
