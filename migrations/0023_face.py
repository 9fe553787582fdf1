from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


def _column(name, field):
    return ops.AddField(model_name='Municipality', name=name, field=field)


class Migration(migrations.Migration):
    dependencies = [('auftrag', '0022_tenants')]

    initial = False

    operations = [
        _column('primary_color', fields.CharField(null=True, max_length=7)),
        _column('welcome_text', fields.TextField(null=True, unique=False)),
        _column('welcome_html', fields.TextField(null=True, unique=False)),
        _column('coat_of_arms_key', fields.CharField(null=True, max_length=64)),
        _column('coat_of_arms_type', fields.CharField(null=True, max_length=32)),
        _column('impressum_text', fields.TextField(null=True, unique=False)),
        _column('privacy_contact_text', fields.TextField(null=True, unique=False)),
        _column('accessibility_status', fields.CharField(null=True, max_length=16)),
        _column('accessibility_barriers', fields.TextField(null=True, unique=False)),
        _column('accessibility_reviewed_on', fields.DateField(null=True)),
        _column('enforcement_body_text', fields.TextField(null=True, unique=False)),
        ops.CreateModel(
            name='BarrierReport',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('municipality', fields.ForeignKeyField('auftrag.Municipality', source_field='municipality_id', db_constraint=True, to_field='id', related_name='barrier_reports', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(default='', max_length=120)),
                ('email', fields.CharField(default='', max_length=254)),
                ('description', fields.TextField(unique=False)),
                ('page', fields.CharField(default='', max_length=500)),
                ('created_at', fields.DatetimeField(auto_now_add=True, auto_now=False)),
            ],
            options={'table': 'accessibility_feedback', 'app': 'auftrag', 'pk_attr': 'id', 'table_description': 'A barrier someone met here, reported from the accessibility statement.'},
            bases=['Model'],
        ),
    ]
