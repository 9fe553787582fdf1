from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index



class AddColumnWithDefault(ops.AddField):
    """Adds the column with a database default, so existing municipalities (and inserts
    that do not name it, as bench/harness.py's) get Europe/Berlin: Tortoise's own way
    adds a NOT NULL column without one, which fails on a table that has rows."""

    def __init__(self, *args, sql: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.sql = sql

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor:
            await state_editor.client.execute_script(self.sql)


class Migration(migrations.Migration):
    dependencies = [('auftrag', '0009_council')]

    initial = False

    operations = [
        ops.CreateModel(
            name='LocalHoliday',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('municipality', fields.ForeignKeyField('auftrag.Municipality', source_field='municipality_id', db_constraint=True, to_field='id', related_name='local_holidays', on_delete=OnDelete.CASCADE)),
                ('date', fields.DateField()),
                ('name', fields.CharField(default='', max_length=120)),
            ],
            options={'table': 'municipality_holiday', 'app': 'auftrag', 'unique_together': (('municipality', 'date'),), 'pk_attr': 'id', 'table_description': 'A day off in this municipality only (a carnival Monday, a city festival), no working'},
            bases=['Model'],
        ),
        ops.AddIndex(
            model_name='Mandate',
            index=Index(fields=['municipality_id', 'answer_due_at', 'id']),
        ),
        ops.AddIndex(
            model_name='Mandate',
            index=Index(fields=['municipality_id', 'status', 'answer_due_at', 'first_answer_at']),
        ),
        ops.AddField(
            model_name='Municipality',
            name='state',
            field=fields.CharField(null=True, max_length=2),
        ),
        AddColumnWithDefault(
            model_name='Municipality',
            name='time_zone',
            field=fields.CharField(default='Europe/Berlin', max_length=64),
            sql='ALTER TABLE "municipality" ADD COLUMN "time_zone" VARCHAR(64) NOT NULL '
            "DEFAULT 'Europe/Berlin'",
        ),
    ]
