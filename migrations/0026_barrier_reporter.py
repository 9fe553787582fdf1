from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("auftrag", "0025_open_data")]

    initial = False

    operations = [
        ops.AddField(
            model_name="BarrierReport",
            name="reporter",
            field=fields.ForeignKeyField(
                "auftrag.User",
                source_field="reporter_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name=False,
                on_delete=OnDelete.SET_NULL,
            ),
        ),
    ]
