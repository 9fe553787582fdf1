from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('auftrag', '0015_ratings')]

    initial = False

    operations = [
        ops.AddField(
            model_name='TimelineEntry',
            name='municipality_id',
            field=fields.IntField(null=True),
        ),
        ops.RunSQL(
            "UPDATE timeline_entry SET municipality_id = "
            "(SELECT mandate.municipality_id FROM mandate WHERE mandate.id = timeline_entry.mandate_id)",
            reverse_sql="SELECT 1",
        ),
        ops.AddIndex(
            model_name='TimelineEntry',
            index=Index(fields=['mandate_id', 'id']),
        ),
        ops.AddIndex(
            model_name='TimelineEntry',
            index=Index(fields=['municipality_id', 'id']),
        ),
    ]
