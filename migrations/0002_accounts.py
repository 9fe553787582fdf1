from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from participation.permissions import Level, Role
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('auftrag', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Consent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('auftrag.User', source_field='user_id', db_constraint=True, to_field='id', related_name='consents', on_delete=OnDelete.CASCADE)),
                ('topic', fields.CharField(max_length=48)),
                ('granted', fields.BooleanField()),
                ('wording_version', fields.CharField(max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'account_consent', 'app': 'auftrag', 'pk_attr': 'id', 'table_description': 'Append-only: each grant or withdrawal with its time and the wording version shown.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Passkey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('auftrag.User', source_field='user_id', db_constraint=True, to_field='id', related_name='passkeys', on_delete=OnDelete.CASCADE)),
                ('credential_id', fields.CharField(unique=True, max_length=1400)),
                ('public_key', fields.TextField(unique=False)),
                ('sign_count', fields.BigIntField(default=0)),
                ('transports', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('name', fields.CharField(max_length=80)),
                ('backed_up', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'account_passkey', 'app': 'auftrag', 'pk_attr': 'id', 'table_description': 'A WebAuthn credential. Its public key verifies sign-ins, and nothing secret is stored.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Residency',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('auftrag.User', source_field='user_id', db_constraint=True, to_field='id', related_name='residencies', on_delete=OnDelete.CASCADE)),
                ('municipality', fields.ForeignKeyField('auftrag.Municipality', source_field='municipality_id', db_constraint=True, to_field='id', related_name='residencies', on_delete=OnDelete.CASCADE)),
                ('district', fields.ForeignKeyField('auftrag.District', source_field='district_id', null=True, db_constraint=True, to_field='id', related_name='residencies', on_delete=OnDelete.SET_NULL)),
                ('source', fields.CharField(max_length=16)),
                ('verified_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'account_residency', 'app': 'auftrag', 'unique_together': (('user', 'municipality'),), 'pk_attr': 'id', 'table_description': 'A person proven to live in a municipality (and maybe a district), and by whom.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RoleChange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('municipality', fields.ForeignKeyField('auftrag.Municipality', source_field='municipality_id', db_constraint=True, to_field='id', related_name='role_changes', on_delete=OnDelete.CASCADE)),
                ('subject', fields.ForeignKeyField('auftrag.User', source_field='subject_id', null=True, db_constraint=True, to_field='id', related_name='role_changes', on_delete=OnDelete.SET_NULL)),
                ('changed_by', fields.ForeignKeyField('auftrag.User', source_field='changed_by_id', null=True, db_constraint=True, to_field='id', related_name='role_changes_made', on_delete=OnDelete.SET_NULL)),
                ('role', fields.CharEnumField(description='CITIZEN: citizen\nCOUNCIL: council\nMODERATOR: moderator\nADMIN: admin', enum_type=Role, max_length=16)),
                ('granted', fields.BooleanField()),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'account_role_change', 'app': 'auftrag', 'pk_attr': 'id', 'table_description': 'The audit log of roles: who granted or revoked what, for whom, and when.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SecurityEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('auftrag.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='security_events', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=48)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'account_security_event', 'app': 'auftrag', 'pk_attr': 'id', 'table_description': 'Something a person or an operator should know about, such as a possibly cloned key.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Session',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('auftrag.User', source_field='user_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('secret_hash', fields.CharField(max_length=64)),
                ('kind', fields.CharField(default='browser', max_length=16)),
                ('device', fields.CharField(default='', max_length=120)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_used_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'account_session', 'app': 'auftrag', 'pk_attr': 'id', 'table_description': 'A signed-in browser or API client. Access tokens name it, so revoking it ends them.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebAuthnChallenge',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('challenge', fields.CharField(unique=True, max_length=128)),
                ('purpose', fields.CharField(max_length=16)),
                ('binding_hash', fields.CharField(max_length=64)),
                ('user', fields.ForeignKeyField('auftrag.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='webauthn_challenges', on_delete=OnDelete.CASCADE)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'account_webauthn_challenge', 'app': 'auftrag', 'pk_attr': 'id', 'table_description': "One ceremony's challenge: bound to the browser that asked, used once, short-lived."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Municipality',
            name='launch_level',
            field=fields.CharEnumField(default=Level.EMAIL, description='EMAIL: email_verified\nRESIDENT: resident_verified', enum_type=Level, max_length=24),
        ),
        ops.AddField(
            model_name='Municipality',
            name='sign_level',
            field=fields.CharEnumField(default=Level.EMAIL, description='EMAIL: email_verified\nRESIDENT: resident_verified', enum_type=Level, max_length=24),
        ),
        ops.AddField(
            model_name='Municipality',
            name='vote_level',
            field=fields.CharEnumField(default=Level.EMAIL, description='EMAIL: email_verified\nRESIDENT: resident_verified', enum_type=Level, max_length=24),
        ),
        ops.AddField(
            model_name='Signature',
            name='resident',
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name='SignatureCount',
            name='resident',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='User',
            name='suspended_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
