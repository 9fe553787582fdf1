from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from participation.permissions import Level
from participation.votes.models import Rule, VoteStatus
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('auftrag', '0003_portal_keys')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Vote',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('municipality', fields.ForeignKeyField('auftrag.Municipality', source_field='municipality_id', db_constraint=True, to_field='id', related_name='votes', on_delete=OnDelete.RESTRICT)),
                ('mandate', fields.ForeignKeyField('auftrag.Mandate', source_field='mandate_id', null=True, db_constraint=True, to_field='id', related_name='votes', on_delete=OnDelete.SET_NULL)),
                ('district', fields.ForeignKeyField('auftrag.District', source_field='district_id', null=True, db_constraint=True, to_field='id', related_name='votes', on_delete=OnDelete.RESTRICT)),
                ('title', fields.CharField(max_length=120)),
                ('description', fields.TextField(unique=False)),
                ('description_html', fields.TextField(unique=False)),
                ('rule', fields.CharEnumField(description='APPROVAL: approval\nIRV: irv\nSCHULZE: schulze\nCUMULATIVE: cumulative\nGREEDY: greedy\nGREEDY_THRESHOLD: greedy-threshold\nMES: mes\nORDINAL_GREEDY: ordinal-greedy', enum_type=Rule, max_length=20)),
                ('max_choices', fields.IntField(null=True)),
                ('points_total', fields.IntField(null=True)),
                ('points_max_per_option', fields.IntField(null=True)),
                ('budget_cents', fields.BigIntField(null=True)),
                ('limit_ballot_cost', fields.BooleanField(default=True)),
                ('min_votes', fields.IntField(null=True)),
                ('eligibility_level', fields.CharEnumField(description='EMAIL: email_verified\nRESIDENT: resident_verified', enum_type=Level, max_length=24)),
                ('opens_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closes_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('min_turnout', fields.IntField(default=0)),
                ('status', fields.CharEnumField(default=VoteStatus.DRAFT, db_index=True, description='DRAFT: draft\nSCHEDULED: scheduled\nOPEN: open\nCLOSED: closed\nPUBLISHED: published\nCANCELLED: cancelled', enum_type=VoteStatus, max_length=16)),
                ('cancel_reason', fields.TextField(null=True, unique=False)),
                ('created_by', fields.ForeignKeyField('auftrag.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='votes_created', on_delete=OnDelete.SET_NULL)),
                ('result', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('turnout', fields.IntField(null=True)),
                ('ballot_key', fields.CharField(null=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'vote', 'app': 'auftrag', 'pk_attr': 'id', 'table_description': 'A priority vote of a municipality, standalone or attached to a mandate.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Ballot',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('vote', fields.ForeignKeyField('auftrag.Vote', source_field='vote_id', db_constraint=True, to_field='id', related_name='ballots', on_delete=OnDelete.CASCADE)),
                ('slot', fields.CharField(max_length=64)),
                ('choices', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('receipt_digest', fields.CharField(max_length=64)),
            ],
            options={'table': 'vote_ballot', 'app': 'auftrag', 'unique_together': (('vote', 'slot'), ('vote', 'receipt_digest')), 'pk_attr': 'id', 'table_description': 'One counted ballot. A random id and no timestamps, so nothing orders it in time.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Participation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('vote', fields.ForeignKeyField('auftrag.Vote', source_field='vote_id', db_constraint=True, to_field='id', related_name='participations', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('auftrag.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='participations', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'vote_participation', 'app': 'auftrag', 'unique_together': (('vote', 'user'),), 'pk_attr': 'id', 'table_description': 'That a person took part in a vote, and nothing about how she voted.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='VoteOption',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('vote', fields.ForeignKeyField('auftrag.Vote', source_field='vote_id', db_constraint=True, to_field='id', related_name='options', on_delete=OnDelete.CASCADE)),
                ('position', fields.SmallIntField()),
                ('title', fields.CharField(max_length=120)),
                ('description', fields.TextField(default='', unique=False)),
                ('cost_cents', fields.BigIntField(null=True)),
            ],
            options={'table': 'vote_option', 'app': 'auftrag', 'unique_together': (('vote', 'position'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
