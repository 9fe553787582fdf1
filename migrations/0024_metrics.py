from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('auftrag', '0023_face')]

    initial = False

    operations = [
        ops.CreateModel(
            name='MetricCell',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('municipality_id', fields.IntField()),
                ('department_id', fields.IntField(default=0)),
                ('service_type', fields.CharField(default='', max_length=64)),
                ('month', fields.CharField(max_length=7)),
                ('measure', fields.CharField(max_length=40)),
                ('value', fields.IntField()),
                ('count', fields.IntField()),
            ],
            options={'table': 'metric_cell', 'app': 'auftrag', 'unique_together': (('municipality_id', 'department_id', 'service_type', 'month', 'measure', 'value'),), 'indexes': [Index(fields=['municipality_id', 'department_id', 'service_type', 'measure', 'month'])], 'pk_attr': 'id', 'table_description': 'A histogram cell: how many cases of one measure had one value in one month.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MetricFact',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=24)),
                ('subject_id', fields.BigIntField()),
                ('municipality_id', fields.IntField()),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'metric_fact', 'app': 'auftrag', 'unique_together': (('kind', 'subject_id'),), 'indexes': [Index(fields=['municipality_id', 'kind'])], 'pk_attr': 'id', 'table_description': 'What one subject (a mandate, a comment, a visit) contributes to the tables.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MetricParticipant',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('municipality_id', fields.IntField()),
                ('month', fields.CharField(max_length=7)),
                ('person', fields.CharField(max_length=32)),
                ('refs', fields.IntField()),
            ],
            options={'table': 'metric_participant', 'app': 'auftrag', 'unique_together': (('municipality_id', 'month', 'person'),), 'pk_attr': 'id', 'table_description': 'One person who took part in a municipality in a month.'},
            bases=['Model'],
        ),
    ]
