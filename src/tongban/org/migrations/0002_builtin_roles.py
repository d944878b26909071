from django.db import migrations

from tongban.org.builtin import BUILTIN_POSITIONS, BUILTIN_ROLES


def forwards(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    Position = apps.get_model("org", "Position")
    for spec in BUILTIN_ROLES:
        Role.objects.get_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "description": spec["description"],
                "permissions": [str(p) for p in spec["permissions"]],
                "default_scope": spec["default_scope"],
            },
        )
    for code, name, rank in BUILTIN_POSITIONS:
        Position.objects.get_or_create(code=code, defaults={"name": name, "rank": rank})


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
