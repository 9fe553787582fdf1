from tortoise import migrations
from tortoise.migrations import operations as ops
from participation.deliberation.models import Stance, SubjectType
from participation.moderation.models import FlagReason, FlagResolution, ModerationAction
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('auftrag', '0016_feeds')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Suspension',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('municipality', fields.ForeignKeyField('auftrag.Municipality', source_field='municipality_id', db_constraint=True, to_field='id', related_name='suspensions', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('auftrag.User', source_field='user_id', db_constraint=True, to_field='id', related_name='suspensions', on_delete=OnDelete.CASCADE)),
                ('until', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('reason', fields.TextField(unique=False)),
                ('created_by', fields.ForeignKeyField('auftrag.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='suspensions_given', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'suspension', 'app': 'auftrag', 'indexes': [Index(fields=['user_id', 'municipality_id', 'until'])], 'pk_attr': 'id', 'table_description': 'An account may read and export in a municipality but not write there, until `until`.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Thread',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('municipality', fields.ForeignKeyField('auftrag.Municipality', source_field='municipality_id', db_constraint=True, to_field='id', related_name='threads', on_delete=OnDelete.CASCADE)),
                ('subject_type', fields.CharEnumField(description='MANDATE: mandate\nMEASURE: measure\nVOTE: vote', enum_type=SubjectType, max_length=16)),
                ('subject_id', fields.IntField()),
                ('locked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'thread', 'app': 'auftrag', 'unique_together': (('subject_type', 'subject_id'),), 'pk_attr': 'id', 'table_description': 'The discussion of one subject, created with it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Comment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('thread', fields.ForeignKeyField('auftrag.Thread', source_field='thread_id', db_constraint=True, to_field='id', related_name='comments', on_delete=OnDelete.CASCADE)),
                ('parent', fields.ForeignKeyField('auftrag.Comment', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='replies', on_delete=OnDelete.CASCADE)),
                ('reply_to', fields.ForeignKeyField('auftrag.Comment', source_field='reply_to_id', null=True, db_constraint=True, to_field='id', related_name='answered_by', on_delete=OnDelete.SET_NULL)),
                ('depth', fields.SmallIntField(default=0)),
                ('author', fields.ForeignKeyField('auftrag.User', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name='comments', on_delete=OnDelete.SET_NULL)),
                ('stance', fields.CharEnumField(default=Stance.NEUTRAL, description='FOR: for\nAGAINST: against\nNEUTRAL: neutral', enum_type=Stance, max_length=8)),
                ('body', fields.TextField(unique=False)),
                ('body_html', fields.TextField(unique=False)),
                ('official', fields.BooleanField(default=False)),
                ('official_role', fields.CharField(null=True, max_length=16)),
                ('official_department', fields.CharField(null=True, max_length=120)),
                ('endorsement_count', fields.IntField(default=0)),
                ('flag_count', fields.IntField(default=0)),
                ('hidden_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('hidden_reason', fields.TextField(null=True, unique=False)),
                ('hidden_pending_review', fields.BooleanField(default=False)),
                ('review_requested_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('edited_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'comment', 'app': 'auftrag', 'indexes': [Index(fields=['thread_id', 'id']), Index(fields=['thread_id', 'endorsement_count', 'id']), Index(fields=['author_id', 'id'])], 'pk_attr': 'id', 'table_description': 'A contribution to a thread. Its row stays for good, so replies keep their place.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CommentRevision',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('comment', fields.ForeignKeyField('auftrag.Comment', source_field='comment_id', db_constraint=True, to_field='id', related_name='revisions', on_delete=OnDelete.CASCADE)),
                ('body', fields.TextField(unique=False)),
                ('body_html', fields.TextField(unique=False)),
                ('stance', fields.CharEnumField(description='FOR: for\nAGAINST: against\nNEUTRAL: neutral', enum_type=Stance, max_length=8)),
                ('written_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'comment_revision', 'app': 'auftrag', 'pk_attr': 'id', 'table_description': 'An earlier version of a comment, kept when its author edits it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Endorsement',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('comment', fields.ForeignKeyField('auftrag.Comment', source_field='comment_id', db_constraint=True, to_field='id', related_name='endorsements', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('auftrag.User', source_field='user_id', db_constraint=True, to_field='id', related_name='endorsements', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'comment_endorsement', 'app': 'auftrag', 'unique_together': (('comment', 'user'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Flag',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('comment', fields.ForeignKeyField('auftrag.Comment', source_field='comment_id', db_constraint=True, to_field='id', related_name='flags', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('auftrag.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='flags', on_delete=OnDelete.SET_NULL)),
                ('reason', fields.CharEnumField(description='SPAM: spam\nINSULT: insult\nOFF_TOPIC: off_topic\nPERSONAL_DATA: personal_data\nILLEGAL: illegal\nOTHER: other', enum_type=FlagReason, max_length=16)),
                ('text', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('resolution', fields.CharEnumField(null=True, description='UPHELD: upheld\nDISMISSED: dismissed', enum_type=FlagResolution, max_length=16)),
            ],
            options={'table': 'comment_flag', 'app': 'auftrag', 'unique_together': (('comment', 'user'),), 'pk_attr': 'id', 'table_description': 'A report of a comment by one person, who may flag it only once.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ModerationEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('municipality', fields.ForeignKeyField('auftrag.Municipality', source_field='municipality_id', db_constraint=True, to_field='id', related_name='moderation_entries', on_delete=OnDelete.CASCADE)),
                ('action', fields.CharEnumField(description='HIDE: hide\nAUTO_HIDE: auto_hide\nRESTORE: restore\nDISMISS_FLAGS: dismiss_flags\nLOCK: lock\nUNLOCK: unlock\nSUSPEND: suspend', enum_type=ModerationAction, max_length=16)),
                ('comment', fields.ForeignKeyField('auftrag.Comment', source_field='comment_id', null=True, db_constraint=True, to_field='id', related_name='moderation_entries', on_delete=OnDelete.SET_NULL)),
                ('thread', fields.ForeignKeyField('auftrag.Thread', source_field='thread_id', null=True, db_constraint=True, to_field='id', related_name='moderation_entries', on_delete=OnDelete.SET_NULL)),
                ('reason', fields.TextField(unique=False)),
                ('moderator_role', fields.CharField(null=True, max_length=16)),
                ('moderator', fields.ForeignKeyField('auftrag.User', source_field='moderator_id', null=True, db_constraint=True, to_field='id', related_name='moderation_entries', on_delete=OnDelete.SET_NULL)),
                ('until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'moderation_entry', 'app': 'auftrag', 'indexes': [Index(fields=['municipality_id', 'id'])], 'pk_attr': 'id', 'table_description': 'One line of the public moderation log. It holds what was done, to which subject'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Municipality',
            name='flag_threshold',
            field=fields.IntField(default=3),
        ),
        ops.AddField(
            model_name='Municipality',
            name='new_account_hours',
            field=fields.IntField(default=24),
        ),
            # Every subject that exists has its thread, as new ones get theirs when created.
        ops.RunSQL(
            "INSERT INTO thread (municipality_id, subject_type, subject_id, created_at) "
            "SELECT municipality_id, 'mandate', id, CURRENT_TIMESTAMP FROM mandate",
            reverse_sql="SELECT 1",
        ),
        ops.RunSQL(
            "INSERT INTO thread (municipality_id, subject_type, subject_id, created_at) "
            "SELECT mandate.municipality_id, 'measure', measure.id, CURRENT_TIMESTAMP "
            "FROM measure JOIN mandate ON mandate.id = measure.mandate_id",
            reverse_sql="SELECT 1",
        ),
        ops.RunSQL(
            "INSERT INTO thread (municipality_id, subject_type, subject_id, created_at) "
            "SELECT municipality_id, 'vote', id, CURRENT_TIMESTAMP FROM vote",
            reverse_sql="SELECT 1",
        ),
    ]
