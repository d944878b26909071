from django.db import migrations

from tongban.org.builtin import add_builtin_permissions


def forwards(apps, schema_editor):
    """Installations made before the documents and records apps: the built-in roles get the
    permissions for documents and records, and the archivist's role (档案员) is created."""
    add_builtin_permissions(
        apps.get_model("org", "Role"),
        ["clerk", "division_head", "bureau_head", "city_leader", "archivist"],
    )


class Migration(migrations.Migration):
    dependencies = [("org", "0002_builtin_roles"), ("seals", "0002_seal_keeper_role")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
