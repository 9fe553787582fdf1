from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from notifications.models import Cadence, Channel, EmailStatus, FollowSubject, Reason
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('auftrag', '0018_comments')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DeadLetter',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('task', fields.CharField(max_length=100)),
                ('kwargs', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('municipality_id', fields.IntField(null=True)),
                ('tries', fields.IntField()),
                ('error', fields.TextField(unique=False)),
                ('failed_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('retried_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'dead_letter', 'app': 'auftrag', 'pk_attr': 'id', 'table_description': 'A job that failed on every try, kept with its arguments until an administrator'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Follow',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('auftrag.User', source_field='user_id', db_constraint=True, to_field='id', related_name='follows', on_delete=OnDelete.CASCADE)),
                ('municipality', fields.ForeignKeyField('auftrag.Municipality', source_field='municipality_id', db_constraint=True, to_field='id', related_name='follows', on_delete=OnDelete.CASCADE)),
                ('subject_type', fields.CharEnumField(description='MANDATE: mandate\nDISTRICT: district\nTOPIC: topic\nVOTE: vote', enum_type=FollowSubject, max_length=16)),
                ('subject_key', fields.CharField(max_length=120)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'notification_follow', 'app': 'auftrag', 'unique_together': (('user', 'municipality', 'subject_type', 'subject_key'),), 'indexes': [Index(fields=['subject_type', 'subject_key', 'active'])], 'pk_attr': 'id', 'table_description': 'Someone follows a mandate, a district, a topic or a vote. Launching and co-signing'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('recipient', fields.ForeignKeyField('auftrag.User', source_field='recipient_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('event_id', fields.BigIntField()),
                ('event_name', fields.CharField(max_length=64)),
                ('reason', fields.CharEnumField(description='DIRECT: direct\nMENTION: mention\nREPLY: reply\nINITIATOR: initiator\nPARTICIPANT: participant\nSIGNER: signer\nVOTER: voter\nFOLLOWER: follower\nCOUNCIL: council\nADMINISTRATOR: administrator\nINVITED: invited', enum_type=Reason, max_length=16)),
                ('municipality_id', fields.IntField(null=True)),
                ('subject_type', fields.CharField(max_length=32)),
                ('subject_id', fields.BigIntField()),
                ('group_key', fields.CharField(max_length=128)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('in_inbox', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notification', 'app': 'auftrag', 'unique_together': (('recipient', 'event_id'),), 'indexes': [Index(fields=['recipient_id', 'in_inbox', 'read_at', 'id']), Index(fields=['recipient_id', 'id']), Index(fields=['event_id'])], 'pk_attr': 'id', 'table_description': 'One person told of one event, at most once (the unique key), whichever way she is'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EmailDelivery',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('notification', fields.OneToOneField('auftrag.Notification', source_field='notification_id', db_constraint=True, to_field='id', related_name='email', on_delete=OnDelete.CASCADE)),
                ('recipient_id', fields.IntField()),
                ('cadence', fields.CharEnumField(description='IMMEDIATE: immediate\nDAILY: daily\nWEEKLY: weekly\nOFF: off', enum_type=Cadence, max_length=16)),
                ('status', fields.CharEnumField(default=EmailStatus.PENDING, description='PENDING: pending\nSENT: sent\nCANCELLED: cancelled\nDEAD: dead', enum_type=EmailStatus, max_length=16)),
                ('not_before', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('attempts', fields.IntField(default=0)),
                ('leased_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('message_id', fields.CharField(null=True, max_length=200)),
                ('error', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'email_delivery', 'app': 'auftrag', 'indexes': [Index(fields=['status', 'not_before']), Index(fields=['recipient_id', 'status', 'cadence'])], 'pk_attr': 'id', 'table_description': 'The email channel of one notification: at most one per notification (so per person,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NotificationPreference',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('auftrag.User', source_field='user_id', db_constraint=True, to_field='id', related_name='notification_preferences', on_delete=OnDelete.CASCADE)),
                ('event', fields.CharField(max_length=64)),
                ('channel', fields.CharEnumField(description='INBOX: inbox\nEMAIL: email', enum_type=Channel, max_length=8)),
                ('cadence', fields.CharEnumField(description='IMMEDIATE: immediate\nDAILY: daily\nWEEKLY: weekly\nOFF: off', enum_type=Cadence, max_length=16)),
            ],
            options={'table': 'notification_preference', 'app': 'auftrag', 'unique_together': (('user', 'event', 'channel'),), 'pk_attr': 'id', 'table_description': "A person's choice for one kind of notification (its event name) on one channel."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NotificationSettings',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.OneToOneField('auftrag.User', source_field='user_id', db_constraint=True, to_field='id', related_name='notification_settings', on_delete=OnDelete.CASCADE)),
                ('quiet_hours', fields.BooleanField(default=True)),
                ('quiet_from', fields.SmallIntField(default=22)),
                ('quiet_until', fields.SmallIntField(default=7)),
                ('language', fields.CharField(default='de', max_length=2)),
            ],
            options={'table': 'notification_settings', 'app': 'auftrag', 'pk_attr': 'id', 'table_description': 'The quiet hours of a person, in the local time of her municipality, and the language'},
            bases=['Model'],
        ),
        ops.AddIndex(
            model_name='Consent',
            index=Index(fields=['user_id', 'topic', 'id']),
        ),
        ops.AlterModelOptions(
            name='MailboxMessage',
            options={'table': 'mailbox_message', 'app': 'auftrag', 'pk_attr': 'id', 'table_description': 'Messages kept for the dev mailbox when no SMTP server is configured.'},
        ),
        # The dispatcher starts at what is in the outbox now: an upgrade must not notify
        # people of everything that happened before notifications existed.
        ops.RunSQL(
            "INSERT INTO outbox_consumer (name, watermark) "
            "SELECT 'notifications', COALESCE(MAX(id), 0) FROM outbox_event",
            reverse_sql="DELETE FROM outbox_consumer WHERE name = 'notifications'",
        ),
    ]
