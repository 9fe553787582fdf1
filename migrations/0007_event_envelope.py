from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('auftrag', '0006_residence')]

    initial = False

    operations = [
        ops.AddField(
            model_name='OutboxEvent',
            name='subject_type',
            field=fields.CharField(max_length=32, default='platform'),
        ),
        ops.AddField(
            model_name='OutboxEvent',
            name='subject_id',
            field=fields.BigIntField(default=0),
        ),
        ops.AddField(
            model_name='OutboxEvent',
            name='municipality_id',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='OutboxEvent',
            name='actor_id',
            field=fields.IntField(null=True),
        ),
        ops.RunSQL(
            "UPDATE outbox_event SET subject_type = 'mandate', subject_id = mandate_id "
            "WHERE mandate_id IS NOT NULL",
            reverse_sql="UPDATE outbox_event SET mandate_id = subject_id "
            "WHERE subject_type = 'mandate'",
        ),
        ops.RemoveField(model_name='OutboxEvent', name='mandate_id'),
        ops.AlterField(
            model_name='OutboxEvent',
            name='subject_type',
            field=fields.CharField(max_length=32),
        ),
        ops.AlterField(
            model_name='OutboxEvent',
            name='subject_id',
            field=fields.BigIntField(),
        ),
        ops.AlterField(
            model_name='OutboxEvent',
            name='created_at',
            field=fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True),
        ),
        ops.AddIndex(
            model_name='OutboxEvent',
            index=Index(fields=['subject_type', 'subject_id']),
        ),
        ops.RemoveField(model_name='OutboxEvent', name='dispatched_at'),
        ops.CreateModel(
            name='OutboxConsumer',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('watermark', fields.BigIntField(default=0)),
            ],
            options={'table': 'outbox_consumer', 'app': 'auftrag', 'pk_attr': 'name', 'table_description': 'How far a consumer got: every event with an id up to `watermark` is delivered to it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxDelivery',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('consumer', fields.CharField(max_length=64)),
                ('event_id', fields.BigIntField()),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('attempts', fields.IntField(default=0)),
                ('retry_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('error', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'outbox_delivery', 'app': 'auftrag', 'unique_together': (('consumer', 'event_id'),), 'pk_attr': 'id', 'table_description': "One consumer's claim on one event above its watermark, until the watermark passes it."},
            bases=['Model'],
        ),
    ]
