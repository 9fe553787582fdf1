from tortoise import migrations
from tortoise.migrations import operations as ops
from participation.answers.models import ResponseKind
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('auftrag', '0010_promise')]

    initial = False

    operations = [
        ops.CreateModel(
            name='OfficialResponse',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('mandate', fields.ForeignKeyField('auftrag.Mandate', source_field='mandate_id', db_constraint=True, to_field='id', related_name='official_responses', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='FIRST_ANSWER: first_answer\nUPDATE: update\nDECISION: decision', enum_type=ResponseKind, max_length=16)),
                ('body', fields.TextField(unique=False)),
                ('body_html', fields.TextField(unique=False)),
                ('author', fields.ForeignKeyField('auftrag.User', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name='official_responses', on_delete=OnDelete.SET_NULL)),
                ('role', fields.CharField(max_length=16)),
                ('department_name', fields.CharField(null=True, max_length=120)),
                ('department', fields.ForeignKeyField('auftrag.Department', source_field='department_id', null=True, db_constraint=True, to_field='id', related_name='official_responses', on_delete=OnDelete.SET_NULL)),
                ('council_paper_reference', fields.CharField(null=True, max_length=64)),
                ('council_paper_url', fields.CharField(null=True, max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'official_response', 'app': 'auftrag', 'pk_attr': 'id', 'table_description': 'An official answer. Role and department name are kept as they were when it was'},
            bases=['Model'],
        ),
    ]
