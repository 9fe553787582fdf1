from tortoise import migrations
from tortoise.migrations import operations as ops
from participation.permissions import Role
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('auftrag', '0021_service_visits')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PendingRole',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('municipality', fields.ForeignKeyField('auftrag.Municipality', source_field='municipality_id', db_constraint=True, to_field='id', related_name='pending_roles', on_delete=OnDelete.CASCADE)),
                ('email', fields.CharField(db_index=True, max_length=254)),
                ('role', fields.CharEnumField(description='CITIZEN: citizen\nCOUNCIL: council\nMODERATOR: moderator\nADMIN: admin', enum_type=Role, max_length=16)),
                ('invited_by', fields.ForeignKeyField('auftrag.User', source_field='invited_by_id', null=True, db_constraint=True, to_field='id', related_name='invitations_made', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('accepted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('withdrawn_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('user', fields.ForeignKeyField('auftrag.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='accepted_roles', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'account_pending_role', 'app': 'auftrag', 'pk_attr': 'id', 'table_description': 'A role an administrator gave an email address that has no account yet.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='District',
            name='retired_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Municipality',
            name='contact_address',
            field=fields.TextField(default='', unique=False),
        ),
        ops.AddField(
            model_name='Municipality',
            name='contact_email',
            field=fields.CharField(default='', max_length=254),
        ),
        ops.AddField(
            model_name='Municipality',
            name='contact_phone',
            field=fields.CharField(default='', max_length=40),
        ),
        ops.AddField(
            model_name='Municipality',
            name='official_key',
            field=fields.CharField(null=True, max_length=8),
        ),
        ops.AddField(
            model_name='User',
            name='operator_since',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
