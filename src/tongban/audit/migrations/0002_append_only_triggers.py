from django.db import migrations

from tongban.audit.triggers import install


def forwards(apps, schema_editor):
    install(schema_editor, create=True)


def backwards(apps, schema_editor):
    install(schema_editor, create=False)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
