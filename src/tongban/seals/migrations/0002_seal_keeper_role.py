from django.db import migrations

from tongban.org.builtin import BUILTIN_ROLES


def forwards(apps, schema_editor):
    """Installations made before the seals app get the seal keeper's role too."""
    Role = apps.get_model("org", "Role")
    spec = next(r for r in BUILTIN_ROLES if r["code"] == "seal_keeper")
    Role.objects.get_or_create(
        code=spec["code"],
        defaults={
            "name": spec["name"],
            "description": spec["description"],
            "permissions": [str(p) for p in spec["permissions"]],
            "default_scope": spec["default_scope"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [("seals", "0001_initial"), ("org", "0002_builtin_roles")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
