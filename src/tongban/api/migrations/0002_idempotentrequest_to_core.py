# IdempotentRequest now belongs to core (core/migrations/0002 took over its table).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('api', '0001_initial'),
        ('core', '0003_idempotentrequest'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='IdempotentRequest')],
            database_operations=[],
        ),
    ]
