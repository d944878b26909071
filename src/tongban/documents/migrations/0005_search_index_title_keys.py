from django.db import migrations

from tongban.core.search import SearchIndex


class Migration(migrations.Migration):
    """The index gains the title's keys on SQLite (core.search: a page of results ranks the
    title hits on their own); the entries are kept."""

    dependencies = [("documents", "0004_attachment_filename_statuses")]
    operations = [SearchIndex("documents", columns=("title", "body", "extra")).upgrade_operation()]
