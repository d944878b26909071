from django.db import migrations

from tongban.audit.triggers import install


def forwards(apps, schema_editor):
    install(schema_editor, create=True)
    apps.get_model("audit", "AuditHead").objects.get_or_create(pk=1)


def backwards(apps, schema_editor):
    install(schema_editor, create=False)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
