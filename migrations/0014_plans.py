from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('auftrag', '0013_files')]

    initial = False

    operations = [
        ops.CreateModel(
            name='MeasureMilestone',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('measure', fields.ForeignKeyField('auftrag.Measure', source_field='measure_id', db_constraint=True, to_field='id', related_name='milestones', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=200)),
                ('date', fields.DateField(db_index=True)),
                ('description', fields.TextField(default='', unique=False)),
                ('description_html', fields.TextField(default='', unique=False)),
                ('reached_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'measure_milestone', 'app': 'auftrag', 'pk_attr': 'id', 'table_description': 'A dated step of a measure, put on the public timeline once its day has come.'},
            bases=['Model'],
        ),
    ]
