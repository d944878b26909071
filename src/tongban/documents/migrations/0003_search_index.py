from django.db import migrations

from tongban.core.search import SearchIndex


class Migration(migrations.Migration):
    """The documents' full-text index (FTS5 on SQLite, tsvector + GIN on PostgreSQL)."""

    dependencies = [("documents", "0002_initial")]
    operations = [SearchIndex("documents", columns=("title", "body", "extra")).operation()]
