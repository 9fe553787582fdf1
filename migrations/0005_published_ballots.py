from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('auftrag', '0004_votes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PublishedBallot',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('vote', fields.ForeignKeyField('auftrag.Vote', source_field='vote_id', db_constraint=True, to_field='id', related_name='published_ballots', on_delete=OnDelete.CASCADE)),
                ('choices', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('receipt_digest', fields.CharField(max_length=64)),
            ],
            options={'table': 'vote_published_ballot', 'app': 'auftrag', 'unique_together': (('vote', 'receipt_digest'),), 'pk_attr': 'id', 'table_description': 'A counted ballot of a published vote, written once in random order, never changed.'},
            bases=['Model'],
        ),
        ops.AlterModelOptions(
            name='Ballot',
            options={'table': 'vote_ballot', 'app': 'auftrag', 'unique_together': (('vote', 'slot'), ('vote', 'receipt_digest')), 'pk_attr': 'id', 'table_description': 'A ballot of a vote still open or closed, under a random id and with no timestamp.'},
        ),
        ops.AddField(
            model_name='Vote',
            name='sealed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        # Ballots published before this migration move to their own table; the minute job then
        # seals every published vote (sealed_at is NULL), clearing what their old rows left.
        ops.RunSQL(
            [
                "INSERT INTO vote_published_ballot (id, vote_id, choices, receipt_digest) "
                "SELECT b.id, b.vote_id, b.choices, b.receipt_digest FROM vote_ballot b "
                "JOIN vote v ON v.id = b.vote_id WHERE v.status = 'published'",
                "DELETE FROM vote_ballot "
                "WHERE vote_id IN (SELECT id FROM vote WHERE status = 'published')",
            ]
        ),
    ]
