from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from participation.costs.models import CostStatus
from participation.plans.models import MeasureStatus
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('auftrag', '0008_verification_levels')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Department',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('municipality', fields.ForeignKeyField('auftrag.Municipality', source_field='municipality_id', db_constraint=True, to_field='id', related_name='departments', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=120)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('retired_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'department', 'app': 'auftrag', 'unique_together': (('municipality', 'name'),), 'pk_attr': 'id', 'table_description': 'A unit of the administration that mandates are assigned to, shown publicly by name.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Measure',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('mandate', fields.ForeignKeyField('auftrag.Mandate', source_field='mandate_id', db_constraint=True, to_field='id', related_name='measures', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('description_html', fields.TextField(default='', unique=False)),
                ('department', fields.ForeignKeyField('auftrag.Department', source_field='department_id', null=True, db_constraint=True, to_field='id', related_name='measures', on_delete=OnDelete.SET_NULL)),
                ('planned_start', fields.DateField()),
                ('planned_end', fields.DateField()),
                ('weight', fields.IntField(null=True)),
                ('status', fields.CharEnumField(default=MeasureStatus.PLANNED, description='PLANNED: planned\nIN_PROGRESS: in_progress\nDONE: done\nDROPPED: dropped', enum_type=MeasureStatus, max_length=16)),
                ('progress', fields.SmallIntField(default=0)),
                ('reason', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'measure', 'app': 'auftrag', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CostAnalysis',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('mandate', fields.ForeignKeyField('auftrag.Mandate', source_field='mandate_id', db_constraint=True, to_field='id', related_name='cost_analyses', on_delete=OnDelete.CASCADE)),
                ('measure', fields.ForeignKeyField('auftrag.Measure', source_field='measure_id', null=True, db_constraint=True, to_field='id', related_name='cost_analyses', on_delete=OnDelete.SET_NULL)),
                ('status', fields.CharEnumField(default=CostStatus.DRAFT, description='DRAFT: draft\nPUBLISHED: published', enum_type=CostStatus, max_length=16)),
                ('revision', fields.IntField(default=1)),
                ('published_revision', fields.IntField(null=True)),
                ('author', fields.ForeignKeyField('auftrag.User', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name='cost_analyses', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'cost_analysis', 'app': 'auftrag', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CostRevision',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('analysis', fields.ForeignKeyField('auftrag.CostAnalysis', source_field='analysis_id', db_constraint=True, to_field='id', related_name='revisions', on_delete=OnDelete.CASCADE)),
                ('number', fields.IntField()),
                ('title', fields.CharField(max_length=200)),
                ('items', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('assumptions', fields.TextField(default='', unique=False)),
                ('assumptions_html', fields.TextField(default='', unique=False)),
                ('one_off_cents', fields.BigIntField(default=0)),
                ('per_year_cents', fields.BigIntField(default=0)),
                ('author', fields.ForeignKeyField('auftrag.User', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name='cost_revisions', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'cost_revision', 'app': 'auftrag', 'unique_together': (('analysis', 'number'),), 'pk_attr': 'id', 'table_description': 'One save of a cost analysis, never changed afterwards, with its totals.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Mandate',
            name='department',
            field=fields.ForeignKeyField('auftrag.Department', source_field='department_id', null=True, db_constraint=True, to_field='id', related_name='mandates', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Mandate',
            name='first_answer_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Mandate',
            name='progress',
            field=fields.SmallIntField(null=True),
        ),
        ops.AddField(
            model_name='Mandate',
            name='promise_kept',
            field=fields.BooleanField(null=True),
        ),
        ops.AddField(
            model_name='Mandate',
            name='promise_overdue_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Mandate',
            name='promise_reminded_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Mandate',
            name='responsible',
            field=fields.ForeignKeyField('auftrag.User', source_field='responsible_id', null=True, db_constraint=True, to_field='id', related_name='responsible_for', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Municipality',
            name='population',
            field=fields.IntField(null=True),
        ),
    ]
