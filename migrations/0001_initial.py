from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from participation.permissions import Role
from participation.mandates.models import Status
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='MailboxMessage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('to', fields.CharField(db_index=True, max_length=254)),
                ('subject', fields.CharField(max_length=300)),
                ('body', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'mailbox_message', 'app': 'auftrag', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Municipality',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(unique=True, max_length=64)),
                ('name', fields.CharField(max_length=200)),
                ('default_quorum', fields.IntField(default=100)),
                ('signature_period_days', fields.IntField(default=90)),
                ('service_promise_days', fields.IntField(default=5)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'municipality', 'app': 'auftrag', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='District',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('municipality', fields.ForeignKeyField('auftrag.Municipality', source_field='municipality_id', db_constraint=True, to_field='id', related_name='districts', on_delete=OnDelete.CASCADE)),
                ('slug', fields.CharField(max_length=64)),
                ('name', fields.CharField(max_length=200)),
            ],
            options={'table': 'district', 'app': 'auftrag', 'unique_together': (('municipality', 'slug'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=64)),
                ('mandate_id', fields.IntField(null=True)),
                ('payload', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('dispatched_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'outbox_event', 'app': 'auftrag', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(unique=True, max_length=254)),
                ('display_name', fields.CharField(max_length=80)),
                ('email_verified', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'account_user', 'app': 'auftrag', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Mandate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('municipality', fields.ForeignKeyField('auftrag.Municipality', source_field='municipality_id', db_constraint=True, to_field='id', related_name='mandates', on_delete=OnDelete.RESTRICT)),
                ('district', fields.ForeignKeyField('auftrag.District', source_field='district_id', null=True, db_constraint=True, to_field='id', related_name='mandates', on_delete=OnDelete.SET_NULL)),
                ('initiator', fields.ForeignKeyField('auftrag.User', source_field='initiator_id', null=True, db_constraint=True, to_field='id', related_name='mandates', on_delete=OnDelete.SET_NULL)),
                ('title', fields.CharField(max_length=120)),
                ('summary', fields.CharField(max_length=500)),
                ('body', fields.TextField(unique=False)),
                ('body_html', fields.TextField(unique=False)),
                ('status', fields.CharEnumField(default=Status.DRAFT, db_index=True, description='DRAFT: draft\nCOLLECTING: collecting\nSUBMITTED: submitted\nIN_REVIEW: in_review\nACCEPTED: accepted\nIN_PROGRESS: in_progress\nCOMPLETED: completed\nREJECTED: rejected\nWITHDRAWN: withdrawn\nEXPIRED: expired', enum_type=Status, max_length=16)),
                ('quorum', fields.IntField()),
                ('milestone', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closes_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('answer_due_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'mandate', 'app': 'auftrag', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MandateTopic',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('mandate', fields.ForeignKeyField('auftrag.Mandate', source_field='mandate_id', db_constraint=True, to_field='id', related_name='topics', on_delete=OnDelete.CASCADE)),
                ('topic', fields.CharField(db_index=True, max_length=40)),
            ],
            options={'table': 'mandate_topic', 'app': 'auftrag', 'unique_together': (('mandate', 'topic'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Membership',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('auftrag.User', source_field='user_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('municipality', fields.ForeignKeyField('auftrag.Municipality', source_field='municipality_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(description='CITIZEN: citizen\nCOUNCIL: council\nMODERATOR: moderator\nADMIN: admin', enum_type=Role, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'account_membership', 'app': 'auftrag', 'unique_together': (('user', 'municipality', 'role'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SignInToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('auftrag.User', source_field='user_id', db_constraint=True, to_field='id', related_name='sign_in_tokens', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('next_path', fields.CharField(default='/', max_length=300)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'account_sign_in_token', 'app': 'auftrag', 'pk_attr': 'id', 'table_description': 'Only the SHA-256 of the emailed token is stored: a database leak yields no valid links.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Signature',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('mandate', fields.ForeignKeyField('auftrag.Mandate', source_field='mandate_id', db_constraint=True, to_field='id', related_name='signatures', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('auftrag.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='signatures', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'signature', 'app': 'auftrag', 'unique_together': (('mandate', 'user'),), 'pk_attr': 'id', 'table_description': 'One row per person and mandate, guarded by the unique constraint.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SignatureCount',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('mandate', fields.ForeignKeyField('auftrag.Mandate', source_field='mandate_id', db_constraint=True, to_field='id', related_name='counter_shards', on_delete=OnDelete.CASCADE)),
                ('shard', fields.SmallIntField()),
                ('count', fields.IntField(default=0)),
            ],
            options={'table': 'signature_count', 'app': 'auftrag', 'unique_together': (('mandate', 'shard'),), 'pk_attr': 'id', 'table_description': 'One of several counter rows per mandate, summed on read.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TimelineEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('mandate', fields.ForeignKeyField('auftrag.Mandate', source_field='mandate_id', db_constraint=True, to_field='id', related_name='timeline', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=32)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('actor', fields.ForeignKeyField('auftrag.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='timeline_entries', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'timeline_entry', 'app': 'auftrag', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
