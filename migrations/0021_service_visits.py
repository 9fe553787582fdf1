from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from notifications.visits.models import Outcome, Target
from participation.accounts.models import new_account_ref
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index



async def give_every_account_a_reference(apps, schema_editor):
    """Accounts made before this migration get their pseudonymous reference now."""
    client = schema_editor.client
    _, rows = await client.execute_query("SELECT id FROM account_user WHERE account_ref IS NULL")
    for row in rows:
        await client.execute_query(
            "UPDATE account_user SET account_ref = $1 WHERE id = $2"
            if client.capabilities.dialect == "postgres"
            else "UPDATE account_user SET account_ref = ? WHERE id = ?",
            [new_account_ref(), row["id"]],
        )


class Migration(migrations.Migration):
    dependencies = [('auftrag', '0020_vote_closing')]

    initial = False

    operations = [
        ops.CreateModel(
            name='InvitationPolicy',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('municipality', fields.OneToOneField('auftrag.Municipality', source_field='municipality_id', db_constraint=True, to_field='id', related_name='invitation_policy', on_delete=OnDelete.CASCADE)),
                ('cap_days', fields.IntField(default=14)),
            ],
            options={'table': 'visit_invitation_policy', 'app': 'auftrag', 'pk_attr': 'id', 'table_description': 'How often one person may be invited in a municipality.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ServiceType',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('municipality', fields.ForeignKeyField('auftrag.Municipality', source_field='municipality_id', db_constraint=True, to_field='id', related_name='service_types', on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(max_length=64)),
                ('name_de', fields.CharField(max_length=120)),
                ('name_en', fields.CharField(max_length=120)),
                ('retired_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'visit_service_type', 'app': 'auftrag', 'unique_together': (('municipality', 'code'),), 'pk_attr': 'id', 'table_description': 'One routine service of a municipality, such as residence.registration.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InvitationRule',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('service_type', fields.OneToOneField('auftrag.ServiceType', source_field='service_type_id', db_constraint=True, to_field='id', related_name='rule', on_delete=OnDelete.CASCADE)),
                ('topics', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('own_district', fields.BooleanField(default=False)),
            ],
            options={'table': 'visit_invitation_rule', 'app': 'auftrag', 'pk_attr': 'id', 'table_description': 'Which open consultations a visit of one service type is invited to.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ServiceVisit',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('municipality', fields.ForeignKeyField('auftrag.Municipality', source_field='municipality_id', db_constraint=True, to_field='id', related_name='service_visits', on_delete=OnDelete.CASCADE)),
                ('jti', fields.CharField(max_length=128)),
                ('service_type', fields.ForeignKeyField('auftrag.ServiceType', source_field='service_type_id', db_constraint=True, to_field='id', related_name='visits', on_delete=OnDelete.RESTRICT)),
                ('district', fields.ForeignKeyField('auftrag.District', source_field='district_id', null=True, db_constraint=True, to_field='id', related_name='service_visits', on_delete=OnDelete.SET_NULL)),
                ('user', fields.ForeignKeyField('auftrag.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='service_visits', on_delete=OnDelete.SET_NULL)),
                ('outcome', fields.CharEnumField(description='INVITED: invited\nNO_CONSENT: no_consent\nCAPPED: capped\nNOTHING_OPEN: nothing_open\nUNKNOWN_PERSON: unknown_person', enum_type=Outcome, max_length=16)),
                ('occurred_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('requested_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'visit_service_visit', 'app': 'auftrag', 'unique_together': (('municipality', 'jti'),), 'pk_attr': 'id', 'table_description': 'One accepted call of the service portal, with its outcome. The person is kept'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Invitation',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('visit', fields.OneToOneField('auftrag.ServiceVisit', source_field='visit_id', db_constraint=True, to_field='id', related_name='invitation', on_delete=OnDelete.CASCADE)),
                ('municipality', fields.ForeignKeyField('auftrag.Municipality', source_field='municipality_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('auftrag.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.SET_NULL)),
                ('token', fields.CharField(unique=True, max_length=64)),
                ('target', fields.CharEnumField(description='MANDATE: mandate\nVOTE: vote\nDISCUSSION: discussion', enum_type=Target, max_length=16)),
                ('target_id', fields.IntField()),
                ('target_path', fields.CharField(max_length=200)),
                ('sent_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('opened_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('score', fields.SmallIntField(null=True)),
                ('scored_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('comment', fields.TextField(default='', unique=False)),
                ('comment_html', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'visit_invitation', 'app': 'auftrag', 'indexes': [Index(fields=['user_id', 'sent_at'])], 'pk_attr': 'id', 'table_description': 'The one invitation a visit led to: where it points, whether it was opened, and the'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='User',
            name='account_ref',
            field=fields.CharField(null=True, default=new_account_ref, unique=True, max_length=32),
        ),
        ops.RunPython(give_every_account_a_reference),
    ]
