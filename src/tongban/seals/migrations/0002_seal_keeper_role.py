from django.db import migrations

from tongban.org.builtin import BUILTIN_ROLES, ensure_role


def forwards(apps, schema_editor):
    """Installations made before the seals app get the seal keeper's role too."""
    Role = apps.get_model("org", "Role")
    ensure_role(Role, next(r for r in BUILTIN_ROLES if r["code"] == "seal_keeper"))


class Migration(migrations.Migration):
    dependencies = [("seals", "0001_initial"), ("org", "0002_builtin_roles")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
