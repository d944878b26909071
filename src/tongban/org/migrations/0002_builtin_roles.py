from django.db import migrations

from tongban.org.builtin import BUILTIN_POSITIONS, BUILTIN_ROLES, ensure_role


def forwards(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    Position = apps.get_model("org", "Position")
    for spec in BUILTIN_ROLES:
        ensure_role(Role, spec)
    for code, name, rank in BUILTIN_POSITIONS:
        Position.objects.get_or_create(code=code, defaults={"name": name, "rank": rank})


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
