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
    ]
