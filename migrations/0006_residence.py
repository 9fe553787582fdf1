from tortoise import migrations
from tortoise.migrations import operations as ops
from participation.accounts.models import ResidenceSource
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('auftrag', '0005_published_ballots')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ResidenceChange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('auftrag.User', source_field='user_id', db_constraint=True, to_field='id', related_name='residence_changes', on_delete=OnDelete.CASCADE)),
                ('from_municipality', fields.ForeignKeyField('auftrag.Municipality', source_field='from_municipality_id', null=True, db_constraint=True, to_field='id', related_name='residence_changes_from', on_delete=OnDelete.SET_NULL)),
                ('from_district', fields.ForeignKeyField('auftrag.District', source_field='from_district_id', null=True, db_constraint=True, to_field='id', related_name='residence_changes_from', on_delete=OnDelete.SET_NULL)),
                ('to_municipality', fields.ForeignKeyField('auftrag.Municipality', source_field='to_municipality_id', null=True, db_constraint=True, to_field='id', related_name='residence_changes_to', on_delete=OnDelete.SET_NULL)),
                ('to_district', fields.ForeignKeyField('auftrag.District', source_field='to_district_id', null=True, db_constraint=True, to_field='id', related_name='residence_changes_to', on_delete=OnDelete.SET_NULL)),
                ('source', fields.CharEnumField(description='DECLARED: declared\nADMIN: admin\nPORTAL: portal', enum_type=ResidenceSource, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'account_residence_change', 'app': 'auftrag', 'pk_attr': 'id', 'table_description': 'Append-only record of every declaration and change: when, from where, to where.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ResidenceDeclaration',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.OneToOneField('auftrag.User', source_field='user_id', db_constraint=True, to_field='id', related_name='residence', on_delete=OnDelete.CASCADE)),
                ('municipality', fields.ForeignKeyField('auftrag.Municipality', source_field='municipality_id', db_constraint=True, to_field='id', related_name='declared_residents', on_delete=OnDelete.CASCADE)),
                ('district', fields.ForeignKeyField('auftrag.District', source_field='district_id', null=True, db_constraint=True, to_field='id', related_name='declared_residents', on_delete=OnDelete.SET_NULL)),
                ('source', fields.CharEnumField(description='DECLARED: declared\nADMIN: admin\nPORTAL: portal', enum_type=ResidenceSource, max_length=16)),
                ('declared_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'account_residence_declaration', 'app': 'auftrag', 'pk_attr': 'id', 'table_description': 'Where a person says she lives now: a statement, not a proof. One per person.'},
            bases=['Model'],
        ),
    ]
