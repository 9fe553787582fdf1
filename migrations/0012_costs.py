from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('auftrag', '0011_answers')]

    initial = False

    operations = [
        ops.AddField(
            model_name='CostRevision',
            name='author_role',
            field=fields.CharField(null=True, max_length=16),
        ),
    ]
