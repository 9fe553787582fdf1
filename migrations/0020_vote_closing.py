from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('auftrag', '0019_notifications')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Vote',
            name='closing_announced_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
