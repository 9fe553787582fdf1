from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('auftrag', '0024_metrics')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Municipality',
            name='open_data_licence',
            field=fields.CharField(default='dl-de/by-2-0', max_length=16),
        ),
    ]
