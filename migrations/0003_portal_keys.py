from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('auftrag', '0002_accounts')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PortalKey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('municipality', fields.ForeignKeyField('auftrag.Municipality', source_field='municipality_id', db_constraint=True, to_field='id', related_name='portal_keys', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=80)),
                ('public_key', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'account_portal_key', 'app': 'auftrag', 'pk_attr': 'id', 'table_description': "A municipal service portal's public key: it signs residency attestations."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UsedAttestation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('jti', fields.CharField(unique=True, max_length=128)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'account_used_attestation', 'app': 'auftrag', 'pk_attr': 'id', 'table_description': 'Attestation ids already accepted, kept until they expire, so none is replayed.'},
            bases=['Model'],
        ),
    ]
